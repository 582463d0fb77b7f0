"""The current step as the trainee reads it, and where the session stands.

Step n of N, its title, its instruction (markdown), its image when the SOP
has one, the step's and the SOP's timers on the simulated clock, the Hint
button, and the list of all steps: done ✓, current ▶, with errors ✗.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from linetwin.twin.sop.engine import SopEngine
from linetwin.twin.sop.sop_model import SopStep

IMAGE_WIDTH = 320


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class InstructionPanel(QWidget):
    """Shows the engine's current step; :meth:`refresh` on every timer tick."""

    hint_requested = Signal()

    def __init__(self, engine: SopEngine, parent=None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.shown_step: str | None = None
        self.position = QLabel()
        self.position.setObjectName("stepPosition")
        self.title = QLabel()
        self.title.setObjectName("stepTitle")
        self.title.setWordWrap(True)
        self.title.setFont(QFont(self.font().family(), 14, QFont.Weight.Bold))
        self.text = QTextBrowser()
        self.text.setObjectName("stepInstruction")
        self.text.setOpenExternalLinks(False)
        self.image = QLabel()
        self.image.setObjectName("stepImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.step_timer = QLabel()
        self.step_timer.setObjectName("stepTimer")
        self.sop_timer = QLabel()
        self.sop_timer.setObjectName("sopTimer")
        self.hint = QPushButton("Hint")
        self.hint.setObjectName("hintButton")
        self.hint.setToolTip("Show the step's hint (costs points)")
        self.hint.clicked.connect(self.hint_requested)
        self.progress = QListWidget()
        self.progress.setObjectName("stepProgress")
        self._layout()
        self.show_step(engine.current)

    def _layout(self) -> None:
        timers = QHBoxLayout()
        timers.addWidget(self.step_timer)
        timers.addStretch(1)
        timers.addWidget(self.sop_timer)
        timers.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.addWidget(self.position)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 2)
        layout.addWidget(self.image)
        layout.addLayout(timers)
        layout.addWidget(QLabel("Steps"))
        layout.addWidget(self.progress, 1)

    def show_step(self, step: SopStep | None) -> None:
        """Put ``step`` (the engine's current one) in the panel; None: all done."""
        sop = self.engine.sop
        self.shown_step = step.id if step is not None else None
        if step is None:
            self.position.setText(f"All {len(sop.steps)} steps done")
            self.title.setText(sop.title)
            self.text.setMarkdown("The procedure is complete.")
            self.image.clear()
            self.image.hide()
            self.hint.setEnabled(False)
        else:
            self.position.setText(f"Step {sop.number(step.id)} of {len(sop.steps)}  ·  {sop.id} v{sop.version}")
            self.title.setText(step.title)
            self.text.setMarkdown(step.instruction or "No further instruction.")
            self._show_image(step)
            self.hint.setEnabled(True)
        self.refresh_progress()

    def _show_image(self, step: SopStep) -> None:
        pixmap = QPixmap(str(step.image)) if step.image is not None else QPixmap()
        if pixmap.isNull():
            self.image.clear()
            self.image.hide()
            return
        if pixmap.width() > IMAGE_WIDTH:
            pixmap = pixmap.scaledToWidth(IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)
        self.image.setPixmap(pixmap)
        self.image.show()

    def refresh(self, now: float) -> None:
        """The timers at ``now`` (simulated seconds)."""
        engine, step = self.engine, self.engine.current
        limit = engine.sop.time_limit_s
        total = f"SOP {clock(now - engine.start)}" + (f" / {clock(limit)}" if limit else "")
        self.sop_timer.setText(total)
        if step is None or engine.finished:
            self.step_timer.setText("")
            return
        since = engine.started.get(step.id, now)
        text = f"Step {clock(now - since)}"
        if step.time_limit_s is not None:
            text += f" / {clock(step.time_limit_s)}"
            late = now - since > step.time_limit_s
            self.step_timer.setStyleSheet("color: #B91C1C; font-weight: bold;" if late else "")
        self.step_timer.setText(text)

    def refresh_progress(self) -> None:
        engine = self.engine
        current = engine.current
        self.progress.clear()
        for n, step in enumerate(engine.sop.steps, start=1):
            errors = sum(1 for e in engine.errors if e.step_id == step.id)
            if step.id in engine.done:
                mark, color = "✓", "#166534"
            elif current is not None and step.id == current.id:
                mark, color = "▶", "#1E3A8A"
            else:
                mark, color = "  ", "#4B5563"
            text = f"{mark} {n}. {step.title}" + (f"   ✗ {errors}" if errors else "")
            item = QListWidgetItem(text)
            item.setForeground(QBrush(QColor("#B91C1C" if errors and step.id in engine.done else color)))
            if current is not None and step.id == current.id:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.progress.addItem(item)
