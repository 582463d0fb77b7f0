"""``linetwin audit verify FILE`` and ``linetwin audit list FILE [--json]``.

``verify`` recomputes the history's hash chain (:mod:`linetwin.io.history.history_audit`):
exit 0 with ``N entries, chain intact``; exit 1 naming each edited, deleted or
reordered entry (its number, action, user and time as stored now); exit 2 when
the file is missing or not a LineTwin history. ``list`` prints the entries,
oldest first. Rows cut off at the end leave an intact chain: compare the last
hash with one kept elsewhere (``list`` shows it).
"""

from __future__ import annotations

import json
import re
import sys

from linetwin.io.history.history_audit import AuditEntry
from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.training.records import iso_time

_ENTRY = re.compile(r"^entry (?P<seq>-?\d+): ")


def run_audit(args) -> int:
    try:
        store = HistoryStore(args.history, read_only=True)
    except HistoryStoreError as exc:
        print(f"linetwin audit {args.audit_action}: {exc}", file=sys.stderr, flush=True)
        return 2
    with store:
        try:
            return _verify(args, store) if args.audit_action == "verify" else _list(args, store)
        except HistoryStoreError as exc:  # e.g. a file whose audit log cannot be read
            print(f"linetwin audit {args.audit_action}: {exc}", file=sys.stderr, flush=True)
            return 2


def _verify(args, store: HistoryStore) -> int:
    check = store.verify_audit_chain()
    if check.ok:
        print(f"{args.history}: {check.entries} entries, chain intact")
        return 0
    stored = {row["seq"]: row for row in store.fetch_dicts(
        'SELECT seq, "time", "user", action FROM audit_log ORDER BY seq')}
    for problem in check.problems:
        print(f"{args.history}: {_named(problem, stored)}")
    print(f"{args.history}: {check.entries} entries, chain BROKEN ({len(check.problems)} "
          f"problem{'' if len(check.problems) == 1 else 's'})")
    return 1


def _named(problem: str, stored: dict[int, dict]) -> str:
    """``entry 3 (setpoint.write by appr at TIME): ...``: the entry as it is stored now."""
    match = _ENTRY.match(problem)
    row = stored.get(int(match["seq"])) if match else None
    if row is None:
        return problem
    return (f"entry {row['seq']} ({row['action']} by {row['user']} at {iso_time(row['time'])}): "
            f"{problem[match.end():]}")


def _list(args, store: HistoryStore) -> int:
    entries = store.audit_entries()
    if args.json:
        print(json.dumps([_as_json(e) for e in entries], indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print(f"{args.history}: no audit entries")
        return 0
    for entry in entries:
        details = json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
        print(f"{entry.seq:>5}  {iso_time(entry.time)}  {entry.user}  {entry.action}  {details}")
    print(f"last hash {entries[-1].hash}")
    return 0


def _as_json(entry: AuditEntry) -> dict:
    return {"seq": entry.seq, "time": entry.time, "user": entry.user, "action": entry.action,
            "details": entry.details, "prev_hash": entry.prev_hash, "hash": entry.hash}
