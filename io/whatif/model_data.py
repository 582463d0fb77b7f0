"""What a what-if model is fitted on: each unit inspected at a station, its defect
type, and the process values at the moment it was inspected.

The process values come from the history's own signal samples (an as-of join:
the latest Good sample of each signal at or before the unit's time), so a plant
history with samples and inspection events but no ``measured`` column is fitted
the same way as a generated one. A sample older than :data:`MAX_SAMPLE_AGE_S`
at the unit's time is a data gap: that unit is left out rather than given a
value the line may no longer have had.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from linetwin.io.history.history_store import HistoryStore
from linetwin.twin.model import Project, SignalKind
from linetwin.twin.whatif.unit_table import UnitTable

MAX_SAMPLE_AGE_S = 10.0
_GOOD = 0  # linetwin.twin.updates.Quality.GOOD as stored


class ModelDataError(Exception):
    """The history cannot be fitted on; the message names the file and why."""


def process_signals(project: Project, station: str) -> list[str]:
    """The analog signals a defect at ``station`` may depend on: every analog
    signal of the line except the inspecting station's own."""
    return [s.id for s in project.signals if s.kind == SignalKind.ANALOG and s.asset != station]


def inspecting_stations(store: HistoryStore) -> list[str]:
    rows = store._query("SELECT DISTINCT station FROM inspection_events ORDER BY station")  # noqa: SLF001
    return [r[0] for r in rows]


def load_model_data(path: Path, project: Project, station: str | None = None) -> UnitTable:
    """The units of ``station`` (default: the only inspecting station) in the history at ``path``."""
    if not path.exists():
        raise ModelDataError(f"{path}: no such history file")
    try:
        store = HistoryStore(path, read_only=True)
    except Exception as exc:  # noqa: BLE001 - the store's message names the problem
        raise ModelDataError(f"{path}: {exc}") from None
    with store:
        station = _station(store, path, station)
        times, codes, types = _units(store, station)
        if len(times) == 0:
            raise ModelDataError(f"{path}: no inspection events at {station}")
        features: dict[str, np.ndarray] = {}
        for signal_id in process_signals(project, station):
            values = _as_of(store, signal_id, station)
            if np.isfinite(values).any():
                features[signal_id] = values
    if not features:
        raise ModelDataError(f"{path}: no process values were recorded beside the inspections at {station}")
    complete = np.logical_and.reduce([np.isfinite(v) for v in features.values()])
    return UnitTable(station, times[complete], codes[complete], types,
                     {k: v[complete] for k, v in features.items()}, int((~complete).sum()), path.name)


def _station(store: HistoryStore, path: Path, station: str | None) -> str:
    stations = inspecting_stations(store)
    if not stations:
        raise ModelDataError(f"{path}: the history holds no inspection events to fit on")
    if station is None:
        if len(stations) > 1:
            raise ModelDataError(f"{path}: inspections at {', '.join(stations)}: choose one with --station")
        return stations[0]
    if station not in stations:
        raise ModelDataError(f"{path}: no inspection events at {station!r} (there are: {', '.join(stations)})")
    return station


def _units(store: HistoryStore, station: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    rows = store._query(  # noqa: SLF001 - one read-only query of the store's own file
        "SELECT time, defect_type FROM inspection_events WHERE station = ? ORDER BY time, unit_id",
        [station])
    times = np.array([r[0] for r in rows], dtype=np.float64)
    types = tuple(sorted({r[1] for r in rows if r[1] is not None}))
    index = {name: i for i, name in enumerate(types)}
    codes = np.array([index[r[1]] if r[1] is not None else -1 for r in rows], dtype=np.int64)
    return times, codes, types


def _as_of(store: HistoryStore, signal_id: str, station: str) -> np.ndarray:
    """The latest Good sample of ``signal_id`` at or before each unit's time; NaN for a gap."""
    rows = store._query(  # noqa: SLF001
        """
        WITH units AS (SELECT time, unit_id FROM inspection_events WHERE station = ?),
             samples AS (SELECT source_time, value FROM signal_samples
                         WHERE signal_id = ? AND quality = ? AND value IS NOT NULL)
        SELECT units.time, samples.source_time, samples.value
        FROM units ASOF LEFT JOIN samples ON units.time >= samples.source_time
        ORDER BY units.time, units.unit_id
        """, [station, signal_id, _GOOD])
    if not rows:
        return np.zeros(0)
    data = np.array([(r[0], np.nan if r[1] is None else r[1], np.nan if r[2] is None else r[2])
                     for r in rows], dtype=np.float64)
    stale = ~(data[:, 0] - data[:, 1] <= MAX_SAMPLE_AGE_S)  # NaN (no sample yet) is stale too
    values = data[:, 2].copy()
    values[stale] = np.nan
    return values
