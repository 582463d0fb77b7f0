"""The replay cursor: a recorded history fed to the twin as a live client would feed it.

The cursor turns an interval of a loaded range (:class:`ReplayData`) into the
items a live client put on the queue -- value updates, connection changes,
production events, in order -- and steps them through the same
:class:`~linetwin.twin.pipeline.TwinPipeline`, moving its :class:`ReplayClock`.
So a rule colours and alerts identically live and in replay.

Seeking: forwards by less than ``warmup_s`` the twin simply continues. Any
other seek resets the pipeline at ``target - warmup_s`` (the start of the range
if that is earlier), primes it with what held at that instant (each signal's
last sample, each link's last state, the open lots) and plays the warm-up
interval, so rule windows and alerts at the target are what a continuous play
gives (exactly so when ``warmup_s`` is None: a far seek replays from the start).

Ties at one instant keep a live order: a link coming up before the values it
carries, values before production events, the last unit of a lot before its
close, a close before the next lot's open, the open before that lot's first
unit, a link going down after everything.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from psygnal import Signal as Event

from linetwin.twin.clock import ReplayClock
from linetwin.twin.pipeline import TickResult, TwinPipeline
from linetwin.twin.replay.defect_windows import DefectWindows
from linetwin.twin.replay.event_search import EventFilter, EventSearch
from linetwin.twin.replay.replay_data import ReplayData
from linetwin.twin.updates import ConnectionState, ValueUpdate

MIN_SPEED, MAX_SPEED = 0.1, 1000.0
SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
CHUNK = 20_000  # items per pipeline step when a seek is applied at once
_UP = (ConnectionState.CONNECTED, ConnectionState.CONNECTING)


@dataclass
class SeekPlan:
    """What moving the twin to ``target`` takes: an optional reset, then ``items`` in order."""

    target: float
    reset_at: float | None = None  # None: continue from where the twin is
    items: list = field(default_factory=list)


class ReplayCursor:
    """Seek, step and play a loaded range through ``pipeline`` (whose clock is a ReplayClock).

    Events
    ------
    changed() : playing, speed or loop changed (transport controls follow)
    """

    changed = Event()

    def __init__(self, data: ReplayData, pipeline: TwinPipeline, warmup_s: float | None = 1800.0) -> None:
        if not isinstance(pipeline.clock, ReplayClock):
            raise TypeError("a replay drives a pipeline whose clock is a ReplayClock")
        self.data, self.pipeline, self.clock = data, pipeline, pipeline.clock
        self.warmup_s = warmup_s
        self.windows = DefectWindows(data)
        self.search = EventSearch(data)
        self._applied = -math.inf  # the twin holds every item up to this instant
        self._speed = 1.0
        self._loop: tuple[float, float] | None = None
        self._playing = False

    # -- where ------------------------------------------------------------------------

    @property
    def position(self) -> float:
        """The instant the twin shows (NaN before the first seek)."""
        return self.clock.now()

    def clamp(self, t: float) -> float:
        return min(max(float(t), self.data.start), self.data.end)

    # -- transport state --------------------------------------------------------------

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if not MIN_SPEED <= value <= MAX_SPEED:
            raise ValueError(f"replay speed must be {MIN_SPEED:g}x..{MAX_SPEED:g}x, not {value:g}x")
        self._speed = float(value)
        self.changed.emit()

    @property
    def loop(self) -> tuple[float, float] | None:
        return self._loop

    @loop.setter
    def loop(self, span: tuple[float, float] | None) -> None:
        if span is not None:
            lo, hi = sorted((self.clamp(span[0]), self.clamp(span[1])))
            if hi <= lo:
                raise ValueError("a loop needs a range of more than zero seconds")
            span = (lo, hi)
        self._loop = span
        self.changed.emit()

    @property
    def playing(self) -> bool:
        return self._playing

    @playing.setter
    def playing(self, on: bool) -> None:
        if on and self.position >= self._bounds()[1]:
            self.seek(self._bounds()[0])  # play at the end starts over
        self._playing = bool(on)
        self.changed.emit()

    # -- moving -----------------------------------------------------------------------

    def plan(self, t: float) -> SeekPlan:
        """The reset and items that bring the twin to ``t``; moves the clock to ``t``."""
        target = self.clamp(t)
        applied = self._applied
        if applied <= target and (applied > -math.inf or self._from_start(target)) and (
                self.warmup_s is None or target - applied <= self.warmup_s):
            plan = SeekPlan(target, None, self.items_between(applied, target))
        else:
            plan = self._reset_plan(target)
        self._applied = target
        self.clock.set(target)
        return plan

    def apply(self, plan: SeekPlan, chunk: int = CHUNK) -> TickResult:
        """Step ``plan`` through the pipeline at once; the merged result."""
        if plan.reset_at is not None:
            self.pipeline.reset(plan.reset_at)
        results = []
        for i in range(0, len(plan.items), chunk):
            batch = plan.items[i:i + chunk]
            results.append(self.pipeline.step(batch, now=item_time(batch[-1])))  # as live: now = latest
        results.append(self.pipeline.step((), now=plan.target))
        return merge_results(results, plan.target)

    def seek(self, t: float) -> TickResult:
        return self.apply(self.plan(t))

    def step(self, seconds: float) -> TickResult:
        """Move by ``seconds`` of history (negative: back)."""
        return self.seek(self.position + seconds if self.position == self.position else self.data.start)

    def advance(self, wall_seconds: float) -> SeekPlan | None:
        """While playing: the plan for ``wall_seconds`` of wall time at the current speed.

        At the end of the loop the cursor wraps to its start; at the end of the
        range it stops playing there.
        """
        if not self._playing:
            return None
        lo, hi = self._bounds()
        target = self.position + wall_seconds * self._speed
        if target > hi:
            if self._loop is not None:
                return self.plan(lo)
            target = hi
            self._playing = False
            self.changed.emit()
        return self.plan(target)

    def next_event(self, flt: EventFilter = EventFilter()) -> int | None:
        """Seek to the next inspection event matching ``flt``; its row, or None if none is left."""
        row = self.search.next_after(self.position, flt)
        if row is not None:
            self.seek(float(self.data.inspections.time[row]))
        return row

    def previous_event(self, flt: EventFilter = EventFilter()) -> int | None:
        row = self.search.previous_before(self.position, flt)
        if row is not None:
            self.seek(float(self.data.inspections.time[row]))
        return row

    # -- items ------------------------------------------------------------------------

    def items_between(self, lo: float, hi: float) -> list:
        """Everything recorded in ``(lo, hi]``, in the order a live client delivered it."""
        d = self.data
        connections = d.connections_between(lo, hi)
        a, b = np.searchsorted(d.samples.time, (lo, hi), side="right")
        values = d.value_updates(np.arange(a, b))
        values_t = d.samples.time[a:b]
        lots = d.lot_changes_between(lo, hi)
        opening = {(lot.lot_id, lot.start) for lot in lots if lot.open}
        units = d.inspections_between(lo, hi)
        groups = (
            ([c for c in connections if c.state in _UP], 0),
            ((values, values_t), 1),
            ([u for u in units if (u.lot, u.time) not in opening], 2),
            ([lot for lot in lots if not lot.open], 3),
            ([lot for lot in lots if lot.open], 4),
            ([u for u in units if (u.lot, u.time) in opening], 5),
            (d.compliance_between(lo, hi), 5),
            ([c for c in connections if c.state not in _UP], 6),
        )
        return _merged(groups)

    def _reset_plan(self, target: float) -> SeekPlan:
        start = self.data.start
        reset_at = start if self.warmup_s is None else max(start, target - self.warmup_s)
        if reset_at <= start:  # from the very beginning: every item, nothing to prime
            return SeekPlan(target, start, self.items_between(-math.inf, target))
        d = self.data
        primed = (d.last_connections_at(reset_at), d.value_updates(d.last_samples_at(reset_at)),
                  d.open_lots_at(reset_at))
        prime = [*(c for c in primed[0] if c.state in _UP), *primed[1], *primed[2],
                 *(c for c in primed[0] if c.state not in _UP)]
        return SeekPlan(target, reset_at, prime + self.items_between(reset_at, target))

    def _from_start(self, target: float) -> bool:
        return self.warmup_s is None or target - self.data.start <= self.warmup_s

    def _bounds(self) -> tuple[float, float]:
        return self._loop or (self.data.start, self.data.end)


def item_time(item: object) -> float:
    """The source time of any pipeline item."""
    return item.source_time if type(item) is ValueUpdate else item.time


def merge_results(results: Iterable[TickResult], now: float) -> TickResult:
    """One TickResult for several steps: counts added, changes in order, sets united."""
    merged = TickResult(now)
    changed, restyle = [], {}
    for r in results:
        merged.values += r.values
        merged.ignored += r.ignored
        merged.alerts += r.alerts
        merged.connections += r.connections
        merged.events += r.events
        changed.append(r.changed_signals)
        restyle.update(dict.fromkeys(r.restyle))
    merged.changed_signals = np.unique(np.concatenate(changed)) if changed else merged.changed_signals
    merged.restyle = list(restyle)
    return merged


def _merged(groups: Iterable[tuple[list | tuple[list, np.ndarray], int]]) -> list:
    """The items of every group in time order; at one instant, by the group's rank.

    A group is a list of items, or (items, their times) where the times are at hand.
    """
    items: list = []
    times, ranks = [], []
    for group, rank in groups:
        group, group_t = group if isinstance(group, tuple) else (group, None)
        if group:
            items += group
            if group_t is None:
                group_t = np.fromiter((item_time(i) for i in group), dtype=np.float64, count=len(group))
            times.append(group_t)
            ranks.append(np.full(len(group), rank, dtype=np.int8))
    if len(times) <= 1:
        return items
    order = np.lexsort((np.concatenate(ranks), np.concatenate(times)))  # stable: file order within
    return [items[i] for i in order.tolist()]
