"""The stochastic line model: determinism, liveliness, flow and defect physics."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.twin.model import DEFAULT_STATES
from linetwin.twin.production.events import InspectionEvent
from linetwin.twin.sim.simulation import (
    DEFECT_NAMES,
    DEMO_STATIONS,
    LineSimulator,
    StationReliability,
)
from linetwin.twin.sim.simulation_process import defect_probabilities

RUNNING = DEFAULT_STATES["running"]
STARVED = DEFAULT_STATES["starved"]
BLOCKED = DEFAULT_STATES["blocked"]
FAULT = DEFAULT_STATES["fault"]

DEMO_SIGNALS = {
    *(f"{s}.state" for s in DEMO_STATIONS),
    *(f"{s}.good_count" for s in DEMO_STATIONS),
    "infeed.line_speed",
    "filler.fill_weight",
    "sealer.seal_temperature",
    "sealer.dwell_time",
    "sealer.seal_pressure",
    "inspection.reject_count",
    *(f"inspection.defects.{d}" for d in ("seal_gap", "wrinkle", "contamination", "misalignment",
                                          "label_skew")),
    "inspection.last_defect",
    "labeler.label_offset",
}


def run(sim: LineSimulator, seconds: float, dt: float = 0.1) -> list[dict[str, float]]:
    out = []
    for _ in range(round(seconds / dt)):
        sim.step(dt)
        out.append(sim.values())
    return out


def reliable_line(seed: int = 3) -> LineSimulator:
    """A line whose stations never stop on their own."""
    never = {s: StationReliability.never() for s in DEMO_STATIONS}
    return LineSimulator(DEMO_STATIONS, seed=seed, reliability=never)


def test_values_cover_every_demo_signal():
    sim = LineSimulator(DEMO_STATIONS, seed=1)
    sim.step(0.1)
    values = sim.values()
    assert set(values) == DEMO_SIGNALS
    assert all(isinstance(v, float) and np.isfinite(v) for v in values.values())
    assert set(sim.signal_ids()) == DEMO_SIGNALS


def test_same_seed_same_values():
    a = run(LineSimulator(DEMO_STATIONS, seed=7), 60)
    b = run(LineSimulator(DEMO_STATIONS, seed=7), 60)
    assert a == b


def test_same_seed_same_values_whatever_the_step_size_sequence():
    a, b = LineSimulator(DEMO_STATIONS, seed=7), LineSimulator(DEMO_STATIONS, seed=7)
    for dt in (0.1, 1.0, 0.05, 2.5, 0.3) * 10:
        a.step(dt)
        b.step(dt)
    assert a.values() == b.values()
    assert a.time_s == pytest.approx(39.5)


def test_different_seeds_differ():
    a = LineSimulator(DEMO_STATIONS, seed=1)
    b = LineSimulator(DEMO_STATIONS, seed=2)
    a.step(10)
    b.step(10)
    assert a.values()["sealer.seal_temperature"] != b.values()["sealer.seal_temperature"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_states_change_over_two_minutes(seed):
    sim = LineSimulator(DEMO_STATIONS, seed=seed)
    sim.step(5.0)  # past the staggered start-up
    history = run(sim, 120)
    changes = sum(
        before[f"{s}.state"] != after[f"{s}.state"]
        for before, after in zip(history, history[1:])
        for s in DEMO_STATIONS
    )
    faults = {s for values in history for s in DEMO_STATIONS if values[f"{s}.state"] == FAULT}
    assert changes >= 4
    assert faults, "no station faulted in two minutes: the demo would look dead"


def test_counters_are_monotonic_integers():
    history = run(LineSimulator(DEMO_STATIONS, seed=4), 120)
    for key in [k for k in DEMO_SIGNALS if k.endswith("_count")]:
        series = np.array([v[key] for v in history])
        assert np.all(np.diff(series) >= 0), key
        assert np.all(series == np.round(series)), key
    assert history[-1]["infeed.good_count"] > 150  # ~2 packs/s when running


def test_counters_advance_only_while_running():
    history = run(LineSimulator(DEMO_STATIONS, seed=2), 120)
    for s in DEMO_STATIONS:
        for before, after in zip(history, history[1:]):
            if after[f"{s}.good_count"] > before[f"{s}.good_count"]:
                assert after[f"{s}.state"] == RUNNING, s


def test_line_speed_is_near_nominal_while_running_and_zero_when_stopped():
    sim = reliable_line()
    sim.step(10)
    assert 110 < sim.values()["infeed.line_speed"] < 130
    sim.trigger_fault("infeed", 5.0)
    sim.step(0.1)
    assert sim.values()["infeed.line_speed"] == 0.0


def test_upstream_fault_starves_downstream_and_blocks_upstream():
    sim = reliable_line()
    sim.step(10)
    assert all(sim.state_of(s) == RUNNING for s in DEMO_STATIONS)
    sim.trigger_fault("filler", 60.0)
    sim.step(0.5)
    # Buffers absorb the first seconds: the stop spreads, it does not jump.
    assert sim.state_of("filler") == FAULT
    assert sim.state_of("sealer") == RUNNING
    sim.step(10)
    assert sim.state_of("sealer") == STARVED
    assert sim.state_of("inspection") == STARVED
    assert sim.state_of("infeed") == BLOCKED
    counts = sim.values()
    sim.step(5)
    assert sim.values()["sealer.good_count"] == counts["sealer.good_count"]


def test_line_recovers_after_the_fault_clears():
    sim = reliable_line()
    sim.step(10)
    sim.trigger_fault("sealer", 5.0)
    sim.step(20)
    assert all(sim.state_of(s) == RUNNING for s in DEMO_STATIONS)


def test_forced_low_seal_temperature_raises_the_defect_rate():
    normal, cold = reliable_line(seed=11), reliable_line(seed=11)
    cold.force("sealer.seal_temperature", 170.0)
    normal.step(300)
    cold.step(300)
    assert cold.values()["sealer.seal_temperature"] == 170.0

    def reject_rate(sim):
        v = sim.values()
        return v["inspection.reject_count"] / (v["inspection.reject_count"] + v["inspection.good_count"])

    assert reject_rate(normal) < 0.03
    assert reject_rate(cold) > 0.3
    seal_gaps = [e for e in cold.take_events() if getattr(e, "defect_type", None) == "seal_gap"]
    assert len(seal_gaps) > 0.8 * cold.values()["inspection.reject_count"]
    assert cold.take_events() == []  # drained


def test_release_returns_the_value_to_the_model():
    sim = reliable_line()
    sim.force("sealer.seal_temperature", 170.0)
    sim.step(1)
    sim.release("sealer.seal_temperature")
    sim.step(0.1)
    assert 178 < sim.values()["sealer.seal_temperature"] < 192


def test_defect_probabilities_respond_to_their_process_values():
    nominal = dict(seal_temperature=185, dwell_time=350, seal_pressure=4.5, fill_weight=502, label_offset=0)
    base = defect_probabilities(**nominal)
    assert base.sum() < 0.01
    gap, wrinkle, contamination, _, skew = range(5)
    assert defect_probabilities(**{**nominal, "seal_temperature": 176})[gap] > 0.2
    assert defect_probabilities(**{**nominal, "dwell_time": 270})[gap] > 0.2
    assert defect_probabilities(**{**nominal, "seal_pressure": 5.6})[wrinkle] > 0.2
    assert defect_probabilities(**{**nominal, "fill_weight": 512})[contamination] > 0.1
    assert defect_probabilities(**{**nominal, "label_offset": -2.2})[skew] > 0.3
    extreme = defect_probabilities(170, 200, 6.5, 520, 5)
    assert extreme.sum() == pytest.approx(0.95)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="scenario"):
        LineSimulator(DEMO_STATIONS, seed=1, scenario="heater_degradation")
    with pytest.raises(ValueError):
        LineSimulator([], seed=1)
    sim = LineSimulator(DEMO_STATIONS, seed=1)
    with pytest.raises(ValueError):
        sim.step(-1)
    with pytest.raises(KeyError):
        sim.force("infeed.state", 4)


def test_a_line_without_the_demo_stations_still_runs():
    sim = LineSimulator(["a", "b"], seed=1)
    sim.step(30)
    assert set(sim.values()) == {"a.state", "a.good_count", "b.state", "b.good_count"}
    assert sim.values()["b.good_count"] > 0


def test_defect_counters_add_up_to_the_rejects():
    sim = LineSimulator(DEMO_STATIONS, seed=4, scenario="heater-degradation")
    sim.step(600.0)
    values = sim.values()
    events = [e for e in sim.take_events() if isinstance(e, InspectionEvent) and e.defective]
    per_type = {name: values[f"inspection.defects.{name}"] for name in DEFECT_NAMES}
    assert sum(per_type.values()) == values["inspection.reject_count"] == len(events) > 100
    for name, count in per_type.items():
        assert count == sum(e.defect_type == name for e in events)
