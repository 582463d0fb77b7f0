"""Next and previous inspection event matching a filter: "the next seal gap on lot B".

The filter becomes one boolean mask over the inspection columns (vectorised,
cached until the filter changes); the next match after an instant is then a
binary search in the matching times.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from linetwin.twin.production.events import InspectionResult
from linetwin.twin.replay.replay_data import RESULTS, SEVERITIES, ReplayData


@dataclass(frozen=True)
class EventFilter:
    """Which inspection events to step through; an empty set means "any".

    ``defective_only``: skip units that passed (the default: an investigator
    steps through defects).
    """

    defect_types: frozenset[str] = frozenset()
    stations: frozenset[str] = frozenset()
    lots: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    defective_only: bool = True

    @classmethod
    def of(cls, defect_types: Collection[str] = (), stations: Collection[str] = (),
           lots: Collection[str] = (), severities: Collection[str] = (),
           defective_only: bool = True) -> "EventFilter":
        return cls(frozenset(defect_types), frozenset(stations), frozenset(lots),
                   frozenset(severities), defective_only)


class EventSearch:
    """Finds matching inspection events around an instant in one loaded range."""

    def __init__(self, data: ReplayData) -> None:
        self.data = data
        self._cached: tuple[EventFilter, np.ndarray] | None = None

    def rows(self, flt: EventFilter) -> np.ndarray:
        """Rows (time order) of the events ``flt`` matches."""
        if self._cached is not None and self._cached[0] == flt:
            return self._cached[1]
        c, d = self.data.inspections, self.data
        mask = np.ones(len(c), dtype=bool)
        if flt.defective_only:
            mask &= c.result != RESULTS.index(InspectionResult.PASS)
        for codes, names, vocabulary in ((c.defect, flt.defect_types, d.defect_types),
                                         (c.station, flt.stations, d.stations),
                                         (c.lot, flt.lots, d.lots)):
            if names:
                mask &= np.isin(codes, [i for i, name in enumerate(vocabulary) if name in names])
        if flt.severities:
            mask &= np.isin(c.severity, [i for i, s in enumerate(SEVERITIES) if s.value in flt.severities])
        rows = np.flatnonzero(mask)
        self._cached = (flt, rows)
        return rows

    def next_after(self, t: float, flt: EventFilter) -> int | None:
        """Row of the first matching event strictly after ``t``, or None."""
        rows = self.rows(flt)
        i = int(np.searchsorted(self.data.inspections.time[rows], t, side="right"))
        return int(rows[i]) if i < len(rows) else None

    def previous_before(self, t: float, flt: EventFilter) -> int | None:
        """Row of the last matching event strictly before ``t``, or None."""
        rows = self.rows(flt)
        i = int(np.searchsorted(self.data.inspections.time[rows], t, side="left"))
        return int(rows[i - 1]) if i > 0 else None

    def unit_path(self, unit_id: str) -> np.ndarray:
        """Rows of every inspection of ``unit_id``, in time order: its path through the stations."""
        return np.flatnonzero(self.data.inspections.unit == unit_id)

    def lot_rows(self, lot: str, defective_only: bool = False) -> np.ndarray:
        return self.rows(EventFilter.of(lots=[lot], defective_only=defective_only))
