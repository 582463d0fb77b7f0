"""First-pass yield (FPY) of a station, its alerts, and its reject-rate charts.

Counters are read as they come (each update of a counter adds its increment
since the previous reading): the first reading of a counter only sets its
baseline, and a value below the previous one means the counter restarted (PLC
restart, shift reset), so its increment is the value itself, never a negative
production. After a data gap (lost link, Bad or Uncertain reading) every
counter of the station is read afresh from its next reading: the units made
during the gap are left out, so goods and rejects stay paired.

Alerts:

- "fpy-shift" (alarm) and "defect-rate" (warning, per defect type): Bernoulli
  CUSUM charts on the unit stream (:mod:`linetwin.twin.alerts.defect_rate`); the
  early, statistically controlled detection of a rising reject rate;
- "fpy-low" (alarm): FPY = good / (good + reject) over the last ``window_s``
  is below the threshold; cleared once back above threshold + ``fpy_deadband``
  for ``clear_samples`` evaluations. It describes the window's yield, so it
  waits for ``min_units`` units and for the window to be ``fpy_min_coverage``
  covered (a yield of the first few dozen packs swings by percents);
- "fpy-trend" (warning) when a line through the recent FPY values reaches the
  threshold within ``horizon_s`` (the same machinery as signal trends).
"""

from __future__ import annotations

import math
from collections import deque

from linetwin.twin.alerts.alerts import AlertBook, AlertChange, AlertConfig, Condition, Severity, duration
from linetwin.twin.alerts.defect_rate import RateShiftAlert
from linetwin.twin.model import FpySpec
from linetwin.twin.alerts.trend import TrendWatch

GOOD, REJECT = 0, 1


def counter_increment(last: float | None, value: float) -> float:
    """Units counted since the reading ``last`` (None: this reading is a baseline)."""
    if last is None:
        return 0.0
    return value - last if value >= last else value  # restarted from zero


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

    def count(self, which: int, value: float, t: float) -> float:
        """Take a reading of the GOOD or REJECT counter at source time ``t``;
        returns its increment (0 for a baseline reading)."""
        delta = counter_increment(self._last[which], value)
        self._last[which] = value
        self.add(which, delta, t)
        return delta

    def add(self, which: int, delta: float, t: float) -> None:
        """Add ``delta`` GOOD or REJECT units at source time ``t``."""
        if t > self._now:
            self._now = t
        if t < self._start:
            self._start = t
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

    def rebaseline(self) -> None:
        """Read both counters afresh (after a data gap); the window keeps its units."""
        self._last = [None, None]

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
    """FPY alerts of one station; fed by its good, reject and defect counters."""

    __slots__ = ("spec", "config", "yield_", "low", "trend", "label", "good_feed", "reject_feed",
                 "shift", "defects", "_defect_last", "_min_covered")

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
        shift = Condition(book, "fpy-shift", spec.station, spec.station, None,
                          Severity.ALARM, config.clear_samples)
        p0 = None if spec.target is None else 1.0 - spec.target
        self.shift = RateShiftAlert(shift, f"{station_name} reject rate", p0, 1.0 - spec.threshold,
                                    spec.arl0_units, spec.baseline_units)
        self.defects: dict[str, RateShiftAlert] = {}
        for defect in spec.defects:
            condition = Condition(book, "defect-rate", f"{spec.station}.{defect.name}",
                                  spec.station, defect.counter, Severity.WARNING,
                                  config.clear_samples)
            label = f"{station_name} {defect.name.replace('_', ' ')} rate"
            self.defects[defect.name] = RateShiftAlert(condition, label, defect.rate,
                                                       defect.detect_rate,
                                                       defect.arl0_units or spec.arl0_units)
        self._defect_last: dict[str, float | None] = dict.fromkeys(self.defects)
        self.good_feed = _CounterFeed(self, GOOD)
        self.reject_feed = _CounterFeed(self, REJECT)

    def defect_feed(self, name: str) -> "_DefectFeed":
        return _DefectFeed(self, name)

    def count(self, which: int, value: float, t: float, out: list[AlertChange]) -> None:
        rolling = self.yield_
        units = int(round(rolling.count(which, value, t)))
        if units:
            good, rejected = (units, 0) if which == GOOD else (0, units)
            self.shift.add(good, rejected, t, out)
            if good:  # a good unit has none of the defects
                for chart in self.defects.values():
                    chart.add(good, 0, t, out)
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

    def count_defect(self, name: str, value: float, t: float, out: list[AlertChange]) -> None:
        """A reading of the counter of defect type ``name``. Its chart's trials are
        the good units and the units with this defect (rejects for other reasons
        are neither), so its rate is that of this defect among such units."""
        units = int(round(counter_increment(self._defect_last[name], value)))
        self._defect_last[name] = value
        if units:
            self.defects[name].add(0, units, t, out)

    def restart(self) -> None:
        """After a data gap: counters read afresh, the yield trend fits anew."""
        self.yield_.rebaseline()
        self._defect_last = dict.fromkeys(self.defects)
        if self.trend is not None:
            self.trend.fit.clear()

    def reset(self) -> None:
        self.yield_ = RollingYield(self.spec.window_s)
        self._defect_last = dict.fromkeys(self.defects)
        self.low.reset()
        self.shift.reset()
        for chart in self.defects.values():
            chart.reset()
        if self.trend is not None:
            self.trend.fit.clear()
            self.trend.condition.reset()

    def quiet_reason(self) -> str | None:
        """Why the station's charts are not judging yet, if they are not."""
        reason = self.shift.quiet_reason()
        if reason is None and self.yield_.covered_s < self._min_covered:
            return (f"{self.label} over {duration(self.spec.window_s)}: window filling "
                    f"({self.yield_.covered_s:.0f} s of {self._min_covered:.0f} s; "
                    "the reject-rate chart judges meanwhile)")
        return reason

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

    def restart(self) -> None:
        self.evaluator.restart()  # a gap in one counter breaks the pairing of all

    def reset(self) -> None:
        if self.which == GOOD:  # the pair shares one evaluator: reset it once
            self.evaluator.reset()

    def quiet_reason(self) -> str | None:
        return self.evaluator.quiet_reason()


class _DefectFeed:
    """Adapter for the counter of one defect type."""

    __slots__ = ("evaluator", "name")

    def __init__(self, evaluator: FpyEvaluator, name: str) -> None:
        self.evaluator = evaluator
        self.name = name

    def update(self, value: float, t: float, out: list[AlertChange]) -> None:
        self.evaluator.count_defect(self.name, value, t, out)

    def restart(self) -> None:
        self.evaluator.restart()

    def reset(self) -> None:
        pass  # the good counter's feed resets the evaluator

    def quiet_reason(self) -> str | None:
        return self.evaluator.defects[self.name].quiet_reason()
