"""The inspection events of a replay as a table, synced both ways with the cursor.

The model holds only the row numbers the filter matches (an int array from
:class:`EventSearch`); ``data()`` reads the numpy columns for the cells Qt
asks for, so 100k+ events cost no more than the rows on screen. Selecting a
row seeks the cursor there; when the cursor moves, the row of the last event
at or before it is selected and scrolled to. A guard keeps the two
directions from feeding each other.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from linetwin.twin.replay.event_search import EventFilter
from linetwin.twin.replay.replay_data import RESULTS, SEVERITIES
from linetwin.ui.qt.replay.timeline import clock_text

COLUMNS = ("time", "unit", "lot", "station", "result", "defect type", "severity")
_FAIL = QColor("#FDE8E8")
_REWORK = QColor("#FFF4D6")


class EventTableModel(QAbstractTableModel):
    """Inspection rows of ``data`` that ``flt`` matches, in time order."""

    def __init__(self, session, flt: EventFilter = EventFilter(), parent=None) -> None:
        super().__init__(parent)
        self.data_, self.search = session.data, session.cursor.search
        self.rows = self.search.rows(flt)
        self.times = self.data_.inspections.time[self.rows]

    def set_filter(self, flt: EventFilter) -> None:
        self.beginResetModel()
        self.rows = self.search.rows(flt)
        self.times = self.data_.inspections.time[self.rows]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt naming)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = int(self.rows[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(row, index.column())
        if role == Qt.ItemDataRole.BackgroundRole:
            result = self.data_.inspections.result[row]
            return _FAIL if result == 1 else _REWORK if result == 2 else None
        return None

    def cell(self, row: int, column: int) -> str:
        """The text of inspection ``row`` (not the table row) in ``column``."""
        c, d = self.data_.inspections, self.data_
        if column == 0:
            return clock_text(float(c.time[row]), with_date=False)
        if column == 1:
            return str(c.unit[row])
        if column == 2:
            return d.lots[c.lot[row]] if c.lot[row] >= 0 else ""
        if column == 3:
            return d.stations[c.station[row]]
        if column == 4:
            return RESULTS[c.result[row]].value
        if column == 5:
            return d.defect_types[c.defect[row]] if c.defect[row] >= 0 else ""
        return SEVERITIES[c.severity[row]].value if c.severity[row] >= 0 else ""

    def table_row_at(self, t: float) -> int:
        """The table row of the last event at or before ``t``; -1 if none."""
        return int(np.searchsorted(self.times, t, side="right")) - 1

    def event_row(self, table_row: int) -> int:
        return int(self.rows[table_row])


class EventTable(QTableView):
    """The table view; ``seek_requested(time)`` when the user picks an event."""

    seek_requested = Signal(float)

    def __init__(self, session, flt: EventFilter = EventFilter(), parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("replayEvents")
        self.model_ = EventTableModel(session, flt, self)
        self.setModel(self.model_)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(20)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setColumnWidth(0, 150)
        self._following = False  # the selection is being moved to follow the cursor
        self.clock = session.clock
        self.selectionModel().currentRowChanged.connect(self._on_row_chosen)
        session.clock.moved.connect(self._on_moved)

    def set_filter(self, flt: EventFilter) -> None:
        self.model_.set_filter(flt)
        self._on_moved(self.clock.now())

    def selected_event(self) -> int | None:
        """The inspection row selected, or None."""
        rows = self.selectionModel().selectedRows()
        return self.model_.event_row(rows[0].row()) if rows else None

    def _on_row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._following or not current.isValid():
            return
        self.seek_requested.emit(float(self.model_.times[current.row()]))

    def _on_moved(self, t: float) -> None:
        model = self.model_
        current = self.selectionModel().currentIndex()
        if current.isValid() and model.times[current.row()] == t:
            return  # already on an event of that instant (the one the user picked)
        row = model.table_row_at(t) if t == t else -1
        self._following = True
        try:
            if row < 0:
                self.selectionModel().clear()
                return
            index = model.index(row, 0)
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._following = False
