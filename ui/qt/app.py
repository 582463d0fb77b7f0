"""Start the GUI: Qt application, project loading with feedback, window life cycle.

Start-up paints first (a splash within a fraction of a second) and overlaps
the slow parts: the built-in simulator starts in its own process before Qt is
imported, builds its address space on the other core while this process
imports VTK and loads meshes, and the OPC UA client connects while the window
is built. Ctrl+C, SIGTERM, Ctrl+Q and closing the window all end in the same
ordered shutdown (timers and client threads, VTK render window, simulator,
then Qt) and exit 0.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from linetwin.io.opcua.simulator.sim_process import SimulatorProcess
from linetwin.ui.qt.startup import startup_marks
from linetwin.ui.qt.startup.quit_signals import QuitSignals
from linetwin.ui.qt.startup.splash import Splash


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("LineTwin")
    app.setApplicationName("LineTwin")
    return app


class GuiController:
    """Owns the one open window (and its simulator); swaps them when the user
    opens another project."""

    def __init__(self, app: QApplication, splash: Splash | None = None,
                 quit_signals: QuitSignals | None = None,
                 simulator: SimulatorProcess | None = None) -> None:
        self.app = app
        self.window = None
        self.simulator: SimulatorProcess | None = None  # serves self.window
        self._splash = splash
        self._quit_signals = quit_signals
        self._prestarted = simulator  # spawned before Qt was imported

    @property
    def quitting(self) -> bool:
        return self._quit_signals is not None and self._quit_signals.requested

    def open(self, path: Path, endpoint: str | None = None, simulate: bool = False,
             settings=None, select: str | None = None, project=None) -> bool:
        """Open ``path`` in a new window; on failure, say why and keep what is open.

        ``project``: ``path`` already loaded (the command line checked it; a
        2,000-asset file takes a quarter second to read again)."""
        from linetwin.io.project.project_file import ProjectFileError, load_project

        try:
            project = project if project is not None else load_project(path)
        except ProjectFileError as error:
            self._report(path, "\n".join(str(p) for p in error.problems))
            return False
        if select is not None and select not in {a.id for a in project.assets}:
            # A command-line mistake: said on the command line, no dialog.
            print(f"linetwin: --select {select}: {path} has no asset with that id "
                  f"(assets: {', '.join(a.id for a in project.assets)})", file=sys.stderr)
            return False
        splash, self._splash = self._splash or Splash.for_reload(self.window), None
        simulator = None
        if simulate:
            simulator, self._prestarted = self._prestarted or SimulatorProcess(path), None
        old, old_simulator = self.window, self.simulator
        try:
            opened = self._open(project, splash, endpoint, settings, simulator, select)
        finally:
            splash.finish(self.window if self.window is not old else None)
        if not opened:
            if simulator is not None:
                simulator.stop()
            return False
        self.opened_with = dict(endpoint=endpoint, simulate=simulate, settings=settings)
        self.simulator = simulator
        _retire(old, old_simulator)  # after the progress dialog, which is its child
        return True

    def _open(self, project, splash, endpoint, settings, simulator, select) -> bool:
        splash.say(f"Loading {project.name}…")
        # The seconds of VTK and pyvistaqt imports run while the simulator starts.
        from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
        from linetwin.io.opcua.connection.trust_store import TrustStore, pki_folder
        from linetwin.io.sessions.live_session import LiveSession
        from linetwin.ui.qt.main_window import MainWindow

        try:
            if simulator is not None:
                splash.say("Starting the simulator…")
                endpoint = simulator.endpoint(give_up=lambda: self.quitting,
                                              waiting=self.app.processEvents)
                settings = None  # the built-in simulator is plain and anonymous
                if endpoint is None:
                    return False
            # Meshes are read once the window shows (coarse boxes first): a line
            # of thousands of parts opens at once, with progress and a Cancel.
            session = LiveSession(project, endpoint=endpoint, settings=settings,
                                  mesh_cache=MeshCache(user_cache_folder()),
                                  trust=TrustStore(pki_folder()), defer_meshes=True)
        except OSError as error:  # e.g. the simulator found no free port
            splash.finish(None)
            self._report(project.path, str(error))
            return False
        if self.quitting:  # Ctrl+C while loading: nothing to show any more
            return False
        session.start()  # connect while the window is built
        window = None
        try:
            window = MainWindow(session)
            self._show(window, select)
        except Exception as error:  # never leave threads running behind a dead window
            _retire(window, None)
            session.stop()
            splash.finish(None)
            self._report(project.path, f"{type(error).__name__}: {error}")
            return False
        return True

    def _show(self, window, select: str | None) -> None:
        path = window.session.project.path
        window.open_project_requested.connect(lambda p: self.open(Path(p)))
        window.connect_requested.connect(
            lambda s: self.open(path, endpoint=s.endpoint, settings=s))
        window.reload_requested.connect(lambda: self.open(path, **self.opened_with))
        _mark_first_frames(window)
        if window.mesh_loading is not None:  # its meshes live with the window too
            window.mesh_loading.finished.connect(freeze_what_lives_with_the_window)
        window.show()
        window.start()
        if select is not None:
            window.selection.select(select)
        self.window = window
        freeze_what_lives_with_the_window()

    def quit(self) -> None:
        """The one way out: close the window (it stops its timers, client threads
        and VTK render window in that order), stop its simulator, leave the loop."""
        window, self.window = self.window, None
        simulator, self.simulator = self.simulator, None
        from linetwin.ui.qt.replay.replay_app import close_all

        close_all()  # replay windows opened from this one go first, while Qt is alive
        _retire(window, simulator)
        gc.unfreeze()  # what lived with the window is garbage now (a test goes on living)
        gc.collect()
        # exit(), not quit(): it also ends a modal dialog's loop (an error shown
        # during start-up) and is not refused by a window's close event. With no
        # loop running (start-up, tests) it would only leave a stale quit flag.
        if QThread.currentThread().loopLevel() > 0:
            self.app.exit(0)

    def _report(self, path: Path, details: str) -> None:
        print(f"linetwin: cannot open {path}:\n{details}", file=sys.stderr)
        box = QMessageBox(QMessageBox.Icon.Critical, "LineTwin",
                          f"Cannot open {path}", parent=self.window)
        box.setDetailedText(details)
        box.setInformativeText(details.splitlines()[0] if details else "")
        box.exec()


def _retire(window, simulator: SimulatorProcess | None) -> None:
    """Close ``window`` and delete it now, while the QApplication is alive (left
    to the garbage collector at interpreter exit, its VTK widget may be torn down
    after Qt and abort the process); then stop the simulator that fed it."""
    if window is not None:
        window.close()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        window.deleteLater()
    # Also a deletion left pending by a quit from inside a modal dialog's loop.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if simulator is not None:
        simulator.stop()


def _mark_first_frames(window) -> None:
    """Write the ``frame`` start-up mark after the first render that shows live
    values (any first render for a line with no signals), and ``meshes`` after
    the render that follows the last mesh swapped in."""
    if not startup_marks.enabled():
        return
    render_window = window.plotter.render_window
    state = window.session.state
    live = bool(window.session.project.signals)

    def on_render_end(*_args) -> None:
        if state.update_count or not live:
            startup_marks.mark("frame")
            if window.mesh_loading is None:  # the meshes came with the window
                startup_marks.mark("meshes")
            render_window.RemoveObserver(observer)

    observer = render_window.AddObserver("EndEvent", on_render_end)
    if window.mesh_loading is not None:  # it renders once more as it finishes, then says so
        window.mesh_loading.finished.connect(
            lambda complete: startup_marks.mark("meshes") if complete else None)


def run_gui(path: Path, endpoint: str | None = None, simulate: bool = False,
            settings=None, select: str | None = None,
            quit_signals: QuitSignals | None = None, project=None) -> int:
    """Run the GUI until the window closes or a quit signal; the exit code.
    ``project``: ``path`` already loaded, if the caller has it."""
    simulator = SimulatorProcess(path) if simulate else None  # first: it takes longest
    quit_signals = quit_signals or QuitSignals().install()
    app = _application()
    splash = Splash.show_now(app)
    controller = GuiController(app, splash, quit_signals, simulator)
    quit_signals.connect(controller.quit)  # start-up checks quit_signals.requested too
    opened = controller.open(path, endpoint=endpoint, simulate=simulate, settings=settings,
                             select=select, project=project)
    if not opened or quit_signals.requested:
        controller.quit()
        if simulator is not None:
            simulator.stop()
        return 0 if quit_signals.requested else 1
    code = app.exec()
    controller.quit()  # the window closed by itself: still delete it before Qt goes
    return code


def freeze_what_lives_with_the_window() -> None:
    """Keep the start-up objects (Qt, VTK, meshes, the project: they live as long
    as the window) out of the collector's full passes, which otherwise walk them
    every few seconds and stall the window up to ~120 ms (docs/PERFORMANCE.md,
    the live path's budget). A window opened before is collected first, so none
    of its cycles is frozen with the rest."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
