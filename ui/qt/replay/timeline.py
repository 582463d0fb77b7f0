"""The replay timeline: the whole history at a glance, and a slider over it.

One strip per defect type shows where the defects cluster
(:meth:`DefectWindows.density`, one bin per two pixels, each type scaled to its
own busiest bin so a rare type stays visible); rows below mark the alerts as
recorded live (by severity), the connection losses (lost until reconnected),
the annotations and the bookmarked ranges. The loop range is shaded, the
cursor is a red line. Click or drag to seek; hovering tells the time.
The strips are painted once per size into a pixmap: a cursor move repaints
only the overlays.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from linetwin.twin.updates import ConnectionState

LEFT, RIGHT = 96, 12  # room for the row names; the end of the range stays clickable
STRIP_H, MARK_H, AXIS_H = 10, 12, 16
TYPE_COLORS = ("#D1495B", "#EDAE49", "#00798C", "#7B2CBF", "#30638E", "#6A994E", "#BC4749", "#8D6A9F")
SEVERITY_COLORS = {"alarm": "#B42318", "warning": "#E07A10"}  # alert severities
LOOP_FILL = QColor(255, 214, 0, 60)
BOOKMARK_COLOR = QColor("#1F7A4D")
NOTE_COLOR = QColor("#1F3BFF")
CURSOR_COLOR = QColor("#D00000")
_DOWN = (ConnectionState.LOST, ConnectionState.DISCONNECTED)


def clock_text(t: float, with_date: bool = True) -> str:
    """An instant as the window shows it: UTC, to the millisecond."""
    if t != t:
        return "—"
    moment = datetime.fromtimestamp(t, timezone.utc)
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d} UTC"


def link_losses(connections, end: float) -> list[tuple[float, float]]:
    """(lost, back) spans of every endpoint: from a loss until the link is up again."""
    spans, down_since = [], {}
    for change in connections:
        if change.state in _DOWN:
            down_since.setdefault(change.endpoint, change.time)
        elif change.endpoint in down_since:
            spans.append((down_since.pop(change.endpoint), change.time))
    spans += [(t, end) for t in down_since.values() if t < end]
    return sorted(spans)


class Timeline(QWidget):
    """Shows ``session``'s history; emits ``seek_requested(time, fast)`` on click and drag."""

    seek_requested = Signal(float, bool)

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("replayTimeline")
        self.data, self.cursor = session.data, session.cursor
        self.types = self.data.defect_types
        self.alerts = [(a["raised_at"], str(a.get("severity") or "")) for a in self.data.alerts
                       if a.get("raised_at") is not None]
        self.losses = link_losses(self.data.connections, self.data.end)
        self.notes: list[tuple[float, str]] = []
        self.set_annotations(self.data.annotations)
        self.bookmarks: list[tuple[float, float]] = []
        self.set_bookmarks(self.data.bookmarks)
        self._strips: QPixmap | None = None
        self._dragging = False
        self.setMouseTracking(True)
        self.setMinimumHeight(self._rows_top() + 3 * MARK_H + AXIS_H)
        session.clock.moved.connect(self._on_moved)
        self.cursor.changed.connect(self._on_cursor_changed)

    # -- geometry ---------------------------------------------------------------------

    def _rows_top(self) -> int:
        return 4 + STRIP_H * max(len(self.types), 1)

    def x_of(self, t: float) -> float:
        span = max(self.data.duration, 1e-9)
        return LEFT + (t - self.data.start) / span * max(self.width() - LEFT - RIGHT, 1)

    def time_at(self, x: float) -> float:
        width = max(self.width() - LEFT - RIGHT, 1)
        return self.cursor.clamp(self.data.start + (x - LEFT) / width * self.data.duration)

    # -- data that changes ------------------------------------------------------------

    def set_bookmarks(self, bookmarks) -> None:
        self.bookmarks = [(b["start"], b["end"]) for b in bookmarks]
        self.update()

    def set_annotations(self, annotations) -> None:
        """Notes as rows of the ``annotations`` table (one added while replaying: shown at once)."""
        self.notes = [(a["time"], a.get("text") or "") for a in annotations]
        self._strips = None
        self.update()

    def _on_moved(self, _t: float) -> None:
        self.update()

    def _on_cursor_changed(self) -> None:  # the loop range may have changed
        self.update()

    # -- painting ---------------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._strips = None
        super().resizeEvent(event)

    def paintEvent(self, _event) -> None:  # noqa: N802
        if self._strips is None or self._strips.size() != self.size():
            self._strips = self._paint_strips()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._strips)
        self._paint_loop(painter)
        self._paint_bookmarks(painter)
        self._paint_cursor(painter)
        painter.end()

    def _paint_strips(self) -> QPixmap:
        pixmap = QPixmap(self.size())
        pixmap.fill(QColor("#FAFAFB"))
        painter = QPainter(pixmap)
        painter.setFont(QFont(self.font().family(), 8))
        bins = max((self.width() - LEFT - RIGHT) // 2, 1)
        edges = np.linspace(self.data.start, self.data.end, bins + 1)
        density = self.cursor.windows.density(edges) if self.types else np.zeros((bins, 0))
        for row, name in enumerate(self.types):
            self._paint_density(painter, row, name, edges, density[:, row])
        top = self._rows_top()
        self._row_name(painter, top, "alerts")
        for t, severity in self.alerts:
            self._triangle(painter, self.x_of(t), top, QColor(SEVERITY_COLORS.get(severity, "#555")))
        self._row_name(painter, top + MARK_H, "link lost")
        for lo, hi in self.losses:
            x0, x1 = self.x_of(lo), self.x_of(hi)
            painter.fillRect(QRectF(x0, top + MARK_H + 2, max(x1 - x0, 2), MARK_H - 4), QColor("#B42318"))
        self._row_name(painter, top + 2 * MARK_H, "notes")
        painter.setPen(QPen(NOTE_COLOR, 2))
        for t, _text in self.notes:
            x = self.x_of(t)
            painter.drawLine(QPointF(x, top + 2 * MARK_H + 1), QPointF(x, top + 3 * MARK_H - 1))
        self._paint_axis(painter, top + 3 * MARK_H)
        painter.end()
        return pixmap

    def _paint_density(self, painter: QPainter, row: int, name: str, edges, counts) -> None:
        y = 4 + row * STRIP_H
        self._row_name(painter, y, name, STRIP_H)
        color = QColor(TYPE_COLORS[row % len(TYPE_COLORS)])
        peak = counts.max() if len(counts) else 0
        painter.fillRect(QRectF(LEFT, y + 1, self.width() - LEFT - RIGHT, STRIP_H - 2), QColor("#EEF0F3"))
        if peak <= 0:
            return
        for i in np.flatnonzero(counts):
            color.setAlphaF(0.25 + 0.75 * float(counts[i]) / peak)
            x0 = self.x_of(edges[i])
            painter.fillRect(QRectF(x0, y + 1, max(self.x_of(edges[i + 1]) - x0, 1), STRIP_H - 2), color)

    def _row_name(self, painter: QPainter, y: int, name: str, height: int = MARK_H) -> None:
        painter.setPen(QColor("#3A3F47"))
        painter.drawText(QRectF(2, y, LEFT - 6, height), Qt.AlignmentFlag.AlignRight
                         | Qt.AlignmentFlag.AlignVCenter, name.replace("_", " "))

    def _triangle(self, painter: QPainter, x: float, top: int, color: QColor) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([QPointF(x - 4, top + MARK_H - 2), QPointF(x + 4, top + MARK_H - 2),
                                       QPointF(x, top + 2)]))

    def _paint_axis(self, painter: QPainter, y: int) -> None:
        painter.setPen(QColor("#6B7280"))
        ticks = max(2, (self.width() - LEFT - RIGHT) // 160)
        for t in np.linspace(self.data.start, self.data.end, ticks + 1):
            x = self.x_of(t)
            painter.drawLine(QPointF(x, y), QPointF(x, y + 3))
            painter.drawText(QRectF(x - 40, y + 2, 80, AXIS_H - 2), Qt.AlignmentFlag.AlignCenter,
                             clock_text(t, with_date=False).removesuffix(" UTC")[:8])

    def _paint_loop(self, painter: QPainter) -> None:
        loop = self.cursor.loop
        if loop is None:
            return
        x0, x1 = self.x_of(loop[0]), self.x_of(loop[1])
        painter.fillRect(QRectF(x0, 0, x1 - x0, self.height() - AXIS_H), LOOP_FILL)
        painter.setPen(QPen(QColor("#B58900"), 2))
        for x in (x0, x1):
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height() - AXIS_H))

    def _paint_bookmarks(self, painter: QPainter) -> None:
        top = self._rows_top() + 2 * MARK_H
        fill = QColor(BOOKMARK_COLOR)
        fill.setAlpha(90)
        for lo, hi in self.bookmarks:
            x0, x1 = self.x_of(lo), self.x_of(hi)
            painter.fillRect(QRectF(x0, top + 3, max(x1 - x0, 3), MARK_H - 6), fill)

    def _paint_cursor(self, painter: QPainter) -> None:
        t = self.cursor.position
        if t != t:
            return
        x = self.x_of(t)
        painter.setPen(QPen(CURSOR_COLOR, 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height() - AXIS_H))
        painter.setBrush(CURSOR_COLOR)
        painter.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x, 6)]))

    # -- mouse ------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self.seek_requested.emit(self.time_at(event.position().x()), True)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        t = self.time_at(event.position().x())
        if self._dragging:
            self.seek_requested.emit(t, True)
        QToolTip.showText(event.globalPosition().toPoint(), self.describe(t, event.position().x()), self)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            self.seek_requested.emit(self.time_at(event.position().x()), False)  # exact

    def describe(self, t: float, x: float) -> str:
        """The tooltip: the time under the mouse and the marks within a few pixels."""
        near = [f"alert ({severity})" for at, severity in self.alerts if abs(self.x_of(at) - x) <= 4]
        near += [f"note: {text}" for at, text in self.notes if abs(self.x_of(at) - x) <= 4]
        near += ["link lost" for lo, hi in self.losses if self.x_of(lo) - 2 <= x <= self.x_of(hi) + 2]
        return "\n".join([clock_text(t), *near])
