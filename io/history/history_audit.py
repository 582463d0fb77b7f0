"""The hash chain of the audit log (DESIGN section 9).

Each row's ``hash`` is ``sha256(prev_hash + canonical row)`` and its
``prev_hash`` is the hash of the row before (64 zeros for the first), so
editing, deleting or reordering any row breaks every later link. The canonical
row is compact JSON with sorted keys of ``[seq, time, user, action, details]``;
a float is written by ``repr``, which round-trips a DOUBLE exactly, so the
stored row hashes to the same value it was written with.

What a chain cannot show on its own: rows cut off at the end. Keep the latest
hash elsewhere (a report, a signed export) to detect that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    time: float
    user: str
    action: str
    details: Any  # any JSON value; usually a dict
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditCheck:
    """Result of :func:`verify_chain`: ``ok`` or the problems found, first first."""

    entries: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def canonical_details(details: Any) -> str:
    """The JSON text stored for ``details``; raises TypeError if not JSON-able."""
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def row_hash(prev_hash: str, seq: int, time: float, user: str, action: str, details: Any) -> str:
    row = json.dumps([seq, float(time), user, action, details], sort_keys=True, separators=(",", ":"),
                     ensure_ascii=False, allow_nan=False)
    return hashlib.sha256((prev_hash + row).encode("utf-8")).hexdigest()


def next_entry(last: tuple[int, str] | None, time: float, user: str, action: str, details: Any) -> AuditEntry:
    """The entry that follows ``last`` = (seq, hash) of the newest row, or None."""
    seq, prev = (last[0] + 1, last[1]) if last is not None else (1, GENESIS_HASH)
    details = json.loads(canonical_details(details))  # hash exactly what will be read back
    return AuditEntry(seq, float(time), user, action, details, prev,
                      row_hash(prev, seq, time, user, action, details))


def verify_chain(rows: Iterable[tuple[int, float, str, str, str, str, str]]) -> AuditCheck:
    """Check stored rows ``(seq, time, user, action, details_json, prev_hash, hash)`` in seq order."""
    problems: list[str] = []
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for seq, time, user, action, details_json, prev_hash, stored_hash in rows:
        count += 1
        if seq != expected_seq:
            problems.append(f"entry {seq}: expected entry {expected_seq} here (a row was removed or inserted)")
        if prev_hash != expected_prev:
            problems.append(f"entry {seq}: does not link to the entry before it")
        try:
            details = json.loads(details_json) if details_json is not None else None
            computed = row_hash(prev_hash or "", seq, time, user, action, details)
        except (TypeError, ValueError) as exc:
            problems.append(f"entry {seq}: unreadable ({exc})")
            computed = None
        if computed != stored_hash:
            problems.append(f"entry {seq}: its contents do not match its hash (the row was edited)")
        expected_prev, expected_seq = stored_hash, seq + 1
    return AuditCheck(count, problems)
