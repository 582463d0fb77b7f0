"""The twin's live state: latest value, source time and quality of every signal.

Stored column-wise (one numpy array per field, one row per signal) so colors
and, later, alerts can be computed for thousands of signals without a Python
loop per tick.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from psygnal import Signal as Event

from linetwin.twin.model import Project
from linetwin.twin.updates import Quality, ValueType, ValueUpdate, quality_codes
from linetwin.twin.value_columns import ValueColumns


@dataclass(frozen=True)
class SignalReading:
    """What the inspector shows for one signal at one instant."""

    signal_id: str
    value: float
    source_time: float
    receive_time: float
    status_code: int
    quality: Quality
    stale: bool = False
    stale_reason: str = ""  # e.g. "connection lost" or "no new value for 12.0 s"
    text: str | None = None  # the value as the server typed it, when not a plain number
    value_type: ValueType = ValueType.NUMBER

    def age(self, now: float) -> float:
        """Seconds from the source producing the value to ``now`` (NaN if no data)."""
        if self.quality is Quality.NO_DATA:
            return float("nan")
        return now - self.source_time


class TwinState:
    """Latest reading of every signal of a project.

    ``changed`` is emitted after each :meth:`apply` with the indices of the
    signals whose reading changed, so views redraw only what moved.
    """

    changed = Event(object)

    def __init__(self, project: Project) -> None:
        self.project = project
        self.signal_ids = [s.id for s in project.signals]
        self.index = {sid: i for i, sid in enumerate(self.signal_ids)}
        n = len(self.signal_ids)
        self.values = np.full(n, np.nan)
        self.source_times = np.full(n, np.nan)
        self.receive_times = np.full(n, np.nan)
        self.status_codes = np.zeros(n, dtype=np.int64)
        self.qualities = np.full(n, int(Quality.NO_DATA), dtype=np.int8)
        self.stale_after = np.array([s.staleness_limit() for s in project.signals], dtype=float)
        self.link_down = np.zeros(n, dtype=bool)  # the signal's connection is lost
        self.stale = np.zeros(n, dtype=bool)
        self.update_count = 0  # every value applied, for the updates/s display
        # Row -> (type, text) of the signals whose latest value is not a plain
        # number; a dict, not a column: most lines have few such signals.
        self.typed: dict[int, tuple[ValueType, str | None]] = {}

    def apply(self, updates: Iterable[ValueUpdate] | ValueColumns) -> np.ndarray:
        """Apply updates in arrival order (the latest value of a signal wins).

        Updates for signals the project does not know are ignored. Returns the
        sorted indices of the signals that changed and emits ``changed``.
        """
        batch = updates if isinstance(updates, ValueColumns) else ValueColumns(updates, self.index)
        if not len(batch):
            return np.empty(0, dtype=np.int64)
        self._keep_typed(batch)
        # The latest arrival of a signal wins. numpy does not promise an order for
        # repeated indices, so keep only each signal's last position explicitly.
        rows = batch.rows
        last = dict(zip(rows.tolist(), range(len(rows))))
        idx = np.fromiter(last.keys(), dtype=np.int64, count=len(last))
        pick = np.fromiter(last.values(), dtype=np.int64, count=len(last))
        self.values[idx] = batch.values[pick]
        self.source_times[idx] = batch.source_times[pick]
        self.receive_times[idx] = batch.receive_times[pick]
        status = batch.status_codes[pick]
        self.status_codes[idx] = status
        self.qualities[idx] = quality_codes(status)
        self.link_down[idx] = False
        self.stale[idx] = False
        self.update_count += len(rows)
        changed = np.sort(idx)  # unique already: the keys of ``last``
        if len(changed):
            self.changed.emit(changed)
        return changed

    def _keep_typed(self, batch: ValueColumns) -> None:
        """Remember the type and text of each signal whose latest value is not a
        plain number; a plain number after one forgets it."""
        if not self.typed and not batch.typed:
            return
        typed_at = dict(batch.typed)
        for k, row in enumerate(batch.rows.tolist()):
            update = typed_at.get(k)
            if update is not None:
                self.typed[row] = (update.value_type, update.text)
            else:
                self.typed.pop(row, None)

    def set_link_down(self, signal_indices: np.ndarray, now: float, down: bool = True) -> np.ndarray:
        """Mark signals whose connection was lost (or restored); returns changed indices."""
        idx = np.asarray(signal_indices, dtype=np.int64)
        self.link_down[idx] = down
        return self.refresh_staleness(now)

    def reset(self) -> None:
        """Forget every reading (a replay seek refills the state from the history)."""
        for column, empty in ((self.values, np.nan), (self.source_times, np.nan),
                              (self.receive_times, np.nan), (self.status_codes, 0),
                              (self.qualities, int(Quality.NO_DATA)), (self.link_down, False),
                              (self.stale, False)):
            column[:] = empty
        self.typed.clear()
        self.update_count = 0
        self.changed.emit(np.arange(len(self.signal_ids)))

    def refresh_staleness(self, now: float) -> np.ndarray:
        """Recompute which readings are stale at ``now`` (the pipeline's clock);
        emits and returns the changes.

        Called every tick: a handful of vectorized comparisons, so it stays
        cheap for thousands of signals.
        """
        has_data = self.qualities != int(Quality.NO_DATA)
        silent = (now - self.receive_times) > self.stale_after
        stale = has_data & (self.link_down | silent)
        changed = np.flatnonzero(stale != self.stale)
        self.stale = stale
        if len(changed):
            self.changed.emit(changed)
        return changed

    def reading(self, signal_id: str, now: float = math.nan) -> SignalReading:
        """The reading of ``signal_id``; ``now`` (the clock's) words how long it is silent."""
        i = self.index[signal_id]
        reason = ""
        if self.stale[i]:
            silent = now - self.receive_times[i]
            reason = ("connection lost" if self.link_down[i] else
                      (f"no new value for {silent:.1f} s " if math.isfinite(silent) else
                       "no new value ") + f"(limit {self.stale_after[i]:g} s)")
        value_type, text = self.typed.get(i, (ValueType.NUMBER, None))
        return SignalReading(
            signal_id=signal_id,
            value=float(self.values[i]),
            source_time=float(self.source_times[i]),
            receive_time=float(self.receive_times[i]),
            status_code=int(self.status_codes[i]),
            quality=Quality(int(self.qualities[i])),
            stale=bool(self.stale[i]),
            stale_reason=reason,
            text=text,
            value_type=value_type,
        )
