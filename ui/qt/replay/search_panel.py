"""Unit and lot search in replay: a unit's path through the stations, a lot's yield and defects.

A unit id lists every inspection of that unit (time, station, result,
defect); a click on a row asks the window to seek there. A lot id shows the
lot's first-pass yield over the loaded range, its defects by type and its time
span, with a button to seek to its start. The lookups are one vectorised
pass over the loaded columns per search, never a query per keystroke.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.twin.replay.instants import format_instant
from linetwin.twin.replay.replay_data import RESULTS

PATH_COLUMNS = ("time", "station", "result", "defect")


class UnitLotSearch(QWidget):
    """Search box for a unit or lot id of ``session``'s loaded range.

    Signals
    -------
    seek_requested(float) : the user asked to move the cursor to this instant
    """

    seek_requested = Signal(float)

    def __init__(self, session: ReplaySession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.query = QLineEdit()
        self.query.setPlaceholderText("unit id or lot id")
        self.query.setAccessibleName("Unit or lot id")
        self.query.returnPressed.connect(self.search)
        find = QPushButton("Find")
        find.clicked.connect(self.search)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(PATH_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellClicked.connect(self._row_clicked)
        self.go_to_start = QPushButton("Go to lot start")
        self.go_to_start.clicked.connect(lambda: self.seek_requested.emit(self.lot_span[0]))
        self.go_to_start.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(find)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.go_to_start)
        layout.addWidget(self.table, 1)
        self.row_times: list[float] = []
        self.lot_span = (math.nan, math.nan)
        self.lot_defects: dict[str, int] = {}

    def search(self, text: str | None = None) -> str | None:
        """Look ``text`` (default: the box's) up; "unit", "lot", or None when unknown."""
        if text is not None:
            self.query.setText(text)
        key = self.query.text().strip()
        self._clear()
        if not key:
            self.summary.setText("Type a unit id (e.g. U00000042) or a lot id.")
            return None
        if key in self.session.data.lots:
            self._show_lot(key)
            return "lot"
        rows = self.session.cursor.search.unit_path(key)
        if len(rows):
            self._show_unit(key, rows)
            return "unit"
        self.summary.setText(f"No unit or lot {key!r} in this history "
                             f"({format_instant(self.session.data.start)} to "
                             f"{format_instant(self.session.data.end)}).")
        return None

    def _clear(self) -> None:
        self.table.setRowCount(0)
        self.row_times = []
        self.lot_defects = {}
        self.go_to_start.setVisible(False)

    def _show_unit(self, unit: str, rows: np.ndarray) -> None:
        d = self.session.data
        c = d.inspections
        self.table.setColumnCount(len(PATH_COLUMNS))
        self.table.setHorizontalHeaderLabels(PATH_COLUMNS)
        self.row_times = c.time[rows].tolist()
        for i, row in enumerate(rows.tolist()):
            defect = d.defect_types[c.defect[row]] if c.defect[row] >= 0 else ""
            self._set_row(i, (format_instant(self.row_times[i]), d.stations[c.station[row]],
                              RESULTS[c.result[row]].value, defect))
        self.table.resizeColumnsToContents()
        failed = sum(1 for row in rows.tolist() if c.result[row] != 0)
        lot = d.lots[c.lot[rows[0]]] if c.lot[rows[0]] >= 0 else "no lot"
        self.summary.setText(f"Unit {unit} ({lot}): {len(rows)} inspection(s), {failed} not passed. "
                             "Click a row to go there.")

    def _show_lot(self, lot: str) -> None:
        windows = self.session.cursor.windows
        inspected, passed = windows.lot_yield(lot)
        self.lot_defects = windows.lot_defects(lot)
        self.lot_span = self._lot_span(lot)
        fpy = f"{100.0 * passed / inspected:.1f} %" if inspected else "no unit inspected"
        start, end = self.lot_span
        until = "still running at the end of the history" if end != end else format_instant(end)
        self.summary.setText(f"Lot {lot}: FPY {fpy} ({passed} of {inspected} inspections passed), "
                             f"{sum(self.lot_defects.values())} defects. From "
                             f"{format_instant(start)} to {until}.")
        self.table.setColumnCount(2)
        self.table.setHorizontalHeaderLabels(("defect type", "count"))
        for i, (defect, n) in enumerate(sorted(self.lot_defects.items(), key=lambda kv: -kv[1])):
            self._set_row(i, (defect, str(n)))
        self.go_to_start.setVisible(start == start)

    def _lot_span(self, lot: str) -> tuple[float, float]:
        """The lot's recorded start and end; without a lot row, its first and last inspection."""
        for row in self.session.data.lot_rows:
            if row.lot_id == lot:
                return row.start, row.end
        times = self.session.data.inspections.time[self.session.cursor.search.lot_rows(lot)]
        return (float(times[0]), float(times[-1])) if len(times) else (math.nan, math.nan)

    def _set_row(self, i: int, cells: tuple[str, ...]) -> None:
        self.table.insertRow(i)
        for k, text in enumerate(cells):
            self.table.setItem(i, k, QTableWidgetItem(text))

    def _row_clicked(self, row: int, _column: int) -> None:
        if row < len(self.row_times):
            self.seek_requested.emit(self.row_times[row])
