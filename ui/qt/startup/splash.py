"""What start-up shows while the project loads: a splash, painted at once.

Importing VTK and pyvistaqt, loading meshes and starting the simulator take
seconds; the splash is drawn with bare Qt before any of that starts, so the
user sees LineTwin answer within a fraction of a second, and then what it is
doing. Reopening a project from an open window uses a progress dialog instead.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog

from linetwin.ui.qt.startup import startup_marks

SPLASH_SIZE = (520, 220)
EXPOSE_WAIT_S = 2.0  # a window manager that never maps the splash must not stall start-up


def _splash_pixmap() -> QPixmap:
    pixmap = QPixmap(*SPLASH_SIZE)
    pixmap.fill(QColor("#1F2937"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#F9FAFB"))
    painter.setFont(QFont("Sans", 26, QFont.Weight.Bold))
    painter.drawText(QRect(32, 40, 456, 50), Qt.AlignmentFlag.AlignLeft, "LineTwin")
    painter.setFont(QFont("Sans", 11))
    painter.setPen(QColor("#9CA3AF"))
    painter.drawText(QRect(32, 92, 456, 30), Qt.AlignmentFlag.AlignLeft,
                     "Digital twin of a production line")
    painter.end()
    return pixmap


def _splash_window() -> QLabel:
    """A frameless window with the splash picture and a status line.

    Not QSplashScreen: its show() waits up to a second for the window manager
    to report the window exposed, which costs the whole second on a display
    without one (Xvfb, some kiosks).
    """
    screen = QLabel()
    screen.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint
                          | Qt.WindowType.WindowStaysOnTopHint)
    screen.setPixmap(_splash_pixmap())
    screen.setFixedSize(*SPLASH_SIZE)
    status = QLabel(screen)
    status.setObjectName("splashStatus")
    status.setStyleSheet("color: #E5E7EB;")
    status.setGeometry(32, SPLASH_SIZE[1] - 40, SPLASH_SIZE[0] - 64, 24)
    centre = QApplication.primaryScreen().availableGeometry().center()
    screen.move(centre.x() - SPLASH_SIZE[0] // 2, centre.y() - SPLASH_SIZE[1] // 2)
    return screen


class Splash:
    """The start-up splash; ``say`` shows what is being done."""

    def __init__(self, app: QApplication, screen: QLabel | None = None,
                 dialog: QProgressDialog | None = None) -> None:
        self.app, self.screen, self.dialog = app, screen, dialog

    @classmethod
    def show_now(cls, app: QApplication) -> "Splash":
        """Show the splash and return once its pixels are on screen."""
        screen = _splash_window()
        screen.show()
        deadline = time.monotonic() + EXPOSE_WAIT_S
        handle = screen.windowHandle()
        while not (handle and handle.isExposed()) and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            handle = screen.windowHandle()
        splash = cls(app, screen=screen)
        splash.say("Starting…")
        startup_marks.mark("painted")
        return splash

    @classmethod
    def for_reload(cls, window) -> "Splash":
        """Progress of a reopen from an open window: a dialog, shown only if slow."""
        dialog = QProgressDialog("Loading…", None, 0, 0, window)
        dialog.setMinimumDuration(400)
        return cls(QApplication.instance(), dialog=dialog)

    def say(self, text: str) -> None:
        if self.screen is not None:
            self.screen.findChild(QLabel, "splashStatus").setText(text)
            self.screen.repaint()
        if self.dialog is not None:
            self.dialog.setLabelText(text)
        self.app.processEvents()

    def on_mesh_progress(self, done: int, total: int, asset_id: str) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(total)
            self.dialog.setValue(done)
        self.say(f"Loading {asset_id} ({done}/{total})…")

    def finish(self, window) -> None:
        """Go away once ``window`` is shown (at once if there is none)."""
        if self.screen is not None:  # the window is shown by now: no flash of nothing
            self.screen.close()
            self.screen.deleteLater()
            self.screen = None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
