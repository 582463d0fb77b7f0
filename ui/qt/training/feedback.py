"""What the engine said about each action, as the trainee sees it at once.

:class:`FeedbackList` keeps every :class:`SopEvent` of the session, newest at
the bottom: errors in red with the engine's own message (the UI never judges),
completed steps in green, hints and the trainer's faults in their own colours.
:class:`ErrorBanner` repeats the latest error over the 3D view for a few
seconds, where the trainee is looking.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem

from linetwin.twin.sop.sop_result import SopEvent, SopEventKind

BANNER_MS = 6000
_COLORS = {
    SopEventKind.ERROR: "#B91C1C",
    SopEventKind.STEP_COMPLETED: "#166534",
    SopEventKind.STEP_STARTED: "#1E3A8A",
    SopEventKind.HINT_USED: "#7C3AED",
    SopEventKind.FAULT_INJECTED: "#B45309",
    SopEventKind.FINISHED: "#111827",
    SopEventKind.ACTION: "#4B5563",
}
_PREFIX = {
    SopEventKind.ERROR: "✗ ",
    SopEventKind.STEP_COMPLETED: "✓ ",
    SopEventKind.STEP_STARTED: "▶ ",
    SopEventKind.HINT_USED: "? hint: ",
    SopEventKind.FAULT_INJECTED: "⚠ ",
    SopEventKind.FINISHED: "■ ",
    SopEventKind.ACTION: "",
}


def event_text(event: SopEvent, start: float) -> str:
    """``+01:23  ✗ [wrong_component] picked sealer; step 4 (...) needs sealer.seal_head``."""
    clock = _clock(event.time - start)
    kind = f"[{event.error.kind.value}] " if event.error is not None else ""
    message = event.message or ("session finished" if event.kind is SopEventKind.FINISHED else "")
    return f"+{clock}  {_PREFIX[event.kind]}{kind}{message}"


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class FeedbackList(QListWidget):
    """Every event of the session, coloured by kind; scrolls to the newest."""

    def __init__(self, start: float, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingFeedback")
        self.start = start
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)

    def add(self, event: SopEvent) -> QListWidgetItem:
        item = QListWidgetItem(event_text(event, self.start))
        item.setForeground(QBrush(QColor(_COLORS[event.kind])))
        item.setData(256, event.kind.value)  # Qt.UserRole: tests and filters read the kind
        if event.kind in (SopEventKind.ERROR, SopEventKind.STEP_COMPLETED):
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        self.addItem(item)
        self.scrollToBottom()
        return item

    def texts(self, kind: SopEventKind | None = None) -> list[str]:
        return [self.item(i).text() for i in range(self.count())
                if kind is None or self.item(i).data(256) == kind.value]


class ErrorBanner(QLabel):
    """The latest error in white on red above the 3D view; hides itself again."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingErrorBanner")
        self.setWordWrap(True)
        self.setStyleSheet("background: #B91C1C; color: white; font-weight: bold; font-size: 14px;"
                           "padding: 6px 12px; border-bottom: 2px solid #7F1D1D;")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_error(self, event: SopEvent) -> None:
        kind = event.error.kind.value.replace("_", " ") if event.error is not None else "error"
        self.setText(f"✗ {kind}: {event.message}")
        self.show()
        self._timer.start(BANNER_MS)
