"""Choosing what to train: the start dialog (SOPs of the project, LineTwin users,
the last choices remembered) and the messages for what cannot start."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSettings

from linetwin.ui.qt.training.start_dialog import StartDialog
from linetwin.ui.qt.training.training_app import choose_session
from tests.ui.training.conftest import TRAINEE, TRAINER


def test_start_dialog_lists_sops_and_users_and_remembers_the_choice(qtbot, users, project):
    QSettings().remove("training")
    dialog = StartDialog(project)
    qtbot.addWidget(dialog)
    assert [dialog.sops.itemData(i) for i in range(dialog.sops.count())] == [s.id for s in project.sops]
    assert {dialog.trainees.itemData(i) for i in range(dialog.trainees.count())} == {TRAINEE, TRAINER}
    dialog.sops.setCurrentIndex(dialog.sops.findData("SOP-LOTO-07"))
    dialog.trainees.setCurrentIndex(dialog.trainees.findData(TRAINEE))
    dialog.accept()
    again = StartDialog(project)
    qtbot.addWidget(again)
    assert (again.sop_id(), again.trainee()) == ("SOP-LOTO-07", TRAINEE)
    given = StartDialog(project, "SOP-SHIFT-01", TRAINER)
    qtbot.addWidget(given)
    assert (given.sop_id(), given.trainee()) == ("SOP-SHIFT-01", TRAINER)


def test_start_dialog_without_users_says_how_to_add_one(qtbot, tmp_path, monkeypatch, project):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "empty"))
    dialog = StartDialog(project)
    qtbot.addWidget(dialog)
    assert "linetwin train users add NAME" in dialog.problem.text()
    from PySide6.QtWidgets import QDialogButtonBox

    assert dialog.trainees.count() == 0
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_an_unknown_trainee_is_a_message_saying_how_to_add_one(users, project, said):
    assert choose_session(project, "SOP-SEAL-03", "Someone Else") is None
    kind, title, text = said[-1]
    assert title == "Unknown trainee" and "Someone Else" in text and "train users add" in text


def test_an_unknown_sop_and_a_project_without_sops_are_messages(users, project, said):
    assert choose_session(project, "SOP-NOPE", TRAINEE) is None
    assert "SOP-NOPE" in said[-1][2] and "SOP-SEAL-03" in said[-1][2]
    assert choose_session(dataclasses.replace(project, sops=()), None, None) is None
    assert said[-1][1] == "No SOPs" and "sops = [" in said[-1][2]


def test_a_known_trainee_and_sop_are_chosen_without_a_dialog(users, project, said):
    sop, user = choose_session(project, "SOP-SEAL-03", TRAINEE.lower())
    assert sop.id == "SOP-SEAL-03" and user.name == TRAINEE and user.role == "operator"
    assert said == []
