"""First-pass yield (FPY) of a station over a rolling window, and its alerts.

FPY = good / (good + reject) of the counter increments seen in the last
``window_s`` seconds. Counters are read as they come (each update of either
counter adds its increment since the previous reading): the first reading of a
counter only sets its baseline, and a value below the previous one means the
counter restarted (PLC restart, shift reset), so its increment is the value
itself, never a negative production.

Alerts: "fpy-low" (alarm) while FPY is below the threshold, cleared once it is
back above threshold + ``fpy_deadband`` for ``clear_samples`` evaluations;
"fpy-trend" (warning) when a line through the recent FPY values reaches the
threshold within ``horizon_s`` (the same machinery as signal trends). There is
no verdict with fewer than ``min_units`` units in the window, nor before the
readings cover ``fpy_min_coverage`` of it (a yield of the first few dozen packs
swings by percents with each reject).
"""

from __future__ import annotations

import math
from collections import deque

from linetwin.twin.alerts import AlertBook, AlertChange, AlertConfig, Condition, Severity, duration
from linetwin.twin.model import FpySpec
from linetwin.twin.trend import TrendWatch

GOOD, REJECT = 0, 1


class RollingYield:
    """Good and reject increments of two counters over a rolling time window."""

    __slots__ = ("window_s", "good", "reject", "_last", "_events", "_now", "_start")

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.good = 0.0  # units in the window
        self.reject = 0.0
        self._last: list[float | None] = [None, None]
        self._events: deque[tuple[float, float, float]] = deque()  # (t, good, reject)
        self._now = float("-inf")
        self._start = float("inf")  # time of the first reading

    def count(self, which: int, value: float, t: float) -> None:
        """Take a reading of the GOOD or REJECT counter at source time ``t``."""
        last = self._last[which]
        self._last[which] = value
        if t > self._now:
            self._now = t
        if t < self._start:
            self._start = t
        if last is not None:
            delta = value - last if value >= last else value  # restarted from zero
            if delta > 0.0:
                good, reject = (delta, 0.0) if which == GOOD else (0.0, delta)
                self._events.append((t, good, reject))
                self.good += good
                self.reject += reject
        cutoff = self._now - self.window_s
        events = self._events
        while events and events[0][0] <= cutoff:
            _, good, reject = events.popleft()
            self.good -= good
            self.reject -= reject
        if not events:  # exact zero again, whatever rounding did
            self.good = self.reject = 0.0

    @property
    def covered_s(self) -> float:
        """Seconds of the window the readings cover so far (at most ``window_s``)."""
        return min(max(self._now - self._start, 0.0), self.window_s)

    @property
    def units(self) -> float:
        return self.good + self.reject

    @property
    def value(self) -> float:
        """FPY of the window, NaN with no units."""
        total = self.good + self.reject
        return self.good / total if total > 0 else float("nan")


class FpyEvaluator:
    """FPY alerts of one station; fed by both of its counters."""

    __slots__ = ("spec", "config", "yield_", "low", "trend", "label", "good_feed", "reject_feed",
                 "_min_covered")

    def __init__(self, spec: FpySpec, config: AlertConfig, book: AlertBook, station_name: str) -> None:
        self.spec = spec
        self.config = config
        self.label = f"{station_name} first-pass yield"
        self.yield_ = RollingYield(spec.window_s)
        self._min_covered = config.fpy_min_coverage * spec.window_s
        self.low = Condition(book, "fpy-low", spec.station, spec.station, None,
                             Severity.ALARM, config.clear_samples)
        self.trend: TrendWatch | None = None
        if spec.trend:
            condition = Condition(book, "fpy-trend", spec.station, spec.station, None,
                                  Severity.WARNING, config.clear_samples)
            # FPY values are already averaged over window_s, so half of it is
            # enough history for their slope.
            self.trend = TrendWatch(condition, spec.threshold, None, spec.window_s / 2,
                                    spec.horizon_s, config, self.label, unit="%",
                                    scale=100.0, limit_word="threshold")
        self.good_feed = _CounterFeed(self, GOOD)
        self.reject_feed = _CounterFeed(self, REJECT)

    def count(self, which: int, value: float, t: float, out: list[AlertChange]) -> None:
        rolling = self.yield_
        rolling.count(which, value, t)
        if rolling.units < self.spec.min_units or rolling.covered_s < self._min_covered:
            return
        fpy = rolling.value
        low, threshold = self.low, self.spec.threshold
        if fpy < threshold:
            if not low.active:
                low.trigger(fpy, threshold, t, self._message(fpy), self._details(), out)
            else:
                low.hold()
                if fpy < low.worst:
                    low.worsen(fpy, t, out)
        elif low.active:
            if fpy >= threshold + self.config.fpy_deadband:
                low.calm(t, out)
            else:
                low.hold()
        if self.trend is not None:
            self.trend.update(fpy, t, out)

    def reset(self) -> None:
        self.yield_ = RollingYield(self.spec.window_s)
        self.low.reset()
        if self.trend is not None:
            self.trend.fit.clear()
            self.trend.condition.reset()

    def _details(self) -> dict[str, float]:
        return {"good": self.yield_.good, "reject": self.yield_.reject,
                "window_s": self.spec.window_s}

    def _message(self, fpy: float) -> str:
        r = self.yield_
        shown = math.floor(fpy * 10_000) / 100  # rounded down: never "97.00 % below 97 %"
        return (f"{self.label} {shown:.2f} % below threshold {self.spec.threshold * 100:g} % "
                f"(last {duration(self.spec.window_s)}: {r.good:.0f} good, {r.reject:.0f} rejected)")


class _CounterFeed:
    """Adapter so the engine can feed one counter like any per-signal evaluator."""

    __slots__ = ("evaluator", "which")

    def __init__(self, evaluator: FpyEvaluator, which: int) -> None:
        self.evaluator = evaluator
        self.which = which

    def update(self, value: float, t: float, out: list[AlertChange]) -> None:
        self.evaluator.count(self.which, value, t, out)

    def reset(self) -> None:
        if self.which == GOOD:  # the pair shares one evaluator: reset it once
            self.evaluator.reset()
