"""File > Train on this line… in the live window: the command it starts, and a project
with no SOPs says so instead."""

from __future__ import annotations

import dataclasses
import subprocess

from PySide6.QtWidgets import QMessageBox, QWidget

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.ui.qt.training.launch import start_training, training_command


def test_the_command_opens_the_training_window_of_the_project():
    project = load_project(DEMO_PROJECT)
    program, arguments = training_command(project)
    assert arguments[-2:] == ["train", str(DEMO_PROJECT)]
    # the same command, asked to list instead of opening a window, knows the SOPs
    out = subprocess.run([program, *arguments, "--list"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.splitlines()[0].startswith("SOP-SEAL-03\t")


def test_a_project_with_no_sops_gets_a_message(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    window = QWidget()
    qtbot.addWidget(window)
    project = dataclasses.replace(load_project(DEMO_PROJECT), sops=())
    assert start_training(window, project) is False
    assert "has no SOPs" in shown[0]
