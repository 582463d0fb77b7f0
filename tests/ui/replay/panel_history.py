"""A recorded history for the replay panels: two inspecting stations and a hole.

``record_history`` writes what the demo simulator makes (only the inspection
station inspects). An upstream seal check is added at the sealer for every
other unit (a seal gap on every ninth of those), so a unit's path crosses two
stations and the density colouring has two stations to compare; and one
minute of inspections is deleted, so some FPY bins have no unit at all.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from linetwin.twin.model import Project
from tests.io.history.replay_history import record_history
from tests.twin.streams import T0

SECONDS = 600.0
HOLE = (T0 + 300.0, T0 + 360.0)  # (lo, hi]: no unit inspected at any station
SEAL_CHECK_BEFORE_S = 3.0


def panel_history(project: Project, path: Path, seconds: float = SECONDS) -> Path:
    record_history(project, path, seconds)
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM inspection_events WHERE time > ? AND time <= ?", list(HOLE))
        con.execute(f"""
            INSERT INTO inspection_events (session_id, time, unit_id, lot, sku, station, result,
                                           defect_type, severity, measured)
            SELECT session_id, time - {SEAL_CHECK_BEFORE_S}, unit_id, lot, sku, 'sealer',
                   CASE WHEN k % 9 = 0 THEN 'fail' ELSE 'pass' END,
                   CASE WHEN k % 9 = 0 THEN 'seal_gap' END,
                   CASE WHEN k % 9 = 0 THEN 'major' END, NULL
            FROM (SELECT *, row_number() OVER (ORDER BY time) AS k FROM inspection_events
                  WHERE station = 'inspection')
            WHERE k % 2 = 0 AND time - {SEAL_CHECK_BEFORE_S} NOT BETWEEN {HOLE[0]} AND {HOLE[1]}""")
    return path
