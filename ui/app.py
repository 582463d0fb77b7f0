"""Start the GUI: Qt application, project loading with feedback, window life cycle.

Start-up paints first (a splash within a fraction of a second), then loads;
Ctrl+C, SIGTERM, Ctrl+Q and closing the window all end in the same ordered
shutdown (timers and threads, simulator, VTK render window, then Qt) and exit 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from linetwin.ui import startup_marks
from linetwin.ui.quit_signals import QuitSignals
from linetwin.ui.splash import Splash


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("LineTwin")
    app.setApplicationName("LineTwin")
    return app


class GuiController:
    """Owns the one open window; swaps it when the user opens another project."""

    def __init__(self, app: QApplication, splash: Splash | None = None,
                 quit_signals: QuitSignals | None = None) -> None:
        self.app = app
        self.window = None
        self.splash = splash
        self.quit_signals = quit_signals

    @property
    def quitting(self) -> bool:
        return self.quit_signals is not None and self.quit_signals.requested

    def open(self, path: Path, endpoint: str | None = None, simulate: bool = False,
             settings=None, select: str | None = None) -> bool:
        """Open ``path`` in a new window; on failure, say why and keep what is open."""
        from linetwin.io.project_file import ProjectFileError, load_project

        try:
            project = load_project(path)
        except ProjectFileError as error:
            self._report(path, "\n".join(str(p) for p in error.problems))
            return False
        if select is not None and select not in {a.id for a in project.assets}:
            # A command-line mistake: said on the command line, no dialog.
            print(f"linetwin: --select {select}: {path} has no asset with that id "
                  f"(assets: {', '.join(a.id for a in project.assets)})", file=sys.stderr)
            return False
        splash = self.splash or Splash.for_reload(self.window)
        session = self._session(path, project, splash, endpoint, simulate, settings)
        if session is None:
            return False
        self.opened_with = dict(endpoint=endpoint, simulate=simulate, settings=settings)
        if self.quitting:  # Ctrl+C while loading: nothing to show any more
            session.stop()
            return False
        old = self.window
        try:
            self._show(session, select)
        except Exception as error:  # never leave threads running behind a dead window
            session.stop()
            splash.finish(None)
            self._report(path, f"{type(error).__name__}: {error}")
            return False
        finally:
            splash.finish(self.window)
            self.splash = None
        if old is not None:  # after the progress dialog, which is its child
            _close_and_delete(old)
        return True

    def _session(self, path, project, splash, endpoint, simulate, settings):
        from linetwin.io.live_session import LiveSession

        splash.say(f"Loading {project.name}…")
        try:
            return LiveSession(project, endpoint=endpoint, simulate=simulate,
                               progress=splash.on_mesh_progress, settings=settings)
        except OSError as error:  # e.g. no free port for the simulator
            splash.finish(None)
            self._report(path, str(error))
            return None

    def _show(self, session, select: str | None) -> None:
        from linetwin.ui.main_window import MainWindow  # pyvistaqt: seconds of imports

        self.window = MainWindow(session)
        self.window.open_project_requested.connect(lambda p: self.open(Path(p)))
        path = session.project.path
        self.window.connect_requested.connect(
            lambda s: self.open(path, endpoint=s.endpoint, settings=s))
        how = dict(self.opened_with)
        self.window.reload_requested.connect(lambda: self.open(path, **how))
        _mark_first_coloured_frame(self.window)
        self.window.show()
        session.start()
        self.window.start()
        if select is not None:
            self.window.selection.select(select)

    def quit(self) -> None:
        """The one way out: close the window (it stops its timers, threads,
        simulator and VTK render window in that order), then leave the loop."""
        window, self.window = self.window, None
        if window is not None:
            _close_and_delete(window)
        self.app.quit()

    def _report(self, path: Path, details: str) -> None:
        print(f"linetwin: cannot open {path}:\n{details}", file=sys.stderr)
        box = QMessageBox(QMessageBox.Icon.Critical, "LineTwin",
                          f"Cannot open {path}", parent=self.window)
        box.setDetailedText(details)
        box.setInformativeText(details.splitlines()[0] if details else "")
        box.exec()


def _close_and_delete(window) -> None:
    """Close ``window`` and delete it now, while the QApplication is alive: left to
    the garbage collector at interpreter exit, its VTK widget may be torn down
    after Qt's and abort the process."""
    window.close()
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _mark_first_coloured_frame(window) -> None:
    """Write the ``frame`` start-up mark after the first render that shows live values."""
    if not startup_marks.enabled():
        return
    render_window = window.plotter.render_window
    state = window.session.state

    def on_render_end(*_args) -> None:
        if state.update_count:
            startup_marks.mark("frame")
            render_window.RemoveObserver(observer)

    observer = render_window.AddObserver("EndEvent", on_render_end)


def run_gui(path: Path, endpoint: str | None = None, simulate: bool = False,
            settings=None, select: str | None = None,
            quit_signals: QuitSignals | None = None) -> int:
    """Run the GUI until the window closes or a quit signal; the exit code."""
    quit_signals = quit_signals or QuitSignals().install()
    app = _application()
    app.setQuitOnLastWindowClosed(True)
    splash = Splash.show_now(app)
    controller = GuiController(app, splash, quit_signals)
    if not controller.open(path, endpoint=endpoint, simulate=simulate, settings=settings,
                           select=select):
        return 0 if quit_signals.requested else 1
    quit_signals.connect(controller.quit)
    code = app.exec()
    controller.quit()  # the window closed by itself: still delete it before Qt goes
    return code
