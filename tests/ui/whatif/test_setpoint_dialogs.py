"""Propose this change… and Setpoint proposals, against the live demo line's simulator."""

from __future__ import annotations

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.setpoint import proposal_store as proposals
from linetwin.twin.setpoint.proposal import PROPOSED, REJECTED, WRITTEN
from tests.ui.whatif.conftest import APPROVER, ENGINEER

DWELL = "sealer.dwell_time"


def _propose(qtbot, whatif, value: float):
    panel = whatif.panel
    qtbot.waitUntil(lambda: panel.prediction is not None, timeout=10000)
    panel.station.setCurrentText("sealer")
    panel.controls[DWELL].set_value(value)
    assert panel.propose_button.isEnabled()  # a writable value was changed
    dialog = whatif.controller.propose(*panel.writable_change())
    qtbot.addWidget(dialog)
    return dialog


def test_a_value_outside_the_certified_limits_is_refused(qtbot, users, whatif_window):
    _window, whatif = whatif_window
    dialog = _propose(qtbot, whatif, 350.0)
    assert dialog.ok.isEnabled() and dialog.problem.text() == ""
    dialog.value.setValue(405.0)  # the demo certifies 300..400 ms
    assert "outside its certified limits 300..400" in dialog.problem.text()
    assert not dialog.ok.isEnabled()
    dialog.proposer.setCurrentText(ENGINEER)
    dialog.reason.setText("CAPA-17: seal gaps")
    assert dialog.submit() is False and dialog.proposal is None
    assert "certified" in dialog.problem.text()
    assert not dialog.store_path.exists()  # nothing stored


def test_a_proposal_is_stored_and_a_second_person_approves_it(qtbot, users, whatif_window, said):
    window, whatif = whatif_window
    dialog = _propose(qtbot, whatif, 330.0)
    dialog.proposer.setCurrentText(ENGINEER)
    dialog.reason.setText("CAPA-17: seal gaps")
    dialog.watch.setValue(0)
    assert dialog.submit(), dialog.problem.text()
    stored = dialog.proposal
    assert stored.status == PROPOSED and stored.new_value == 330.0
    assert stored.model_hash == whatif.panel.model.hash and stored.whatif["signal"] == DWELL
    listing = whatif.controller.show_proposals()
    qtbot.addWidget(listing)
    assert [p.proposal_id for p in listing.found] == [stored.proposal_id]
    listing.select_id(stored.proposal_id)
    listing.approver.setCurrentText(ENGINEER)  # the proposer: refused in words
    listing.ask_approve()
    assert "second, different person" in listing.message.text()
    listing.approver.setCurrentText(APPROVER)
    listing.ask_approve()  # the dry run's diff, then Yes (the recorded question answers Yes)
    [(kind, _title, diff)] = [b for b in said if b[0] == "question"]
    assert "dry run" in diff and "330" in diff and "300..400" in diff
    qtbot.waitUntil(lambda: listing.found and listing.found[0].status != PROPOSED, timeout=30000)
    ended = listing.found[0]
    assert ended.status == WRITTEN, ended.outcome
    assert ended.read_back == 330.0 and ended.approver == APPROVER
    assert f"{stored.proposal_id} written" in listing.message.text()
    with HistoryStore(listing.store_path, read_only=True) as store:
        actions = [e.action for e in store.audit_entries()]
    assert actions[0] == "setpoint.propose" and "setpoint.approve" in actions and actions[-1] == "setpoint.written"


def test_an_approver_rejects_with_a_reason(qtbot, users, whatif_window):
    _window, whatif = whatif_window
    dialog = _propose(qtbot, whatif, 360.0)
    dialog.proposer.setCurrentText(ENGINEER)
    dialog.reason.setText("try a longer dwell")
    assert dialog.submit(), dialog.problem.text()
    listing = whatif.controller.show_proposals()
    qtbot.addWidget(listing)
    listing.select_id(dialog.proposal.proposal_id)
    listing.approver.setCurrentText(APPROVER)
    rejected = listing.reject_selected("seal pressure first")
    assert rejected.status == REJECTED and rejected.outcome == "seal pressure first"
    with HistoryStore(proposals.existing(listing.store_path), read_only=True) as store:
        assert proposals.load(store, rejected.proposal_id).status == REJECTED
