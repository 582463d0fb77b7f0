"""A time range of a recorded history as columnar numpy arrays.

What the history store holds, loaded once (``io/history/replay_load.py``) and
then read with slices and binary searches only: the cursor turns any interval
of it back into the items a live client would have put on the queue, and the
window counts (:mod:`.window_counts`) aggregate it without another query.

Names are coded as small integers (indices into the vocabularies) so a column
is a plain numeric array; -1 means "none" (a pass has no defect type).
Pure: numpy and the twin's own types only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linetwin.twin.production.events import (
    ComplianceEvent, InspectionEvent, InspectionResult, Lot, Severity,
)
from linetwin.twin.updates import ConnectionChange, ValueType, ValueUpdate

RESULTS = tuple(InspectionResult)  # code = index: 0 pass, 1 fail, 2 rework
SEVERITIES = tuple(Severity)  # code = index: 0 minor, 1 major, 2 critical; -1 none
_VALUE_TYPES = {t.value: t for t in ValueType}


@dataclass
class SampleColumns:
    """Signal samples in source-time order (ties in receive order)."""

    time: np.ndarray  # float64, source time
    receive: np.ndarray  # float64
    signal: np.ndarray  # int32, index into ReplayData.signal_ids
    value: np.ndarray  # float64, NaN: none
    status: np.ndarray  # uint32, raw OPC UA StatusCode
    text: np.ndarray | None = None  # object: text of a non-number, None for a plain number
    value_type: np.ndarray | None = None  # object: ValueType value, None for a plain number

    def __len__(self) -> int:
        return len(self.time)


@dataclass
class InspectionColumns:
    """Units inspected, in time order."""

    time: np.ndarray  # float64
    station: np.ndarray  # int16, index into ReplayData.stations
    defect: np.ndarray  # int16, index into ReplayData.defect_types; -1: none
    result: np.ndarray  # int8, index into RESULTS
    severity: np.ndarray  # int8, index into SEVERITIES; -1: none
    lot: np.ndarray  # int32, index into ReplayData.lots; -1: none
    sku: np.ndarray  # int16, index into ReplayData.skus; -1: none
    unit: np.ndarray  # object: unit id
    measured: np.ndarray | None = None  # object: JSON text or None

    def __len__(self) -> int:
        return len(self.time)


@dataclass
class ReplayData:
    """Everything of one history range a replay needs, columnar where it is large."""

    start: float
    end: float
    signal_ids: tuple[str, ...]
    stations: tuple[str, ...]
    defect_types: tuple[str, ...]
    lots: tuple[str, ...]
    skus: tuple[str, ...]
    samples: SampleColumns
    inspections: InspectionColumns
    compliance: list[ComplianceEvent] = field(default_factory=list)  # by time
    lot_rows: list[Lot] = field(default_factory=list)  # by start
    connections: list[ConnectionChange] = field(default_factory=list)  # by time
    alerts: list[dict[str, Any]] = field(default_factory=list)  # as recorded live, by raised_at
    annotations: list[dict[str, Any]] = field(default_factory=list)  # by time
    bookmarks: list[dict[str, Any]] = field(default_factory=list)  # by start

    def __post_init__(self) -> None:
        self._compliance_t = np.array([e.time for e in self.compliance], dtype=np.float64)
        self._connection_t = np.array([c.time for c in self.connections], dtype=np.float64)
        changes = sorted(_lot_changes(self.lot_rows), key=lambda lot: lot.time)
        self._lot_changes = changes
        self._lot_t = np.array([lot.time for lot in changes], dtype=np.float64)

    @property
    def duration(self) -> float:
        return self.end - self.start

    # -- slices (lo, hi]: what happened after lo up to and including hi ---------------

    def values_between(self, lo: float, hi: float) -> list[ValueUpdate]:
        a, b = _bounds(self.samples.time, lo, hi)
        return self.value_updates(np.arange(a, b))

    def value_updates(self, rows: np.ndarray) -> list[ValueUpdate]:
        """The samples at ``rows`` as the ValueUpdates a live client made."""
        s, names = self.samples, self.signal_ids
        columns = (s.signal[rows].tolist(), s.value[rows].tolist(), s.time[rows].tolist(),
                   s.receive[rows].tolist(), s.status[rows].tolist())
        if s.value_type is None:
            return [ValueUpdate(names[i], v, t, r, c) for i, v, t, r, c in zip(*columns)]
        typed = zip(*columns, s.text[rows].tolist(), s.value_type[rows].tolist())
        return [ValueUpdate(names[i], v, t, r, c, text, _VALUE_TYPES.get(vt, ValueType.NUMBER))
                for i, v, t, r, c, text, vt in typed]

    def inspections_between(self, lo: float, hi: float) -> list[InspectionEvent]:
        a, b = _bounds(self.inspections.time, lo, hi)
        return self.inspection_events(np.arange(a, b))

    def inspection_events(self, rows: np.ndarray) -> list[InspectionEvent]:
        c = self.inspections
        measured = c.measured[rows].tolist() if c.measured is not None else [None] * len(rows)
        return [InspectionEvent(t, unit, self._name(self.lots, lot), self._name(self.skus, sku),
                                self.stations[st], RESULTS[res],
                                self.defect_types[d] if d >= 0 else None,
                                SEVERITIES[sev] if sev >= 0 else None, _measured(m))
                for t, unit, lot, sku, st, res, d, sev, m in zip(
                    c.time[rows].tolist(), c.unit[rows].tolist(), c.lot[rows].tolist(),
                    c.sku[rows].tolist(), c.station[rows].tolist(), c.result[rows].tolist(),
                    c.defect[rows].tolist(), c.severity[rows].tolist(), measured)]

    def compliance_between(self, lo: float, hi: float) -> list[ComplianceEvent]:
        a, b = _bounds(self._compliance_t, lo, hi)
        return self.compliance[a:b]

    def connections_between(self, lo: float, hi: float) -> list[ConnectionChange]:
        a, b = _bounds(self._connection_t, lo, hi)
        return self.connections[a:b]

    def lot_changes_between(self, lo: float, hi: float) -> list[Lot]:
        """Lot starts (open Lots) and ends (closed Lots) in ``(lo, hi]``."""
        a, b = _bounds(self._lot_t, lo, hi)
        return self._lot_changes[a:b]

    # -- what held at an instant (priming a seek) -------------------------------------

    def last_samples_at(self, t: float) -> np.ndarray:
        """Rows of each signal's last sample with source time <= ``t`` (signal order)."""
        b = int(np.searchsorted(self.samples.time, t, side="right"))
        signals = self.samples.signal[:b]
        last = np.full(len(self.signal_ids), -1, dtype=np.int64)
        last[signals[::-1]] = np.arange(b - 1, -1, -1)  # reversed: the first write per signal wins
        return last[last >= 0]

    def last_connections_at(self, t: float) -> list[ConnectionChange]:
        _, b = _bounds(self._connection_t, -math.inf, t)
        latest: dict[str, ConnectionChange] = {}
        for change in self.connections[:b]:
            latest[change.endpoint] = change
        return list(latest.values())

    def open_lots_at(self, t: float) -> list[Lot]:
        return [Lot(lot.lot_id, lot.sku, lot.start) for lot in self.lot_rows
                if lot.start <= t and not (lot.end <= t)]

    @staticmethod
    def _name(names: tuple[str, ...], code: int) -> str:
        return names[code] if code >= 0 else ""


def _bounds(times: np.ndarray, lo: float, hi: float) -> tuple[int, int]:
    """Index range of sorted ``times`` in ``(lo, hi]``."""
    return (int(np.searchsorted(times, lo, side="right")), int(np.searchsorted(times, hi, side="right")))


def _lot_changes(rows: list[Lot]) -> list[Lot]:
    for lot in rows:
        yield Lot(lot.lot_id, lot.sku, lot.start)
        if not lot.open:
            yield lot


def _measured(text: Any) -> dict[str, float]:
    if not text:
        return {}
    return text if isinstance(text, dict) else json.loads(text)
