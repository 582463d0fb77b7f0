"""Loading a time range of a history into the replay's columnar arrays.

DuckDB does the work it is good at: it filters the range, sorts it and codes
every name (station, defect type, lot, signal) as its index in a vocabulary
with ``list_position``, so the result arrives as plain numeric numpy columns
(``fetchnumpy``) and nothing is converted row by row in Python. The small
tables (connections, operator steps, lots, alerts, notes, bookmarks) come as
rows.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from linetwin.io.history.history_store import HistoryStore
from linetwin.twin.model import Project
from linetwin.twin.production.events import ComplianceEvent, Lot
from linetwin.twin.replay.replay_data import (
    RESULTS, SEVERITIES, InspectionColumns, ReplayData, SampleColumns,
)
from linetwin.twin.updates import ConnectionChange, ConnectionState

_RESULT_NAMES = [r.value for r in RESULTS]
_SEVERITY_NAMES = [s.value for s in SEVERITIES]


class ReplayLoadError(Exception):
    """The history holds nothing to replay in the range; the message names the file."""


def load_replay(store: HistoryStore, project: Project, start: float | None = None,
                end: float | None = None, measured: bool = True) -> ReplayData:
    """Everything in ``[start, end]`` (default: the whole history) as a :class:`ReplayData`.

    ``measured``: also load each unit's measured values (JSON text per row;
    leave out for very large ranges that only need counts).
    """
    lo = -math.inf if start is None else float(start)
    hi = math.inf if end is None else float(end)
    first, last = _extent(store, lo, hi)
    if first is None:
        raise ReplayLoadError(f"{store.path}: nothing recorded"
                              + ("" if start is None and end is None else " in the range asked for"))
    vocab = _vocabularies(store, project, lo, hi)
    samples = _samples(store, vocab["signals"], lo, hi)
    inspections = _inspections(store, vocab, lo, hi, measured)
    return ReplayData(
        start=first, end=last, signal_ids=tuple(vocab["signals"]), stations=tuple(vocab["stations"]),
        defect_types=tuple(vocab["defect_types"]), lots=tuple(vocab["lots"]), skus=tuple(vocab["skus"]),
        samples=samples, inspections=inspections,
        compliance=_compliance(store, lo, hi), lot_rows=_lots(store, lo, hi),
        connections=_connections(store, lo, hi), alerts=store.alerts(
            None if start is None else lo, None if end is None else math.nextafter(hi, math.inf)),
        annotations=_annotations(store, lo, hi), bookmarks=load_bookmarks(store))


def load_bookmarks(store: HistoryStore) -> list[dict[str, Any]]:
    """Bookmarks by start; ``camera`` parsed (None when not kept). [] in a file older than schema 4."""
    if not store.has_column("bookmarks", "bookmark_id"):
        return []
    rows = store.fetch_dicts('SELECT * FROM bookmarks ORDER BY "start", bookmark_id')
    for row in rows:
        row["camera"] = json.loads(row["camera"]) if row["camera"] else None
    return rows


def _extent(store: HistoryStore, lo: float, hi: float) -> tuple[float | None, float | None]:
    parts = [f"SELECT min({c}) AS a, max({c}) AS b FROM {t} WHERE {c} BETWEEN $lo AND $hi"
             for t, c in (("signal_samples", "source_time"), ("inspection_events", "time"),
                          ("connection_events", "time"), ("compliance_events", "time"))]
    [row] = store.fetch_dicts(f"SELECT min(a) AS a, max(b) AS b FROM ({' UNION ALL '.join(parts)})",
                              {"lo": lo, "hi": hi})
    return row["a"], row["b"]


def _names(store: HistoryStore, sql: str, params: dict[str, Any]) -> list[str]:
    return [row["name"] for row in store.fetch_dicts(sql, params) if row["name"] is not None]


def _vocabularies(store: HistoryStore, project: Project, lo: float, hi: float) -> dict[str, list[str]]:
    """Names to code, the project's own first (its order), then any others the file holds."""
    p = {"lo": lo, "hi": hi}
    signals = _extend([s.id for s in project.signals], _names(
        store, "SELECT DISTINCT signal_id AS name FROM signal_samples "
        "WHERE source_time BETWEEN $lo AND $hi ORDER BY 1", p))
    known = _project_stations(project)
    stations = _extend([a.id for a in project.assets if a.id in known], _names(
        store, "SELECT DISTINCT station AS name FROM inspection_events "
        "WHERE time BETWEEN $lo AND $hi ORDER BY 1", p))
    in_range = "FROM inspection_events WHERE time BETWEEN $lo AND $hi"
    return {
        "signals": signals,
        "stations": stations,
        "defect_types": _names(store, f"SELECT DISTINCT defect_type AS name {in_range} ORDER BY 1", p),
        "lots": _extend(_names(store, 'SELECT lot_id AS name FROM lots GROUP BY lot_id '
                               'ORDER BY min("start"), lot_id', {}),
                        _names(store, f"SELECT lot AS name {in_range} GROUP BY lot ORDER BY min(time)", p)),
        "skus": _names(store, f"SELECT DISTINCT sku AS name {in_range} ORDER BY 1", p),
    }


def _project_stations(project: Project) -> set[str]:
    """Assets a signal or an event can belong to: those with a mesh or signals of their own."""
    return {s.asset for s in project.signals} | {a.id for a in project.assets if a.mesh}


def _extend(first: list[str], more: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *more]))


def _samples(store: HistoryStore, signals: list[str], lo: float, hi: float) -> SampleColumns:
    typed = store.has_column("signal_samples", "value_type")
    extra = ", value_text, value_type" if typed else ""
    cols = store.fetch_numpy(
        "SELECT source_time, receive_time, CAST(list_position($names, signal_id) - 1 AS INTEGER) AS signal, "
        f"coalesce(value, 'NaN'::DOUBLE) AS value, status_code{extra} FROM signal_samples "
        "WHERE source_time BETWEEN $lo AND $hi ORDER BY source_time, receive_time",
        {"names": signals, "lo": lo, "hi": hi})
    text = cols.get("value_text")
    has_types = text is not None and any(v is not None for v in cols["value_type"])
    return SampleColumns(
        time=_f64(cols["source_time"]), receive=_f64(cols["receive_time"]),
        signal=cols["signal"].astype(np.int32), value=_f64(cols["value"]),
        status=cols["status_code"].astype(np.uint32),
        text=text if has_types else None, value_type=cols["value_type"] if has_types else None)


def _inspections(store: HistoryStore, vocab: dict[str, list[str]], lo: float, hi: float,
                 measured: bool) -> InspectionColumns:
    def code(column: str, names: str) -> str:
        return f"CAST(coalesce(list_position(${names}, {column}), 0) - 1 AS INTEGER)"

    cols = store.fetch_numpy(
        f"SELECT time, {code('station', 'stations')} AS station, {code('defect_type', 'types')} AS defect, "
        f"{code('result', 'results')} AS result, {code('severity', 'severities')} AS severity, "
        f"{code('lot', 'lots')} AS lot, {code('sku', 'skus')} AS sku, unit_id"
        + (", CAST(measured AS VARCHAR) AS measured" if measured else "")
        + " FROM inspection_events WHERE time BETWEEN $lo AND $hi ORDER BY time",
        {"stations": vocab["stations"], "types": vocab["defect_types"], "results": _RESULT_NAMES,
         "severities": _SEVERITY_NAMES, "lots": vocab["lots"], "skus": vocab["skus"],
         "lo": lo, "hi": hi})
    return InspectionColumns(
        time=_f64(cols["time"]), station=cols["station"].astype(np.int16),
        defect=cols["defect"].astype(np.int16), result=np.maximum(cols["result"], 0).astype(np.int8),
        severity=cols["severity"].astype(np.int8), lot=cols["lot"].astype(np.int32),
        sku=cols["sku"].astype(np.int16),
        unit=np.asarray(cols["unit_id"], dtype=object),  # no copy: already objects (10M rows: 80 ms)
        measured=cols.get("measured"))


def _compliance(store: HistoryStore, lo: float, hi: float) -> list[ComplianceEvent]:
    rows = store.fetch_dicts(
        "SELECT time, station, operator, role, sop_id, step, action, ok, reason FROM compliance_events "
        "WHERE time BETWEEN $lo AND $hi ORDER BY time", {"lo": lo, "hi": hi})
    return [ComplianceEvent(r["time"], r["station"] or "", r["operator"] or "", r["role"] or "",
                            r["sop_id"] or "", r["step"] or "", r["action"] or "",
                            bool(r["ok"]) if r["ok"] is not None else True, r["reason"] or "")
            for r in rows]


def _lots(store: HistoryStore, lo: float, hi: float) -> list[Lot]:
    """Lots that overlap the range (one row per lot: the latest session's wins)."""
    rows = store.fetch_dicts(
        'SELECT lot_id, arg_max(sku, session_id) AS sku, arg_max("start", session_id) AS s, '
        'arg_max("end", session_id) AS e FROM lots GROUP BY lot_id '
        'HAVING s <= $hi AND coalesce(e, \'Infinity\'::DOUBLE) >= $lo ORDER BY s, lot_id',
        {"lo": lo, "hi": hi})
    return [Lot(r["lot_id"], r["sku"] or "", r["s"], math.nan if r["e"] is None else r["e"]) for r in rows]


def _connections(store: HistoryStore, lo: float, hi: float) -> list[ConnectionChange]:
    rows = store.fetch_dicts("SELECT endpoint, state, message, time FROM connection_events "
                             "WHERE time BETWEEN $lo AND $hi ORDER BY time", {"lo": lo, "hi": hi})
    return [ConnectionChange(r["endpoint"], ConnectionState[r["state"].upper()], r["message"] or "",
                             r["time"]) for r in rows if r["state"] and r["state"].upper() in
            ConnectionState.__members__]


def _annotations(store: HistoryStore, lo: float, hi: float) -> list[dict[str, Any]]:
    present = [c for c in ("station", "unit_id", "created_at") if store.has_column("annotations", c)]
    extra = "".join(f", {c}" for c in present)
    rows = store.fetch_dicts(f"SELECT time, author, text, asset_id{extra} FROM annotations "
                             "WHERE time BETWEEN $lo AND $hi ORDER BY time", {"lo": lo, "hi": hi})
    for row in rows:
        for column in ("station", "unit_id", "created_at"):
            row.setdefault(column, None)
    return rows


def _f64(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)
