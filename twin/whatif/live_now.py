""""Now" from the live twin: the process values of the last hour (as much of it as
the trend buffers hold), sampled once a second, as the units a what-if
prediction moves.

The model's own reference (the last hour it was fitted on) is only the
fallback: a what-if in the live window asks about the line as it runs now.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from linetwin.twin.history_buffer import SignalHistory

MIN_COVER_S = 300.0  # less than five minutes of every value: not enough to stand for "now"
STEP_S = 1.0


def live_rows(history: SignalHistory, signal_ids: Iterable[str], seconds: float = 3600.0
              ) -> tuple[dict[str, np.ndarray], float] | None:
    """(rows, seconds covered), or None while the buffers hold too little of some value."""
    windows = {}
    for sid in signal_ids:
        if sid not in history.index:
            return None
        t, v = history.window(sid)
        good = np.isfinite(v)
        if good.sum() < 2:
            return None
        windows[sid] = (t[good], v[good])
    if not windows:
        return None
    end = min(float(t[-1]) for t, _ in windows.values())
    start = max(max(float(t[0]) for t, _ in windows.values()), end - seconds)
    if end - start < MIN_COVER_S:
        return None
    grid = np.arange(start, end, STEP_S)
    rows = {sid: v[np.searchsorted(t, grid, side="right") - 1] for sid, (t, v) in windows.items()}
    return rows, end - start
