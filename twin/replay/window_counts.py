"""Window aggregates whose cost does not grow with the window: prefix counts.

Events are sorted by group (e.g. station x defect type), then by time, into
one array with an offset per group (a CSR layout). The number of events of a
group up to an instant is the position of that instant in its slice -- a
prefix count found by binary search -- so a window ``(lo, hi]`` costs two
searches per group, the same for one minute as for thirty days. The search
loop over groups is a numba kernel (``cache=True``: compiled once per machine,
not at every start).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _upper(times: np.ndarray, a: int, b: int, x: float) -> int:
    """First index in ``times[a:b]`` (sorted) whose value is > ``x``."""
    while a < b:
        mid = (a + b) >> 1
        if times[mid] <= x:
            a = mid + 1
        else:
            b = mid
    return a


@numba.njit(cache=True, nogil=True)
def _window_counts(times: np.ndarray, offsets: np.ndarray, lo: float, hi: float,
                   out: np.ndarray) -> None:
    for g in range(len(offsets) - 1):
        a, b = offsets[g], offsets[g + 1]
        out[g] = _upper(times, a, b, hi) - _upper(times, a, b, lo)


@numba.njit(cache=True, nogil=True)
def _scatter_by_group(times: np.ndarray, groups: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    """Counting sort: each time to the next free slot of its group's slice.

    Stable, so times already in order stay in order within each group: one
    pass instead of a lexsort (10M events: ~0.05 s against ~1.2 s).
    """
    free = offsets[:-1].copy()
    for i in range(len(times)):
        g = groups[i]
        out[free[g]] = times[i]
        free[g] += 1


@numba.njit(cache=True, nogil=True)
def _cumulative(times: np.ndarray, offsets: np.ndarray, edges: np.ndarray, out: np.ndarray) -> None:
    for g in range(len(offsets) - 1):
        a, b = offsets[g], offsets[g + 1]
        for e in range(len(edges)):
            out[e, g] = _upper(times, a, b, edges[e]) - a


class GroupedTimes:
    """Event times grouped by a small integer key, for counts in any window.

    Parameters
    ----------
    times : event times (any order)
    groups : each event's group, ``0 <= group < n_groups``
    n_groups : how many groups there are (empty ones included)
    """

    def __init__(self, times: np.ndarray, groups: np.ndarray, n_groups: int) -> None:
        times = np.asarray(times, dtype=np.float64)
        groups = np.asarray(groups, dtype=np.int64)
        if len(groups) and (groups.min() < 0 or groups.max() >= n_groups):
            raise ValueError(f"groups must lie in 0..{n_groups - 1}")
        if len(times) > 1 and not np.all(times[1:] >= times[:-1]):  # loaded ranges come sorted
            order = np.argsort(times, kind="stable")  # NaN last, as a lexsort put them
            times, groups = times[order], groups[order]
        counts = np.bincount(groups, minlength=n_groups)
        self.offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.times = np.empty_like(times)
        _scatter_by_group(times, groups, self.offsets, self.times)
        self.n_groups = n_groups

    def __len__(self) -> int:
        return len(self.times)

    def counts(self, lo: float, hi: float) -> np.ndarray:
        """Events per group with ``lo < time <= hi`` (int64, one per group)."""
        out = np.zeros(self.n_groups, dtype=np.int64)
        if hi > lo:
            _window_counts(self.times, self.offsets, float(lo), float(hi), out)
        return out

    def cumulative(self, edges: np.ndarray) -> np.ndarray:
        """Events per group with ``time <= edge``, shape ``(len(edges), n_groups)``.

        ``np.diff`` along axis 0 gives the counts per bin between the edges:
        what a chart of counts over time draws.
        """
        edges = np.ascontiguousarray(edges, dtype=np.float64)
        out = np.zeros((len(edges), self.n_groups), dtype=np.int64)
        _cumulative(self.times, self.offsets, edges, out)
        return out

    def times_of(self, group: int) -> np.ndarray:
        """The sorted event times of one group (a view)."""
        return self.times[self.offsets[group]:self.offsets[group + 1]]
