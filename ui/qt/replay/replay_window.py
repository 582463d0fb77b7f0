"""The window in replay mode: the live window's 3D line and panels, driven by a history.

The same LineScene, View3D, asset tree, inspector, alerts panel and legend as
live, fed by the replay pipeline through :class:`ReplayBridge`. It can never
be taken for the live line: the title starts with REPLAY, an amber banner and
a permanent status say "not live", and the history instant is shown large.
Below the 3D view: the timeline and the transport; docked: the event table
and the bookmarks, and any panel the application adds with :meth:`add_panel`.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QProgressBar, QScrollArea,
    QVBoxLayout, QWidget,
)
from pyvistaqt import QtInteractor

from linetwin.scene.badges import badge_counts
from linetwin.scene.line_scene import LineScene
from linetwin.twin.selection import Selection
from linetwin.ui.qt.alerts_panel import AlertsPanel
from linetwin.ui.qt.asset_tree import AssetTree
from linetwin.ui.qt.inspector import Inspector
from linetwin.ui.qt.replay import replay_app
from linetwin.ui.qt.replay.bookmarks import BookmarksPanel
from linetwin.ui.qt.replay.event_table import EventTable
from linetwin.ui.qt.replay.investigation_panels import dock_investigation_panels
from linetwin.ui.qt.replay.replay_bridge import ReplayBridge
from linetwin.ui.qt.replay.timeline import Timeline, clock_text
from linetwin.ui.qt.replay.transport import Transport
from linetwin.ui.qt.trend_plot import TrendPlot
from linetwin.ui.qt.view3d import View3D
from linetwin.ui.qt.widgets.legend import LegendPanel
from linetwin.ui.qt.widgets.line_summary import LineSummary

REFRESH_MS = 250  # inspector and alerts panel: as live, a few times a second
LAYOUT_VERSION = 2  # bump when docks change: an older saved layout is then ignored
BANNER_STYLE = ("background: #F2A900; color: #1B1B1B; font-weight: bold; padding: 4px 10px;"
                "border-bottom: 2px solid #9A6700;")
Area = Qt.DockWidgetArea


class ReplayWindow(QMainWindow):
    """Shows ``session`` (a :class:`ReplaySession`) on the line of its project.

    ``geometries``/``mesh_problems``: the project's meshes, loaded by the caller
    (the live window passes its own, so opening a replay loads nothing twice).
    ``label``: what the window calls the history (default: its file name).
    """

    def __init__(self, session, geometries, mesh_problems: dict[str, str] | None = None,
                 parent=None, label: str | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.geometries, self.mesh_problems = geometries, dict(mesh_problems or {})
        project, pipeline = session.project, session.pipeline
        self.file_name = label or session.path.name  # a package's name, not its extracted file
        self.setWindowTitle(f"REPLAY — {self.file_name} — {project.name}")
        self.selection = Selection()
        self.plotter = QtInteractor(self, auto_update=False)
        self.plotter.setObjectName("view3d")
        self.scene = LineScene(self.plotter, project, geometries)
        self.view3d = View3D(self.plotter, self.scene, self.selection)
        self.bridge = ReplayBridge(session.cursor, self.scene, self.plotter.render, self)
        self.timeline = Timeline(session)
        self.transport = Transport(session, self.bridge)
        self._build_centre()
        problems = self.mesh_problems
        self.tree = AssetTree(project, self.selection, problems, self.scene.components)
        self.summary = LineSummary(project, pipeline.state, pipeline.alerts.book,
                                   lambda: "replay — not live")
        self.inspector = Inspector(pipeline, self.selection, problems,
                                   TrendPlot(project, pipeline.history), self.summary)
        self.legend = LegendPanel(project)
        self.alerts_panel = AlertsPanel(pipeline, self.selection)
        self.events = EventTable(session, self.transport.event_filter())
        self.bookmarks = BookmarksPanel(session, self.bridge, self.scene, self.selection,
                                        self.plotter.render)
        self.docks: list[QDockWidget] = []
        self._build_docks()
        self.panels = dock_investigation_panels(self)
        self._build_status_bar()
        self._build_menus()
        self._connect()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._default_layout = self.saveState(LAYOUT_VERSION)
        self._drops = replay_app.accept_history_drops(self, self._open_dropped)
        self._restore_settings()

    # -- building ---------------------------------------------------------------------

    def _build_centre(self) -> None:
        self.banner = QLabel(f"Replay of {self.file_name} — not live")
        self.banner.setObjectName("replayBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.instant = QLabel("—")
        self.instant.setObjectName("replayInstant")
        self.instant.setFont(QFont(self.font().family(), 18, QFont.Weight.Bold))
        self.instant.setStyleSheet("padding: 2px 10px; color: #1B1B1B;")
        self.seek_progress = QProgressBar()
        self.seek_progress.setObjectName("seekProgress")
        self.seek_progress.setRange(0, 100)
        self.seek_progress.setFormat("rebuilding the twin at the new time… %p%")
        self.seek_progress.setMaximumHeight(14)
        self.seek_progress.hide()
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for widget, stretch in ((self.banner, 0), (self.instant, 0), (self.seek_progress, 0),
                                (self.plotter, 1), (self.timeline, 0), (self.transport, 0)):
            layout.addWidget(widget, stretch)
        self.setCentralWidget(centre)

    def _build_docks(self) -> None:
        self.add_panel("Assets", self.tree, Area.LeftDockWidgetArea)
        self.add_panel("Legend", self.legend, Area.LeftDockWidgetArea)
        self.add_panel("Inspector", _scrolling(self.inspector), Area.RightDockWidgetArea)
        marks = self.add_panel("Bookmarks", self.bookmarks, Area.RightDockWidgetArea)
        events = self.add_panel("Events", self.events, Area.BottomDockWidgetArea)
        alerts = self.add_panel("Alerts", self.alerts_panel, Area.BottomDockWidgetArea)
        self.tabifyDockWidget(events, alerts)
        events.raise_()
        self.resizeDocks([marks], [160], Qt.Orientation.Vertical)

    def add_panel(self, title: str, widget: QWidget, area=Area.RightDockWidgetArea) -> QDockWidget:
        """Dock ``widget`` under ``title`` (charts, search, annotations: added by the application)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"replayDock{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks.append(dock)
        if hasattr(self, "view_menu"):  # a panel added after the menus: still listed
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _build_status_bar(self) -> None:
        mode = QLabel(f"● Replay of {self.file_name} — not live")
        mode.setObjectName("replayMode")
        mode.setStyleSheet("color: #9A6700; font-weight: bold;")
        self.statusBar().addPermanentWidget(mode)
        reason = self.session.read_only_reason if hasattr(self.session, "read_only_reason") else None
        if self.session.store.read_only and reason:
            self.statusBar().showMessage(f"Read-only: {reason}", 15000)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "Open &history…", "Ctrl+H", self.open_history)
        self._action(file_menu, "Save &screenshot…", "Ctrl+Shift+S", self._save_screenshot)
        file_menu.addSeparator()
        self._action(file_menu, "&Close replay", QKeySequence.StandardKey.Close, self.close)
        # Ctrl+Q quits LineTwin from any of its windows, as in the live one.
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, QApplication.closeAllWindows)
        replay_menu = self.menuBar().addMenu("&Replay")
        for action in self.transport.actions:
            replay_menu.addAction(action)
            self.addAction(action)
        self.view_menu = self.menuBar().addMenu("&View")
        self._action(self.view_menu, "&Fit line", "Home", self.view3d.fit_line)
        self._action(self.view_menu, "&Clear selection", "Esc", lambda: self.selection.select(None))
        self.view_menu.addSeparator()
        for dock in self.docks:
            self.view_menu.addAction(dock.toggleViewAction())
        self._action(self.view_menu, "&Reset layout", "", self.reset_layout)

    def _action(self, menu, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _connect(self) -> None:
        session = self.session
        self.timeline.seek_requested.connect(self._seek_from_timeline)
        self.events.seek_requested.connect(self.seek_to)
        self.transport.filter_changed.connect(self.events.set_filter)
        self.bookmarks.changed.connect(self.timeline.set_bookmarks)
        self.bridge.alerts_changed.connect(lambda _changes: self._show_badges())
        self.bridge.progress.connect(self._on_progress)
        session.pipeline.reset_done.connect(self._on_reset)
        session.clock.moved.connect(self._on_moved)

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        """Show the start of the history; call once the window is visible."""
        self.bridge.start()
        self.bridge.seek(self.session.data.start)
        self._refresh_timer.start()
        self.view3d.fit_line()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        settings = QSettings()
        settings.setValue("replay/geometry", self.saveGeometry())
        settings.setValue("replay/state", self.saveState(LAYOUT_VERSION))
        settings.setValue("replay/speed", self.session.cursor.speed)
        self.session.cursor.playing = False
        self.bridge.stop()
        self._refresh_timer.stop()
        self.session.pipeline.reset_done.disconnect(self._on_reset, missing_ok=True)
        self.session.clock.moved.disconnect(self._on_moved, missing_ok=True)
        self.plotter.close()
        self.session.close()
        super().closeEvent(event)

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("replay/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry()
            self.resize(int(screen.width() * 0.9), int(screen.height() * 0.9))
        state = settings.value("replay/state")
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)
        speed = settings.value("replay/speed")
        if speed is not None:
            self.transport.set_speed(float(speed))

    def reset_layout(self) -> None:
        self.restoreState(self._default_layout, LAYOUT_VERSION)
        for dock in self.docks:
            dock.show()

    # -- slots ------------------------------------------------------------------------

    def _seek_from_timeline(self, t: float, fast: bool) -> None:
        self.session.cursor.playing = False
        self.bridge.seek(t, fast=fast)

    def seek_to(self, t: float) -> None:
        """Stop playing and go to ``t`` (an event, a note, a unit's inspection)."""
        self.session.cursor.playing = False
        self.bridge.seek(t)

    def _on_moved(self, t: float) -> None:
        data = self.session.data
        offset = int(max(t - data.start, 0.0))
        total = int(data.duration)
        self.instant.setText(f"{clock_text(t)}    +{_hms(offset)} of {_hms(total)}")

    def _on_progress(self, share: float) -> None:
        if share >= 1.0:
            self.seek_progress.hide()
            return
        self.seek_progress.setValue(int(share * 100))
        self.seek_progress.show()

    def _show_badges(self) -> None:
        self.scene.badges.show(badge_counts(self.session.pipeline.alerts.book.active()))
        self.plotter.render()

    def _on_reset(self, _at: float) -> None:
        self._show_badges()

    def _refresh(self) -> None:
        self.alerts_panel.refresh()
        self.inspector.refresh()

    def open_history(self) -> None:
        path = replay_app.choose_history(self)
        if path is not None:
            self._open_dropped(path)

    def _open_dropped(self, path: str) -> None:
        """Another history of the same project replaces this one (if it opens)."""
        window = replay_app.open_replay(self.session.project, path, self.geometries,
                                        self.mesh_problems, anchor=self)
        if window is not None:
            self.close()

    def _save_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "replay.png", "PNG (*.png)")
        if path:
            self.grab().save(path)
            self.statusBar().showMessage(f"Saved {path}", 5000)


def _scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: a station's list of alerts grows over a long replay,
    and a dock sized to its content would grow the window past the screen with it."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
