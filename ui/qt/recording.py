"""The Record toggle: every received value, alert and acknowledgement into DuckDB."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.history.recorder import Recorder
from linetwin.ui.qt.widgets.elided_label import ElidedLabel


class RecordingControl(QObject):
    """A checkable action plus a status label; owns the recorder while it runs.

    ``choose_file`` asks where to record; tests replace it to skip the dialog.
    """

    state_changed = Signal(bool)

    def __init__(self, window: QWidget, session, bridge) -> None:
        super().__init__(window)
        self.window, self.session, self.bridge = window, session, bridge
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
        self.alert_book = None  # set by the window once alerts exist

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
        try:
            self.store = HistoryStore(path)
        except HistoryStoreError as error:
            QMessageBox.warning(self.window, "Cannot record", str(error))
            return False
        self.path = path
        self.recorder = Recorder(self.store, self.session.project, endpoint=self.session.endpoint)
        self.recorder.start()
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
