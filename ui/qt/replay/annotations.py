"""Investigators' notes in replay: the list, the "Annotate…" dialog, the 3D tags.

A note is anchored to the cursor's instant, the selected station and
optionally a unit, signed with an author name (remembered between sessions)
and stored in the history (``HistoryStore.add_annotation``), so the report
and anyone reopening the file see it. A history opened read-only cannot take
notes: the dialog says why instead of failing on OK.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from linetwin.io.history.history_store import HistoryStoreError
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.scene.annotation_markers import AnnotationMarkers
from linetwin.twin.replay.instants import format_instant
from linetwin.ui.qt.replay.chart_items import CursorFollower

AUTHOR_KEY = "replay/annotation_author"
NEAR_S = 600.0  # the 3D view tags notes within ten minutes of the cursor
COLUMNS = ("time", "station", "unit", "author", "note")


class AnnotateDialog(QDialog):
    """Author and text of a note at ``at``; station and unit prefilled, editable."""

    def __init__(self, at: float, stations: list[str], station: str | None, unit_id: str | None,
                 author: str, read_only_reason: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotate")
        self.at = at
        self.station = QComboBox()
        self.station.addItem("(no station)", None)
        for s in stations:
            self.station.addItem(s, s)
        self.station.setCurrentIndex(max(self.station.findData(station), 0))
        self.unit = QLineEdit(unit_id or "")
        self.unit.setPlaceholderText("optional unit id")
        self.author = QLineEdit(author)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("what you saw, what it means")
        form = QFormLayout()
        form.addRow("Time", QLabel(format_instant(at)))
        form.addRow("Station", self.station)
        form.addRow("Unit", self.unit)
        form.addRow("Author", self.author)
        form.addRow("Note", self.text)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.read_only_reason = read_only_reason
        if read_only_reason:
            self.notice.setText(f"Notes cannot be saved: {read_only_reason}. Reopen the history "
                                "for writing (a copy of the file, if this one must stay untouched).")
            for field in (self.station, self.unit, self.author, self.text):
                field.setEnabled(False)
        self.author.textChanged.connect(self._check)
        self.text.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        ok = not self.read_only_reason and bool(self.author.text().strip()) and bool(
            self.text.toPlainText().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def note(self) -> dict[str, Any]:
        """What was entered, in the shape of ``ReplayData.annotations`` rows."""
        return {"time": self.at, "station": self.station.currentData(),
                "unit_id": self.unit.text().strip() or None, "author": self.author.text().strip(),
                "text": self.text.toPlainText().strip()}


class AnnotationsPanel(QWidget):
    """The notes of the loaded range, an "Annotate…" button, and (optionally) their 3D tags.

    Signals
    -------
    annotation_added(dict) : a note was stored (the timeline redraws its marks)
    seek_requested(float) : a note was double-clicked: go to its instant
    """

    annotation_added = Signal(dict)
    seek_requested = Signal(float)

    def __init__(self, session: ReplaySession, markers: AnnotationMarkers | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.markers = session, markers
        self.settings = settings if settings is not None else QSettings()
        self.station: str | None = None
        self.unit_id: str | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(
            lambda row, _: self.seek_requested.emit(float(self.notes[row]["time"])))
        self.annotate_button = QPushButton("Annotate\u2026")
        self.annotate_button.clicked.connect(self.annotate)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.annotate_button)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.follower = CursorFollower(session, self._show_markers, parent=self)
        self._fill()

    @property
    def notes(self) -> list[dict[str, Any]]:
        return self.session.data.annotations

    def set_station(self, station: str | None) -> None:
        """The selected station: where the next note is anchored."""
        self.station = station

    def set_unit(self, unit_id: str | None) -> None:
        """The unit in focus (event table, search): prefilled in the next note."""
        self.unit_id = unit_id

    def make_dialog(self) -> AnnotateDialog:
        stations = list(self.session.data.stations)
        reason = self.session.store.read_only and (
            getattr(self.session, "read_only_reason", None) or f"{self.session.path}: opened read-only")
        return AnnotateDialog(self.session.clock.now(), stations, self.station, self.unit_id,
                              str(self.settings.value(AUTHOR_KEY, "") or ""), reason or None, self)

    def annotate(self) -> None:
        """Open the dialog at the cursor; store the note if accepted."""
        if math.isnan(self.session.clock.now()):
            self.status.setText("Place the cursor on the timeline first.")
            return
        dialog = self.make_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.store_note(dialog.note())

    def store_note(self, note: dict[str, Any]) -> bool:
        """Write ``note`` to the history; show it; False (with the reason shown) if refused."""
        try:
            self.session.store.add_annotation(note["text"], note["author"], at=note["time"],
                                              station=note["station"], unit_id=note["unit_id"])
        except HistoryStoreError as exc:
            self.status.setText(f"The note was not saved: {exc}")
            return False
        self.settings.setValue(AUTHOR_KEY, note["author"])
        row = {"asset_id": None, "created_at": None, **note}
        self.notes.append(row)
        self.notes.sort(key=lambda n: n["time"])
        self.status.setText(f"Note saved at {format_instant(note['time'])}.")
        self._fill()
        self.follower.flush()
        self.annotation_added.emit(row)
        return True

    def _fill(self) -> None:
        self.table.setRowCount(len(self.notes))
        for i, note in enumerate(self.notes):
            cells = (format_instant(note["time"]), note.get("station") or "", note.get("unit_id") or "",
                     note.get("author") or "", note.get("text") or "")
            for k, text in enumerate(cells):
                self.table.setItem(i, k, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def near(self, t: float) -> list[dict[str, Any]]:
        return [n for n in self.notes if abs(n["time"] - t) <= NEAR_S]

    def _show_markers(self, t: float) -> None:
        if self.markers is None:
            return
        before = dict(self.markers.shown)
        self.markers.show(self.near(t))
        if self.markers.shown != before:
            self.markers.plotter.render()
