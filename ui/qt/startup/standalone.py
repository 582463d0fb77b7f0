"""What a window started on its own needs first (``linetwin replay``, ``linetwin train``):
the application with Ctrl+C/SIGTERM handling, and the project, or a message box."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox


def standalone_app():
    """(the QApplication, its installed QuitSignals): settings under LineTwin's name."""
    from linetwin.ui.qt.startup.quit_signals import QuitSignals

    quit_signals = QuitSignals().install()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("LineTwin")
    app.setApplicationName("LineTwin")
    return app, quit_signals


def project_or_message(project_path: Path):
    """The project at ``project_path``, or None after a message box naming each problem."""
    from linetwin.io.project.project_file import ProjectFileError, load_project

    try:
        return load_project(project_path)
    except ProjectFileError as error:
        QMessageBox.critical(None, "LineTwin", f"Cannot open {project_path}:\n"
                             + "\n".join(str(p) for p in error.problems))
        return None
