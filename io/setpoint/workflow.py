"""Propose, reject, dry-run and approve a guarded setpoint change (DESIGN section 9).

The only path by which LineTwin writes to a line. Every proposal, rejection,
approval and every step of the write (the steps of
:class:`~linetwin.io.opcua.setpoint_writer.WriteOutcome`: write, read-back,
guard break, rollback) appends an entry to the store's hash-chained audit log,
each naming the proposal, signal, old and new values, proposer, approver and
model version. A dry run checks everything an approval would and records nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import TrustStore
from linetwin.io.opcua.setpoint_writer import (
    Guard,
    SetpointError,
    WriteOutcome,
    WriteRequest,
    read_value_blocking,
    write_guarded_blocking,
)
from linetwin.io.setpoint import proposal_store as proposals
from linetwin.io.training import identities
from linetwin.twin.model import Project, Signal
from linetwin.twin.setpoint import rules
from linetwin.twin.setpoint.proposal import (
    APPROVED, FAILED, REJECTED, ROLLED_BACK, WRITTEN, GuardSpec, SetpointProposal,
)
from linetwin.twin.whatif.changes import ChangeKind, ProposedChange


@dataclass(frozen=True)
class Line:
    """How to reach the line: the endpoint and its connection settings."""

    endpoint: str
    settings: ConnectionSettings | None = None
    trust: TrustStore | None = None

    def read(self, node: str) -> float:
        return read_value_blocking(self.endpoint, self.settings, self.trust, node)

    def write(self, request: WriteRequest) -> WriteOutcome:
        return write_guarded_blocking(self.endpoint, self.settings, self.trust, request)


@dataclass(frozen=True)
class Evidence:
    """What a proposal rests on (see :mod:`linetwin.io.setpoint.evidence`)."""

    whatif: dict | None = None
    model_version: str | None = None
    model_hash: str | None = None


@dataclass(frozen=True)
class Plan:
    """What an approval would write: the dry run's diff."""

    proposal: SetpointProposal
    node: str
    live_old: float | None  # read from the line now; None: not read (see live_problem)
    live_problem: str | None
    guards: tuple[Guard, ...]


def propose(store_path: Path, project: Project, change: ProposedChange, reason: str, proposer: str,
            guards: tuple[GuardSpec, ...] = (), watch_s: float = 60.0, evidence: Evidence = Evidence(),
            line: Line | None = None, now: float | None = None) -> SetpointProposal:
    """Check and store a proposal; it is written only after a second person approves it.

    A relative change (``+DELTA``, ``-P%``) is resolved against the value read from
    ``line`` now; a ``VALUE`` is checked before the line is asked, and stored with
    no old value when the line cannot be read.
    """
    rules.check_reason(reason)
    user = identities.find_user(proposer)
    rules.check_proposer(user.name, user.role)
    signal = _signal(project, change.signal_id)
    rules.check_writable(signal)
    if not watch_s >= 0:
        raise rules.SetpointRefused(f"--watch must be 0 or more seconds, not {watch_s:g}")
    node = signal.write_node
    if change.kind is ChangeKind.SET:
        rules.check_value(signal, change.amount)
    _guards(project, guards)  # every guard names a project signal
    old = _current(line, node, change)
    value = change.target(old) if old is not None else change.amount
    rules.check_value(signal, value)
    low, high = rules.certified_limits(signal)
    with proposals.open_for_writing(store_path) as store:
        proposal = SetpointProposal(
            proposals.next_id(store), _now(now), user.name, signal.id, node, change.text, value,
            reason.strip(), old, low, high, evidence.whatif, evidence.model_version, evidence.model_hash,
            tuple(guards), float(watch_s))
        proposals.save(store, proposal)
        store.append_audit(user.name, "setpoint.propose", proposal.audit_details(
            role=user.role, limits=proposal.limits_text, guards=[g.text for g in guards],
            watch_s=proposal.watch_s, whatif=evidence.whatif), at=proposal.created_at)
    return proposal


def reject(store_path: Path, proposal_id: str, approver: str, reason: str,
           now: float | None = None) -> SetpointProposal:
    rules.check_reason(reason)
    with proposals.open_for_writing(proposals.existing(store_path)) as store:
        proposal = proposals.load(store, proposal_id)
        user = identities.find_user(approver)
        rules.check_decision(proposal, user.name, user.role, "reject")
        rejected = replace(proposal, status=REJECTED, approver=user.name, decided_at=_now(now),
                           outcome=reason.strip())
        proposals.save(store, rejected)
        store.append_audit(user.name, "setpoint.reject", rejected.audit_details(
            role=user.role, why=rejected.outcome), at=rejected.decided_at)
    return rejected


def plan(store_path: Path, project: Project, proposal_id: str, approver: str, line: Line) -> Plan:
    """Everything an approval checks, and the value the line holds now; records nothing."""
    with HistoryStore(proposals.existing(store_path), read_only=True) as store:
        proposal = proposals.load(store, proposal_id)
    user = identities.find_user(approver)
    rules.check_decision(proposal, user.name, user.role, "approve")
    signal = _signal(project, proposal.signal_id)
    rules.check_value(signal, proposal.new_value)  # the project's limits may have changed since
    guards = _guards(project, proposal.guards)
    node = signal.write_node
    try:
        return Plan(proposal, node, line.read(node), None, guards)
    except SetpointError as exc:
        return Plan(proposal, node, None, str(exc), guards)


def approve(store_path: Path, project: Project, proposal_id: str, approver: str, line: Line,
            now: float | None = None) -> SetpointProposal:
    """Approve, write, read back and watch the guards; the proposal as it ended.

    The status is ``written``, ``rolled-back`` (the read-back differed or a guard
    broke; the old value is back) or ``failed`` (nothing or not all could be done;
    the reason says what). The store is closed while the line is watched, so
    others may read it meanwhile.
    """
    path = proposals.existing(store_path)
    with proposals.open_for_writing(path) as store:
        proposal = proposals.load(store, proposal_id)
        user = identities.find_user(approver)
        rules.check_decision(proposal, user.name, user.role, "approve")
        signal = _signal(project, proposal.signal_id)
        rules.check_value(signal, proposal.new_value)
        guards = _guards(project, proposal.guards)
        approved = replace(proposal, status=APPROVED, approver=user.name, decided_at=_now(now),
                           node=signal.write_node)
        proposals.save(store, approved)
        store.append_audit(user.name, "setpoint.approve", approved.audit_details(role=user.role),
                           at=approved.decided_at)
    request = WriteRequest(approved.node, approved.new_value, guards=guards, watch_s=approved.watch_s)
    try:
        outcome = line.write(request)
    except SetpointError as exc:
        outcome = None
        ended = replace(approved, status=FAILED, outcome=str(exc))
    else:
        ended = replace(approved, status=_status(outcome), outcome=outcome.reason or None,
                        written_old=outcome.old, read_back=outcome.read_back)
    with proposals.open_for_writing(path) as store:
        for step in outcome.steps if outcome is not None else ():
            if step.what == "done":  # the closing entry below says how it ended
                continue
            store.append_audit(user.name, f"setpoint.{step.what}",
                               approved.audit_details(**_step_details(step.details)), at=step.time)
        proposals.save(store, ended)
        store.append_audit(user.name, f"setpoint.{ended.status}", ended.audit_details(
            why=ended.outcome, written_old=ended.written_old, read_back=ended.read_back))
    return ended


def _status(outcome: WriteOutcome) -> str:
    if outcome.ok:
        return WRITTEN
    return ROLLED_BACK if outcome.rolled_back else FAILED


def _step_details(details: object) -> dict:
    return dict(details) if isinstance(details, dict) else {"details": details}


def _current(line: Line | None, node: str, change: ProposedChange) -> float | None:
    """The value the line holds now; None for a plain VALUE when it cannot be read."""
    if line is None:
        problem = "no line to read it from"
    else:
        try:
            return line.read(node)
        except SetpointError as exc:
            problem = str(exc)
    if change.kind is ChangeKind.SET:
        return None
    raise rules.SetpointRefused(f"{change.text} is relative to the value {change.signal_id} holds now, "
                                f"which cannot be read: {problem}")


def _signal(project: Project, signal_id: str) -> Signal:
    try:
        return project.signal(signal_id)
    except KeyError:
        raise rules.SetpointRefused(f"{project.path or project.name}: no signal {signal_id!r}") from None


def _guards(project: Project, specs: tuple[GuardSpec, ...] | list[GuardSpec]) -> tuple[Guard, ...]:
    return tuple(Guard(spec.signal_id, _signal(project, spec.signal_id).node, spec.low, spec.high)
                 for spec in specs)


def _now(at: float | None) -> float:
    return time.time() if at is None else float(at)
