"""Live trend of the selected signals: rolling window, spec limits, alert marks."""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.model import Project

WINDOW_S = 300.0  # five minutes: long enough to see a drift, short enough to see noise
PEN_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]  # Okabe-Ito, readable on white
LIMIT_PEN = pg.mkPen("#B42318", width=1, style=pg.QtCore.Qt.PenStyle.DashLine)


class TrendPlot(QWidget):
    """Plots up to four signals from a :class:`SignalHistory`; call :meth:`refresh`."""

    def __init__(self, project: Project, history: SignalHistory, parent=None) -> None:
        super().__init__(parent)
        self.project, self.history = project, history
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()}, background="w")
        self.plot.setObjectName("trendPlot")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.addLegend(offset=(6, 6))
        self.plot.setMinimumHeight(180)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.signal_ids: list[str] = []
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._marks = pg.ScatterPlotItem(symbol="t", size=12, brush="#D55E00", pen="#7A2E00")

    def show_signals(self, signal_ids: list[str]) -> None:
        """Replace the plotted signals (the first four) and draw their spec limits."""
        self.plot.clear()
        self.plot.addItem(self._marks)
        self.signal_ids = signal_ids[:4]
        self.curves = {}
        for k, sid in enumerate(self.signal_ids):
            signal = self.project.signal(sid)
            name = f"{sid} [{signal.unit}]" if signal.unit else sid
            self.curves[sid] = self.plot.plot(name=name, pen=pg.mkPen(PEN_COLORS[k], width=2))
            for limit in (signal.limits.low, signal.limits.high):
                if limit is not None:
                    self.plot.addItem(pg.InfiniteLine(pos=limit, angle=0, pen=LIMIT_PEN))
        self.refresh()

    def set_alert_marks(self, times: list[float], values: list[float]) -> None:
        """Triangles where alerts were raised on the plotted signals."""
        self._marks.setData(x=list(times), y=list(values))

    def refresh(self) -> None:
        since = time.time() - WINDOW_S
        for sid, curve in self.curves.items():
            t, v = self.history.window(sid, since=since)
            curve.setData(t, v)

    def points(self, signal_id: str) -> int:
        """How many samples the curve of ``signal_id`` shows (for tests)."""
        x, _ = self.curves[signal_id].getData()
        return 0 if x is None else len(x)
