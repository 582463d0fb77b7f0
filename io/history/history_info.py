"""``linetwin history info``: what a history holds, in one dict (JSON-ready).

Time range (over samples, production and connection events and alerts),
sessions, rows per table, stations (units inspected and defective), lots
(from the lots table and the lot column of imported inspections) and defect
types with their counts. Times are ISO 8601 in UTC. A generated history also
says what the simulator ran and knew (``simulator``: per generation the setpoint
changes and the truth, from the ``history-generate`` audit entry).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from linetwin.io.history import history_schema as schema
from linetwin.io.history.history_store import HistoryStore

# (table, time column) of every table whose rows happened at an instant of the line
_TIMED = (("signal_samples", "source_time"), ("inspection_events", "time"),
          ("compliance_events", "time"), ("connection_events", "time"), ("alerts", "raised_at"),
          ("lots", '"start"'))


def iso(t: float | None) -> str | None:
    if t is None or t != t:
        return None
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def history_info(store: HistoryStore) -> dict[str, Any]:
    """The summary of ``store`` (open read-only or not)."""
    return {
        "file": str(store.path),
        "schema_version": store.schema_version,
        "time_range": _time_range(store),
        "sessions": [{"id": s["session_id"], "project": s["project_name"], "endpoint": s["endpoint"],
                      "start": iso(s["started_at"]), "stop": iso(s["stopped_at"])}
                     for s in store.sessions()],
        "counts": {table: store.count(table) for table in schema.TABLES},
        "stations": _stations(store),
        "lots": _lots(store),
        "defect_types": {row["defect_type"]: int(row["n"]) for row in store.fetch_dicts(
            "SELECT defect_type, count(*) AS n FROM inspection_events WHERE defect_type IS NOT NULL "
            "GROUP BY defect_type ORDER BY n DESC, defect_type")},
        "simulator": simulator_runs(store),
    }


def simulator_runs(store: HistoryStore) -> list[dict[str, Any]]:
    """What each ``history generate`` into this file ran: session, seed, scenario,
    the setpoint changes and the simulator's truth (expected rates per defect type
    per unit inspected, expected FPY)."""
    return [{key: entry.details.get(key) for key in _RUN_KEYS} for entry in store.audit_entries()
            if entry.user == "simulator" and entry.action == "history-generate" and isinstance(entry.details, dict)]


_RUN_KEYS = ("session_id", "seed", "scenario", "hours", "changes", "truth")


def _time_range(store: HistoryStore) -> dict[str, str] | None:
    union = " UNION ALL ".join(f"SELECT min({col}) AS a, max({col}) AS b FROM {table}" for table, col in _TIMED)
    [row] = store.fetch_dicts(f"SELECT min(a) AS first, max(b) AS last FROM ({union})")
    if row["first"] is None:
        return None
    return {"start": iso(row["first"]), "end": iso(row["last"]),
            "hours": round((row["last"] - row["first"]) / 3600.0, 3)}


def _stations(store: HistoryStore) -> dict[str, dict[str, int]]:
    rows = store.fetch_dicts(
        "SELECT station, count(*) AS units, count(*) FILTER (WHERE result IS DISTINCT FROM 'pass') AS defective "
        "FROM inspection_events GROUP BY station "
        "UNION ALL SELECT station, 0, 0 FROM compliance_events GROUP BY station")
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = out.setdefault(row["station"], {"units": 0, "defective": 0})
        entry["units"] += int(row["units"])
        entry["defective"] += int(row["defective"])
    return dict(sorted(out.items()))


def _lots(store: HistoryStore) -> dict[str, Any]:
    """Every lot named by the lots table or by an inspected unit, first and last by start."""
    rows = store.fetch_dicts(
        "SELECT lot, min(t) AS first_seen, max(t) AS last_seen FROM ("
        " SELECT lot_id AS lot, \"start\" AS t FROM lots UNION ALL"
        " SELECT lot_id, \"end\" FROM lots WHERE \"end\" IS NOT NULL UNION ALL"
        " SELECT lot, time FROM inspection_events WHERE lot IS NOT NULL"
        ") GROUP BY lot ORDER BY first_seen, lot")
    if not rows:
        return {"count": 0, "first": None, "last": None}

    def lot(row: dict[str, Any]) -> dict[str, Any]:
        return {"id": row["lot"], "start": iso(row["first_seen"]), "end": iso(row["last_seen"])}

    return {"count": len(rows), "first": lot(rows[0]), "last": lot(rows[-1])}
