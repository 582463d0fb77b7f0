""""Try it on the virtual line": a proposed change run on the simulator, faster
than real time, from the line's current state.

The simulator starts at the setpoints the line holds now (``start_values``),
the proposal is applied at once (relative to them: ``dwell -10 %`` means 10 %
below the current dwell), and ``minutes`` of line time are simulated (about
2 s per simulated hour). The outcome holds what was counted (rejects per defect
type, with a 90 % Wilson interval on each rate) beside what the simulator knows
to be true (the expected rate over the packs it inspected), so the GUI can put
both next to a model's prediction.

A long trial reports ``progress(fraction)`` every minute of line time and polls
``cancelled()`` as often; a cancelled trial raises :class:`TrialCancelled`
(there is no partial outcome to show).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from linetwin.twin.sim.simulation import LineSimulator
from linetwin.twin.sim.truth import SimTruth, apply_changes, run_line, truth_of
from linetwin.twin.whatif.changes import ProposedChange

LEVEL = 0.90  # of the Wilson intervals
_Z = NormalDist().inv_cdf(0.5 + LEVEL / 2.0)


class TrialCancelled(Exception):
    """The trial was cancelled (``cancelled()`` returned True) before it finished."""


def wilson_interval(count: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``count / n`` (``(0, 1)`` for n = 0)."""
    if n <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + level / 2.0) if level != LEVEL else _Z
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class DefectOutcome:
    """One defect type in the trial: counted and true."""

    count: int
    rate: float  # observed, per unit inspected
    low: float  # 90 % Wilson interval of the observed rate
    high: float
    expected: float  # the simulator's true rate over the packs it inspected


@dataclass(frozen=True)
class TrialOutcome:
    """What the virtual line did under the proposal."""

    minutes: float
    seed: int
    changes: list[dict[str, Any]]  # {"signal", "change", "from", "to"}, as applied
    units: int  # packs inspected
    defects: dict[str, DefectOutcome]
    fpy: float  # observed first-pass yield
    fpy_low: float
    fpy_high: float
    expected_fpy: float  # the simulator's truth

    def as_json(self) -> dict[str, Any]:
        """A plain dict: rates as the probability per unit inspected (``None`` for a
        rate of no unit)."""
        return {"minutes": self.minutes, "seed": self.seed, "changes": [dict(c) for c in self.changes],
                "units": self.units,
                "defects": {name: {"count": d.count, "rate": _finite(d.rate), "low": d.low, "high": d.high,
                                   "expected": _finite(d.expected)} for name, d in self.defects.items()},
                "fpy": {"observed": _finite(self.fpy), "low": self.fpy_low, "high": self.fpy_high,
                        "expected": _finite(self.expected_fpy)}}


def run_virtual_trial(stations: Sequence[str], start_values: Mapping[str, float],
                      changes: Sequence[ProposedChange], minutes: float, seed: int = 1,
                      progress: Callable[[float], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> TrialOutcome:
    """Run ``changes`` on a simulated line of ``stations`` for ``minutes`` of line time,
    from the setpoints ``start_values`` (process value id -> value; others stay at
    the simulator's nominal).

    ``ValueError`` for bad minutes or a signal the simulator does not run (named);
    :class:`TrialCancelled` once ``cancelled()`` returns True.
    """
    if not (math.isfinite(minutes) and minutes > 0):
        raise ValueError(f"minutes must be a positive number, got {minutes}")
    sim = LineSimulator(list(stations), seed=seed)
    applied = apply_changes(sim, changes, start_values)
    if not run_line(sim, minutes * 60.0, progress, cancelled):
        raise TrialCancelled(f"virtual trial cancelled after {sim.time_s / 60.0:.1f} of {minutes:g} min")
    return _outcome(truth_of(sim), minutes, seed, applied)


def _outcome(truth: SimTruth, minutes: float, seed: int, applied: list[dict[str, Any]]) -> TrialOutcome:
    n = truth.units
    defects = {}
    for name, count in truth.observed.items():
        low, high = wilson_interval(count, n)
        defects[name] = DefectOutcome(count, count / n if n else math.nan, low, high,
                                      truth.expected_rates[name])
    passed = n - sum(truth.observed.values())
    fpy_low, fpy_high = wilson_interval(passed, n)
    return TrialOutcome(minutes, seed, applied, n, defects, passed / n if n else math.nan,
                        fpy_low, fpy_high, truth.expected_fpy)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
