"""The trainee's hands on a station: controls, setpoints, measured values.

Always available, whatever the current step asks: a new operator can start a
station that should stay locked, set the wrong signal or enter a value for
the wrong gauge, and the engine says so. Each button emits a
:class:`TraineeAction`; nothing here judges it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
    QVBoxLayout, QWidget,
)

from linetwin.twin.model import Project, SignalKind
from linetwin.twin.sop.constraints import reading
from linetwin.twin.sop.sop_model import Control
from linetwin.twin.sop.trainee_actions import TraineeAction

PROMINENT = "QGroupBox { border: 2px solid #F59E0B; border-radius: 4px; margin-top: 14px; padding-top: 4px; }" \
            "QGroupBox::title { color: #92400E; font-weight: bold; subcontrol-origin: margin; left: 8px; }"


class StationBox(QWidget):
    """Controls, "Set value" and "Enter measured value" for the selected station."""

    acted = Signal(object)  # TraineeAction

    def __init__(self, run, parent=None) -> None:
        super().__init__(parent)
        self.run = run
        self.project: Project = run.project
        self.station = QComboBox()
        self.station.setObjectName("stationChoice")
        for station in run.simulator.stations:
            self.station.addItem(self._name(station), station)
        self.status = QLabel()
        self.status.setObjectName("stationStatus")
        self.controls = QGroupBox("Controls")
        self.buttons: dict[Control, QPushButton] = {}
        self.setpoints = QGroupBox("Set value")
        self.set_signal, self.set_value = QComboBox(), _spinbox()
        self.set_button = QPushButton("Set")
        self.measures = QGroupBox("Enter measured value")
        self.enter_signal, self.enter_value = QComboBox(), _spinbox()
        self.enter_button = QPushButton("Enter")
        self.readings = QLabel()
        self.readings.setObjectName("stationReadings")
        for name, widget in (("setSignal", self.set_signal), ("setValue", self.set_value),
                             ("setButton", self.set_button), ("enterSignal", self.enter_signal),
                             ("enterValue", self.enter_value), ("enterButton", self.enter_button)):
            widget.setObjectName(name)
        self._build()
        self.station.currentIndexChanged.connect(lambda _i: self._on_station_change())
        self.set_signal.currentIndexChanged.connect(lambda _i: self._on_set_signal_change())
        self.enter_signal.currentIndexChanged.connect(lambda _i: self._on_enter_signal_change())
        self.set_button.clicked.connect(self._set)
        self.enter_button.clicked.connect(self._enter)
        self._on_station_change()

    def _build(self) -> None:
        top = QFormLayout()
        top.addRow("Station", self.station)
        top.addRow("State", self.status)
        grid = QGridLayout(self.controls)
        for i, control in enumerate(Control):
            button = QPushButton(control.value.capitalize())
            button.setObjectName(f"control_{control.value}")
            button.clicked.connect(lambda _=False, c=control: self._operate(c))
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[control] = button
        for box, combo, spin, button in ((self.setpoints, self.set_signal, self.set_value, self.set_button),
                                         (self.measures, self.enter_signal, self.enter_value,
                                          self.enter_button)):
            row = QHBoxLayout(box)
            row.addWidget(combo, 2)
            row.addWidget(spin, 1)
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.controls)
        layout.addWidget(self.setpoints)
        layout.addWidget(self.measures)
        layout.addWidget(QLabel("Readings"))
        layout.addWidget(self.readings)

    # -- what is selected ----------------------------------------------------------------

    @property
    def selected(self) -> str:
        return self.station.currentData() or ""

    def select_station(self, station: str) -> None:
        index = self.station.findData(station)
        if index >= 0:
            self.station.setCurrentIndex(index)

    def select_signal(self, combo: QComboBox, signal_id: str | None) -> None:
        index = combo.findData(signal_id)
        if index >= 0:
            combo.setCurrentIndex(index)

    def emphasize(self, box: QGroupBox | None) -> None:
        """Outline the group the current step is done with (None: none of them)."""
        for group in (self.controls, self.setpoints, self.measures):
            group.setStyleSheet(PROMINENT if group is box else "")

    def _on_station_change(self) -> None:
        station = self.selected
        settable = [s for s in self.run.simulator.process_signal_ids() if self._asset_of(s) == station]
        gauges = [s.id for s in self.project.signals_of(station) if s.kind is SignalKind.ANALOG]
        for combo, ids in ((self.set_signal, settable), (self.enter_signal, gauges)):
            combo.blockSignals(True)
            combo.clear()
            for signal_id in ids:
                combo.addItem(self._signal_name(signal_id), signal_id)
            combo.blockSignals(False)
        self.setpoints.setEnabled(bool(settable))
        self.measures.setEnabled(bool(gauges))
        self._on_set_signal_change()
        self._on_enter_signal_change()
        self.refresh()

    def _on_set_signal_change(self) -> None:
        signal_id = self.set_signal.currentData()
        if signal_id:
            self.set_value.setSuffix(self._unit(signal_id))
            self.set_value.setValue(self.run.simulator.nominal(signal_id))

    def _on_enter_signal_change(self) -> None:
        signal_id = self.enter_signal.currentData()
        if signal_id:
            self.enter_value.setSuffix(self._unit(signal_id))

    # -- actions -------------------------------------------------------------------------

    def _operate(self, control: Control) -> None:
        if self.selected:
            self.acted.emit(TraineeAction("control", target=self.selected, control=control))

    def _set(self) -> None:
        signal_id = self.set_signal.currentData()
        if signal_id:
            self.acted.emit(TraineeAction("set", signal=signal_id, value=float(self.set_value.value())))

    def _enter(self) -> None:
        signal_id = self.enter_signal.currentData()
        if signal_id:
            self.acted.emit(TraineeAction("enter", signal=signal_id, value=float(self.enter_value.value())))

    # -- live ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """The station's state and readings as the twin shows them now."""
        station, sim = self.selected, self.run.simulator
        if not station:
            return
        if sim.locked_out(station):
            self.status.setText("LOCKED OUT")
            self.status.setStyleSheet("color: #B91C1C; font-weight: bold;")
        elif sim.held(station):
            self.status.setText("stopped by operator (held)")
            self.status.setStyleSheet("color: #B45309; font-weight: bold;")
        else:
            state = reading(self.run.pipeline.state, f"{station}.state")
            name = "no data" if math.isnan(state) else self.project.state_name(int(state))
            self.status.setText(name)
            color = {"running": "#166534", "fault": "#B91C1C"}.get(name, "#B45309")
            self.status.setStyleSheet(f"color: {color};")
        lines = []
        for signal in self.project.signals_of(station):
            if signal.kind is SignalKind.ANALOG:
                value = reading(self.run.pipeline.state, signal.id)
                shown = "—" if math.isnan(value) else f"{value:.4g}"
                lines.append(f"{self._signal_name(signal.id)}: <b>{shown}</b> {signal.unit}")
        self.readings.setText("<br>".join(lines) or "no gauges")

    # -- names ---------------------------------------------------------------------------

    def _name(self, asset_id: str) -> str:
        try:
            return f"{self.project.asset(asset_id).name} ({asset_id})"
        except KeyError:
            return asset_id

    def _asset_of(self, signal_id: str) -> str:
        try:
            return self.project.signal(signal_id).asset
        except KeyError:
            return signal_id.split(".")[0]

    def _signal_name(self, signal_id: str) -> str:
        return signal_id.split(".", 1)[-1].replace("_", " ")

    def _unit(self, signal_id: str) -> str:
        try:
            unit = self.project.signal(signal_id).unit
        except KeyError:
            return ""
        return f" {unit}" if unit else ""


def _spinbox() -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(-1e6, 1e6)
    spin.setDecimals(2)
    spin.setKeyboardTracking(False)
    return spin
