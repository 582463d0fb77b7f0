"""Guard against a Qt binding that leaks references to ``None``.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` on every void
Qt call (``QPainter.setPen``, ``drawLine``, ``save``/``restore``,
``QRectF.setHeight``...). A trend repaint makes hundreds of such calls, so the
GUI aborted after minutes with ``Fatal Python error: none_dealloc``.
pyproject.toml pins PySide6 below 6.12 on Python < 3.12; this test fails CI if
an install brings a broken combination back. The calls run in a child process,
because a binding that is broken enough aborts the interpreter outright.
"""

from __future__ import annotations

import os
import subprocess
import sys

CALLS = 3000  # a few thousand void calls: well past what a broken binding survives unnoticed

PROBE = f"""
import sys
from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication

app = QApplication([])
image = QImage(64, 64, QImage.Format.Format_ARGB32)
painter = QPainter(image)
pen, rect, line = QPen(QColor("red")), QRectF(0, 0, 10, 10), QLineF(0, 0, 5, 5)
point = QPointF(1, 1)

def void_calls():
    painter.save()
    painter.setPen(pen)
    painter.drawLine(line)
    painter.drawLine(0, 0, 10, 10)
    painter.drawEllipse(point, 2.0, 2.0)
    rect.setHeight(5.0)
    rect.setWidth(6.0)
    painter.restore()

void_calls()  # warm up: first calls may create cached objects
before = sys.getrefcount(None)
for _ in range({CALLS} // 8):
    void_calls()
after = sys.getrefcount(None)
painter.end()
print(before, after)
"""


def test_void_qt_calls_keep_every_reference_to_none():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, (
        f"void Qt calls crashed the interpreter (exit {done.returncode}): {done.stderr[-400:]}")
    before, after = (int(v) for v in done.stdout.split())
    # A few references may come and go with the interpreter's own caches; a
    # leaking binding loses one per call, thousands in all.
    assert after >= before - 50, (
        f"sys.getrefcount(None) fell from {before} to {after} over {CALLS} void Qt calls: "
        "this PySide6 build leaks references to None (pin it in pyproject.toml)")
