"""What the replay side panels share: following the cursor at a bounded rate, window choices.

A cursor that plays at 1000x moves the :class:`ReplayClock` on every GUI tick
and a scrub drag moves it on every mouse event; a panel redraws at most
``REDRAW_HZ`` times a second with the latest instant, never once per move.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from shiboken6 import Shiboken

from linetwin.io.sessions.replay_session import ReplaySession

REDRAW_HZ = 20
# (label, seconds); math.inf: everything loaded up to the cursor
WINDOWS: tuple[tuple[str, float], ...] = (
    ("1 min", 60.0), ("10 min", 600.0), ("1 h", 3600.0), ("8 h", 8 * 3600.0),
    ("whole range", math.inf),
)
DEFAULT_WINDOW = "1 h"
CURSOR_PEN = pg.mkPen("#1F3BFF", width=2)
# Bin widths an FPY chart may use: the smallest that keeps the bins under MAX_BINS.
NICE_BINS_S = (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 4 * 3600, 12 * 3600, 86400)
MAX_BINS = 120


class CursorFollower(QObject):
    """Calls ``redraw(t)`` with the latest cursor instant, at most ``REDRAW_HZ`` a second.

    ``reset(at)`` is called at once on a pipeline reset (a far seek): a view
    drops what it drew from before. Both connections are to psygnal events,
    which hold bound methods weakly; a follower whose widget Qt has deleted
    disconnects itself on the next emission.
    """

    def __init__(self, session: ReplaySession, redraw: Callable[[float], None],
                 reset: Callable[[float], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._redraw, self._reset = redraw, reset
        self._pending = math.nan
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1000 // REDRAW_HZ)
        self._timer.timeout.connect(self.flush)
        session.clock.moved.connect(self._on_moved)
        session.pipeline.reset_done.connect(self._on_reset_done)

    def _alive(self) -> bool:
        if Shiboken.isValid(self):
            return True
        self.detach()
        return False

    def _on_moved(self, t: float) -> None:
        if not self._alive():
            return
        self._pending = t
        if not self._timer.isActive():
            self._timer.start()

    def _on_reset_done(self, at: float) -> None:
        if self._alive() and self._reset is not None:
            self._reset(at)

    def flush(self) -> None:
        """Redraw now at the latest instant (tests, and a panel made visible)."""
        self._timer.stop()
        t = self._pending if self._pending == self._pending else self.session.clock.now()
        self._pending = math.nan
        if t == t:  # NaN: the cursor has not been placed yet
            self._redraw(float(t))

    def detach(self) -> None:
        self.session.clock.moved.disconnect(self._on_moved, missing_ok=True)
        self.session.pipeline.reset_done.disconnect(self._on_reset_done, missing_ok=True)


def window_bounds(data_start: float, t: float, seconds: float) -> tuple[float, float]:
    """The window ``(lo, hi]`` of ``seconds`` ending at ``t``; inf: from before the first event."""
    if math.isinf(seconds):
        return math.nextafter(data_start, -math.inf), t
    return t - seconds, t


def fpy_edges(start: float, end: float) -> np.ndarray:
    """Bin edges over ``[start, end]``: a round width giving at most ``MAX_BINS`` bins."""
    span = max(end - start, 1.0)
    width = next((w for w in NICE_BINS_S if span / w <= MAX_BINS), span / MAX_BINS)
    first = math.floor(start / width) * width
    n = max(1, math.ceil((end - first) / width))
    edges = first + width * np.arange(n + 1, dtype=np.float64)
    if edges[0] >= start:  # bins are (lo, hi]: the first event must count
        edges[0] = math.nextafter(start, -math.inf)
    return edges


def time_cursor_line() -> pg.InfiniteLine:
    line = pg.InfiniteLine(angle=90, movable=False, pen=CURSOR_PEN)
    line.setZValue(20)
    return line


def date_plot(title: str) -> pg.PlotWidget:
    """A white plot with a date axis, as the live trend draws."""
    plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
    plot.setBackground("w")
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setTitle(title, color="#1B1F24", size="10pt")
    plot.setMinimumHeight(160)
    plot.getPlotItem().setMenuEnabled(False)
    plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return plot
