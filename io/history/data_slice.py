"""A time slice of a history: copied into a new history file, or hashed.

An incident package carries the slice ``[lo, hi]`` of every table as a history
of its own (it opens as any other). DuckDB copies it: the source is ATTACHed
read-only and each table goes over with one ``INSERT ... SELECT`` and a time
filter, nothing passes through Python.

What a replay of the slice needs from before ``lo`` comes along too: each
signal's last sample and each endpoint's last connection event at or before
``lo`` (a state signal that last changed hours earlier still has its state),
the lots and alerts still open at ``lo`` and the acknowledgements of every
alert kept. Sessions, imports and the hash-chained audit log are small and are
copied whole (a partial audit chain would no longer verify).

The slice hash (:func:`slice_hash`) is the report's "data hash": a sha256 over
the rows of ``[start, end]`` in a canonical order, the same for the history and
for a package made of it.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import duckdb
import numpy as np

from linetwin.io.history import history_schema as schema
from linetwin.io.history.history_store import HistoryStore

_SRC = "linetwin_src"  # the attached source's name in the copying connection

# table -> its time filter over [$lo, $hi] (columns written as in the table)
_RANGES: dict[str, str] = {
    "signal_samples": "source_time BETWEEN $lo AND $hi",
    "connection_events": "time BETWEEN $lo AND $hi",
    "inspection_events": "time BETWEEN $lo AND $hi",
    "compliance_events": "time BETWEEN $lo AND $hi",
    "annotations": "time BETWEEN $lo AND $hi",
    "lots": "\"start\" <= $hi AND coalesce(\"end\", 'Infinity'::DOUBLE) >= $lo",
    "alerts": "raised_at <= $hi AND coalesce(cleared_at, 'Infinity'::DOUBLE) >= $lo",
    "bookmarks": "\"start\" <= $hi AND \"end\" >= $lo",
}
# table -> (partition, order) of the one row per partition kept from before $lo
_LAST_BEFORE: dict[str, tuple[str, str]] = {
    "signal_samples": ("signal_id", "source_time DESC, receive_time DESC"),
    "connection_events": ("endpoint", "time DESC"),
}
# Small, and what the audit log's entries refer to (model fits, setpoint changes).
_WHOLE = ("sessions", "imports", "audit_log", "whatif_models", "setpoint_proposals")
# Not incident data: people's training records stay out of a package sent around.
_LEFT_OUT = ("training_records",)


class SliceError(Exception):
    """The slice cannot be copied; the message names the file."""


def copy_slice(source: Path, dest: Path, lo: float, hi: float) -> dict[str, int]:
    """Write the history ``dest`` holding ``source``'s slice ``[lo, hi]``; rows per table."""
    HistoryStore(dest).close()  # a new, empty history of the current schema
    con = duckdb.connect(str(dest))
    try:
        try:
            con.execute(f"ATTACH '{_quoted(source)}' AS {_SRC} (READ_ONLY)")
        except duckdb.Error as exc:
            raise SliceError(f"{source}: cannot read the history: {_first_line(exc)}") from None
        present = _present_columns(con)
        con.execute("BEGIN TRANSACTION")
        counts = {table: _copy_table(con, table, present.get(table, set()), lo, hi)
                  for table in schema.TABLES if table in present and table not in _LEFT_OUT}
        con.execute("COMMIT")
        con.execute(f"DETACH {_SRC}")
    except duckdb.Error as exc:
        raise SliceError(f"{dest}: copying the slice failed: {_first_line(exc)}") from None
    finally:
        con.close()
    return counts


def _copy_table(con: duckdb.DuckDBPyConnection, table: str, present: set[str],
                lo: float, hi: float) -> int:
    columns = schema.columns(table)
    select = ", ".join(f'"{c}"' if c in present else f'NULL AS "{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    source = f"{_SRC}.{table}"
    params: dict[str, float] = {}
    if table in _WHOLE:
        query = f"SELECT {select} FROM {source}"
    elif table == "alert_acks":  # the acknowledgements of the alerts kept
        query = (f"SELECT {select} FROM {source} AS ack WHERE EXISTS (SELECT 1 FROM alerts AS kept "
                 "WHERE kept.session_id = ack.session_id AND kept.alert_id = ack.alert_id)")
    else:
        params = {"lo": lo, "hi": hi}
        query = f"SELECT {select} FROM {source} WHERE {_RANGES[table]}"
        if table in _LAST_BEFORE:
            part, order = _LAST_BEFORE[table]
            query += (f" UNION ALL SELECT {names} FROM (SELECT {select}, row_number() OVER "
                      f"(PARTITION BY {part} ORDER BY {order}) AS rank_ FROM {source} "
                      f"WHERE {_RANGES[table].split(' BETWEEN')[0]} < $lo) WHERE rank_ = 1")
    before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.execute(f"INSERT INTO {table} ({names}) {query}", params)
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - before)


def _present_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                       f"WHERE database_name = '{_SRC}'").fetchall()
    present: dict[str, set[str]] = {}
    for table, column in rows:
        present.setdefault(table, set()).add(column)
    return present


# -- the data hash ---------------------------------------------------------------------

# table -> the time filter of its rows "in [start, end]" for the hash
_HASHED: dict[str, str] = {
    "signal_samples": "source_time BETWEEN $lo AND $hi",
    "inspection_events": "time BETWEEN $lo AND $hi",
    "compliance_events": "time BETWEEN $lo AND $hi",
    "connection_events": "time BETWEEN $lo AND $hi",
    "alerts": "raised_at BETWEEN $lo AND $hi",
    "annotations": "time BETWEEN $lo AND $hi",
    "lots": "\"start\" BETWEEN $lo AND $hi",
}


def slice_hash(store: HistoryStore, start: float, end: float) -> str:
    """sha256 (hex) of every row recorded in ``[start, end]``, tables and rows in a fixed order.

    Rows are ordered by all their columns; numbers hash as float64 bytes, other
    values as JSON. Columns an older file lacks hash as NULL, as in a new file.
    """
    digest = hashlib.sha256()
    params = {"lo": float(start), "hi": float(end)}
    for table, where in _HASHED.items():
        columns = schema.columns(table)
        select = ", ".join(f'"{c}"' if store.has_column(table, c) else f'NULL AS "{c}"'
                           for c in columns)
        cols = store.fetch_numpy(f"SELECT {select} FROM {table} WHERE {where} "
                                 f"ORDER BY ALL", params)
        digest.update(f"{table}:{len(cols[columns[0]]) if cols else 0}\n".encode())
        for name in columns:
            digest.update(name.encode() + b"=")
            digest.update(_column_bytes(cols[name]))
    return digest.hexdigest()


def _column_bytes(values: np.ndarray) -> bytes:
    if values.dtype.kind in "fiub":
        return np.ascontiguousarray(values, dtype="<f8").tobytes()
    return json.dumps([_plain(v) for v in values.tolist()], separators=(",", ":")).encode()


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
