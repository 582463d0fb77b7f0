"""The ``trials`` scenario: a new recipe every period, drawn in the trial windows."""

from __future__ import annotations

import pytest

from linetwin.twin.sim.scenarios import TRIAL_WINDOWS, Trials
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator


def recipes(sim: LineSimulator, count: int, period_s: float) -> list[dict[str, float]]:
    out = []
    for _ in range(count):
        sim.step(period_s)
        out.append({s: sim.nominal(s) for s in TRIAL_WINDOWS if s in sim.process_signal_ids()})
    return out


def test_first_period_standard_then_recipes_inside_their_windows():
    sim = LineSimulator(DEMO_STATIONS, seed=5, scenario=Trials(start_s=0.0, period_s=60.0))
    standard = {s: sim.nominal(s) for s in TRIAL_WINDOWS}
    sim.step(59.0)
    assert {s: sim.nominal(s) for s in TRIAL_WINDOWS} == standard  # the first period
    runs = recipes(sim, 60, 60.0)
    assert sim.scenario_model.recipe == 60
    for signal_id, (low, high) in TRIAL_WINDOWS.items():
        values = [r[signal_id] for r in runs]
        kept = sum(v == standard[signal_id] for v in values)
        assert 10 <= kept <= 40, signal_id  # p = 0.4 of 60: 24 +- 4 sigma
        tried = [v for v in values if v != standard[signal_id]]
        assert all(low <= v <= high for v in tried), signal_id
        assert max(tried) - min(tried) > 0.6 * (high - low), signal_id  # spread over the window


def test_same_seed_same_recipes_and_the_line_draws_nothing_more():
    make = lambda seed: LineSimulator(DEMO_STATIONS, seed=seed, scenario=Trials(period_s=30.0))  # noqa: E731
    assert recipes(make(3), 5, 30.0) == recipes(make(3), 5, 30.0)
    assert recipes(make(3), 5, 30.0) != recipes(make(4), 5, 30.0)
    # The recipes come from the scenario's own generator: before the first new
    # recipe the line runs exactly as the normal scenario does.
    trials, normal = make(3), LineSimulator(DEMO_STATIONS, seed=3)
    trials.step(40.0)
    normal.step(40.0)
    assert trials.values() == normal.values()


def test_the_run_starts_from_the_setpoints_in_force_and_skips_absent_stations():
    sim = LineSimulator(["infeed", "sealer", "inspection"], seed=1, scenario=Trials(start_s=0.0, period_s=10.0))
    sim.set_setpoint("sealer.dwell_time", 320.0)  # e.g. history generate --set, before the first tick
    runs = recipes(sim, 30, 10.0)
    assert set(runs[0]) == {"sealer.seal_temperature", "sealer.dwell_time", "sealer.seal_pressure"}
    assert any(r["sealer.dwell_time"] == 320.0 for r in runs)  # "standard" is the value in force
    assert "filler.fill_weight" not in sim.scenario_model.describe()


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="period_s must be > 0"):
        Trials(period_s=0)
    with pytest.raises(ValueError, match="keep must be a probability"):
        Trials(keep=1.5)
