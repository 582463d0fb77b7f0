"""Recent values of every signal, for live trend plots.

One fixed-size ring per signal, all in two 2-D numpy arrays, so memory is
known up front and appending never allocates. Every received value goes in,
not only the latest per tick, so a plot shows what really happened.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from linetwin.twin.updates import ValueUpdate
from linetwin.twin.value_columns import ValueColumns

MEMORY_BUDGET_SAMPLES = 4_000_000  # ~64 MB of float64 pairs across all signals


class SignalHistory:
    """Ring buffers of (source time, value) per signal index."""

    def __init__(self, index: dict[str, int], capacity: int | None = None) -> None:
        self.index = index
        n = max(len(index), 1)
        self.capacity = capacity or int(np.clip(MEMORY_BUDGET_SAMPLES // n, 64, 4096))
        self.times = np.full((n, self.capacity), np.nan)
        self.values = np.full((n, self.capacity), np.nan)
        self.count = np.zeros(n, dtype=np.int64)  # total appended, ring position = count % cap

    def extend(self, updates: Iterable[ValueUpdate] | ValueColumns) -> None:
        """Append every value; an Uncertain or Bad one is kept as NaN at its source
        time: it carries no trustworthy value, and a plot must break there."""
        batch = updates if isinstance(updates, ValueColumns) else ValueColumns(updates, self.index)
        if len(batch):
            self._append(batch.rows, batch.source_times, batch.trusted_values())

    def _append(self, rows: np.ndarray, times: np.ndarray, values: np.ndarray) -> None:
        """Store samples in arrival order, each in the next slot of its row's ring."""
        cap = self.capacity
        order = np.argsort(rows, kind="stable")  # grouped by row, arrival order within
        rows = rows[order]
        starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        lengths = np.diff(np.append(starts, len(rows)))
        rank = np.arange(len(rows)) - np.repeat(starts, lengths)  # k-th sample of its row in this batch
        owner = rows[starts]
        slots = (np.repeat(self.count[owner], lengths) + rank) % cap
        # More than a ring's worth of one row in one batch: only its last ``cap``
        # survive, as one by one; dropping the rest keeps every (row, slot) unique.
        keep = rank >= np.repeat(lengths, lengths) - cap
        if not keep.all():
            rows, slots, order = rows[keep], slots[keep], order[keep]
        self.times[rows, slots] = times[order]
        self.values[rows, slots] = values[order]
        self.count[owner] += lengths

    def reset(self) -> None:
        """Forget every sample (a replay seek refills the rings from the history)."""
        self.times[:] = np.nan
        self.values[:] = np.nan
        self.count[:] = 0

    def window(self, signal_id: str, since: float = -np.inf) -> tuple[np.ndarray, np.ndarray]:
        """(times, values) of ``signal_id`` newer than ``since``, oldest first."""
        i = self.index[signal_id]
        n = int(min(self.count[i], self.capacity))
        start = int(self.count[i] - n) % self.capacity
        order = (start + np.arange(n)) % self.capacity
        t, v = self.times[i, order], self.values[i, order]
        keep = t > since
        return t[keep], v[keep]
