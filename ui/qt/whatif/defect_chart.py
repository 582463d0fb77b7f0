"""The predicted defect profile against now: per defect type, the rate now (grey
bar) and the predicted rate (dot) with its 90 % interval (whiskers), in defects
per 1,000 units; a type without a model shows its historic rate only and says
why, and a simulated trial's observed rate (with its interval) can sit beside it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from linetwin.twin.whatif.prediction import WhatIfPrediction

NOW_BRUSH, PREDICTED_COLOR, TRIAL_COLOR = "#D0D5DD", "#1F5FBF", "#E07B00"
PER = 1000.0  # rates are shown per 1,000 units: 0.0105 reads "10.5"
_EMPTY = np.zeros(0)


class DefectChart(QWidget):
    """``show(prediction)`` draws it; ``show_trial(outcome)`` adds the virtual line's counts."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("defectChart")
        self.plot.setMinimumHeight(240)
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setLabel("left", "defects / 1,000 units")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.addLegend(offset=(5, 5))  # top left: the tallest bars are usually on the right
        self.plot.getAxis("bottom").setHeight(40)  # two-line defect names
        self.now_bars = pg.BarGraphItem(x=[], height=[], width=0.5, brush=NOW_BRUSH, pen=None, name="now")
        self.predicted = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(PREDICTED_COLOR), pen=None,
                                            name="predicted (90 % interval)")
        self.whiskers = pg.ErrorBarItem(x=_EMPTY, y=_EMPTY, top=_EMPTY, bottom=_EMPTY, beam=0.15, pen=pg.mkPen(PREDICTED_COLOR, width=2))
        self.trial = pg.ScatterPlotItem(size=9, symbol="d", brush=pg.mkBrush(TRIAL_COLOR), pen=None,
                                        name="virtual line (90 % interval)")
        self.trial_whiskers = pg.ErrorBarItem(x=_EMPTY, y=_EMPTY, top=_EMPTY, bottom=_EMPTY, beam=0.1, pen=pg.mkPen(TRIAL_COLOR, width=2))
        for item in (self.now_bars, self.whiskers, self.predicted, self.trial_whiskers, self.trial):
            self.plot.addItem(item)
        self.notes = QLabel("")
        self.notes.setObjectName("noModelNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #475467; font-size: 11px")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.notes)
        self.types: list[str] = []
        self.values: dict[str, tuple] = {}  # type -> (now, predicted, low, high) per 1,000, as drawn

    def show(self, prediction: WhatIfPrediction | None) -> None:  # noqa: A003 - a chart "shows"
        self.show_trial(None)
        if prediction is None:
            self.now_bars.setOpts(x=[], height=[])
            self.predicted.setData(x=[], y=[])
            self.whiskers.setData(x=_EMPTY, y=_EMPTY, top=_EMPTY, bottom=_EMPTY)
            self.notes.setText("")
            self.types, self.values = [], {}
            return
        self.types = sorted(prediction.defects)
        x = np.arange(len(self.types), dtype=float)
        rows = [prediction.defects[t] for t in self.types]
        now = np.array([d.now for d in rows]) * PER
        self.now_bars.setOpts(x=x, height=now)
        modelled = [i for i, d in enumerate(rows) if d.predicted is not None]
        mid = np.array([rows[i].predicted for i in modelled]) * PER
        low = np.array([rows[i].low for i in modelled]) * PER
        high = np.array([rows[i].high for i in modelled]) * PER
        xs = x[modelled] + 0.0
        self.predicted.setData(x=xs, y=mid)
        self.whiskers.setData(x=xs, y=mid, top=high - mid, bottom=mid - low)
        self.values = {t: (d.now * PER, *(None if v is None else v * PER for v in (d.predicted, d.low, d.high)))
                       for t, d in zip(self.types, rows)}
        self.plot.getAxis("bottom").setTicks([[(i, _tick(t, d.predicted is None))
                                               for i, (t, d) in enumerate(zip(self.types, rows))]])
        top = max([*now, *high, 1.0])
        self.plot.setRange(xRange=(-0.6, len(self.types) - 0.4), yRange=(0, top * 1.15), padding=0)
        self.notes.setText("\n".join(f"* {t}: no model: {d.reason}; its historic rate is shown"
                                     for t, d in zip(self.types, rows) if d.predicted is None))

    def show_trial(self, outcome) -> None:
        """The virtual trial's observed rates and intervals beside the prediction (None: none)."""
        if outcome is None or not self.types:
            self.trial.setData(x=[], y=[])
            self.trial_whiskers.setData(x=_EMPTY, y=_EMPTY, top=_EMPTY, bottom=_EMPTY)
            return
        shown = [(i, outcome.defects[t]) for i, t in enumerate(self.types) if t in outcome.defects
                 and outcome.defects[t].rate == outcome.defects[t].rate]
        xs = np.array([i + 0.25 for i, _ in shown], dtype=float)
        rate = np.array([d.rate for _, d in shown]) * PER
        self.trial.setData(x=xs, y=rate)
        self.trial_whiskers.setData(x=xs, y=rate, top=np.array([d.high for _, d in shown]) * PER - rate,
                                    bottom=rate - np.array([d.low for _, d in shown]) * PER)


def _tick(defect: str, no_model: bool) -> str:
    """Short enough for five types in a dock: "seal\ngap", "contami-\nnation*" (* no model)."""
    words = defect.replace("_", " ").split()
    text = "\n".join(words) if len(words) > 1 else (defect if len(defect) <= 9 else f"{defect[:7]}-\n{defect[7:]}")
    return f"{text}*" if no_model else text
