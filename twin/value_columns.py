"""A batch of value updates read once, as columns, for the state table and the trends.

A live tick of a large line carries thousands of :class:`ValueUpdate` objects.
The state table and the trend history each want them as row indices and
numpy columns; reading every update once and sharing the columns halves
that work.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from linetwin.twin.updates import ValueType, ValueUpdate, quality_codes

class ValueColumns:
    """The updates of signals in ``index`` (signal id -> row), in arrival order.

    ``rows``, ``values``, ``source_times``, ``receive_times`` and
    ``status_codes`` are numpy columns; ``typed`` holds (position, update) of
    the updates whose value is not a plain number (rare: most lines have none).
    """

    __slots__ = ("rows", "values", "source_times", "receive_times", "status_codes", "typed")

    def __init__(self, updates: Iterable[ValueUpdate], index: dict[str, int]) -> None:
        kept = list(updates)
        rows = [index.get(u.signal_id) for u in kept]
        if None in rows:  # signals the project does not know are ignored
            kept = [u for u, r in zip(kept, rows) if r is not None]
            rows = [r for r in rows if r is not None]
        # One comprehension per column: cheaper than transposing records.
        self.rows = np.array(rows, dtype=np.int64)
        self.values = np.array([u.value for u in kept], dtype=float)
        self.source_times = np.array([u.source_time for u in kept], dtype=float)
        self.receive_times = np.array([u.receive_time for u in kept], dtype=float)
        self.status_codes = np.array([u.status_code for u in kept], dtype=np.int64)
        number = ValueType.NUMBER
        self.typed = [(k, u) for k, u in enumerate(kept) if u.value_type is not number]

    def __len__(self) -> int:
        return len(self.rows)

    def trusted_values(self) -> np.ndarray:
        """The values, NaN where the reading is Uncertain or Bad: it carries no
        trustworthy value, and a trend plot must break there."""
        if not self.status_codes.any():
            return self.values
        good = quality_codes(self.status_codes) == 0
        return np.where(good, self.values, np.nan)
