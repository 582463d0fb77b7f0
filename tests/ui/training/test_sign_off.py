"""A passed session signed off from the result dialog: the trainee is refused in
the records' own words, a trainer signs, the certificate PDF is written."""

from __future__ import annotations

from linetwin.io.training.records import find_record
from linetwin.twin.sop.trainee_actions import reference_actions
from tests.ui.training.conftest import TRAINEE, TRAINER


def test_trainee_is_refused_a_trainer_signs_and_the_certificate_is_written(window, said, tmp_path):
    for action in reference_actions(window.run.sop):
        window.act(action)
        while action.kind == "verify" and window.run.engine.watching:
            window.tick(1.0)
        window.tick(2.0)
    dialog = window.result_dialog
    assert window.result.passed and dialog.sign_button.isEnabled()
    assert not dialog.sign_off(TRAINEE)
    assert said[-1][0] == "warning" and "must come from a different person" in said[-1][2]
    assert not dialog.sign_off("Nobody Known")
    assert "no LineTwin user" in said[-1][2]
    assert dialog.sign_off(TRAINER, "watched it")
    assert f"signed by {TRAINER}" in dialog.record_line.text() and not dialog.sign_button.isEnabled()
    assert find_record(dialog.store_path, dialog.record_id).signed_by == TRAINER
    pdf = tmp_path / "certificate.pdf"
    assert dialog.write_certificate(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
