"""The eight Western Electric / Nelson run rules, point by point in O(1).

Each chart point is scored as ``z = (x - center) / sigma``. The rules, as Nelson
(1984) states them:

1. one point more than 3 sigma from the centre line;
2. nine points in a row on the same side of the centre line;
3. six points in a row steadily increasing or decreasing;
4. fourteen points in a row alternating up and down;
5. two out of three points in a row beyond 2 sigma, on the same side;
6. four out of five points in a row beyond 1 sigma, on the same side;
7. fifteen points in a row within 1 sigma, on either side;
8. eight points in a row beyond 1 sigma, none within, on *both* sides of the
   centre line (a mixture: points all on one side are rules 2 and 6).

A point exactly on the centre line breaks a rule 2 run; an unchanged value
breaks rules 3 and 4. Instead of a ring buffer of values, the history the rules
need is kept as run lengths and bit masks of the last eight points (pure Python
integer operations, cheaper per point than any numpy call).

Baseline: ``center`` and ``sigma`` come from the signal's settings; either one
left out is estimated from the first ``nelson_baseline_points`` chart points
(default 30): the mean, and the average moving range / 1.128 (the usual
individuals-chart estimate, which a slow drift inflates less than the standard
deviation does). Those baseline points are not themselves judged. With
``subgroup_s`` > 0 each chart point is the mean of the samples in one interval
of that length (judged when the first sample of the next interval arrives),
which suits signals sampled much faster than they vary: the rules assume
independent points, and 4 Hz samples of a slowly wandering temperature are not.
"""

from __future__ import annotations

import math

from linetwin.twin.alerts.alerts import (
    AlertBook,
    AlertChange,
    AlertConfig,
    Condition,
    Severity,
    fmt,
    with_unit,
)
from linetwin.twin.model import AlertSettings, Signal

RULES = range(1, 9)
RULE_TEXT = {
    1: "one point beyond 3σ",
    2: "nine points in a row on one side of the centre line",
    3: "six points in a row steadily increasing or decreasing",
    4: "fourteen points in a row alternating up and down",
    5: "two out of three points beyond 2σ on the same side",
    6: "four out of five points beyond 1σ on the same side",
    7: "fifteen points in a row within 1σ",
    8: "eight points in a row beyond 1σ on both sides, none within",
}
_POPCOUNT = tuple(bin(i).count("1") for i in range(256))
_MR_TO_SIGMA = 1.0 / 1.128  # d2 for moving ranges of two points
FULL_SUBGROUP = 0.5  # a subgroup spanning less of its interval is no chart point


def rule_bit(rule: int) -> int:
    return 1 << (rule - 1)


class NelsonChart:
    """Which of the eight patterns are present after each point."""

    __slots__ = ("_prev", "_dir", "_side", "_side_run", "_mono", "_alt", "_in1", "_out1",
                 "_hi2", "_lo2", "_hi1", "_lo1")

    def __init__(self) -> None:
        self._prev: float | None = None
        self._dir = 0  # sign of the last difference
        self._side = 0  # side of the centre line of the last point
        self._side_run = 0  # points in a row on that side
        self._mono = 0  # points in a row steadily rising or falling
        self._alt = 0  # points in a row alternating up and down
        self._in1 = 0  # points in a row within 1 sigma
        self._out1 = 0  # points in a row beyond 1 sigma
        # bit i set: the point i steps back was beyond +2 / -2 / +1 / -1 sigma
        self._hi2 = self._lo2 = self._hi1 = self._lo1 = 0

    def push(self, z: float) -> int:
        """Score one point; returns a mask of the rules present (bit ``k - 1``: rule k)."""
        found = 0
        if z > 3.0 or z < -3.0:
            found |= 1

        side = 1 if z > 0.0 else (-1 if z < 0.0 else 0)
        self._side_run = self._side_run + 1 if side != 0 and side == self._side else abs(side)
        self._side = side
        if self._side_run >= 9:
            found |= 2

        prev = self._prev
        self._prev = z
        if prev is not None:
            d = 1 if z > prev else (-1 if z < prev else 0)
            if d == 0:
                self._mono = self._alt = 1
            else:
                self._mono = self._mono + 1 if d == self._dir else 2
                self._alt = self._alt + 1 if d == -self._dir else 2
            self._dir = d
        else:
            self._mono = self._alt = 1
        if self._mono >= 6:
            found |= 4
        if self._alt >= 14:
            found |= 8

        self._hi2 = ((self._hi2 << 1) | (z > 2.0)) & 0xFF
        self._lo2 = ((self._lo2 << 1) | (z < -2.0)) & 0xFF
        if _POPCOUNT[self._hi2 & 0b111] >= 2 or _POPCOUNT[self._lo2 & 0b111] >= 2:
            found |= 16

        hi1 = self._hi1 = ((self._hi1 << 1) | (z > 1.0)) & 0xFF
        lo1 = self._lo1 = ((self._lo1 << 1) | (z < -1.0)) & 0xFF
        if _POPCOUNT[hi1 & 0b11111] >= 4 or _POPCOUNT[lo1 & 0b11111] >= 4:
            found |= 32

        # exactly 1 sigma is neither within nor beyond: it breaks both runs
        self._in1 = self._in1 + 1 if -1.0 < z < 1.0 else 0
        self._out1 = self._out1 + 1 if (z > 1.0 or z < -1.0) else 0
        if self._in1 >= 15:
            found |= 64
        if self._out1 >= 8 and hi1 and lo1:  # the last 8 are all beyond: both sides seen
            found |= 128
        return found


class NelsonEvaluator:
    """Nelson rule alerts ("nelson-1" ... "nelson-8") of one analog signal."""

    __slots__ = ("chart", "conditions", "mask", "center", "sigma", "label", "unit", "config",
                 "settings", "_rules", "_baseline", "_active", "_bucket", "_sum", "_count",
                 "_first_t", "_last_t")

    def __init__(self, signal: Signal, settings: AlertSettings, config: AlertConfig,
                 book: AlertBook, label: str) -> None:
        rules = sorted(set(settings.nelson))
        if any(r not in RULES for r in rules):
            raise ValueError(f"signal {signal.id!r}: Nelson rules are 1..8, got {rules}")
        self.settings = settings
        self.config = config
        self.label, self.unit = label, signal.unit
        self.mask = sum(rule_bit(r) for r in rules)
        self.conditions = {
            r: Condition(book, f"nelson-{r}", signal.id, signal.asset, signal.id,
                         Severity.WARNING, config.clear_samples)
            for r in rules
        }
        self._rules = [(r, rule_bit(r), c) for r, c in self.conditions.items()]
        self.reset()

    def reset(self) -> None:
        self.chart = NelsonChart()
        self.center = self.settings.center
        self.sigma = self.settings.sigma
        self._baseline: list[float] = []
        self._active = 0  # mask of rules whose alert is active
        self._bucket: int | None = None
        self._sum, self._count, self._first_t, self._last_t = 0.0, 0, 0.0, 0.0
        for condition in self.conditions.values():
            condition.reset()

    def restart(self) -> None:
        """After a data gap: the runs and the current subgroup start afresh (a run
        must not join points from both sides of an outage). A baseline already
        estimated is kept; one still being collected starts again (a moving
        range across the gap would be no measure of the spread)."""
        self.chart = NelsonChart()
        self._bucket, self._sum, self._count = None, 0.0, 0
        self._baseline = []

    def quiet_reason(self) -> str | None:
        if self.center is not None and self.sigma is not None:
            return None
        need = max(self.config.nelson_baseline_points, 2)
        unit = f" {self.settings.subgroup_s:g}-s means" if self.settings.subgroup_s > 0 else " points"
        return f"Nelson rules: learning baseline ({len(self._baseline)} of {need}{unit})"

    def update(self, value: float, t: float, out: list[AlertChange]) -> None:
        subgroup = self.settings.subgroup_s
        if subgroup <= 0.0:
            self._point(value, t, out)
            return
        bucket = math.floor(t / subgroup)
        if bucket != self._bucket:
            # Only a subgroup that covered most of its interval is a chart point: the
            # first one after a start or a gap holds a part of it, so its mean has
            # another spread (and another time) than the points the rules compare.
            if self._count and self._last_t - self._first_t >= FULL_SUBGROUP * subgroup:
                self._point(self._sum / self._count, self._last_t, out)
            self._bucket, self._sum, self._count, self._first_t = bucket, 0.0, 0, t
        self._sum += value
        self._count += 1
        self._last_t = t

    def _point(self, x: float, t: float, out: list[AlertChange]) -> None:
        if self.center is None or self.sigma is None:
            self._learn(x)
            return
        found = self.chart.push((x - self.center) / self.sigma) & self.mask
        if not found and not self._active:
            return
        for rule, bit, condition in self._rules:
            if found & bit:
                if not condition.active:
                    condition.trigger(x, None, t, self._message(rule), {
                        "center": self.center, "sigma": self.sigma,
                        "z": (x - self.center) / self.sigma,
                    }, out)
                    self._active |= bit
                else:
                    condition.hold()
            elif self._active & bit:
                condition.calm(t, out)
                if not condition.active:
                    self._active &= ~bit

    def _learn(self, x: float) -> None:
        """Collect baseline points; estimate what the settings left out."""
        self._baseline.append(x)
        points = self._baseline
        if len(points) < max(self.config.nelson_baseline_points, 2):
            return
        center = self.settings.center
        if center is None:
            center = math.fsum(points) / len(points)
        sigma = self.settings.sigma
        if sigma is None:
            ranges = [abs(b - a) for a, b in zip(points, points[1:])]
            sigma = math.fsum(ranges) / len(ranges) * _MR_TO_SIGMA
        self._baseline = []
        if sigma > 0.0:  # a frozen signal gives no spread: try the next points
            self.center, self.sigma = center, sigma

    def _message(self, rule: int) -> str:
        unit = with_unit(self.unit)
        return (f"{self.label}: Nelson rule {rule}, {RULE_TEXT[rule]} "
                f"(centre {fmt(self.center)}{unit}, σ {fmt(self.sigma)}{unit})")
