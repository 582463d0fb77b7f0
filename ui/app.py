"""Start the GUI: Qt application, project loading with feedback, window life cycle."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from linetwin.io.live_session import LiveSession
from linetwin.io.project_file import ProjectFileError, load_project
from linetwin.ui.main_window import MainWindow


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("LineTwin")
    app.setApplicationName("LineTwin")
    return app


class GuiController:
    """Owns the one open window; swaps it when the user opens another project."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.window: MainWindow | None = None

    def open(self, path: Path, endpoint: str | None = None, simulate: bool = False,
             settings=None) -> bool:
        """Open ``path`` in a new window; on failure, say why and keep what is open."""
        try:
            project = load_project(path)
        except ProjectFileError as error:
            self._report(path, "\n".join(str(p) for p in error.problems))
            return False
        progress = QProgressDialog(f"Loading meshes of {project.name}…", None, 0,
                                   max(len(project.assets), 1))
        progress.setMinimumDuration(400)

        def on_progress(done: int, total: int, asset_id: str) -> None:
            progress.setMaximum(total)
            progress.setValue(done)
            progress.setLabelText(f"Loading {asset_id} ({done}/{total})…")
            self.app.processEvents()

        try:
            session = LiveSession(project, endpoint=endpoint, simulate=simulate,
                                  progress=on_progress, settings=settings)
        except OSError as error:  # e.g. no free port for the simulator
            self._report(path, str(error))
            return False
        finally:
            progress.close()
        self.opened_with = dict(endpoint=endpoint, simulate=simulate, settings=settings)
        try:
            self._show(session)
        except Exception as error:  # never leave threads running behind a dead window
            session.stop()
            self._report(path, f"{type(error).__name__}: {error}")
            return False
        return True

    def _show(self, session: LiveSession) -> None:
        old = self.window
        self.window = MainWindow(session)
        self.window.open_project_requested.connect(lambda p: self.open(Path(p)))
        path = session.project.path
        self.window.connect_requested.connect(
            lambda s: self.open(path, endpoint=s.endpoint, settings=s))
        how = dict(self.opened_with)
        self.window.reload_requested.connect(lambda: self.open(path, **how))
        self.window.show()
        session.start()
        self.window.start()
        if old is not None:
            old.close()

    def _report(self, path: Path, details: str) -> None:
        print(f"linetwin: cannot open {path}:\n{details}", file=sys.stderr)
        box = QMessageBox(QMessageBox.Icon.Critical, "LineTwin",
                          f"Cannot open {path}", parent=self.window)
        box.setDetailedText(details)
        box.setInformativeText(details.splitlines()[0] if details else "")
        box.exec()


def run_gui(path: Path, endpoint: str | None = None, simulate: bool = False,
            settings=None) -> int:
    """Run the GUI until the window closes; returns the process exit code."""
    app = _application()
    controller = GuiController(app)
    if not controller.open(path, endpoint=endpoint, simulate=simulate, settings=settings):
        return 1
    # Ctrl+C in the terminal closes the window cleanly: Qt's loop would otherwise
    # never give Python the chance to run the signal handler.
    signal.signal(signal.SIGINT, lambda *_: controller.window and controller.window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return app.exec()
