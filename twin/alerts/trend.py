"""Trend alerts: raise *before* a limit is crossed.

A least-squares line through the samples of the last ``window_s`` seconds is
projected ``horizon_s`` ahead; if it reaches a limit within the horizon while
the value is still inside, the "trend" alert is raised, saying when.

Why a windowed least-squares line and not an EWMA level: an EWMA lags a
steady drift by ``slope x time constant`` and so reports the crossing late,
while the fitted line's value at the latest sample is unbiased for a linear
drift. Noise is kept out by three guards: the window must be half covered, hold
a minimum number of points, and the slope must stand ``trend_min_t`` standard
errors clear of zero (pure noise around the centre essentially never passes).

Cost per sample is O(1): running sums over a deque, with the sums recomputed
from the window every few hundred samples so rounding cannot accumulate.
"""

from __future__ import annotations

import math
from collections import deque

from linetwin.twin.alerts.alerts import (
    AlertBook,
    AlertChange,
    AlertConfig,
    Condition,
    Severity,
    duration,
    fmt,
)
from linetwin.twin.model import AlertSettings, Signal

_REBASE_EVERY = 512  # samples between exact recomputations of the running sums


class SlidingFit:
    """Least-squares line through the ``(t, y)`` samples of the last ``window_s``.

    Times and values are stored relative to a reference (the oldest sample at
    the last rebase) so the sums stay small and well conditioned.
    """

    __slots__ = ("window_s", "_x", "_v", "_t0", "_y0", "_n", "_sx", "_sxx", "_sv", "_sxv",
                 "_svv", "_adds")

    def __init__(self, window_s: float) -> None:
        self.window_s = float(window_s)
        self._x: deque[float] = deque()
        self._v: deque[float] = deque()
        self._t0: float | None = None
        self._y0 = 0.0
        self._n = 0
        self._sx = self._sxx = self._sv = self._sxv = self._svv = 0.0
        self._adds = 0

    def __len__(self) -> int:
        return self._n

    def add(self, t: float, y: float) -> None:
        if self._t0 is None:
            self._t0, self._y0 = t, y
        x, v = t - self._t0, y - self._y0
        self._x.append(x)
        self._v.append(v)
        self._n += 1
        self._sx += x
        self._sxx += x * x
        self._sv += v
        self._sxv += x * v
        self._svv += v * v
        cutoff = x - self.window_s
        xs, vs = self._x, self._v
        while xs[0] < cutoff:
            ox, ov = xs.popleft(), vs.popleft()
            self._n -= 1
            self._sx -= ox
            self._sxx -= ox * ox
            self._sv -= ov
            self._sxv -= ox * ov
            self._svv -= ov * ov
        self._adds += 1
        if self._adds >= _REBASE_EVERY:
            self._rebase()

    @property
    def span(self) -> float:
        """Seconds between the oldest and newest sample in the window."""
        return self._x[-1] - self._x[0] if self._n else 0.0

    def line(self) -> tuple[float, float, float] | None:
        """``(level, slope, slope_stderr)`` at the newest sample, None if undetermined."""
        n = self._n
        if n < 3:
            return None
        mx, mv = self._sx / n, self._sv / n
        sxx = self._sxx - self._sx * mx
        if sxx <= 0.0:
            return None
        sxv = self._sxv - self._sx * mv
        slope = sxv / sxx
        sse = max(self._svv - self._sv * mv - slope * sxv, 0.0)
        stderr = math.sqrt(sse / (n - 2) / sxx)
        level = self._y0 + mv + slope * (self._x[-1] - mx)
        return level, slope, stderr

    def clear(self) -> None:
        self.__init__(self.window_s)

    def _rebase(self) -> None:
        """Move the reference to the oldest sample and recompute the sums exactly."""
        x0, v0 = self._x[0], self._v[0]
        self._t0 += x0  # type: ignore[operator]
        self._y0 += v0
        self._x = deque(x - x0 for x in self._x)
        self._v = deque(v - v0 for v in self._v)
        self._sx = math.fsum(self._x)
        self._sxx = math.fsum(x * x for x in self._x)
        self._sv = math.fsum(self._v)
        self._sxv = math.fsum(x * v for x, v in zip(self._x, self._v))
        self._svv = math.fsum(v * v for v in self._v)
        self._adds = 0


class TrendWatch:
    """Decides, from a :class:`SlidingFit`, whether a value heads for a limit.

    Shared by signal trends and the first-pass-yield trend. ``scale`` and
    ``unit`` only shape the message (FPY is shown in percent).
    """

    __slots__ = ("fit", "low", "high", "horizon_s", "config", "condition", "label", "unit",
                 "scale", "limit_word", "_min_span")

    def __init__(self, condition: Condition, low: float | None, high: float | None,
                 window_s: float, horizon_s: float, config: AlertConfig, label: str,
                 unit: str = "", scale: float = 1.0, limit_word: str = "limit") -> None:
        self.fit = SlidingFit(window_s)
        self.low, self.high = low, high
        self.horizon_s = horizon_s
        self.config = config
        self.condition = condition
        self.label, self.unit, self.scale, self.limit_word = label, unit, scale, limit_word
        self._min_span = config.trend_min_coverage * window_s

    def update(self, y: float, t: float, out: list[AlertChange]) -> None:
        fit = self.fit
        fit.add(t, y)
        if len(fit) < self.config.trend_min_points or fit.span < self._min_span:
            return
        line = fit.line()
        if line is None:
            return
        level, slope, stderr = line
        if slope > 0.0 and self.high is not None:
            limit, side = self.high, "high"
            beyond = y >= limit or level >= limit
        elif slope < 0.0 and self.low is not None:
            limit, side = self.low, "low"
            beyond = y <= limit or level <= limit
        else:
            self.condition.calm(t, out)  # flat, or heading for an open side
            return
        if beyond:
            self.condition.hold()  # crossed: the limit alert has taken over
            return
        eta = (limit - level) / slope
        significant = abs(slope) >= self.config.trend_min_t * stderr
        if significant and eta <= self.horizon_s:
            if not self.condition.active:
                self.condition.trigger(y, limit, t, self._message(side, limit, eta), {
                    "level": level, "slope_per_s": slope, "slope_stderr": stderr,
                    "eta_s": eta, "horizon_s": self.horizon_s,
                }, out)
            else:
                self.condition.hold()
        elif significant and eta <= self.horizon_s * self.config.trend_clear_factor:
            self.condition.hold()
        else:
            self.condition.calm(t, out)

    def _message(self, side: str, limit: float, eta: float) -> str:
        shown = fmt(limit * self.scale) + (f" {self.unit}" if self.unit else "")
        word = f"{side} {self.limit_word}" if self.limit_word == "limit" else self.limit_word
        return f"{self.label} projected to cross {word} {shown} in ~{duration(eta)}"


class TrendEvaluator:
    """The "trend" alert of one analog signal, against its spec limits.

    A data gap restarts the window (:meth:`restart`): a line fitted across an
    outage joins two unrelated stretches and projects a slope that was never
    there (a value flat before and after a reconnect, at two levels).
    """

    __slots__ = ("watch", "restarted")

    def __init__(self, signal: Signal, settings: AlertSettings, config: AlertConfig,
                 book: AlertBook, label: str) -> None:
        condition = Condition(book, "trend", signal.id, signal.asset, signal.id,
                              Severity.WARNING, config.clear_samples)
        self.watch = TrendWatch(condition, signal.limits.low, signal.limits.high,
                                settings.window_s, settings.horizon_s, config, label, signal.unit)
        self.restarted = False

    def update(self, value: float, t: float, out: list[AlertChange]) -> None:
        self.watch.update(value, t, out)

    def restart(self) -> None:
        """Start the window afresh (after a data gap); an active alert stays until
        the new window shows the value no longer heads for the limit."""
        self.watch.fit.clear()
        self.restarted = True

    def reset(self) -> None:
        self.watch.fit.clear()
        self.watch.condition.reset()
        self.restarted = False

    def quiet_reason(self) -> str | None:
        watch = self.watch
        fit = watch.fit
        if len(fit) >= watch.config.trend_min_points and fit.span >= watch._min_span:
            return None
        what = "window restarting after a data gap" if self.restarted else "window filling"
        if fit.span < watch._min_span:
            return f"trend: {what} ({fit.span:.0f} s of {watch._min_span:.0f} s)"
        return f"trend: {what} ({len(fit)} of {watch.config.trend_min_points} samples)"
