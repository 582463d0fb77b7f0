"""The Record toggle: every received value, alert and acknowledgement into DuckDB.

Built from what it records, not from the window: something with ``taps`` (the
live bridge: every item it takes from the queue is handed to each tap), the
alert book and the project, so a test drives it without a simulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from linetwin.twin.alerts.alerts import AlertBook
from linetwin.twin.model import Project
from linetwin.ui.qt.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:  # DuckDB loads when a recording starts, not with every window
    from linetwin.io.history.history_store import HistoryStore
    from linetwin.io.history.recorder import Recorder


class RecordingControl(QObject):
    """A checkable action plus a status label; owns the recorder while it runs.

    Parameters
    ----------
    bridge : has ``taps``, a list of callables each given every batch of items
    alert_book : its alerts and acknowledgements are recorded too
    project : the project recorded (named in the session row)
    endpoint : the server recorded from (for the session row)
    window : parent of the action and of the dialogs

    ``choose_file`` asks where to record; tests replace it to skip the dialog.
    """

    state_changed = Signal(bool)

    def __init__(self, bridge, alert_book: AlertBook | None, project: Project,
                 endpoint: str | None = None, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.window, self.bridge = window, bridge
        self.alert_book, self.project, self.endpoint = alert_book, project, endpoint
        self.recorder: Recorder | None = None
        self.store: HistoryStore | None = None
        self.path: Path | None = None
        self.action = QAction("&Record", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+R"))
        self.action.setToolTip("Record every received value, alert and acknowledgement")
        self.action.toggled.connect(self._on_toggled)
        self.label = ElidedLabel("")  # a long file name or write problem never clips
        self.label.setObjectName("recordLabel")

    def choose_file(self) -> Path | None:
        settings = QSettings()
        folder = settings.value("record/folder", str(Path.home()))
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Record into history file", str(Path(folder) / "history.duckdb"),
            "LineTwin history (*.duckdb)", options=QFileDialog.Option.DontConfirmOverwrite)
        if not name:
            return None
        settings.setValue("record/folder", str(Path(name).parent))
        return Path(name)

    def _on_toggled(self, on: bool) -> None:
        if on and self.recorder is None:
            if not self.start():
                self.action.blockSignals(True)
                self.action.setChecked(False)
                self.action.blockSignals(False)
        elif not on and self.recorder is not None:
            self.stop()

    def start(self) -> bool:
        path = self.choose_file()
        if path is None:
            return False
        from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
        from linetwin.io.history.recorder import Recorder

        try:
            self.store = HistoryStore(path)
        except HistoryStoreError as error:
            QMessageBox.warning(self.window, "Cannot record", str(error))
            return False
        self.path = path
        self.recorder = Recorder(self.store, self.project, endpoint=self.endpoint)
        # The links are already up: record their state, or a steady link leaves no row.
        self.recorder.start(links=list(getattr(self.bridge, "links", {}).values()))
        if self.alert_book is not None:
            self.recorder.follow_alerts(self.alert_book)
        self.bridge.taps.append(self.recorder.submit)
        self.state_changed.emit(True)
        self.refresh()
        return True

    def stop(self) -> None:
        """Flush and close; safe to call when not recording (window closing)."""
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        self.bridge.taps.remove(recorder.submit)
        recorder.stop()
        self.store.close()
        self.store = None
        self.label.set_text(f"saved {recorder.samples_written:,} values to {self.path.name}",
                            tooltip=str(self.path))
        self.state_changed.emit(False)

    def refresh(self) -> None:
        """Status text; called by the window's status timer."""
        if self.recorder is None:
            return
        text = f"REC {self.path.name}: {self.recorder.samples_written:,} values"
        if self.recorder.backlog > 1000:
            text += f" (writing behind by {self.recorder.backlog:,})"
        if self.recorder.error:
            text += f" — write problem: {self.recorder.error}"
        self.label.set_text(text, dot_color="#B42318")
