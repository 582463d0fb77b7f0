"""Live trend of the selected signals: rolling window, spec limits, alert marks.

Signals are grouped by unit, one pane (and so one y axis) per unit, all panes
sharing the time axis: °C, ms and bar never share a scale. Each signal's limit
lines are drawn in its own colour and labelled ("high 195 °C"). A gap in the
data (lost link, stale source, a Bad or Uncertain sample, which the history
keeps as NaN, or a silence of several sampling intervals) breaks the line
instead of bridging it with a straight segment, and an alert's mark sits on
the sample that raised it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from linetwin.twin.alerts.alerts import Alert, Severity, fmt, signal_label
from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.model import Project, Signal

WINDOW_S = 300.0  # five minutes: long enough to see a drift, short enough to see noise
MAX_SIGNALS = 4
AXIS_WIDTH_PX = 64
PEN_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]  # Okabe-Ito, readable on white
MARK_COLORS = {Severity.ALARM: "#B42318", Severity.WARNING: "#E69F00"}
# A silence longer than this many sampling intervals is a gap, not a slow sample:
# the line breaks there (and so does every statistical window, see twin/).
GAP_INTERVALS = 5


def gap_limit(signal: Signal, times: np.ndarray) -> float:
    """Longest step between two samples that is still drawn as a line (seconds).

    The sampling interval is the larger of the configured one and the median
    step seen (a server may revise the rate); a step past ``GAP_INTERVALS`` of
    them, or past the signal's staleness limit, is a gap.
    """
    interval = signal.sampling_ms / 1000.0
    if len(times) > 2:
        interval = max(interval, float(np.median(np.diff(times))))
    return min(GAP_INTERVALS * interval, signal.staleness_limit())


def break_gaps(times: np.ndarray, values: np.ndarray, max_step: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """``times, values`` with a NaN point inserted inside every step > ``max_step``.

    pyqtgraph's ``connect="finite"`` then leaves those steps undrawn.
    """
    if len(times) < 2:
        return times, values
    cut = np.flatnonzero(np.diff(times) > max_step) + 1
    if not len(cut):
        return times, values
    mid = (times[cut - 1] + times[cut]) / 2.0
    return np.insert(times, cut, mid), np.insert(values, cut, np.nan)


class TrendPlot(QWidget):
    """Plots up to four signals from a :class:`SignalHistory`; call :meth:`refresh`."""

    def __init__(self, project: Project, history: SignalHistory, parent=None) -> None:
        super().__init__(parent)
        self.project, self.history = project, history
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setBackground("w")
        self.plot.setObjectName("trendPlot")
        self.plot.setMinimumHeight(180)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.signal_ids: list[str] = []
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.panes: dict[str, pg.PlotItem] = {}  # unit -> its pane
        self.limit_lines: dict[str, list[pg.InfiniteLine]] = {}
        self.marks: dict[str, pg.ScatterPlotItem] = {}  # unit -> alert marks of its pane
        self._alerts: list[Alert] = []

    # -- what is shown -----------------------------------------------------------
    def show_signals(self, signal_ids: list[str]) -> None:
        """Replace the plotted signals (the first four): one pane per unit."""
        self.plot.clear()
        self.signal_ids = list(signal_ids[:MAX_SIGNALS])
        self.curves, self.panes, self.limit_lines, self.marks = {}, {}, {}, {}
        for k, sid in enumerate(self.signal_ids):
            signal = self.project.signal(sid)
            pane = self._pane(signal.unit)
            color = PEN_COLORS[k]
            self.curves[sid] = pane.plot(name=signal_label(sid), connect="finite",
                                         pen=pg.mkPen(color, width=2))
            self.limit_lines[sid] = [self._limit_line(pane, signal, which, value, color)
                                     for which, value in (("low", signal.limits.low),
                                                          ("high", signal.limits.high))
                                     if value is not None]
        panes = list(self.panes.values())
        for pane in panes[:-1]:  # one time axis, at the bottom
            pane.getAxis("bottom").setStyle(showValues=False)
        self.refresh()

    def _pane(self, unit: str) -> pg.PlotItem:
        if unit in self.panes:
            return self.panes[unit]
        if self.panes:
            self.plot.nextRow()
        pane = self.plot.addPlot(axisItems={"bottom": pg.DateAxisItem()})
        pane.showGrid(x=True, y=True, alpha=0.25)
        pane.setLabel("left", unit or "value")
        pane.getAxis("left").setWidth(AXIS_WIDTH_PX)  # equal widths: the panes' times line up
        pane.addLegend(offset=(6, 6))
        if self.panes:
            pane.setXLink(next(iter(self.panes.values())))
        marks = pg.ScatterPlotItem(symbol="t", size=13, pen=pg.mkPen("#1B1F24", width=1))
        marks.setZValue(10)  # above the curves
        pane.addItem(marks)
        self.panes[unit] = pane
        self.marks[unit] = marks
        return pane

    @staticmethod
    def _limit_line(pane, signal: Signal, which: str, value: float,
                    color: str) -> pg.InfiniteLine:
        unit = f" {signal.unit}" if signal.unit else ""
        line = pg.InfiniteLine(
            pos=value, angle=0, movable=False,
            pen=pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine),
            label=f"{which} {fmt(value)}{unit}",
            # inside the band, at the right end (the legend sits top left)
            labelOpts={"position": 0.98, "color": color, "anchors": [(1, 0), (1, 0)]
                       if which == "high" else [(1, 1), (1, 1)]})
        pane.addItem(line, ignoreBounds=False)
        return line

    def set_alerts(self, alerts: list[Alert]) -> None:
        """Alerts to mark on the plotted signals (placed at :meth:`refresh`; those of
        signals not plotted wait for :meth:`show_signals` to plot them)."""
        self._alerts = list(alerts)

    def clear(self) -> None:
        """Drop the drawn curves and marks, keeping the chosen signals: the history
        was reset (a replay seek) and refills from the new instant."""
        self._alerts = []
        self._blank()

    def _blank(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        for marks in self.marks.values():
            marks.setData([])

    # -- every tick ----------------------------------------------------------------
    def refresh(self) -> None:
        windows = {sid: self.history.window(sid) for sid in self.signal_ids}
        latest = max((t[-1] for t, _ in windows.values() if len(t)), default=None)
        if latest is None:  # nothing (any more): an emptied history draws nothing
            self._blank()
            return
        since = latest - WINDOW_S  # source time: a replay shows its own window
        for sid, (t, v) in windows.items():
            keep = t > since
            t, v = t[keep], v[keep]
            self.curves[sid].setData(*break_gaps(t, v, gap_limit(self.project.signal(sid), t)))
        self._place_marks(windows, since)

    def _place_marks(self, windows, since: float) -> None:
        """Each alert's mark on its own sample: the one at the source time that raised it."""
        spots: dict[str, list[dict]] = {unit: [] for unit in self.marks}
        for alert in self._alerts:
            if alert.signal_id not in windows:
                continue
            t, v = windows[alert.signal_id]
            if not len(t) or alert.raised_at <= since:
                continue
            i = int(np.clip(np.searchsorted(t, alert.raised_at), 0, len(t) - 1))
            if i > 0 and abs(t[i - 1] - alert.raised_at) < abs(t[i] - alert.raised_at):
                i -= 1
            signal = self.project.signal(alert.signal_id)
            if abs(t[i] - alert.raised_at) > gap_limit(signal, t):
                continue  # its sample is no longer (or not yet) in the history
            spots[signal.unit].append({
                "pos": (t[i], v[i]), "data": alert.id,
                "brush": pg.mkBrush(MARK_COLORS.get(alert.severity, "#1B1F24"))})
        for unit, marks in self.marks.items():
            marks.setData(spots[unit])

    # -- for tests and accessibility -------------------------------------------------
    def points(self, signal_id: str) -> int:
        """How many samples the curve of ``signal_id`` shows (gap breaks not counted)."""
        _, y = self.curves[signal_id].getData()
        return 0 if y is None else int(np.isfinite(y).sum())

    def mark_positions(self) -> list[tuple[float, float]]:
        """(time, value) of every alert mark shown."""
        return [(float(p.pos().x()), float(p.pos().y()))
                for marks in self.marks.values() for p in marks.points()]
