"""The registry of what-if models in a history store: each model fitted on the
history is listed with its card, and the fit is an audit entry (who, which
model hash, which data range), in the history it used (issue 10)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from linetwin.io.history.history_store import HistoryStore
from linetwin.twin.whatif.model_card import model_card
from linetwin.twin.whatif.whatif_model import WhatIfModel

TABLE = "whatif_models"


def register_model(history: Path, model: WhatIfModel, written_to: Path, user: str) -> None:
    card = model_card(model)
    with HistoryStore(history) as store:
        store.append(TABLE, {
            "model_hash": [model.hash], "version": [model.version], "station": [model.station],
            "created_at": [model.created], "fitted_by": [user], "path": [str(written_to)],
            "data_hash": [model.data.data_hash], "data_first": [model.data.first],
            "data_last": [model.data.last], "units": [model.data.units],
            "card": [json.dumps(card, sort_keys=True)]})
        store.append_audit(user, "whatif.fit", {
            "model_hash": model.hash, "version": model.version, "station": model.station,
            "data_hash": model.data.data_hash, "data_from": model.data.first, "data_to": model.data.last,
            "units": model.data.units, "file": written_to.name}, at=time.time())


def list_models(history: Path) -> list[dict]:
    with HistoryStore(history, read_only=True) as store:
        if not store.has_column(TABLE, "model_hash"):  # an older file opened read-only
            return []
        rows = store.fetch_dicts(f"SELECT * FROM {TABLE} ORDER BY created_at")
    for row in rows:
        row["card"] = json.loads(row["card"]) if row.get("card") else None
    return rows
