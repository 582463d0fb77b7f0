"""The Bernoulli CUSUM of Reynolds & Stoumbos (1999) for a rise in a proportion.

Each inspected unit is a Bernoulli trial: defective with probability p. The chart
tests "in control, p = p0" against "shifted, p = p1" (p1 > p0) unit by unit; its
statistic is the cumulative log-likelihood ratio, floored at zero::

    B_t = max(0, B_{t-1} + X_t * ln(p1/p0) + (1 - X_t) * ln((1-p1)/(1-p0)))

Dividing by ``ln(p1 (1-p0) / (p0 (1-p1)))`` gives Reynolds & Stoumbos' form
``B_t = max(0, B_{t-1} + X_t - gamma)`` with
``gamma = ln((1-p0)/(1-p1)) / ln(p1 (1-p0) / (p0 (1-p1)))``. Like them we round
``1/gamma`` to an integer ``m`` and scale by ``m``, so every good unit takes 1
off the statistic and every defective one adds ``m - 1``: the statistic lives
on the integers, and its run lengths follow *exactly* from a Markov chain on
``0 .. H-1`` (:func:`average_run_length`), which is how the control limit ``H``
is set for a wanted in-control average run length (ARL0, in units).

Why this chart: for a step from p0 to p1 it is the optimal sequential test
(Moustakides 1986): no other rule with the same false-alarm rate detects the
step in fewer units on average. A rolling-window yield needs the window to
fill with bad units before its average moves; the CUSUM accumulates evidence
from the first bad unit and needs no start-up window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


def gamma(p0: float, p1: float) -> float:
    """Reynolds & Stoumbos' reference value (the good-unit decrement before scaling)."""
    return math.log((1.0 - p0) / (1.0 - p1)) / math.log(p1 * (1.0 - p0) / (p0 * (1.0 - p1)))


def scale_m(p0: float, p1: float) -> int:
    """The integer ``m ~ 1/gamma``: one defective unit weighs ``m - 1`` good ones."""
    return max(2, round(1.0 / gamma(p0, p1)))


def average_run_length(p: float, m: int, h: int) -> float:
    """Expected units to the first signal, starting at 0, when the true rate is ``p``.

    Exact for the integer chart: states 0..h-1 of the statistic, a good unit
    moves i -> max(i-1, 0), a defective one i -> i+m-1 (absorbed at >= h).
    ARL = first element of (I - Q)^-1 1 (Brook & Evans 1972).
    """
    if h <= 0:
        return 1.0
    # A = I - Q is banded: one diagonal below (a good unit), m - 1 above (a
    # defective one). Gaussian elimination along the band costs O(h m), not
    # O(h^3): milliseconds even for rare defects (m in the hundreds).
    q = 1.0 - p
    band = np.zeros((h, m))  # band[i, k] = A[i, i + k]
    band[:, 0] = 1.0
    band[0, 0] -= q  # a good unit at 0 stays at 0
    band[: max(h - (m - 1), 0), m - 1] -= p  # a defective unit that stays below h
    rhs = np.ones(h)
    for i in range(1, h):  # eliminate A[i, i-1] = -q with row i-1
        f = -q / band[i - 1, 0]
        band[i, : m - 1] -= f * band[i - 1, 1:]
        rhs[i] -= f * rhs[i - 1]
    x = np.zeros(h + m)
    for i in range(h - 1, -1, -1):
        x[i] = (rhs[i] - band[i, 1:] @ x[i + 1: i + m]) / band[i, 0]
    return float(x[0])


def control_limit(p0: float, m: int, arl0: float, h_max: int = 20_000) -> int:
    """The smallest integer limit ``H`` whose in-control ARL is at least ``arl0``."""
    lo, hi = m - 1, m - 1
    while average_run_length(p0, m, hi) < arl0:
        lo, hi = hi, hi * 2
        if hi > h_max:
            raise ValueError(f"no control limit up to {h_max} gives ARL0 {arl0:g} at p0 {p0:g}")
    while hi - lo > 1:  # ARL grows with H: bisect
        mid = (lo + hi) // 2
        if average_run_length(p0, m, mid) >= arl0:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class CusumDesign:
    """A calibrated chart: in-control rate ``p0``, rate to detect ``p1``,
    scale ``m``, control limit ``h`` and the ARLs (units) it gives."""

    p0: float
    p1: float
    m: int
    h: int
    arl0: float  # expected units between false alarms at p0
    arl1: float  # expected units to detect p1, starting from zero

    @classmethod
    def for_arl0(cls, p0: float, p1: float, arl0: float) -> "CusumDesign":
        """The chart for ``p0`` -> ``p1`` with an in-control ARL of at least ``arl0``."""
        return _design(float(p0), float(p1), float(arl0))


@lru_cache(maxsize=256)  # defect types often share a design; a project reload reuses it
def _design(p0: float, p1: float, arl0: float) -> CusumDesign:
    if not 0.0 < p0 < p1 < 1.0:
        raise ValueError(f"a Bernoulli CUSUM needs 0 < p0 < p1 < 1, got p0={p0:g}, p1={p1:g}")
    m = scale_m(p0, p1)
    h = control_limit(p0, m, arl0)
    return CusumDesign(p0, p1, m, h, average_run_length(p0, m, h), average_run_length(p1, m, h))


class BernoulliCusum:
    """The running statistic of one chart, fed with counts of good and defective units.

    Within one reading the order of the units is unknown; goods are applied
    before defectives, which is the order that lets the statistic end highest
    (a missed detection costs more than one early by a few units).
    After a signal the statistic is held at ``h`` (capped) while the rise lasts,
    so the alert stays up; it clears when the statistic is back at zero.
    """

    __slots__ = ("design", "s", "units", "run_units", "run_defective")

    def __init__(self, design: CusumDesign) -> None:
        self.design = design
        self.s = 0  # scaled statistic, 0 .. h
        self.units = 0  # units seen
        # Units since the statistic last stood at zero: where the rise began,
        # by the CUSUM's own change-point estimate (what an alert reports).
        self.run_units = 0
        self.run_defective = 0

    def add(self, good: int, defective: int) -> int:
        """Take ``good`` and ``defective`` units; returns the new statistic."""
        if good > 0:
            self.s = max(self.s - good, 0)
            self.run_units += good
        if self.s == 0:
            self.run_units = self.run_defective = 0
        if defective > 0:
            self.s = min(self.s + defective * (self.design.m - 1), self.design.h)
            self.run_units += defective
            self.run_defective += defective
        self.units += good + defective
        return self.s

    @property
    def signalling(self) -> bool:
        return self.s >= self.design.h

    @property
    def run_rate(self) -> float:
        """Defective fraction of the units since the statistic left zero."""
        return self.run_defective / self.run_units if self.run_units else 0.0

    @property
    def llr(self) -> float:
        """The statistic as a log-likelihood ratio (nats)."""
        d = self.design
        return self.s / d.m * math.log(d.p1 * (1.0 - d.p0) / (d.p0 * (1.0 - d.p1)))

    def reset(self) -> None:
        self.s = self.units = self.run_units = self.run_defective = 0
