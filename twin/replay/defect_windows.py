"""Defect and yield aggregates of a replay for any window, at a constant cost.

The investigator's questions: how many seal gaps did each station find in the
hour before this instant, what was the first-pass yield (FPY) per station and
per lot, how did it move over the shift. Each is a set of prefix counts
(:class:`~.window_counts.GroupedTimes`) built once when a range is loaded.

FPY here is the share of units inspected that passed at the first inspection:
``passed / inspected`` per station, NaN where nothing was inspected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linetwin.twin.replay.replay_data import RESULTS, InspectionColumns, ReplayData

_N_RESULTS = len(RESULTS)
_PASS = 0


@dataclass(frozen=True)
class YieldWindow:
    """Units inspected and passed per station in one window."""

    inspected: np.ndarray  # int64 per station
    passed: np.ndarray  # int64 per station

    @property
    def fpy(self) -> np.ndarray:
        """passed / inspected per station; NaN where nothing was inspected."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.inspected > 0, self.passed / np.maximum(self.inspected, 1), np.nan)


class DefectWindows:
    """Counts by station x defect type, and yield by station and by lot, for any window."""

    def __init__(self, data: ReplayData) -> None:
        # Imported here: its kernels load numba (~60 MB, 0.1 s), which the live
        # window, importing this module for the what-if colours, should not pay.
        from linetwin.twin.replay.window_counts import GroupedTimes

        c: InspectionColumns = data.inspections
        self.stations, self.defect_types, self.lots = data.stations, data.defect_types, data.lots
        n_s, n_t = len(self.stations), max(len(self.defect_types), 1)
        self._n_types = n_t
        defective = c.defect >= 0
        station = c.station.astype(np.int64)
        self.defects = GroupedTimes(c.time[defective],
                                    station[defective] * n_t + c.defect[defective], n_s * n_t)
        self.results = GroupedTimes(c.time, station * _N_RESULTS + c.result, n_s * _N_RESULTS)
        self._lot_results = _lot_table(c.lot, c.result, len(self.lots))
        self._lot_defects = _lot_table(c.lot[defective], c.defect[defective], len(self.lots), n_t)

    def defect_counts(self, lo: float, hi: float) -> np.ndarray:
        """Defects in ``(lo, hi]``, shape ``(stations, defect types)``."""
        return self.defects.counts(lo, hi).reshape(len(self.stations), self._n_types)

    def defect_dict(self, lo: float, hi: float) -> dict[str, dict[str, int]]:
        """``{station: {defect type: count}}`` with the non-zero counts only."""
        counts = self.defect_counts(lo, hi)
        out: dict[str, dict[str, int]] = {}
        for s, t in zip(*np.nonzero(counts)):
            out.setdefault(self.stations[s], {})[self.defect_types[t]] = int(counts[s, t])
        return out

    def pareto(self, lo: float, hi: float) -> list[tuple[str, int]]:
        """Defect types by count in ``(lo, hi]``, most frequent first, zero counts left out."""
        totals = self.defect_counts(lo, hi).sum(axis=0)
        order = np.argsort(-totals, kind="stable")
        return [(self.defect_types[t], int(totals[t])) for t in order if totals[t] > 0]

    def yields(self, lo: float, hi: float) -> YieldWindow:
        counts = self.results.counts(lo, hi).reshape(len(self.stations), _N_RESULTS)
        return YieldWindow(counts.sum(axis=1), counts[:, _PASS])

    def fpy_series(self, edges: np.ndarray) -> np.ndarray:
        """FPY per station in each bin between ``edges``, shape ``(bins, stations)``."""
        per_bin = np.diff(self.results.cumulative(edges), axis=0)
        per_bin = per_bin.reshape(len(edges) - 1, len(self.stations), _N_RESULTS)
        inspected, passed = per_bin.sum(axis=2), per_bin[:, :, _PASS]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(inspected > 0, passed / np.maximum(inspected, 1), np.nan)

    def density(self, edges: np.ndarray) -> np.ndarray:
        """Defects per type in each bin between ``edges`` (all stations), ``(bins, types)``."""
        per_bin = np.diff(self.defects.cumulative(edges), axis=0)
        return per_bin.reshape(len(edges) - 1, len(self.stations), self._n_types).sum(axis=1)

    def lot_yield(self, lot: str) -> tuple[int, int]:
        """(inspected, passed) over the whole loaded range for ``lot``."""
        row = self._lot_results[self.lots.index(lot)]
        return int(row.sum()), int(row[_PASS])

    def lot_defects(self, lot: str) -> dict[str, int]:
        row = self._lot_defects[self.lots.index(lot)]
        return {self.defect_types[t]: int(n) for t, n in enumerate(row) if n}


def _lot_table(lots: np.ndarray, codes: np.ndarray, n_lots: int, n_codes: int = _N_RESULTS) -> np.ndarray:
    """Counts per (lot, code) over the whole range; units of no lot (-1) left out."""
    known = lots >= 0
    flat = lots[known].astype(np.int64) * n_codes + codes[known]
    return np.bincount(flat, minlength=n_lots * n_codes).reshape(n_lots, n_codes)
