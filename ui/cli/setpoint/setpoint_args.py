"""The command lines of ``linetwin setpoint`` and ``linetwin audit`` (argparse only).

``setpoint propose|approve|reject|list`` is the only path by which LineTwin
writes to a line (DESIGN section 9); ``audit verify FILE`` checks a history's
hash-chained audit log.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def _store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--history", type=Path, metavar="FILE",
                        help="history store of proposals and audit log (default: the one in "
                        "the user's data folder)")


def add_setpoint_parser(commands: argparse._SubParsersAction,
                        add_connection_args: Callable[[argparse.ArgumentParser], None]) -> None:
    setpoint = commands.add_parser("setpoint", help="propose, approve, reject and list guarded "
                                   "setpoint changes")
    actions = setpoint.add_subparsers(dest="setpoint_action", metavar="ACTION", required=True)
    propose = actions.add_parser("propose", help="propose a change of a writable signal")
    propose.add_argument("project", type=Path)
    propose.add_argument("--set", dest="change", required=True, metavar="SIGNAL=VALUE|+DELTA|-P%")
    propose.add_argument("--reason", required=True, help="why (a CAPA number, a what-if result)")
    propose.add_argument("--by", dest="proposer", required=True, metavar="NAME",
                         help="the proposing LineTwin user")
    propose.add_argument("--whatif", type=Path, metavar="RESULT.json",
                         help="the what-if result (`whatif --json`) the proposal rests on")
    propose.add_argument("--model", type=Path, metavar="MODEL.json",
                         help="the model that result came from (its version is recorded)")
    propose.add_argument("--guard", action="append", default=[], metavar="SIGNAL:LOW..HIGH",
                         help="a condition the line must keep after the write, else it is "
                         "rolled back; repeatable")
    propose.add_argument("--watch", type=float, default=60.0, metavar="SECONDS",
                         help="how long the guards are watched after the write (default 60)")
    add_connection_args(propose)  # a relative change is resolved against the value read now
    _store(propose)
    approve = actions.add_parser("approve", help="approve a proposal and write it to the line "
                                 "(read back, rolled back if a guard breaks)")
    approve.add_argument("project", type=Path)
    approve.add_argument("proposal", metavar="ID")
    approve.add_argument("--by", dest="approver", required=True, metavar="NAME",
                         help="the approving LineTwin user (not the proposer)")
    approve.add_argument("--dry-run", action="store_true",
                         help="show what would be written (old -> new, limits, guards); write nothing")
    add_connection_args(approve)
    _store(approve)
    reject = actions.add_parser("reject", help="reject a proposal")
    reject.add_argument("proposal", metavar="ID")
    reject.add_argument("--by", dest="approver", required=True, metavar="NAME")
    reject.add_argument("--reason", required=True)
    _store(reject)
    listing = actions.add_parser("list", help="proposals and what became of them")
    listing.add_argument("--status", help="only these (proposed, written, rolled-back, rejected, failed)")
    listing.add_argument("--json", action="store_true")
    _store(listing)


def add_audit_parser(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="verify or list a history's hash-chained audit log")
    actions = audit.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="exit 0 if the chain is intact, 1 naming each "
                                "edited, deleted or reordered entry")
    verify.add_argument("history", type=Path)
    listing = actions.add_parser("list", help="the audit log's entries, oldest first")
    listing.add_argument("history", type=Path)
    listing.add_argument("--json", action="store_true")
