"""Training records in a history store, the trainer's sign-off and certification expiry.

One row of ``training_records`` per session (issue 9, DESIGN sections 4 and 9):

- ``result_json`` is the canonical JSON of :meth:`TrainingResult.as_json`
  (sorted keys, compact, floats by ``repr`` so they read back bit for bit) and
  ``record_hash`` its sha256; the record id is ``TR-`` and the hash's first 10
  hex digits, so the same result stored twice is one record.
- A sign-off names a LineTwin user with the trainer role who is not the
  trainee; ``signature_hash`` is the sha256 of the canonical JSON of
  ``[record_hash, signer, role, signed_at, comment, expires_at]``, so neither the
  result, nor the columns copied from it, nor the sign-off can be edited
  afterwards without :func:`records` calling the record tampered. ``expires_at``
  is ``signed_at`` plus the SOP's ``certification_days`` (kept from when the
  record was stored).
- Storing and signing also append to the store's hash-chained audit log.

Times are POSIX seconds (UTC), as everywhere in the store.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.training import identities
from linetwin.twin.sop.sop_result import TrainingResult

TABLE = "training_records"
DAY_S = 86400.0
STORE_FILE = "training.duckdb"


class TrainingRecordError(ValueError):
    """A record that does not exist or a sign-off that is refused; the message says why."""


@dataclass(frozen=True)
class TrainingRecord:
    """One stored record as read back, with its sign-off (``signed_by`` None: unsigned)."""

    record_id: str
    sop_id: str
    sop_version: str
    title: str
    trainee: str
    trainee_role: str
    mode: str
    passed: bool
    score: float
    started_at: float
    ended_at: float
    result_json: str
    record_hash: str
    certification_days: float | None
    stored_at: float
    signed_by: str | None = None
    signer_role: str | None = None
    signed_at: float | None = None
    sign_comment: str | None = None
    signature_hash: str | None = None
    expires_at: float | None = None

    @property
    def signed(self) -> bool:
        return self.signed_by is not None

    @property
    def duration_s(self) -> float:
        return self.ended_at - self.started_at

    def result(self) -> TrainingResult | None:
        """The stored result, or None when its JSON no longer reads as one."""
        try:
            return TrainingResult.from_json(json.loads(self.result_json))
        except (KeyError, ValueError, TypeError):
            return None

    def tampered(self) -> str | None:
        """What no longer matches its hash, or None for an intact record."""
        if result_hash(self.result_json) != self.record_hash:
            return "its result no longer matches its record hash"
        result = self.result()
        if result is None or _summary(result) != _summary(self):
            return "its columns no longer match its stored result"
        if self.signed and self.signature_hash != signature_hash(
                self.record_hash, self.signed_by, self.signer_role or "", self.signed_at,
                self.sign_comment or "", self.expires_at):
            return "its sign-off no longer matches its signature hash"
        return None

    def status(self, now: float) -> str:
        """``valid until DATE``, ``valid (no expiry)``, ``expired DATE``, ``not signed``,
        ``failed`` or ``tampered``: what the record certifies at ``now``."""
        if self.tampered():
            return "tampered"
        if not self.passed:
            return "failed"
        if not self.signed:
            return "not signed"
        if self.expires_at is None:
            return "valid (no expiry)"
        if now >= self.expires_at:
            return f"expired {iso_date(self.expires_at)}"
        return f"valid until {iso_date(self.expires_at)}"

    def certified(self, now: float) -> bool:
        return self.status(now).startswith("valid")


# --- hashing ------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def result_hash(result_json: str) -> str:
    """sha256 of a stored result; the text is re-canonicalised so only content counts."""
    try:
        text = canonical_json(json.loads(result_json))
    except (TypeError, ValueError):
        text = result_json  # unreadable: hash the bytes, which will not match
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signature_hash(record_hash: str, signer: str, role: str, signed_at: float | None, comment: str,
                   expires_at: float | None) -> str:
    text = canonical_json([record_hash, signer, role, signed_at, comment, expires_at])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_id_of(record_hash: str) -> str:
    return f"TR-{record_hash[:10]}"


# --- where ---------------------------------------------------------------------------


def default_store_path() -> Path:
    """``training.duckdb`` in the user's data folder (``LINETWIN_DATA_DIR`` overrides it)."""
    override = os.environ.get("LINETWIN_DATA_DIR")
    folder = Path(override) if override else Path(platformdirs.user_data_dir("linetwin", appauthor=False))
    return folder / STORE_FILE


# --- writing -------------------------------------------------------------------------


def store_record(store_path: str | Path, result: TrainingResult, trainee_role: str,
                 certification_days: float | None = 365, now: float | None = None) -> str:
    """Store ``result`` (a new file gets the history schema); its record id.

    The same result stored again is the same record: nothing is written and its
    id is returned, so a stored sign-off is never replaced by an unsigned copy.
    """
    if trainee_role not in identities.ROLES:
        raise TrainingRecordError(f"unknown trainee role {trainee_role!r}; roles: {', '.join(identities.ROLES)}")
    if certification_days is not None and not (math.isfinite(certification_days) and certification_days > 0):
        raise TrainingRecordError(f"certification_days must be a positive number of days, not {certification_days}")
    path = Path(store_path)
    if path == default_store_path():
        path.parent.mkdir(parents=True, exist_ok=True)  # first record on this machine
    text = canonical_json(result.as_json())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    record_id = record_id_of(digest)
    stored_at = time.time() if now is None else float(now)
    with HistoryStore(path) as store:
        existing = _rows(store, "record_id = ?", [record_id])
        if existing:
            if existing[0].record_hash != digest:
                raise TrainingRecordError(f"{path}: record id {record_id} is taken by another record")
            return record_id
        kept = TrainingResult.from_json(json.loads(text))  # the columns as a reader parses them
        row = TrainingRecord(record_id, kept.sop, kept.version, kept.title, kept.trainee,
                             trainee_role, kept.mode, kept.passed, kept.score,
                             kept.started_at, kept.ended_at, text, digest,
                             None if certification_days is None else float(certification_days), stored_at)
        store.append(TABLE, _columns(row))
        store.append_audit(result.trainee, "training.record", {
            "record_id": record_id, "record_hash": digest, "sop": result.sop,
            "version": result.version, "passed": result.passed, "score": round(result.score, 2)},
            at=stored_at)
    return record_id


def sign(store_path: str | Path, record_id: str, trainer_name: str, comment: str = "",
         now: float | None = None, users_file: Path | None = None) -> TrainingRecord:
    """A trainer signs a record off; the signed record.

    Refused (:class:`TrainingRecordError` or :class:`identities.IdentityError`,
    both ValueError) for an unknown record, a tampered one, a failed one, one
    signed already, a trainer who is the trainee, and a name that is not a
    LineTwin user with the trainer role.
    """
    path = _existing(store_path)
    signed_at = time.time() if now is None else float(now)
    with HistoryStore(path) as store:
        record = _one(store, record_id)
        problem = record.tampered()
        if problem:
            raise TrainingRecordError(f"{record_id} is tampered with ({problem}); it cannot be signed")
        if not record.passed:
            raise TrainingRecordError(f"{record_id} failed (score {record.score:.0f}): a failed record "
                                      "is not certified; the trainee trains again")
        if record.signed:
            raise TrainingRecordError(f"{record_id} is already signed by {record.signed_by} "
                                      f"on {iso_time(record.signed_at)}")
        if identities.same_person(trainer_name, record.trainee):
            raise TrainingRecordError(f"{trainer_name} is the trainee of {record_id}: the sign-off "
                                      "must come from a different person")
        trainer = identities.require_role(trainer_name, "trainer", users_file)
        expires = (None if record.certification_days is None
                   else signed_at + record.certification_days * DAY_S)
        signed = replace(record, signed_by=trainer.name, signer_role=trainer.role, signed_at=signed_at,
                          sign_comment=comment,
                          signature_hash=signature_hash(record.record_hash, trainer.name, trainer.role,
                                                        signed_at, comment, expires),
                          expires_at=expires)
        store.append(TABLE, _columns(signed))  # replaces the unsigned row (same record id)
        store.append_audit(trainer.name, "training.sign", {
            "record_id": record_id, "record_hash": record.record_hash, "role": trainer.role,
            "signature_hash": signed.signature_hash, "comment": comment}, at=signed_at)
    return signed


# --- reading -------------------------------------------------------------------------


def records(store_path: str | Path, trainee: str | None = None, sop: str | None = None,
            record_id: str | None = None) -> list[TrainingRecord]:
    """The records of a store, oldest session first, optionally of one trainee / SOP / id."""
    path = _existing(store_path)
    where, params = [], []
    if trainee is not None:
        where.append("lower(trim(trainee)) = ?")
        params.append(trainee.strip().casefold())
    for column, wanted in (("sop_id", sop), ("record_id", record_id)):
        if wanted is not None:
            where.append(f"{column} = ?")
            params.append(wanted)
    with HistoryStore(path, read_only=True) as store:
        if not _has_table(store):
            return []  # a history written before training records existed
        return _rows(store, " AND ".join(where) or "true", params)


def find_record(store_path: str | Path, record_id: str) -> TrainingRecord:
    found = records(store_path, record_id=record_id)
    if not found:
        raise TrainingRecordError(f"{store_path}: no training record {record_id}")
    return found[0]


# --- time text ------------------------------------------------------------------------


def iso_time(t: float | None) -> str:
    """``2026-05-28T20:00:00Z`` (whole seconds, UTC); empty for None."""
    if t is None:
        return ""
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d")


# --- internals -----------------------------------------------------------------------


def _existing(store_path: str | Path) -> Path:
    path = Path(store_path)
    if not path.is_file():
        raise HistoryStoreError(f"{path}: no such history file (no training records stored there yet)")
    return path


def _has_table(store: HistoryStore) -> bool:
    return bool(store.fetch_dicts("SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
                                  "AND table_name = ?", [TABLE]))


def _one(store: HistoryStore, record_id: str) -> TrainingRecord:
    found = _rows(store, "record_id = ?", [record_id]) if _has_table(store) else []
    if not found:
        raise TrainingRecordError(f"{store.path}: no training record {record_id} "
                                  "(`linetwin train records` lists them)")
    return found[0]


def _rows(store: HistoryStore, where: str, params: list[Any]) -> list[TrainingRecord]:
    names = TrainingRecord.__dataclass_fields__
    rows = store.fetch_dicts(f"SELECT * FROM {TABLE} WHERE {where} ORDER BY started_at, record_id", params)
    return [TrainingRecord(**{k: _null(v) for k, v in row.items() if k in names}) for row in rows]


def _summary(of: TrainingResult | TrainingRecord) -> tuple:
    """The fields a record row copies from its result (to list and filter without parsing)."""
    if isinstance(of, TrainingResult):
        return (of.sop, of.version, of.title, of.trainee, of.mode, of.passed, of.score,
                of.started_at, of.ended_at)
    return (of.sop_id, of.sop_version, of.title, of.trainee, of.mode, of.passed, of.score,
            of.started_at, of.ended_at)


def _null(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _columns(record: TrainingRecord) -> dict[str, list[Any]]:
    return {name: [getattr(record, name)] for name in TrainingRecord.__dataclass_fields__}
