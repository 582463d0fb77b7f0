"""A status-bar label that never clips: it elides to its width and keeps the
full text in its tooltip."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

MIN_CHARS = 12  # how narrow the label may be squeezed, in average characters


class ElidedLabel(QLabel):
    """Plain text, elided in the middle when short of room, with an optional
    coloured dot in front (a connection or recording indicator)."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        self._dot: str | None = None
        self._tip = ""
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.set_text(text)

    def set_text(self, text: str, dot_color: str | None = None, tooltip: str = "") -> None:
        """Show ``text``; the tooltip is ``tooltip`` or, if elided, the full text."""
        self._full, self._dot, self._tip = text, dot_color, tooltip
        self.updateGeometry()
        self._render()

    def full_text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """The text as drawn now (with "…" when elided), without the dot."""
        return self._shown

    def _prefix_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("● ") if self._dot else 0

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        hint = super().sizeHint()
        # A few pixels of slack: elidedText shapes the text and may need a pixel
        # or two more than horizontalAdvance reports.
        width = self.fontMetrics().horizontalAdvance(self._full) + self._prefix_width() + 14
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        width = min(self.sizeHint().width(),
                    self.fontMetrics().averageCharWidth() * MIN_CHARS + self._prefix_width())
        return QSize(width, hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._render()

    def _render(self) -> None:
        room = max(self.width() - self._prefix_width() - 8, 0)
        self._shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle,
                                                    room)
        dot = f"<span style='color:{self._dot}'>●</span> " if self._dot else ""
        super().setText(dot + html.escape(self._shown))
        elided = self._shown != self._full
        self.setToolTip(self._tip or (self._full if elided else ""))
