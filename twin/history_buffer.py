"""Recent values of every signal, for live trend plots.

One fixed-size ring per signal, all in two 2-D numpy arrays, so memory is
known up front and appending never allocates. Every received value goes in,
not only the latest per tick, so a plot shows what really happened.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from linetwin.twin.updates import Quality, ValueUpdate

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

    def extend(self, updates: Iterable[ValueUpdate]) -> None:
        """Append every value; an Uncertain or Bad one is kept as NaN at its source
        time: it carries no trustworthy value, and a plot must break there."""
        cap = self.capacity
        for u in updates:
            i = self.index.get(u.signal_id)
            if i is None:
                continue
            slot = self.count[i] % cap
            self.times[i, slot] = u.source_time
            self.values[i, slot] = u.value if u.quality is Quality.GOOD else np.nan
            self.count[i] += 1

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
