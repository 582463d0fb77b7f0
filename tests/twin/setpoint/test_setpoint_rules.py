"""The rules of a guarded setpoint change: writable, certified limits, reason, roles, four eyes."""

from __future__ import annotations

import pytest

from linetwin.twin.model import Limits, Signal, SignalKind
from linetwin.twin.setpoint import rules
from linetwin.twin.setpoint.proposal import (
    PROPOSED, REJECTED, GuardSpec, SetpointProposal, limits_text, parse_guard,
)
from linetwin.twin.setpoint.rules import SetpointRefused

DWELL = Signal("sealer.dwell_time", "sealer", "ns=2;s=Sealer.DwellTime", SignalKind.ANALOG, unit="ms",
               writable=True, certified=Limits(300.0, 400.0), setpoint_node="ns=2;s=Sealer.DwellTimeSetpoint")
PRESSURE = Signal("sealer.seal_pressure", "sealer", "ns=2;s=Sealer.SealPressure", SignalKind.ANALOG)


def proposal(status: str = PROPOSED, proposer: str = "Eve Eng") -> SetpointProposal:
    return SetpointProposal("SP-0001", 0.0, proposer, DWELL.id, DWELL.write_node, "sealer.dwell_time=340",
                            340.0, "CAPA-12", status=status)


def test_a_value_outside_the_certified_limits_is_refused_naming_signal_value_and_limits():
    rules.check_value(DWELL, 300.0)
    rules.check_value(DWELL, 400.0)
    with pytest.raises(SetpointRefused) as refused:
        rules.check_value(DWELL, 290.0)
    assert str(refused.value) == "sealer.dwell_time=290 ms is outside its certified limits 300..400 ms"
    with pytest.raises(SetpointRefused, match="not a finite number"):
        rules.check_value(DWELL, float("nan"))


def test_a_signal_not_marked_writable_is_refused():
    with pytest.raises(SetpointRefused, match="sealer.seal_pressure is not writable"):
        rules.check_value(PRESSURE, 4.0)


def test_an_empty_reason_is_refused():
    with pytest.raises(SetpointRefused, match="needs a reason"):
        rules.check_reason("  ")


@pytest.mark.parametrize("role, ok", [("engineer", True), ("approver", True), ("operator", False),
                                      ("trainer", False), ("technician", False)])
def test_a_proposal_comes_from_an_engineer_or_an_approver(role, ok):
    if ok:
        rules.check_proposer("Al", role)
    else:
        with pytest.raises(SetpointRefused, match=f"Al is a LineTwin user with role {role}"):
            rules.check_proposer("Al", role)


def test_the_proposer_may_not_decide_their_own_proposal_whatever_the_case_of_the_name():
    with pytest.raises(SetpointRefused, match="second, different person"):
        rules.check_decision(proposal(), " eve ENG", "approver", "approve")


def test_only_an_approver_decides():
    rules.check_decision(proposal(), "Ann Appr", "approver", "approve")
    with pytest.raises(SetpointRefused, match="only an approver may approve"):
        rules.check_decision(proposal(), "Ed Other", "engineer", "approve")


def test_a_decided_proposal_cannot_be_decided_again():
    rejected = SetpointProposal(**{**proposal().__dict__, "status": REJECTED, "approver": "Ann Appr"})
    with pytest.raises(SetpointRefused, match="SP-0001 is rejected, not proposed: it cannot be approved "
                                               r"\(by Ann Appr\)"):
        rules.check_decision(rejected, "Bo Appr", "approver", "approve")


def test_guards_parse_with_negative_and_decimal_limits():
    assert parse_guard("labeler.label_offset:-1.5..1.5") == GuardSpec("labeler.label_offset", -1.5, 1.5)
    assert parse_guard(" sealer.seal_temperature : 180 .. 190 ").text == "sealer.seal_temperature:180..190"
    for bad in ("sealer.seal_temperature:190..180", "sealer.seal_temperature=180..190", "x:1..", "x:a..b"):
        with pytest.raises(ValueError, match="--guard"):
            parse_guard(bad)


def test_limits_text_shows_an_open_side():
    assert limits_text(None, 5.0) == "-inf..5" and limits_text(1.5, None) == "1.5..+inf"
