"""The simulator's truth: what a setting really does to the defect rates.

The simulated line knows the probability of each defect for every pack it
inspects (:meth:`LineSimulator.defect_probabilities`); summed over a run, per
unit inspected, that is the *expected* rate of each defect type, the quantity a
what-if model predicts, free of the binomial noise of the counted rejects. The
what-if benchmark and the tests compare predictions with it.

:func:`simulated_truth` runs the line model alone (no server, no store): from
``start_values`` (the setpoints the line holds now), with the proposed
changes applied relative to them at the start, for ``hours`` of line time.
Setpoints ramp to their new values as their controllers do (seconds), and the
first few seconds are the line's start-up; both are part of the run's truth.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linetwin.twin.sim.scenarios import Scenario
from linetwin.twin.sim.simulation import DEFECT_NAMES, LineSimulator
from linetwin.twin.whatif.changes import ProposedChange

CHUNK_S = 60.0  # line time between progress reports and cancel checks


@dataclass(frozen=True)
class SimTruth:
    """A simulated run's truth: per defect type (like :data:`DEFECT_NAMES`) the
    expected rate per unit inspected and the rejects counted."""

    hours: float
    units: int  # packs inspected
    expected_rates: dict[str, float]  # probability per unit inspected (NaN with no unit)
    observed: dict[str, int]
    setpoints: dict[str, float]  # the process setpoints in force at the end

    @property
    def expected_fpy(self) -> float:
        """Expected first-pass yield: a pack has at most one defect, so 1 - sum of rates."""
        return 1.0 - sum(self.expected_rates.values())

    @property
    def observed_rates(self) -> dict[str, float]:
        return {name: n / self.units if self.units else math.nan for name, n in self.observed.items()}

    @property
    def observed_fpy(self) -> float:
        return 1.0 - sum(self.observed.values()) / self.units if self.units else math.nan

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (no NaN: ``None`` where no unit was inspected)."""
        return {"hours": self.hours, "units": self.units,
                "expected_rates": {k: _finite(v) for k, v in self.expected_rates.items()},
                "observed": dict(self.observed), "expected_fpy": _finite(self.expected_fpy),
                "observed_fpy": _finite(self.observed_fpy), "setpoints": dict(self.setpoints)}


def truth_of(sim: LineSimulator) -> SimTruth:
    """The truth of ``sim``'s run so far."""
    expected, counts, units = sim.truth()
    rates = {name: float(e) / units if units else math.nan for name, e in zip(DEFECT_NAMES, expected)}
    setpoints = {s: sim.nominal(s) for s in sim.process_signal_ids()}
    return SimTruth(sim.time_s / 3600.0, units, rates, dict(zip(DEFECT_NAMES, counts.tolist())), setpoints)


def check_signals(sim: LineSimulator, signal_ids: Sequence[str], what: str = "--set") -> None:
    """``ValueError`` naming the first signal that is not a process value of ``sim``."""
    known = sim.process_signal_ids()
    for signal_id in signal_ids:
        if signal_id not in known:
            raise ValueError(f"{what} {signal_id}: not a process value the simulator runs; "
                             f"process values: {', '.join(known)}")


def apply_changes(sim: LineSimulator, changes: Sequence[ProposedChange],
                  start_values: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """Move the setpoints to ``start_values``, then apply ``changes`` relative to them
    (to the simulator's nominal where no start value is given). What changed, as
    ``{"signal", "change", "from", "to"}`` dicts. ``ValueError`` names an unknown signal
    before anything is set."""
    start_values = dict(start_values or {})
    check_signals(sim, list(start_values), "start value")
    check_signals(sim, [c.signal_id for c in changes])
    for signal_id, value in start_values.items():
        sim.set_setpoint(signal_id, float(value))
    done = []
    for change in changes:
        before = sim.nominal(change.signal_id)
        after = change.target(before)
        sim.set_setpoint(change.signal_id, after)
        done.append({"signal": change.signal_id, "change": change.text, "from": before, "to": after})
    return done


def run_line(sim: LineSimulator, seconds: float, progress: Callable[[float], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> bool:
    """Step ``sim`` ``seconds`` in chunks of :data:`CHUNK_S`, reporting the fraction
    done and polling ``cancelled`` between chunks; False if cancelled."""
    done = 0.0
    while done < seconds - 1e-9:
        if cancelled is not None and cancelled():
            return False
        chunk = min(CHUNK_S, seconds - done)
        sim.step(chunk)
        done += chunk
        if progress is not None:
            progress(min(done / seconds, 1.0))
    return True


def simulated_truth(stations: Sequence[str], seed: int, hours: float, changes: Sequence[ProposedChange],
                    scenario: str | Scenario = "normal",
                    start_values: Mapping[str, float] | None = None) -> SimTruth:
    """Run the line model ``hours`` with ``changes`` (relative to ``start_values``,
    else to the simulator's nominal) and return its truth. ``ValueError`` for bad
    hours or a signal that is not a simulated process value."""
    if not (math.isfinite(hours) and hours > 0):
        raise ValueError(f"hours must be a positive number, got {hours}")
    sim = LineSimulator(list(stations), seed=seed, scenario=scenario)
    apply_changes(sim, changes, start_values)
    run_line(sim, hours * 3600.0)
    return truth_of(sim)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
