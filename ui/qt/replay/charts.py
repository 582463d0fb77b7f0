"""Charts beside the 3D view in replay: FPY over time, the defect Pareto, a signal trend.

Each follows the cursor (the session's :class:`ReplayClock`) on its own. The
work per cursor move is a few binary searches: the Pareto reads the prefix
counts of :class:`~linetwin.twin.replay.defect_windows.DefectWindows`, the
trend slices one signal's samples (cut out once when the signal is chosen),
the FPY chart only moves its cursor line (its series is computed once for
the whole loaded range).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.twin.alerts.alerts import fmt
from linetwin.twin.model import Signal, SignalKind
from linetwin.twin.replay.instants import format_instant
from linetwin.twin.updates import Quality, quality_codes
from linetwin.ui.qt.replay.chart_items import (
    DEFAULT_WINDOW, WINDOWS, CursorFollower, date_plot, fpy_edges, time_cursor_line, window_bounds,
)
from linetwin.ui.qt.trend_plot import break_gaps, gap_limit

STATION_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
BAR_BRUSH = "#0072B2"
CUMULATIVE_PEN = pg.mkPen("#D55E00", width=2)
LIMIT_PEN_COLOR = "#B42318"
TREND_SPANS = (("±1 min", 60.0), ("±5 min", 300.0), ("±15 min", 900.0), ("±1 h", 3600.0))
DEFAULT_TREND_SIGNAL = "sealer.seal_temperature"


def _short_time(t: float) -> str:
    return format_instant(t)[11:19]  # HH:MM:SS of the ISO text


class FpyChart(QWidget):
    """First-pass yield (%) per inspecting station, in bins over the loaded range.

    A bin with no unit inspected has no FPY (NaN): the line breaks there
    rather than dropping to 0.
    """

    def __init__(self, session: ReplaySession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        data, windows = session.data, session.cursor.windows
        self.edges = fpy_edges(data.start, data.end)
        whole = windows.yields(self.edges[0], self.edges[-1])
        inspecting = np.flatnonzero(whole.inspected > 0)
        self.stations = [data.stations[s] for s in inspecting]
        self.series = windows.fpy_series(self.edges)[:, inspecting] * 100.0  # (bins, stations), %
        self.centers = (self.edges[:-1] + self.edges[1:]) / 2.0
        width = self.edges[-1] - self.edges[-2]
        self.plot = date_plot(f"First-pass yield per station ({_width_words(width)} bins)")
        self.plot.setLabel("left", "FPY", units="%")
        self.plot.addLegend(offset=(6, 6))
        self.curves = {}
        for k, station in enumerate(self.stations):
            color = STATION_COLORS[k % len(STATION_COLORS)]
            # symbols: a bin between two empty ones is a single point, drawn as a dot
            self.curves[station] = self.plot.plot(
                self.centers, self.series[:, k], name=station, connect="finite",
                pen=pg.mkPen(color, width=2), symbol="o", symbolSize=4, symbolBrush=color,
                symbolPen=None)
        self.empty_note = QLabel("No unit was inspected in this history." if not self.stations else "")
        self.empty_note.setVisible(not self.stations)
        self.cursor_line = time_cursor_line()
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.plot)
        self.follower = CursorFollower(session, self._show_cursor, parent=self)

    def _show_cursor(self, t: float) -> None:
        self.cursor_line.setValue(t)


class ParetoChart(QWidget):
    """Defect types in the window ending at the cursor: bars by count, cumulative % line."""

    def __init__(self, session: ReplaySession, window: str = DEFAULT_WINDOW,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.window_choice = QComboBox()
        self.window_choice.setAccessibleName("Pareto window")
        for label, seconds in WINDOWS:
            self.window_choice.addItem(label, seconds)
        self.window_choice.setCurrentText(window)
        self.window_choice.currentIndexChanged.connect(lambda _: self.follower.flush())
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMinimumHeight(160)
        self.plot.setLabel("left", "defects")
        self.plot.getPlotItem().setMenuEnabled(False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=BAR_BRUSH)
        self.plot.addItem(self.bars)
        self._percent_view = self._add_percent_axis()
        self.cumulative = pg.PlotDataItem(pen=CUMULATIVE_PEN, symbol="o", symbolSize=6,
                                          symbolBrush="#D55E00", symbolPen=None)
        self._percent_view.addItem(self.cumulative)
        self.counts: list[tuple[str, int]] = []
        self.title = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Window:"))
        top.addWidget(self.window_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot)
        self.follower = CursorFollower(session, self._redraw, parent=self)

    def _add_percent_axis(self) -> pg.ViewBox:
        """A second view box (0..100 %) on the right axis for the cumulative line."""
        item = self.plot.getPlotItem()
        view = pg.ViewBox(enableMouse=False)
        item.showAxis("right")
        item.scene().addItem(view)
        item.getAxis("right").linkToView(view)
        item.getAxis("right").setLabel("cumulative", units="%")
        view.setXLink(item)
        view.setYRange(0, 105, padding=0)

        def follow_geometry() -> None:
            view.setGeometry(item.vb.sceneBoundingRect())

        item.vb.sigResized.connect(follow_geometry)
        return view

    @property
    def window_s(self) -> float:
        return float(self.window_choice.currentData())

    def cumulative_percent(self) -> np.ndarray:
        counts = np.array([n for _, n in self.counts], dtype=np.float64)
        return np.cumsum(counts) / counts.sum() * 100.0 if len(counts) else counts

    def _redraw(self, t: float) -> None:
        lo, hi = window_bounds(self.session.data.start, t, self.window_s)
        self.counts = self.session.cursor.windows.pareto(lo, hi)
        x = np.arange(len(self.counts), dtype=np.float64)
        heights = np.array([n for _, n in self.counts], dtype=np.float64)
        self.bars.setOpts(x=x, height=heights, width=0.7)
        self.cumulative.setData(x, self.cumulative_percent())
        self.plot.getAxis("bottom").setTicks([[(i, name) for i, (name, _) in enumerate(self.counts)]])
        self.plot.setXRange(-0.6, max(len(self.counts), 1) - 0.4, padding=0)
        self.plot.setYRange(0, max(heights.max() if len(heights) else 0, 1) * 1.1, padding=0)
        label = self.window_choice.currentText()
        if not self.counts:
            self.title.setText(f"No defects in the {label} to {_short_time(t)}")
        else:
            self.title.setText(f"{int(heights.sum())} defects in the {label} to {_short_time(t)}")


class SignalTrendChart(QWidget):
    """One analog signal's recorded samples around the cursor, with its spec limits.

    Samples of Bad or Uncertain quality and silences longer than the live
    trend tolerates break the line, as live.
    """

    def __init__(self, session: ReplaySession, signal_id: str | None = None, span_s: float = 300.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.analog = [s for s in session.project.signals if s.kind is SignalKind.ANALOG]
        self.signal_choice = QComboBox()
        self.signal_choice.setAccessibleName("Trend signal")
        for signal in self.analog:
            self.signal_choice.addItem(f"{signal.id} ({signal.unit})" if signal.unit else signal.id,
                                       signal.id)
        self.span_choice = QComboBox()
        for label, seconds in TREND_SPANS:
            self.span_choice.addItem(label, seconds)
        self.span_choice.setCurrentIndex(next((i for i, (_, s) in enumerate(TREND_SPANS)
                                               if s == span_s), 1))
        self.plot = date_plot("")
        self.curve = self.plot.plot(connect="finite", pen=pg.mkPen("#0072B2", width=2))
        self.cursor_line = time_cursor_line()
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        self.limit_lines: list[pg.InfiniteLine] = []
        self.value_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.signal_choice, 1)
        top.addWidget(self.span_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.value_label)
        layout.addWidget(self.plot)
        self.follower = CursorFollower(session, self._redraw, parent=self)
        self.signal_choice.currentIndexChanged.connect(lambda _: self._choose())
        self.span_choice.currentIndexChanged.connect(lambda _: self.follower.flush())
        default = signal_id or (DEFAULT_TREND_SIGNAL if any(
            s.id == DEFAULT_TREND_SIGNAL for s in self.analog) else None)
        self.show_signal(default or (self.analog[0].id if self.analog else None))

    @property
    def signal(self) -> Signal | None:
        sid = self.signal_choice.currentData()
        return self.session.project.signal(sid) if sid else None

    @property
    def span_s(self) -> float:
        return float(self.span_choice.currentData())

    def show_signal(self, signal_id: str | None) -> None:
        """Plot ``signal_id`` (an analog signal of the project; None: nothing)."""
        index = self.signal_choice.findData(signal_id) if signal_id else -1
        if signal_id and index < 0:
            raise ValueError(f"{signal_id!r} is no analog signal of project {self.session.project.name!r}")
        if index == self.signal_choice.currentIndex():
            self._choose()  # the same index emits nothing
        self.signal_choice.setCurrentIndex(index)

    def set_asset(self, asset_id: str | None) -> None:
        """Follow the selection: plot the selected asset's first analog signal, if it has one."""
        first = next((s.id for s in self.analog if s.asset == asset_id), None)
        if first is not None and first != self.signal_choice.currentData():
            self.show_signal(first)

    def _choose(self) -> None:
        """Cut the chosen signal's samples out of the loaded range once."""
        signal, samples, data = self.signal, self.session.data.samples, self.session.data
        code = data.signal_ids.index(signal.id) if signal and signal.id in data.signal_ids else -1
        rows = np.flatnonzero(samples.signal == code) if code >= 0 else np.array([], dtype=np.int64)
        self.times = samples.time[rows]
        good = quality_codes(samples.status[rows]) == Quality.GOOD
        self.values = np.where(good, samples.value[rows], np.nan)
        self.gap_s = gap_limit(signal, self.times) if signal else math.inf
        for line in self.limit_lines:
            self.plot.removeItem(line)
        self.limit_lines = [self._limit_line(signal, which, value) for which, value in (
            ("low", signal.limits.low), ("high", signal.limits.high)) if value is not None] if signal else []
        self.plot.setTitle(signal.id if signal else "no analog signal", color="#1B1F24", size="10pt")
        self.plot.setLabel("left", signal.unit if signal and signal.unit else "value")
        self.follower.flush()

    def _limit_line(self, signal: Signal, which: str, value: float) -> pg.InfiniteLine:
        unit = f" {signal.unit}" if signal.unit else ""
        line = pg.InfiniteLine(pos=value, angle=0, movable=False,
                               pen=pg.mkPen(LIMIT_PEN_COLOR, width=1, style=Qt.PenStyle.DashLine),
                               label=f"{which} {fmt(value)}{unit}",
                               # inside the band, at the right end
                               labelOpts={"position": 0.98, "color": LIMIT_PEN_COLOR,
                                          "anchors": [(1, 0), (1, 0)] if which == "high"
                                          else [(1, 1), (1, 1)]})
        self.plot.addItem(line)  # inside the bounds: a limit is always in view
        return line

    def value_at(self, t: float) -> float:
        """The last recorded value at or before ``t`` (NaN: none, or not of Good quality)."""
        i = int(np.searchsorted(self.times, t, side="right"))
        return float(self.values[i - 1]) if i else math.nan

    def _redraw(self, t: float) -> None:
        span = self.span_s
        a, b = np.searchsorted(self.times, (t - span, t + span))
        self.curve.setData(*break_gaps(self.times[a:b], self.values[a:b], self.gap_s))
        self.plot.setXRange(t - span, t + span, padding=0)
        self.cursor_line.setValue(t)
        signal, value = self.signal, self.value_at(t)
        if signal is None:
            self.value_label.setText("This project has no analog signal to plot.")
        elif value == value:
            self.value_label.setText(f"{signal.id} at {_short_time(t)}: {fmt(value)} {signal.unit}")
        else:
            self.value_label.setText(f"{signal.id} at {_short_time(t)}: no good value")


def _width_words(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
