"""Setpoint proposals in a history store's ``setpoint_proposals`` table.

The table holds each proposal's current state (a decision replaces its row);
what happened, step by step, is in the store's hash-chained audit log, which
:mod:`linetwin.io.setpoint.workflow` appends to. The default store is
``setpoints.duckdb`` in the user's data folder (``LINETWIN_DATA_DIR`` overrides
it), as training records keep theirs.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import platformdirs

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.twin.setpoint.proposal import STATUSES, GuardSpec, SetpointProposal, proposal_id_of

TABLE = "setpoint_proposals"
STORE_FILE = "setpoints.duckdb"


class ProposalError(ValueError):
    """A proposal that does not exist or a status that is not one; the message says which."""


def default_store_path() -> Path:
    """``setpoints.duckdb`` in the user's data folder (``LINETWIN_DATA_DIR`` overrides it)."""
    override = os.environ.get("LINETWIN_DATA_DIR")
    folder = Path(override) if override else Path(platformdirs.user_data_dir("linetwin", appauthor=False))
    return folder / STORE_FILE


def open_for_writing(path: Path) -> HistoryStore:
    """The store at ``path``; the default one's folder is made on its first proposal."""
    if path == default_store_path():
        path.parent.mkdir(parents=True, exist_ok=True)
    return HistoryStore(path)


def existing(path: Path) -> Path:
    if not path.is_file():
        raise HistoryStoreError(f"{path}: no such history file (no setpoint proposals stored there yet)")
    return path


def next_id(store: HistoryStore) -> str:
    """SP-0001 for the first proposal of a store, then the next number."""
    [row] = store.fetch_dicts(f"SELECT count(*) AS n FROM {TABLE}")
    return proposal_id_of(int(row["n"]) + 1)


def save(store: HistoryStore, proposal: SetpointProposal) -> None:
    """Insert ``proposal``, or replace the stored row of its id."""
    store.append(TABLE, {name: [value] for name, value in _row(proposal).items()})


def load(store: HistoryStore, proposal_id: str) -> SetpointProposal:
    found = select(store, proposal_id=proposal_id.strip().upper())
    if not found:
        raise ProposalError(f"{store.path}: no setpoint proposal {proposal_id} "
                            "(`linetwin setpoint list` lists them)")
    return found[0]


def select(store: HistoryStore, status: str | None = None, proposal_id: str | None = None) -> list[SetpointProposal]:
    """Proposals, oldest first, optionally of one status or id."""
    if status is not None and status not in STATUSES:
        raise ProposalError(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
    if not _has_table(store):
        return []  # a history written before setpoint proposals existed, read-only
    where, params = [], []
    for column, wanted in (("status", status), ("proposal_id", proposal_id)):
        if wanted is not None:
            where.append(f"{column} = ?")
            params.append(wanted)
    rows = store.fetch_dicts(f"SELECT * FROM {TABLE} {'WHERE ' + ' AND '.join(where) if where else ''} "
                             "ORDER BY created_at, proposal_id", params)
    return [_proposal(row) for row in rows]


def _has_table(store: HistoryStore) -> bool:
    return bool(store.fetch_dicts("SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
                                  "AND table_name = ?", [TABLE]))


def _row(p: SetpointProposal) -> dict[str, Any]:
    return {
        "proposal_id": p.proposal_id, "created_at": p.created_at, "proposer": p.proposer,
        "signal_id": p.signal_id, "node": p.node, "change": p.change, "new_value": p.new_value,
        "reason": p.reason, "old_value": p.old_value, "certified_low": p.certified_low,
        "certified_high": p.certified_high,
        "whatif": None if p.whatif is None else json.dumps(p.whatif, sort_keys=True),
        "model_version": p.model_version, "model_hash": p.model_hash,
        "guards": json.dumps([g.as_json() for g in p.guards]), "watch_s": p.watch_s,
        "status": p.status, "approver": p.approver, "decided_at": p.decided_at, "outcome": p.outcome,
        "written_old": p.written_old, "read_back": p.read_back,
    }


def _proposal(row: dict[str, Any]) -> SetpointProposal:
    values = {k: _null(v) for k, v in row.items() if k in SetpointProposal.__dataclass_fields__}
    values["whatif"] = json.loads(row["whatif"]) if row["whatif"] is not None else None
    values["guards"] = tuple(GuardSpec.from_json(g) for g in json.loads(row["guards"] or "[]"))
    return SetpointProposal(**values)


def _null(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value
