"""Opening a training session in its window.

``linetwin train PROJECT --sop ID --trainee NAME`` calls
:func:`run_training_gui`; without ``--sop`` or ``--trainee`` a start dialog
asks for them. Every problem (a project that does not load, no SOPs, an
unknown SOP or trainee) is a message box saying what to do, never a
traceback. :func:`open_training` is the one way a window is made, also from
the live window's menu.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from linetwin.io.training import identities
from linetwin.ui.qt.training.start_dialog import StartDialog

_open_windows: list = []  # training windows, kept alive until they close
NO_SOPS = "{path} has no SOPs: list SOP files in the project, e.g. sops = [\"sops/NAME.toml\"]"


def choose_session(project, sop_id: str | None, trainee: str | None, anchor: QWidget | None = None):
    """(SOP, user) to train, asking with the start dialog for what is missing;
    None after a message box (or when the dialog is cancelled)."""
    if not project.sops:
        QMessageBox.warning(anchor, "No SOPs", NO_SOPS.format(path=project.path))
        return None
    if not sop_id or not trainee:
        dialog = StartDialog(project, sop_id, trainee, anchor)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        sop_id, trainee = dialog.sop_id(), dialog.trainee()
    sop = next((s for s in project.sops if s.id == sop_id), None)
    if sop is None:
        known = ", ".join(s.id for s in project.sops)
        QMessageBox.warning(anchor, "Unknown SOP", f"{project.path} has no SOP {sop_id!r}.\nIt has: {known}")
        return None
    try:
        user = identities.find_user(trainee)
    except identities.IdentityError as exc:
        QMessageBox.warning(anchor, "Unknown trainee", f"{exc}\n(a trainee is a LineTwin user, "
                            "usually with the role operator)")
        return None
    return sop, user


def open_training(project, sop, user, geometries, options: dict, anchor: QWidget | None = None):
    """A shown, started training window, or None after a message box."""
    from linetwin.twin.sop.training_run import TrainingRun
    from linetwin.ui.qt.training.training_window import TrainingWindow

    try:
        run = TrainingRun(project, sop, user.name, seed=int(options.get("seed") or 1),
                          scenario=options.get("scenario") or "normal", epoch=time.time())
        for name, at_s in options.get("faults") or ():
            run.inject_fault(name, at_s=at_s)
        window = TrainingWindow(run, geometries, user.role, options.get("history"))
    except Exception as exc:  # noqa: BLE001 - never a traceback in front of a trainee
        QMessageBox.warning(anchor, "Cannot start training",
                            f"Cannot start {sop.id} for {user.name}:\n{type(exc).__name__}: {exc}")
        return None
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    _open_windows.append(window)
    window.destroyed.connect(lambda *_: _open_windows.remove(window) if window in _open_windows else None)
    window.show()
    window.start()
    from linetwin.ui.qt.app import freeze_what_lives_with_the_window

    freeze_what_lives_with_the_window()
    return window


def run_training_gui(project_path: Path, sop_id: str | None, trainee: str | None, options: dict) -> int:
    """The training window on its own until it closes; the exit code."""
    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.io.mesh.meshes import load_line_geometry
    from linetwin.ui.qt.startup.standalone import project_or_message, standalone_app

    app, quit_signals = standalone_app()
    # Ctrl+C or SIGTERM also ends a start dialog's or a message box's loop.
    quit_signals.connect(lambda: close_all() or app.exit(0))
    project = project_or_message(project_path)
    if project is None:
        return 1
    chosen = choose_session(project, sop_id, trainee)
    if chosen is None or quit_signals.requested:
        return 0 if quit_signals.requested else 1
    geometries = load_line_geometry(project, cache=MeshCache(user_cache_folder()))
    if open_training(project, *chosen, geometries, options) is None:
        return 1
    code = app.exec()
    close_all()
    return code


def close_all() -> None:
    """Close every training window and delete it while Qt is alive (VTK must go first)."""
    for window in list(_open_windows):
        window.close_without_asking()  # Ctrl+C or SIGTERM: no question on the way out
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
