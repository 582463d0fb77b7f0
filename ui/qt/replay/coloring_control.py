"""What the 3D line is coloured by in replay: states as live, defect density, or a comparison.

The control owns the switch and the inputs each mode needs (window length,
per 1,000 units, window B's end, lots A and B) and keeps the
:class:`~linetwin.scene.defect_coloring.DefectColoring` in step with the
cursor (prefix counts: a few binary searches per redraw, at most 20 a second).
While a defect mode is on, the window's bridge should leave the asset colours
alone (``states_shown`` is False); the control redraws them after each move.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget,
)

from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.scene.defect_coloring import (
    DefectColoring, StationFigures, deltas, lot_figures, window_figures,
)
from linetwin.twin.replay.instants import format_instant
from linetwin.ui.qt.replay.chart_items import DEFAULT_WINDOW, WINDOWS, CursorFollower, window_bounds

MODES = (("states", "States (as live)"), ("density", "Defect density (window)"),
         ("windows", "Compare windows"), ("lots", "Compare lots"))


class ColoringControl(QWidget):
    """Switches ``coloring`` between the modes; ``mode_changed(str)`` names the new one."""

    mode_changed = Signal(str)

    def __init__(self, session: ReplaySession, coloring: DefectColoring,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.coloring = session, coloring
        self.mode_choice = QComboBox()
        self.mode_choice.setAccessibleName("Colour the line by")
        for key, label in MODES:
            self.mode_choice.addItem(label, key)
        self.window_choice = QComboBox()
        for label, seconds in WINDOWS:
            self.window_choice.addItem(label, seconds)
        self.window_choice.setCurrentText(DEFAULT_WINDOW)
        self.per_thousand = QCheckBox("per 1,000 units inspected")
        self.b_end = math.nan
        self._lots: dict[str, StationFigures] = {}
        self.b_label = QLabel("B: not set")
        self.set_b_button = QPushButton("Set B to the cursor")
        self.set_b_button.clicked.connect(self.set_b_here)
        self.lot_a, self.lot_b = QComboBox(), QComboBox()
        for box in (self.lot_a, self.lot_b):
            box.addItems(list(session.data.lots))
        self.lot_b.setCurrentIndex(min(1, self.lot_b.count() - 1))
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Colour by", self.mode_choice)
        form.addRow("Window", self.window_choice)
        form.addRow("", self.per_thousand)
        self.inputs = QStackedWidget()
        self.inputs.addWidget(QWidget())  # states and density need nothing more
        self.inputs.addWidget(self._column(self.b_label, self.set_b_button))
        lots = QWidget()
        lots_form = QFormLayout(lots)
        lots_form.addRow("Lot A", self.lot_a)
        lots_form.addRow("Lot B", self.lot_b)
        self.inputs.addWidget(lots)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.inputs)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.follower = CursorFollower(session, self._redraw, parent=self)
        for signal in (self.mode_choice.currentIndexChanged, self.window_choice.currentIndexChanged,
                       self.lot_a.currentIndexChanged, self.lot_b.currentIndexChanged):
            signal.connect(lambda _: self._changed())
        self.per_thousand.toggled.connect(lambda _: self._changed())
        self._changed()

    @staticmethod
    def _column(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            layout.addWidget(w)
        return box

    @property
    def mode(self) -> str:
        return self.mode_choice.currentData()

    @property
    def states_shown(self) -> bool:
        return self.mode == "states"

    def set_mode(self, mode: str) -> None:
        index = self.mode_choice.findData(mode)
        if index < 0:
            raise ValueError(f"unknown colouring {mode!r}: one of {[k for k, _ in MODES]}")
        self.mode_choice.setCurrentIndex(index)

    def set_b_here(self) -> None:
        """Window B: the same length as A, ending where the cursor is now."""
        self.b_end = self.session.clock.now()
        self.b_label.setText(f"B: the window ending {format_instant(self.b_end)}"
                             if self.b_end == self.b_end else "B: not set")
        self.follower.flush()

    def _changed(self) -> None:
        mode = self.mode
        self.inputs.setCurrentIndex({"states": 0, "density": 0, "windows": 1, "lots": 2}[mode])
        self.window_choice.setEnabled(mode in ("density", "windows"))
        self.per_thousand.setEnabled(mode != "states")
        if mode == "states":
            self.note.setText("")
            self.coloring.clear(self.session.pipeline.appearances())
            self._render()
        else:
            self.follower.flush()
        self.mode_changed.emit(mode)

    def _redraw(self, t: float) -> None:
        mode, per_k = self.mode, self.per_thousand.isChecked()
        seconds, label = float(self.window_choice.currentData()), self.window_choice.currentText()
        windows, start = self.session.cursor.windows, self.session.data.start
        unit = " per 1,000 units" if per_k else ""
        if mode == "states":
            return
        if mode == "density":
            figures = window_figures(windows, *window_bounds(start, t, seconds))
            self.coloring.show_density(figures, per_k, f"defects{unit}, {label} to cursor")
            self.note.setText("")
        elif mode == "windows":
            if self.b_end != self.b_end:
                self.note.setText("Move the cursor to window B's end and press \"Set B to the cursor\".")
                self.coloring.clear(self.session.pipeline.appearances())
                self._render()
                return
            a = window_figures(windows, *window_bounds(start, t, seconds))
            b = window_figures(windows, *window_bounds(start, self.b_end, seconds))
            self.coloring.show_delta(a.stations, deltas(a, b, per_k),
                                     f"defects{unit}: A ({label} to cursor) - B", per_k)
            self.note.setText(f"A: the {label} to the cursor; B: the {label} to "
                              f"{format_instant(self.b_end)}. Red: more defects in A.")
        else:
            self._show_lots(per_k, unit)
        self._render()

    def _show_lots(self, per_k: bool, unit: str) -> None:
        lot_a, lot_b = self.lot_a.currentText(), self.lot_b.currentText()
        if not lot_a or not lot_b:
            self.note.setText("This history has no lots to compare.")
            return
        a, b = self._lot(lot_a), self._lot(lot_b)
        self.coloring.show_delta(a.stations, deltas(a, b, per_k), f"defects{unit}: {lot_a} - {lot_b}",
                                 per_k)
        self.note.setText(f"Red: more defects in lot {lot_a} than in lot {lot_b}"
                          + (" (raw counts: lots of different sizes differ anyway)" if not per_k else "")
                          + ".")

    def _lot(self, lot: str) -> StationFigures:
        """A lot's figures: one pass over the columns, then kept (they do not move with the cursor)."""
        if lot not in self._lots:
            self._lots[lot] = lot_figures(self.session.data, lot)
        return self._lots[lot]

    def _render(self) -> None:
        self.coloring.plotter.render()
