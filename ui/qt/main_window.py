"""The main window: 3D view in the centre, asset tree left, inspector right."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QInputDialog, QLineEdit, QMainWindow, QMessageBox,
)
from pyvistaqt import QtInteractor

from linetwin.io.opcua.address_space import AddressSpaceBrowser
from linetwin.io.opcua.connection.security import ConnectionSettings, ProblemKind
from linetwin.scene.badges import badge_counts
from linetwin.scene.line_scene import LineScene
from linetwin.twin.selection import Selection
from linetwin.twin.updates import ConnectionChange, ConnectionState
from linetwin.ui.qt.address_space.panel import AddressSpacePanel
from linetwin.ui.qt.alerts_panel import AlertsPanel
from linetwin.ui.qt.asset_finder import AssetFinder
from linetwin.ui.qt.asset_tree import AssetTree
from linetwin.ui.qt.connection_dialog import ConnectionDialog, ask_retry_after_refusal
from linetwin.ui.qt.inspector import Inspector
from linetwin.ui.qt.live_bridge import LiveBridge
from linetwin.ui.qt.mesh_loading import MeshLoading
from linetwin.ui.qt.recording import RecordingControl
from linetwin.ui.qt.replay.replay_app import add_open_history
from linetwin.ui.qt.training.launch import add_train_action
from linetwin.ui.qt.trend_plot import TrendPlot
from linetwin.ui.qt.view3d import View3D
from linetwin.ui.qt.whatif.whatif_dock import add_whatif
from linetwin.ui.qt.widgets.elided_label import ElidedLabel
from linetwin.ui.qt.widgets.legend import LegendPanel
from linetwin.ui.qt.widgets.line_summary import LineSummary
from linetwin.ui.qt.widgets.open_checks import PROJECT_FILTER, not_a_project_message
from linetwin.ui.qt.widgets.shortcuts_help import ShortcutsDialog

STATUS_REFRESH_MS = 500
LAYOUT_VERSION = 3  # bump when docks change: an older saved layout is then ignored
CONNECTION_TEXT = {
    ConnectionState.DISCONNECTED: ("disconnected", "#6B7280"),
    ConnectionState.CONNECTING: ("connecting…", "#9A6700"),
    ConnectionState.CONNECTED: ("connected", "#1B7F3B"),
    ConnectionState.LOST: ("connection lost — retrying", "#B42318"),
}


class MainWindow(QMainWindow):
    """Shows one live project. ``session`` owns the twin state and the update queue."""

    open_project_requested = Signal(str)
    connect_requested = Signal(object)  # ConnectionSettings for this project's default source
    reload_requested = Signal()  # the project file changed: reopen it the same way

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        project = session.project
        self.setWindowTitle(f"LineTwin — {project.name}")
        self.selection = Selection()
        self._prompting = False  # one connection question at a time
        self._connections: dict[str, ConnectionState] = {}  # endpoint -> last known state
        self.plotter = QtInteractor(self, auto_update=False)
        self.plotter.setObjectName("view3d")
        self.setCentralWidget(self.plotter)
        self.scene = LineScene(self.plotter, project, session.geometries)
        self.view3d = View3D(self.plotter, self.scene, self.selection)
        self.tree = AssetTree(project, self.selection, session.mesh_problems,
                              self.scene.components)
        self.bridge = LiveBridge(session.pipeline, session.updates, self.scene,
                                 self.plotter.render, self)
        self.summary = LineSummary(project, session.state, session.alerts.book,
                                   self._connection_summary, self.bridge.rate)
        self.inspector = Inspector(session.pipeline, self.selection, session.mesh_problems,
                                   TrendPlot(project, session.history), self.summary)
        self.docks: list[QDockWidget] = []
        self.finder = AssetFinder(self.tree, self.view3d.fly_to)
        self._assets_dock = self._dock("Assets", self.finder, Qt.DockWidgetArea.LeftDockWidgetArea,
                                       300)
        self.legend = LegendPanel(project)
        self._dock("Legend", self.legend, Qt.DockWidgetArea.LeftDockWidgetArea, 300)
        inspector_dock = self._dock("Inspector", self.inspector,
                                    Qt.DockWidgetArea.RightDockWidgetArea, 430)
        self.address_space = AddressSpacePanel(project, self.selection, session.endpoint,
                                               make_browser=self._browser_for)
        self.address_space.project_changed.connect(self._on_project_edited)
        browser_dock = self._dock("Address space", self.address_space,
                                  Qt.DockWidgetArea.RightDockWidgetArea, 430)
        self.tabifyDockWidget(inspector_dock, browser_dock)
        inspector_dock.raise_()
        self.alerts_panel = AlertsPanel(session.pipeline, self.selection)
        self._dock("Alerts", self.alerts_panel, Qt.DockWidgetArea.BottomDockWidgetArea, 170)
        self.bridge.connection_changed.connect(self._on_connection_change)
        self.bridge.alerts_changed.connect(self._on_alerts_changed)
        session.alerts.book.acknowledged.connect(lambda _alert: self._on_alerts_changed([]))
        session.pipeline.reset_done.connect(self._on_reset)  # the badges follow the empty book
        self.recording = RecordingControl(self.bridge, session.alerts.book, project,
                                          session.endpoint, self)
        self._build_status_bar()
        self._build_menus()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self._refresh_status)
        self._default_layout = self.saveState(LAYOUT_VERSION)  # for View > Reset layout
        self._restore_settings()

    def _browser_for(self, endpoint: str) -> AddressSpaceBrowser:
        """A browser that connects as the live connection to ``endpoint`` does
        (its security, user and trusted certificates)."""
        feed = self.session.feed
        client = feed.clients.get(endpoint)
        if client is not None:
            settings = client.settings
        elif endpoint == feed.endpoint and feed.settings is not None:
            settings = feed.settings
        else:
            settings = ConnectionSettings(endpoint)
        return AddressSpaceBrowser(endpoint, settings, trust=feed.trust)

    # -- layout ---------------------------------------------------------------
    def _dock(self, title: str, widget, area, size: int) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks.append(dock)
        across = area == Qt.DockWidgetArea.BottomDockWidgetArea
        self.resizeDocks([dock], [size], Qt.Orientation.Vertical if across
                         else Qt.Orientation.Horizontal)
        return dock

    def _build_status_bar(self) -> None:
        # Connection texts elide (full text in the tooltip); the short permanent
        # widgets keep their natural size: no status text is ever clipped.
        self.connection_labels: dict[str, ElidedLabel] = {}
        for endpoint in self.session.endpoints:
            label = ElidedLabel()
            label.setObjectName("connectionLabel")
            self.connection_labels[endpoint] = label
            self.statusBar().addWidget(label, 1)
            self._show_connection(ConnectionChange(endpoint, ConnectionState.DISCONNECTED))
        self.statusBar().addPermanentWidget(self.recording.label)
        self.rate_label = ElidedLabel("0 updates/s")
        self.rate_label.setObjectName("rateLabel")
        self.statusBar().addPermanentWidget(self.rate_label)
        self.mesh_warning: ElidedLabel | None = None
        self.mesh_loading = MeshLoading(self) if self.session.mesh_loader is not None else None
        self.show_mesh_problems()

    def show_mesh_problems(self) -> None:
        """Say in the status bar how many meshes are drawn as boxes, and why."""
        problems = self.session.mesh_problems
        if problems and self.mesh_warning is None:
            self.mesh_warning = ElidedLabel()
            self.statusBar().addPermanentWidget(self.mesh_warning)
        if problems:
            self.mesh_warning.set_text(f"⚠ {len(problems)} mesh(es) not loaded — shown as boxes",
                                       tooltip="\n".join(list(problems.values())[:40]))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open project…", QKeySequence.StandardKey.Open, self._open_project)
        self._action(file_menu, "&Connect to server…", "Ctrl+L", self._connect_dialog)
        self._action(file_menu, "Save &screenshot…", "Ctrl+Shift+S", self._save_screenshot)
        # reopen the project the same way: meshes whose loading was cancelled load again
        self._action(file_menu, "&Reload project", "F5", self.reload_requested.emit)
        add_open_history(self, file_menu)  # Open history… and .duckdb drops: replay mode
        add_train_action(self, file_menu, self.session.project)  # SOP training, its own process
        file_menu.addSeparator()
        file_menu.addAction(self.recording.action)
        self.addAction(self.recording.action)
        file_menu.addSeparator()
        # every window: replay windows opened from this one close with it
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, QApplication.closeAllWindows)
        view_menu = self.menuBar().addMenu("&View")
        self._action(view_menu, "&Fit line", "Home", self.view3d.fit_line)
        self._action(view_menu, "Fly to &selected", "F", self._fly_to_selected)
        self._action(view_menu, "&Clear selection", "Esc", lambda: self.selection.select(None))
        self._action(view_menu, "Fi&nd asset…", "Ctrl+F", self._find_asset)
        view_menu.addSeparator()
        for dock in self.docks:  # each panel can be hidden and brought back
            view_menu.addAction(dock.toggleViewAction())
        self._action(view_menu, "&Reset layout", "", self.reset_layout)
        view_menu.addSeparator()
        raw = self._action(view_menu, "Show &raw part names", "", self.tree.show_raw_names)
        raw.setCheckable(True)
        view_menu.addSeparator()
        self.whatif = add_whatif(self, view_menu)  # What-if… (Ctrl+Shift+W), models, setpoint proposals
        alerts_menu = self.menuBar().addMenu("&Alerts")
        self._action(alerts_menu, "&Acknowledge selected…", "Ctrl+K", self.acknowledge)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard and mouse", "F1", self.show_shortcuts)

    def _find_asset(self) -> None:
        self._assets_dock.show()  # brought back if it was closed
        self._assets_dock.raise_()
        self.finder.focus()

    def _action(self, menu, text, shortcut, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    # -- life cycle -------------------------------------------------------------
    def start(self) -> None:
        """Begin showing live data; call once the window is visible."""
        self.bridge.start()
        self._status_timer.start()
        self.view3d.fit_line()  # the view has its real size only now
        if self.mesh_loading is not None:
            self.mesh_loading.start()  # boxes now, full meshes as they are read

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState(LAYOUT_VERSION))
        self.bridge.stop()
        self._status_timer.stop()
        if self.mesh_loading is not None:
            self.mesh_loading.stop()
        self.recording.stop()  # flush what was received before the threads stop
        self.address_space.shutdown()
        self.session.stop()
        self.plotter.close()
        super().closeEvent(event)

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # first run: most of the screen
            screen = self.screen().availableGeometry()
            self.resize(int(screen.width() * 0.9), int(screen.height() * 0.9))
        state = settings.value("main/state")
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)

    # -- slots ----------------------------------------------------------------
    def _on_connection_change(self, change: ConnectionChange) -> None:
        self._show_connection(change)
        client = self.session.clients.get(change.endpoint)
        if change.state is ConnectionState.DISCONNECTED and client is not None:
            # Ask after the live tick returns: a modal dialog inside it would
            # re-enter the tick from the dialog's event loop.
            QTimer.singleShot(0, lambda: self._resolve_refusal(client))

    def _resolve_refusal(self, client) -> None:
        """A refusal only a person can fix: an unknown server certificate, a password."""
        if self._prompting or not client.running:
            return
        self._prompting = True
        try:
            self._ask_about(client)
        finally:
            self._prompting = False

    def _ask_about(self, client) -> None:
        info = client.pending_certificate
        if info is not None:
            if self.ask_trust(client.endpoint, info):
                client.accept_pending_certificate()
            else:
                client.reject_pending_certificate()
            return
        problem = client.problem
        if problem is not None and problem.kind is ProblemKind.CREDENTIALS_REJECTED:
            password = self.ask_password(client.endpoint, client.settings.username)
            if password is not None:
                client.retry_now(dataclasses.replace(client.settings, password=password))
        elif problem is not None and problem.kind is ProblemKind.CLIENT_CERTIFICATE_REJECTED:
            if ask_retry_after_refusal(self, client.endpoint, problem.message):
                client.retry_now()

    def ask_trust(self, endpoint: str, info) -> bool:
        """Show an unknown server certificate; True if the user trusts it."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unknown server certificate",
                          f"{endpoint} presented a certificate that is not in your trust list.\n\n"
                          f"{info.describe()}\n\nTrust it and connect? Only do so if you can "
                          "check the thumbprint with the server's administrator.", parent=self)
        trust = box.addButton("Trust and connect", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Reject", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is trust

    def ask_password(self, endpoint: str, username: str | None) -> str | None:
        text, ok = QInputDialog.getText(
            self, "Password rejected", f"{endpoint} rejected the password of {username}.\n"
            "Password:", QLineEdit.EchoMode.Password)
        return text if ok else None

    def _connect_dialog(self) -> None:
        source = self.session.project.source
        dialog = ConnectionDialog(self.session.endpoint, source.username, self)
        if dialog.exec() and dialog.options:
            self.connect_requested.emit(dialog.settings())

    def _show_connection(self, change: ConnectionChange) -> None:
        label = self.connection_labels.get(change.endpoint)
        if label is None:
            return
        text, color = CONNECTION_TEXT[change.state]
        self._connections[change.endpoint] = change.state
        full = f"{change.endpoint}: {text}"
        label.set_text(full, dot_color=color, tooltip=f"{full}\n{change.message}"
                       if change.message else "")

    def _connection_summary(self) -> str:
        """For the line summary: "connected", or "1 of 2 servers connected"."""
        states = list(self._connections.values())
        up = sum(s is ConnectionState.CONNECTED for s in states)
        if not states:
            return ""
        if len(states) == 1:
            return CONNECTION_TEXT[states[0]][0]
        return f"{up} of {len(states)} servers connected"

    def _refresh_status(self) -> None:
        self.rate_label.set_text(f"{self.bridge.rate():.0f} updates/s")
        self.recording.refresh()
        self.alerts_panel.refresh()
        self.inspector.refresh()

    def _on_alerts_changed(self, _changes) -> None:
        self.scene.badges.show(badge_counts(self.session.alerts.book.active()))
        self.plotter.render()

    def _on_reset(self, _at: float) -> None:
        self._on_alerts_changed([])

    def _on_project_edited(self, project) -> None:
        """A signal was bound (or the bind undone): reopen so it is read live."""
        self.statusBar().showMessage(f"{project.path.name} changed — reloading", 5000)
        self.reload_requested.emit()

    def _fly_to_selected(self) -> None:
        if self.selection.asset_id:
            self.view3d.fly_to(self.selection.asset_id)

    def _open_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open LineTwin project", "", PROJECT_FILTER)
        if path:
            self.open_project(path)

    def open_project(self, path: str) -> bool:
        """Ask the application to open ``path``, unless it is plainly not a project."""
        problem = not_a_project_message(Path(path))
        if problem is not None:
            QMessageBox.information(self, "Not a project file", problem)
            return False
        self.open_project_requested.emit(path)
        return True

    def acknowledge(self) -> None:
        """Ctrl+K: the selected alert, or the selected station's; else say what to select."""
        hint = self.alerts_panel.acknowledge_for_selection()
        if hint:
            self.statusBar().showMessage(hint, 8000)

    def reset_layout(self) -> None:
        """Every panel back where it started, shown."""
        self.restoreState(self._default_layout, LAYOUT_VERSION)
        for dock in self.docks:
            dock.show()

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self)
        dialog.show()
        return dialog

    def _save_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "line.png", "PNG (*.png)")
        if path:
            self.plotter.screenshot(path)
            self.statusBar().showMessage(f"Saved {path}", 5000)
