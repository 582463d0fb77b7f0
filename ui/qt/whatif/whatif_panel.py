"""The what-if panel: propose process values for a station and see what a model
fitted on this line's history predicts, against now.

Pick a station (those whose process values the model knows), move its values
(each drawn against its spec and certified limits and the model's data range),
and the predicted defect profile, the expected first-pass yield and the
scene's colouring follow (debounced; the prediction runs off the GUI thread).
From here: the model card, a trial of the change on the virtual line, and a
guarded setpoint proposal for a writable value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from linetwin.io.opcua.simulator.sim_server import stations_of
from linetwin.twin.model import Project
from linetwin.twin.whatif.changes import ChangeKind, ProposedChange
from linetwin.twin.whatif.prediction import WhatIfPrediction
from linetwin.twin.whatif.whatif_model import WhatIfModel
from linetwin.ui.qt.whatif.defect_chart import DefectChart
from linetwin.ui.qt.whatif.model_card_dialog import ModelCardDialog
from linetwin.ui.qt.whatif.value_control import ValueControl, ValueRanges
from linetwin.ui.qt.whatif.workers import PredictionRunner, TrialRunner

DEBOUNCE_MS = 150  # a slider drag asks once it rests this long
TRIAL_MINUTES = 60.0


class WhatIfPanel(QWidget):
    """``prediction_shown(prediction, changed stations)`` each time a prediction is drawn;
    ``propose_requested(signal_id, value)`` from "Propose this change…"."""

    prediction_shown = Signal(object, list)
    propose_requested = Signal(str, float)
    open_requested = Signal()
    proposals_requested = Signal()

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("whatIfPanel")
        self.project = project
        self.model: WhatIfModel | None = None
        self.prediction: WhatIfPrediction | None = None
        self.proposed: dict[str, float] = {}  # signal -> value, across station switches
        self.controls: dict[str, ValueControl] = {}
        self.predictions = PredictionRunner(self)
        self.predictions.ready.connect(self._on_prediction)
        self.predictions.failed.connect(self._on_failed)
        self.trials = TrialRunner(self)
        self.trials.progress.connect(lambda pct: self.trial_progress.setValue(pct))
        self.trials.finished.connect(self._on_trial)
        self.trials.cancelled.connect(lambda text: self._trial_ended(f"Cancelled: {text}"))
        self.trials.failed.connect(lambda text: self._trial_ended(f"Trial failed: {text}"))
        self._now_source = None  # set_now_source: the live line's trend buffers
        self._now: dict[str, np.ndarray] | None = None  # None: the model's last hour
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.ask)
        self._build()

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        self.model_label = QLabel("No what-if model: open one (linetwin whatif fit … writes it).")
        self.model_label.setObjectName("whatIfModel")
        self.model_label.setWordWrap(True)
        self.now_label = QLabel("")
        self.now_label.setObjectName("whatIfNow")
        open_button = _button("Open model…", self.open_requested.emit)
        self.card_button = _button("Model card", self.show_card, "modelCardButton")
        self.station = QComboBox()
        self.station.setObjectName("whatIfStation")
        self.station.currentIndexChanged.connect(self._on_station)
        self.values_box = QVBoxLayout()
        values = QWidget()
        values.setLayout(self.values_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(values)
        scroll.setMinimumHeight(170)
        self.reset_button = _button("Back to now", self.reset)
        self.extrapolation = _label("whatIfExtrapolation", "color: #B42318; font-weight: bold")
        self.chart = DefectChart()
        self.fpy = _label("whatIfFpy", "font-size: 13px")
        self.trial_minutes = QDoubleSpinBox(minimum=1, maximum=24 * 60, value=TRIAL_MINUTES, suffix=" min")
        self.trial_button = _button("Try on the virtual line", self.start_trial, "trialButton")
        self.cancel_button = _button("Cancel", self.trials.cancel, "trialCancel")
        self.trial_progress = QProgressBar()
        self.trial_progress.setObjectName("trialProgress")
        self.trial_result = _label("trialResult", "color: #7A4F01")
        self.propose_button = _button("Propose this change…", self._propose, "proposeChange")
        proposals = _button("Setpoint proposals…", self.proposals_requested.emit)
        layout = QVBoxLayout(self)
        layout.addLayout(_row(self.model_label, open_button, self.card_button, stretch_first=True))
        layout.addLayout(_row(QLabel("Station"), self.station, self.reset_button))
        layout.addWidget(self.now_label)
        layout.addWidget(scroll, 2)
        layout.addWidget(self.extrapolation)
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.fpy)
        layout.addLayout(_row(self.trial_button, self.trial_minutes, self.trial_progress, self.cancel_button))
        layout.addWidget(self.trial_result)
        layout.addLayout(_row(self.propose_button, proposals))
        self._enable()

    def _enable(self) -> None:
        has = self.model is not None
        for widget in (self.card_button, self.station, self.reset_button, self.trial_button):
            widget.setEnabled(has and not (widget is self.trial_button and self.trials.running))
        self.cancel_button.setEnabled(self.trials.running)
        self.trial_progress.setVisible(self.trials.running)
        self.propose_button.setEnabled(has and self.writable_change() is not None)

    # -- model and station ------------------------------------------------------------
    def set_model(self, model: WhatIfModel) -> None:
        self.model, self.prediction, self.proposed = model, None, {}
        self._now = self.now_rows()
        self.model_label.setText(f"<b>{model.version}</b> — defects found at <b>{model.station}</b>, "
                                 f"fitted on {model.data.history} ({model.data.units} units)")
        self.station.blockSignals(True)
        self.station.clear()
        self.station.addItems(self.stations())
        writable = [st for st in self.stations() if any(
            self._signal(sid) is not None and self._signal(sid).writable
            for sid in self.model.scales if self.asset_of(sid) == st)]
        if writable:  # start where a change could be proposed (the sealer on the demo line)
            self.station.setCurrentText(writable[0])
        self.station.blockSignals(False)
        self._on_station()
        self.ask()

    def stations(self) -> list[str]:
        """Stations with a process value in the model, in the project's order."""
        if self.model is None:
            return []
        owners = {self.asset_of(sid) for sid in self.model.scales}
        ordered = [a.id for a in self.project.assets if a.id in owners]
        return ordered + sorted(owners - set(ordered))

    def asset_of(self, signal_id: str) -> str:
        try:
            return self.project.signal(signal_id).asset
        except KeyError:  # a model of another version of the project: the id's prefix
            return signal_id.split(".", 1)[0]

    def set_now_source(self, source) -> None:
        """``source()`` -> (rows, seconds) of the live line, or None (then the model's last hour)."""
        self._now_source = source

    def now_rows(self) -> dict[str, np.ndarray] | None:
        """The live line's last hour when the trend buffers hold enough of it, else None."""
        live = self._now_source() if self._now_source is not None and self.model is not None else None
        if live is None:
            self.now_label.setText(f"now: the last hour the model saw ({self.model.data.history})"
                                   if self.model is not None else "")
            return None
        rows, seconds = live
        self.now_label.setText(f"now: the live line's last {seconds / 60:.0f} min")
        return rows

    def now_value(self, signal_id: str) -> float:
        rows = self._now or self.model.reference
        return float(np.median(rows[signal_id]))  # the median: a stop's zero speed does not pull it

    def _on_station(self) -> None:
        while self.values_box.count():
            item = self.values_box.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.controls = {}
        station = self.station.currentText()
        for sid in sorted(s for s in self.model.scales if self.asset_of(s) == station):
            signal = self._signal(sid)
            control = ValueControl(sid, sid.removeprefix(f"{station}."), signal.unit if signal else "",
                                   ValueRanges.of(signal, self.model.scales[sid], self.now_value(sid)))
            if sid in self.proposed:
                control.set_value(self.proposed[sid])
            control.value_changed.connect(self._on_value)
            self.controls[sid] = control
            self.values_box.addWidget(control)
        self.values_box.addStretch(1)
        self._enable()

    def _signal(self, signal_id: str):
        try:
            return self.project.signal(signal_id)
        except KeyError:
            return None

    def _on_value(self, signal_id: str, value: float) -> None:
        control = self.controls[signal_id]
        if control.changed:
            self.proposed[signal_id] = value
        else:
            self.proposed.pop(signal_id, None)
        self._enable()
        self._debounce.start()

    def reset(self) -> None:
        self._now = self.now_rows()  # "back to now" takes the line's latest hour
        self.proposed = {}
        self._on_station()  # the controls' "now" marks move to it
        self.ask()

    # -- prediction -------------------------------------------------------------------
    def changes(self) -> list[ProposedChange]:
        return [ProposedChange(sid, ChangeKind.SET, value) for sid, value in sorted(self.proposed.items())]

    def changed_stations(self) -> list[str]:
        return list(dict.fromkeys(self.asset_of(sid) for sid in sorted(self.proposed)))

    def ask(self) -> None:
        if self.model is not None:
            self.predictions.request(self.model, self.changes(), self._now)

    def _on_prediction(self, prediction: WhatIfPrediction) -> None:
        if self.model is None or prediction.model_hash != self.model.hash:
            return  # a model opened since it was asked
        self.prediction = prediction
        self.chart.show(prediction)
        fpy = prediction.fpy
        self.fpy.setText(f"Expected first-pass yield: now {fpy['now']:.2%} → predicted "
                         f"<b>{fpy['predicted']:.2%}</b> (90 %: {fpy['low']:.2%} .. {fpy['high']:.2%})")
        self.extrapolation.setText("\n".join(f"⚠ EXTRAPOLATION: {why}" for why in prediction.extrapolated))
        self.prediction_shown.emit(prediction, self.changed_stations() if self.proposed else [])

    def _on_failed(self, message: str) -> None:
        self.extrapolation.setText(f"No prediction: {message}")

    def show_card(self) -> ModelCardDialog | None:
        if self.model is None:
            return None
        dialog = ModelCardDialog(self.model, self)
        dialog.show()
        return dialog

    # -- virtual trial ----------------------------------------------------------------
    def start_trial(self) -> None:
        if self.model is None or self.trials.running:
            return
        start = {sid: self.now_value(sid) for sid in self.model.scales}  # from the current state
        self.trial_progress.setValue(0)
        self.trial_result.setText(f"Running the change on the virtual line ({self.trial_minutes.value():g} min "
                                  "of line time)…")
        self.trials.start(stations_of(self.project), start, self.changes(), self.trial_minutes.value())
        self._enable()

    def _on_trial(self, outcome) -> None:
        self.chart.show_trial(outcome)
        parts = [f"{name} {d.rate * 1000:.1f} ({d.low * 1000:.1f}..{d.high * 1000:.1f}; true "
                 f"{d.expected * 1000:.1f})" for name, d in sorted(outcome.defects.items()) if d.rate == d.rate]
        self._trial_ended(f"Virtual line, {outcome.units} units in {outcome.minutes:g} min: FPY "
                          f"{outcome.fpy:.2%} ({outcome.fpy_low:.2%}..{outcome.fpy_high:.2%}; simulator's truth "
                          f"{outcome.expected_fpy:.2%}). Per 1,000 observed (90 %; true): " + ", ".join(parts))

    def _trial_ended(self, text: str) -> None:
        self.trial_result.setText(text)
        self._enable()

    # -- proposal ---------------------------------------------------------------------
    def writable_change(self) -> tuple[str, float] | None:
        """The changed writable value to propose (the shown station's first), else None."""
        for sid in [*self.controls, *sorted(self.proposed)]:
            signal = self._signal(sid)
            if sid in self.proposed and signal is not None and signal.writable:
                return sid, self.proposed[sid]
        return None

    def _propose(self) -> None:
        change = self.writable_change()
        if change is not None:
            self.propose_requested.emit(*change)

    def shutdown(self) -> None:
        self._debounce.stop()
        self.trials.shutdown()
        self.predictions.shutdown()


def _button(text: str, slot: Callable, name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(slot)
    return button


def _label(name: str, style: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextFormat(Qt.TextFormat.RichText if name == "whatIfFpy" else Qt.TextFormat.PlainText)
    return label


def _row(*widgets, stretch_first: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if (stretch_first and i == 0) else 0)
    return row
