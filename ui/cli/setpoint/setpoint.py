"""``linetwin setpoint propose | approve | reject | list``: guarded setpoint changes.

- ``propose PROJECT --set SIGNAL=VALUE|+DELTA|-P% --reason R --by NAME`` checks
  and stores a proposal (a relative change is resolved against the value read
  from the line now); nothing is written.
- ``approve PROJECT ID --by NAME`` writes it, reads it back and watches the
  guards, rolling back if one breaks; ``--dry-run`` shows the diff (signal,
  node, old -> new, certified limits, guards, watch) and writes and records nothing.
- ``reject ID --by NAME --reason R`` and ``list [--status S] [--json]``.

Exit codes: 0 done (approve: written), 1 refused, bad input, or a write that
was rolled back or failed (the reason on stderr), 2 for a command line argparse
refuses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.setpoint import proposal_store as proposals
from linetwin.io.setpoint.evidence import model_identity, whatif_summary
from linetwin.io.setpoint.workflow import Evidence, Line, Plan, approve, plan, propose, reject
from linetwin.io.training.records import iso_time
from linetwin.twin.setpoint.proposal import WRITTEN, SetpointProposal, limits_text, parse_guard
from linetwin.twin.whatif.changes import parse_change


def run_setpoint(args) -> int:
    action = {"propose": _propose, "approve": _approve, "reject": _reject, "list": _list}[args.setpoint_action]
    try:
        return action(args)
    except (ValueError, HistoryStoreError) as exc:
        _say(args.setpoint_action, str(exc))
        return 1


def _say(action: str, text: str) -> None:
    print(f"linetwin setpoint {action}: {text}", file=sys.stderr, flush=True)


def _store_path(args) -> Path:
    return args.history or proposals.default_store_path()


def _line(args, project) -> Line | None:
    """The line's endpoint and settings (None after saying what is wrong with them)."""
    from linetwin.io.opcua.connection.trust_store import TrustStore, pki_folder
    from linetwin.ui.cli.inputs import connection

    settings, ok = connection(args, project)
    if not ok:
        return None
    return Line(args.endpoint or project.source.endpoint, settings, TrustStore(pki_folder()))


def _project(args):
    from linetwin.ui.cli.inputs import load_or_report

    return load_or_report(args.project)


# --- propose ---------------------------------------------------------------------------


def _propose(args) -> int:
    change = parse_change(args.change)
    guards = tuple(parse_guard(text) for text in args.guard)
    project = _project(args)
    if project is None:
        return 1
    line = _line(args, project)
    if line is None:
        return 1
    version, digest = model_identity(args.model) if args.model else (None, None)
    evidence = Evidence(whatif_summary(args.whatif) if args.whatif else None, version, digest)
    proposal = propose(_store_path(args), project, change, args.reason, args.proposer, guards,
                       args.watch, evidence, line)
    unit = _unit(project, proposal.signal_id)
    old = "?" if proposal.old_value is None else f"{proposal.old_value:g}"
    print(f"{proposal.proposal_id} proposed by {proposal.proposer}: {proposal.signal_id} {old} -> "
          f"{proposal.new_value:g}{unit} ({proposal.change}), certified {proposal.limits_text}{unit}")
    if proposal.old_value is None:
        print("  the value on the line now was not read; the approval reads it before writing")
    print(f"  waiting for approval by an approver other than {proposal.proposer}: "
          f"linetwin setpoint approve PROJECT {proposal.proposal_id} --by NAME [--dry-run]")
    return 0


# --- approve ---------------------------------------------------------------------------


def _approve(args) -> int:
    project = _project(args)
    if project is None:
        return 1
    line = _line(args, project)
    if line is None:
        return 1
    if args.dry_run:
        for text in dry_run_lines(plan(_store_path(args), project, args.proposal, args.approver, line)):
            print(text)
        return 0
    ended = approve(_store_path(args), project, args.proposal, args.approver, line)
    unit = _unit(project, ended.signal_id)
    back = "?" if ended.read_back is None else f"{ended.read_back:g}"
    old = "?" if ended.written_old is None else f"{ended.written_old:g}"
    print(f"{ended.proposal_id} {ended.status}: {ended.signal_id} {old} -> {ended.new_value:g}{unit} "
          f"(read back {back}), approved by {ended.approver}")
    if ended.status != WRITTEN:
        _say("approve", f"{ended.proposal_id} {ended.status}: {ended.outcome or 'no reason given'}")
        return 1
    return 0


def dry_run_lines(p: Plan) -> list[str]:
    """The diff an approval would make: old (read from the line now) -> new."""
    prop = p.proposal
    now = f"{p.live_old:g}" if p.live_old is not None else f"not read ({p.live_problem})"
    proposed_old = "?" if prop.old_value is None else f"{prop.old_value:g}"
    guards = ", ".join(f"{g.signal_id} {limits_text(g.low, g.high)} ({g.node_id})" for g in p.guards) or "none"
    return [f"dry run of {prop.proposal_id}: nothing is written, nothing is recorded",
            f"  signal     {prop.signal_id}",
            f"  node       {p.node}",
            f"  change     {now if p.live_old is not None else proposed_old} -> {prop.new_value:g}   "
            f"({prop.change}; {proposed_old} when proposed)",
            f"  on line    {now}",
            f"  certified  {prop.limits_text}",
            f"  guards     {guards}",
            f"  watch      {prop.watch_s:g} s after the write, then done",
            f"  proposed   by {prop.proposer} at {iso_time(prop.created_at)}: {prop.reason}",
            f"  model      {prop.model_version or '-'} {prop.model_hash or ''}".rstrip()]


# --- reject and list -------------------------------------------------------------------


def _reject(args) -> int:
    rejected = reject(_store_path(args), args.proposal, args.approver, args.reason)
    print(f"{rejected.proposal_id} rejected by {rejected.approver}: {rejected.outcome}")
    return 0


def _list(args) -> int:
    path = _store_path(args)
    with HistoryStore(proposals.existing(path), read_only=True) as store:
        found = proposals.select(store, status=args.status)
    if args.json:
        print(json.dumps([as_json(p) for p in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        print(f"no setpoint proposals{' ' + args.status if args.status else ''} in {path}")
        return 0
    for line in proposals_table(found):
        print(line)
    return 0


def proposals_table(found: list[SetpointProposal]) -> list[str]:
    header = ("ID", "CREATED", "SIGNAL", "OLD", "NEW", "STATUS", "PROPOSER", "APPROVER", "REASON")
    rows = [header] + [(p.proposal_id, iso_time(p.created_at), p.signal_id,
                        "?" if p.old_value is None else f"{p.old_value:g}", f"{p.new_value:g}", p.status,
                        p.proposer, p.approver or "-", p.reason) for p in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def as_json(p: SetpointProposal) -> dict:
    return {"id": p.proposal_id, "created": p.created_at, "proposer": p.proposer, "signal": p.signal_id,
            "node": p.node, "change": p.change, "old": p.old_value, "new": p.new_value, "reason": p.reason,
            "certified": {"low": p.certified_low, "high": p.certified_high}, "whatif": p.whatif,
            "model_version": p.model_version, "model_hash": p.model_hash,
            "guards": [g.as_json() for g in p.guards], "watch_s": p.watch_s, "status": p.status,
            "approver": p.approver, "decided_at": p.decided_at, "outcome": p.outcome,
            "written_old": p.written_old, "read_back": p.read_back}


def _unit(project, signal_id: str) -> str:
    try:
        unit = project.signal(signal_id).unit
    except KeyError:
        return ""
    return f" {unit}" if unit else ""
