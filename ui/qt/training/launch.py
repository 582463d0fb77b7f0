"""File > Train on this line… (Ctrl+T) in the live window.

The training window runs in a process of its own (``linetwin train PROJECT``,
whose start dialog asks for the SOP and the trainee): its simulated line, clock
and timers never share the live window's event loop, and closing one never
takes the other with it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from linetwin.twin.model import Project


def add_train_action(window: QWidget, menu, project: Project) -> QAction:
    action = QAction("&Train on this line…", window)
    action.setShortcut(QKeySequence("Ctrl+T"))
    action.triggered.connect(lambda: start_training(window, project))
    menu.addAction(action)
    window.addAction(action)
    return action


def training_command(project: Project) -> tuple[str, list[str]]:
    """The program and arguments that open the training window on ``project``."""
    return sys.executable, ["-m", "linetwin.main", "train", str(project.path)]


def start_training(window: QWidget, project: Project) -> bool:
    """Open the training window on ``project``; say why not when it cannot be."""
    if project.path is None or not project.sops:
        QMessageBox.information(window, "No SOPs", f"{project.name} has no SOPs to train on.\n"
                                "List SOP files in the project: sops = [\"sops/NAME.toml\"].")
        return False
    program, arguments = training_command(project)
    started, _pid = QProcess.startDetached(program, arguments)
    if not started:
        QMessageBox.warning(window, "Cannot start training", f"Could not start {program}.")
    return bool(started)
