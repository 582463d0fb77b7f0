"""The what-if panel in the live window: a dock (View > What-if…, Ctrl+Shift+W),
"Open what-if model…" remembering the last model, the scene's predicted
colouring while the dock is shown, and the setpoint dialogs.

The window needs one call, :func:`add_whatif`; everything else is wired here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox

from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.twin.whatif.whatif_model import ModelFileError, read_model
from linetwin.twin.whatif.live_now import live_rows
from linetwin.ui.qt.whatif.predicted_coloring import PredictedColoring
from linetwin.ui.qt.whatif.whatif_panel import WhatIfPanel

if TYPE_CHECKING:  # the setpoint dialogs (and DuckDB) load when first opened
    from linetwin.io.setpoint.workflow import Line
    from linetwin.ui.qt.whatif.propose_dialog import ProposeDialog
    from linetwin.ui.qt.whatif.proposals_dialog import ProposalsDialog

SETTINGS_KEY = "whatif/model"
MODEL_FILTER = "What-if models (*.json);;All files (*)"


@dataclass
class WhatIf:
    """What :func:`add_whatif` built (tests drive these)."""

    panel: WhatIfPanel
    dock: QDockWidget
    coloring: PredictedColoring
    toggle: QAction
    controller: "_Controller"


def add_whatif(window, menu) -> WhatIf:
    """A hidden what-if dock on the right, its menu entries in ``menu``; the last model reopened."""
    panel = WhatIfPanel(window.session.project)
    history = window.session.pipeline.history  # the live trend buffers: "now"
    panel.set_now_source(lambda: live_rows(history, panel.model.scales) if panel.model else None)
    dock = QDockWidget("What-if", window)
    dock.setObjectName("dockWhatIf")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setText("&What-if…")
    toggle.setShortcut(QKeySequence("Ctrl+Shift+W"))
    menu.addAction(toggle)
    window.addAction(toggle)
    controller = _Controller(window, panel, dock, PredictedColoring(window))
    for text, slot in (("Open what-if &model…", controller.ask_model),
                       ("Setpoint &proposals…", controller.show_proposals)):
        action = QAction(text, window)
        action.triggered.connect(slot)
        menu.addAction(action)
    controller.reopen_last()
    return WhatIf(panel, dock, controller.coloring, toggle, controller)


class _Controller(QObject):
    def __init__(self, window, panel: WhatIfPanel, dock: QDockWidget, coloring: PredictedColoring) -> None:
        super().__init__(window)
        self.window, self.panel, self.dock, self.coloring = window, panel, dock, coloring
        panel.open_requested.connect(self.ask_model)
        panel.proposals_requested.connect(self.show_proposals)
        panel.propose_requested.connect(self.propose)
        panel.prediction_shown.connect(self._on_prediction)
        dock.visibilityChanged.connect(self._on_visible)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt naming)
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.panel.shutdown()  # no worker thread outlives the window
        return False

    # -- the model ----------------------------------------------------------------------
    def ask_model(self) -> None:
        last = QSettings().value(SETTINGS_KEY, "")
        path, _ = QFileDialog.getOpenFileName(self.window, "Open what-if model", str(Path(last).parent)
                                              if last else "", MODEL_FILTER)
        if path:
            self.open_model(Path(path))

    def open_model(self, path: Path, quiet: bool = False) -> bool:
        try:
            model = read_model(path)
        except ModelFileError as exc:
            if quiet:
                self.window.statusBar().showMessage(f"What-if model not reopened: {exc}", 8000)
            else:
                QMessageBox.warning(self.window, "Cannot open the what-if model", str(exc))
            return False
        QSettings().setValue(SETTINGS_KEY, str(path))
        self.panel.set_model(model)
        if not quiet:
            self.dock.show()
            self.dock.raise_()
        return True

    def reopen_last(self) -> None:
        last = QSettings().value(SETTINGS_KEY, "")
        if last and Path(last).is_file():
            self.open_model(Path(last), quiet=True)

    # -- the scene ----------------------------------------------------------------------
    def _on_prediction(self, prediction, changed_stations: list[str]) -> None:
        if self.dock.isVisible() and changed_stations:
            self.coloring.show_prediction(prediction, changed_stations)
        else:
            self.coloring.stop()

    def _on_visible(self, visible: bool) -> None:
        if visible:
            self._beside_inspector()
            if self.panel.model is not None and not self.panel.proposed:
                self.panel.reset()  # nothing proposed yet: "now" is the line's latest hour
            else:
                self.panel.ask()  # its answer colours the scene again
        else:
            self.coloring.stop()

    def _beside_inspector(self) -> None:
        """A tab beside the inspector (the whole height for the chart), in front."""
        inspector = self.window.findChild(QDockWidget, "dockInspector")
        if (inspector is not None and not self.dock.isFloating() and inspector.isVisible()
                and self.dock not in self.window.tabifiedDockWidgets(inspector)):
            self.window.tabifyDockWidget(inspector, self.dock)
        self.dock.raise_()

    # -- setpoints ----------------------------------------------------------------------
    def line(self) -> Line:
        """The line as the live window reaches it (endpoint, security, trusted certificates)."""
        from linetwin.io.setpoint.workflow import Line

        session = self.window.session
        feed = session.feed
        client = feed.clients.get(session.endpoint)
        settings = client.settings if client is not None else (feed.settings or ConnectionSettings(session.endpoint))
        return Line(session.endpoint, settings, feed.trust)

    def propose(self, signal_id: str, value: float) -> ProposeDialog:
        from linetwin.ui.qt.whatif.propose_dialog import ProposeDialog, evidence_of

        panel = self.panel
        dialog = ProposeDialog(self.window.session.project, signal_id, value,
                               evidence_of(panel.prediction, panel.model, signal_id), self.line, parent=self.window)
        dialog.accepted.connect(lambda: self.window.statusBar().showMessage(
            f"{dialog.proposal.proposal_id} proposed: waiting for a second person's approval", 10000))
        dialog.show()
        return dialog

    def show_proposals(self) -> ProposalsDialog:
        from linetwin.ui.qt.whatif.proposals_dialog import ProposalsDialog

        dialog = ProposalsDialog(self.window.session.project, self.line, parent=self.window)
        dialog.show()
        return dialog
