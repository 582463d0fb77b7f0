"""The rules a setpoint change must pass (DESIGN section 9), as pure functions.

Each raises :class:`SetpointRefused` with a message that names what is wrong.
Roles: a proposal comes from an ``engineer`` or an ``approver``; only an
``approver`` approves or rejects, and never their own proposal (names compared
regardless of case, as LineTwin users are). An engineer may not approve: the
second person must be one whose role is to judge changes, not another proposer.
"""

from __future__ import annotations

import math

from linetwin.twin.model import Signal
from linetwin.twin.setpoint.proposal import PROPOSED, SetpointProposal, limits_text

PROPOSER_ROLES = ("engineer", "approver")
APPROVER_ROLES = ("approver",)


class SetpointRefused(ValueError):
    """A proposal, approval or rejection the rules refuse; the message says why."""


def same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def check_reason(reason: str) -> None:
    if not reason.strip():
        raise SetpointRefused("a setpoint change needs a reason (a CAPA number, a what-if result)")


def check_proposer(name: str, role: str) -> None:
    if role not in PROPOSER_ROLES:
        raise SetpointRefused(f"{name} is a LineTwin user with role {role}; a setpoint change is "
                              f"proposed by an {' or an '.join(PROPOSER_ROLES)}")


def check_writable(signal: Signal) -> None:
    if not signal.writable:
        raise SetpointRefused(f"{signal.id} is not writable: the project does not mark it "
                              "writable with certified limits (read-only is the default)")


def check_value(signal: Signal, value: float) -> None:
    """``value`` must be a finite number inside the signal's certified limits."""
    check_writable(signal)
    low, high = certified_limits(signal)
    if not math.isfinite(value):
        raise SetpointRefused(f"{signal.id}: {value} is not a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise SetpointRefused(f"{signal.id}={value:g}{_unit(signal)} is outside its certified limits "
                              f"{limits_text(low, high)}{_unit(signal)}")


def certified_limits(signal: Signal) -> tuple[float | None, float | None]:
    certified = signal.certified
    if certified is None:
        return None, None
    return certified.low, certified.high


def check_decision(proposal: SetpointProposal, name: str, role: str, verb: str) -> None:
    """``verb`` ("approve" or "reject") of ``proposal`` by ``name`` with ``role``."""
    done = f"{verb}d" if verb.endswith("e") else f"{verb}ed"
    if proposal.status != PROPOSED:
        by = f" (by {proposal.approver})" if proposal.approver else ""
        raise SetpointRefused(f"{proposal.proposal_id} is {proposal.status}, not proposed: it cannot be "
                              f"{done}{by}")
    if same_person(name, proposal.proposer):
        raise SetpointRefused(f"{name} proposed {proposal.proposal_id}: it must be {done} by a "
                              "second, different person")
    if role not in APPROVER_ROLES:
        raise SetpointRefused(f"{name} is a LineTwin user with role {role}; only an approver may "
                              f"{verb} a setpoint change")


def _unit(signal: Signal) -> str:
    return f" {signal.unit}" if signal.unit else ""
