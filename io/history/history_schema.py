"""The tables of a LineTwin history store (DESIGN section 4) and their versioning.

Time representation
-------------------
Every time column is a ``DOUBLE`` holding POSIX seconds (UTC), exactly the
floats of :class:`~linetwin.twin.updates.ValueUpdate`. Why not ``TIMESTAMPTZ``:
a float round-trips bit for bit (a timestamp keeps microseconds only), replay
reads it straight into numpy with no conversion, and comparing times is plain
arithmetic. In SQL, ``to_timestamp(source_time)`` shows one as a timestamp.

Missing values are SQL ``NULL``; a NaN sample value (a Bad reading with no
value) is stored as ``NULL`` too and read back as NaN.

Versioning
----------
``schema_version`` holds one row per schema applied to the file. A file whose
highest version is newer than :data:`SCHEMA_VERSION` was written by a newer
LineTwin and is refused rather than misread. Older files opened for writing are
upgraded in place by adding columns (:data:`UPGRADES`, never destructive);
opened read-only they are read as they are, missing columns as NULL.

Version 2 added ``signal_samples.value_text`` and ``value_type``: a sample
that is not a plain number keeps its type (``boolean``, ``enum``, ``datetime``,
``text``) and its text (enumeration name, ISO 8601 time, the string); both are
NULL for a plain number, as in every version 1 row.

Version 3 gave the production tables the columns the twin's events carry
(:mod:`linetwin.twin.production.events`): ``inspection_events`` gained
``session_id``, ``sku``, ``result`` and ``measured``; ``compliance_events``
became operator steps (operator, role, SOP id and step, action, ok, reason);
a ``lots`` table holds one row per lot. No version 2 file ever held a row in
either production table, so the old compliance columns (a process window per
unit) stay in an upgraded file, unused, rather than being dropped.

Version 4 is for investigations (replay): ``annotations`` are anchored to a
station and a unit as well as a time (``station``, ``unit_id``) and carry when
they were written (``created_at``); ``bookmarks`` keep a time range with the
camera, the selection and a note; ``imports`` remember each plant export
imported (by content hash) so importing the same file twice adds nothing.

Version 5 added ``training_records`` (issue 9): one row per SOP training
session, the result as canonical JSON with its sha256, and the trainer's
sign-off (see :mod:`linetwin.io.training.records`). A new table only: an older
file opened for writing gets it created, nothing else changes.

Version 6 added ``setpoint_proposals`` (issue 10): one row per guarded setpoint
change, its state replaced as it is approved, written, rolled back or rejected
(see :mod:`linetwin.io.setpoint.proposal_store`); every step of it is also in the
hash-chained ``audit_log``, which is the record to trust. It also added
``whatif_models``, the registry of what-if models fitted on the history
(:mod:`linetwin.io.whatif.model_registry`). New tables only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np

SCHEMA_VERSION = 6

# version -> the statements that bring a file of the version before up to it
UPGRADES: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE signal_samples ADD COLUMN IF NOT EXISTS value_text VARCHAR",
        "ALTER TABLE signal_samples ADD COLUMN IF NOT EXISTS value_type VARCHAR"),
    3: tuple(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS \"{column}\" {sql_type}"
             for table, added in (
                 ("inspection_events", (("session_id", "INTEGER"), ("sku", "VARCHAR"),
                                        ("result", "VARCHAR"), ("measured", "JSON"))),
                 ("compliance_events", (("session_id", "INTEGER"), ("operator", "VARCHAR"),
                                        ("role", "VARCHAR"), ("sop_id", "VARCHAR"),
                                        ("step", "VARCHAR"), ("action", "VARCHAR"),
                                        ("ok", "BOOLEAN"), ("reason", "VARCHAR"))))
             for column, sql_type in added),
    4: tuple(f"ALTER TABLE annotations ADD COLUMN IF NOT EXISTS \"{column}\" {sql_type}"
             for column, sql_type in (("station", "VARCHAR"), ("unit_id", "VARCHAR"),
                                      ("created_at", "DOUBLE"))),
    5: (),  # training_records is a new table: prepare() creates missing tables
    6: (),  # setpoint_proposals is a new table, as 5
}

# table -> ((column, SQL type), ...), in column order. The types decide the
# numpy dtype a bulk insert converts each column to (see NUMPY_TYPES).
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "sessions": (  # one row per recording; stopped_at NULL: it ended abruptly
        ("session_id", "INTEGER"), ("project_name", "VARCHAR"), ("project_path", "VARCHAR"),
        ("endpoint", "VARCHAR"), ("started_at", "DOUBLE"), ("stopped_at", "DOUBLE"),
    ),
    "signal_samples": (  # every received value, not only the latest per tick
        ("signal_id", "VARCHAR"), ("value", "DOUBLE"), ("source_time", "DOUBLE"),
        ("receive_time", "DOUBLE"), ("status_code", "UINTEGER"),  # raw OPC UA StatusCode
        ("quality", "TINYINT"),  # linetwin.twin.updates.Quality: 0 good, 1 uncertain, 2 bad
        ("value_text", "VARCHAR"),  # since version 2: enumeration name, ISO time, the string
        ("value_type", "VARCHAR"),  # since version 2: linetwin.twin.updates.ValueType; NULL: number
    ),
    "alerts": (  # one row per alert of a session: its latest state (upserted)
        ("session_id", "INTEGER"),  # alert ids restart with every session
        ("alert_id", "VARCHAR"), ("key", "VARCHAR"),  # key: the condition, e.g. limit-low:<signal>
        ("asset_id", "VARCHAR"), ("signal_id", "VARCHAR"), ("rule", "VARCHAR"),
        ("severity", "VARCHAR"), ("state", "VARCHAR"), ("message", "VARCHAR"),
        ("value", "DOUBLE"), ("worst", "DOUBLE"),
        ("limit_value", "DOUBLE"),  # "limit" is an SQL keyword
        ("raised_at", "DOUBLE"), ("updated_at", "DOUBLE"), ("cleared_at", "DOUBLE"),
        ("count", "INTEGER"), ("details", "JSON"),
    ),
    "alert_acks": (
        ("session_id", "INTEGER"), ("alert_id", "VARCHAR"), ("user", "VARCHAR"),
        ("comment", "VARCHAR"), ("acked_at", "DOUBLE"),
    ),
    "connection_events": (  # state: disconnected, connecting, connected, lost
        ("session_id", "INTEGER"), ("endpoint", "VARCHAR"), ("state", "VARCHAR"),
        ("message", "VARCHAR"), ("time", "DOUBLE"),
    ),
    "inspection_events": (  # one unit at one station; defect_type NULL: it passed
        ("session_id", "INTEGER"), ("time", "DOUBLE"), ("unit_id", "VARCHAR"), ("lot", "VARCHAR"),
        ("sku", "VARCHAR"), ("station", "VARCHAR"),
        ("result", "VARCHAR"),  # linetwin.twin.production.events.InspectionResult: pass, fail, rework
        ("defect_type", "VARCHAR"),
        ("severity", "VARCHAR"),  # minor, major, critical; NULL for a pass
        ("measured", "JSON"),  # {name: value} the inspection took
    ),
    "compliance_events": (  # one operator step of a procedure; ok false: a violation
        ("session_id", "INTEGER"), ("time", "DOUBLE"), ("station", "VARCHAR"),
        ("operator", "VARCHAR"), ("role", "VARCHAR"), ("sop_id", "VARCHAR"), ("step", "VARCHAR"),
        ("action", "VARCHAR"), ("ok", "BOOLEAN"), ("reason", "VARCHAR"),
    ),
    "lots": (  # one row per lot of a session; "end" NULL: still running when last written
        ("session_id", "INTEGER"), ("lot_id", "VARCHAR"), ("sku", "VARCHAR"),
        ("start", "DOUBLE"), ("end", "DOUBLE"),
    ),
    "annotations": (  # a note anchored to an instant, and optionally a station and a unit
        ("time", "DOUBLE"), ("author", "VARCHAR"), ("text", "VARCHAR"), ("asset_id", "VARCHAR"),
        ("station", "VARCHAR"), ("unit_id", "VARCHAR"),  # since version 4
        ("created_at", "DOUBLE"),  # since version 4: when it was written
    ),
    "bookmarks": (  # since version 4: what an investigator marked, to reopen it as it was
        ("bookmark_id", "INTEGER"), ("start", "DOUBLE"), ("end", "DOUBLE"),
        ("camera", "JSON"),  # {"position": [x,y,z], "focal_point": [...], "view_up": [...]}
        ("selection", "VARCHAR"),  # the selected asset id, NULL: none
        ("note", "VARCHAR"), ("author", "VARCHAR"), ("created_at", "DOUBLE"),
    ),
    "imports": (  # since version 4: one row per plant export imported
        ("import_id", "INTEGER"), ("file", "VARCHAR"), ("sha256", "VARCHAR"), ("rows", "BIGINT"),
        ("skipped", "BIGINT"), ("session_id", "INTEGER"), ("imported_at", "DOUBLE"),
    ),
    "training_records": (  # since version 5: one SOP session of one trainee, and its sign-off
        ("record_id", "VARCHAR"),  # TR-<first 10 hex of record_hash>
        ("sop_id", "VARCHAR"), ("sop_version", "VARCHAR"), ("title", "VARCHAR"),
        ("trainee", "VARCHAR"), ("trainee_role", "VARCHAR"), ("mode", "VARCHAR"),
        ("passed", "BOOLEAN"), ("score", "DOUBLE"), ("started_at", "DOUBLE"), ("ended_at", "DOUBLE"),
        ("result_json", "VARCHAR"),  # canonical JSON (sorted keys) of TrainingResult.as_json()
        ("record_hash", "VARCHAR"),  # sha256 of result_json
        ("certification_days", "DOUBLE"),  # the SOP's, when stored; NULL: no expiry
        ("stored_at", "DOUBLE"),
        ("signed_by", "VARCHAR"), ("signer_role", "VARCHAR"), ("signed_at", "DOUBLE"),
        ("sign_comment", "VARCHAR"), ("signature_hash", "VARCHAR"),
        ("expires_at", "DOUBLE"),  # signed_at + certification_days; NULL until signed
    ),
    "setpoint_proposals": (  # since version 6: one guarded setpoint change and its fate
        ("proposal_id", "VARCHAR"),  # SP-0001, ...
        ("created_at", "DOUBLE"), ("proposer", "VARCHAR"), ("signal_id", "VARCHAR"),
        ("node", "VARCHAR"),  # the node written: the signal's setpoint node, else its own
        ("change", "VARCHAR"),  # as asked: sealer.dwell_time=-10%
        ("new_value", "DOUBLE"),  # the absolute value to write
        ("reason", "VARCHAR"),
        ("old_value", "DOUBLE"),  # what the line held when proposed; NULL: not read
        ("certified_low", "DOUBLE"), ("certified_high", "DOUBLE"),
        ("whatif", "JSON"),  # summary of the what-if result it rests on
        ("model_version", "VARCHAR"), ("model_hash", "VARCHAR"),
        ("guards", "JSON"),  # [{"signal", "low", "high"}, ...]
        ("watch_s", "DOUBLE"),
        ("status", "VARCHAR"),  # proposed, approved, rejected, written, rolled-back, failed
        ("approver", "VARCHAR"), ("decided_at", "DOUBLE"),
        ("outcome", "VARCHAR"),  # why it ended so: the rejection reason, the rollback cause
        ("written_old", "DOUBLE"), ("read_back", "DOUBLE"),
    ),
    "whatif_models": (  # since version 6: the what-if models fitted on this history (a registry)
        ("model_hash", "VARCHAR"),  # sha256 of the model file's body: which exact model
        ("version", "VARCHAR"), ("station", "VARCHAR"), ("created_at", "DOUBLE"),
        ("fitted_by", "VARCHAR"), ("path", "VARCHAR"),  # where it was written
        ("data_hash", "VARCHAR"), ("data_first", "DOUBLE"), ("data_last", "DOUBLE"),
        ("units", "BIGINT"), ("card", "JSON"),  # the model card: features, metrics, coverage
    ),
    "audit_log": (  # append-only, hash-chained: see linetwin.io.history.history_audit
        ("seq", "BIGINT"), ("time", "DOUBLE"), ("user", "VARCHAR"), ("action", "VARCHAR"),
        ("details", "JSON"), ("prev_hash", "VARCHAR"), ("hash", "VARCHAR"),
    ),
}

# Rows with these keys replace the stored row of the same key (INSERT OR REPLACE).
UPSERT_KEYS: dict[str, tuple[str, ...]] = {"alerts": ("session_id", "alert_id"),
                                           "lots": ("session_id", "lot_id"),
                                           "bookmarks": ("bookmark_id",),
                                           "training_records": ("record_id",),
                                           "setpoint_proposals": ("proposal_id",)}

# Constraints kept apart from TABLES so the column lists stay plain data.
_CONSTRAINTS: dict[str, str] = {
    "sessions": "PRIMARY KEY (session_id)",
    "alerts": "PRIMARY KEY (session_id, alert_id)",  # a cleared alert replaces its raised row
    "audit_log": "PRIMARY KEY (seq)",
    "lots": "PRIMARY KEY (session_id, lot_id)",  # a lot's end replaces its open row
    "bookmarks": "PRIMARY KEY (bookmark_id)",  # an edited bookmark replaces its row
    "imports": "PRIMARY KEY (import_id)",
    "training_records": "PRIMARY KEY (record_id)",  # the sign-off replaces the unsigned row
    "setpoint_proposals": "PRIMARY KEY (proposal_id)",  # each decision replaces the row
}
_NOT_NULL = {"signal_id", "source_time", "receive_time", "status_code", "quality"}

NUMPY_TYPES = {
    "DOUBLE": "float64", "UINTEGER": "uint32", "TINYINT": "int8", "INTEGER": "int32",
    "BIGINT": "int64", "BOOLEAN": "bool", "VARCHAR": "object", "JSON": "object",
}


class SchemaProblem(Exception):
    """The file is a DuckDB database but not one this LineTwin can use."""


def columns(table: str) -> tuple[str, ...]:
    return tuple(name for name, _ in TABLES[table])


def as_arrays(table: str, cols: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``cols`` as numpy arrays of the table's column types, in table order."""
    expected = TABLES[table]
    names = {name for name, _ in expected}
    if set(cols) != names:
        missing, extra = sorted(names - set(cols)), sorted(set(cols) - names)
        raise ValueError(f"{table}: columns do not match (missing {missing}, unknown {extra})")
    batch = {}
    for name, sql_type in expected:
        dtype = NUMPY_TYPES[sql_type]
        values = cols[name]
        if dtype == "float64" and not isinstance(values, np.ndarray):
            values = [np.nan if v is None else v for v in values]  # None -> NULL via NaN
        batch[name] = np.asarray(values, dtype=dtype)
    if len({len(a) for a in batch.values()}) > 1:
        raise ValueError(f"{table}: columns differ in length")
    if table in UPSERT_KEYS:
        batch = _last_per_key(batch, UPSERT_KEYS[table])
    return batch


def _last_per_key(batch: dict[str, np.ndarray], key: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Keep the last row of each key: one statement may not replace a row twice."""
    keys = list(zip(*(batch[k].tolist() for k in key)))
    last = {k: i for i, k in enumerate(keys)}
    if len(last) == len(keys):
        return batch
    keep = np.array(sorted(last.values()), dtype=np.intp)
    return {name: values[keep] for name, values in batch.items()}


def create_table_sql(table: str) -> str:
    parts = []
    for name, sql_type in TABLES[table]:
        not_null = " NOT NULL" if table == "signal_samples" and name in _NOT_NULL else ""
        parts.append(f'"{name}" {sql_type}{not_null}')
    if table in _CONSTRAINTS:
        parts.append(_CONSTRAINTS[table])
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(parts)})"


def prepare(con: duckdb.DuckDBPyConnection, read_only: bool, app: str = "linetwin") -> int:
    """Create the tables in a new file or check an existing one; its schema version.

    Raises
    ------
    SchemaProblem
        the file holds other tables, or was written by a newer schema.
    """
    existing = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    if not existing:
        if read_only:
            raise SchemaProblem("it is an empty database, not a LineTwin history")
        _create(con, app)
        return SCHEMA_VERSION
    if "schema_version" not in existing:
        raise SchemaProblem("it is a DuckDB database but not a LineTwin history (no schema_version table)")
    version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
    if version > SCHEMA_VERSION:
        raise SchemaProblem(
            f"it was written by a newer LineTwin (history schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}): open it with that version or newer")
    missing = [t for t in TABLES if t not in existing]
    if missing and not read_only:  # a table added since: create it (no destructive upgrades)
        for table in missing:
            con.execute(create_table_sql(table))
    if version < SCHEMA_VERSION and not read_only:
        _upgrade(con, int(version), app)
        return SCHEMA_VERSION
    return int(version)


def _upgrade(con: duckdb.DuckDBPyConnection, version: int, app: str) -> None:
    """Apply :data:`UPGRADES` after ``version`` in one transaction: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in UPGRADES.get(target, ()):
                con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [target, app, time.time()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _create(con: duckdb.DuckDBPyConnection, app: str) -> None:
    """All tables and the version row in one transaction: a new file is whole or empty."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, written_by VARCHAR, applied_at DOUBLE)")
        for table in TABLES:
            con.execute(create_table_sql(table))
        con.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [SCHEMA_VERSION, app, time.time()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
