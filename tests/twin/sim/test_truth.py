"""The simulator's truth: expected defect rates against an independent computation,
counted rejects against the expected ones, and the line's draws left untouched."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from linetwin.twin.sim.simulation import DEFECT_NAMES, DEMO_STATIONS, LineSimulator
from linetwin.twin.sim.simulation_process import PROCESS_VARIABLES, defect_probabilities
from linetwin.twin.sim.truth import simulated_truth, truth_of
from linetwin.twin.whatif.changes import parse_changes

ARGS = ("seal_temperature", "dwell_time", "seal_pressure", "fill_weight", "label_offset")


def stationary_rates(setpoints: dict[str, float], n: int = 20_000) -> np.ndarray:
    """Textbook check: each process value is an OU drift (stationary N(mean, std)) plus
    white measurement noise, so it is N(setpoint, sqrt(std^2 + noise^2)); average the
    defect model over draws from that."""
    rng = np.random.default_rng(0)
    draws = {v.signal_id.split(".")[1]: rng.normal(setpoints.get(v.signal_id, v.mean), math.hypot(v.std, v.noise), n)
             for v in PROCESS_VARIABLES}
    return np.mean([defect_probabilities(*(draws[a][i] for a in ARGS)) for i in range(n)], axis=0)


def mean_truth(changes: list[str], seeds: range) -> tuple[np.ndarray, list]:
    truths = [simulated_truth(DEMO_STATIONS, seed, 1.0, parse_changes(changes)) for seed in seeds]
    return np.mean([[t.expected_rates[d] for d in DEFECT_NAMES] for t in truths], axis=0), truths


def test_truth_at_dwell_minus_10_percent_matches_the_stationary_expectation():
    # One hour's truth wanders ~10 % with its own process path (dwell time's tau is
    # 120 s); the mean of four hours is held to 15 % (about 3 sigma).
    rates, truths = mean_truth(["sealer.dwell_time=-10%"], range(1, 5))
    expected = stationary_rates({"sealer.dwell_time": 315.0})
    assert expected[0] > 0.03  # the short seal dominates: a swapped index would show
    np.testing.assert_allclose(rates, expected, rtol=0.15)
    assert rates[DEFECT_NAMES.index("misalignment")] == pytest.approx(0.001, abs=1e-12)  # constant
    for truth in truths:
        assert truth.setpoints["sealer.dwell_time"] == 315.0
        assert truth.expected_fpy == pytest.approx(1.0 - sum(truth.expected_rates.values()))
        assert 5000 < truth.units < 7300  # 120 packs/min less the stops


def test_truth_at_nominal_matches_the_stationary_expectation_and_is_lower():
    rates, _ = mean_truth([], range(1, 3))
    np.testing.assert_allclose(rates, stationary_rates({}), rtol=0.25)
    assert rates[0] < 0.006


@pytest.mark.parametrize("changes", [[], ["sealer.dwell_time=-10%"]])
def test_rejects_counted_agree_with_the_expected_rate(changes):
    truth = simulated_truth(DEMO_STATIONS, 8, 0.5, parse_changes(changes))
    for name in DEFECT_NAMES:
        # Given the path, each type's count is a sum of Bernoullis with the summed
        # probabilities: variance <= mean, so 4 sigma is a bound a correct model
        # breaks about once in 30,000.
        mean = truth.expected_rates[name] * truth.units
        assert abs(truth.observed[name] - mean) <= 4.0 * math.sqrt(mean) + 1.0, name


def test_start_values_are_the_reference_of_relative_changes():
    sim = LineSimulator(DEMO_STATIONS, seed=2)
    truth = simulated_truth(DEMO_STATIONS, 2, 0.02, parse_changes(["sealer.seal_temperature=+3"]),
                            start_values={"sealer.seal_temperature": 180.0, "sealer.dwell_time": 330.0})
    assert truth.setpoints["sealer.seal_temperature"] == 183.0
    assert truth.setpoints["sealer.dwell_time"] == 330.0
    assert truth.setpoints["sealer.seal_pressure"] == sim.nominal("sealer.seal_pressure")


def test_a_signal_the_simulator_does_not_run_is_named():
    with pytest.raises(ValueError, match=r"--set sealer\.speed: not a process value.*sealer\.dwell_time"):
        simulated_truth(DEMO_STATIONS, 1, 0.01, parse_changes(["sealer.speed=3"]))
    with pytest.raises(ValueError, match=r"start value inspection\.reject_count: not a process value"):
        simulated_truth(DEMO_STATIONS, 1, 0.01, [], start_values={"inspection.reject_count": 3})
    with pytest.raises(ValueError, match="hours must be a positive number"):
        simulated_truth(DEMO_STATIONS, 1, 0, [])


def test_the_probabilities_are_the_ones_inspection_draws_from():
    sim = LineSimulator(DEMO_STATIONS, seed=4)
    sim.step(30.0)
    sim.force("sealer.seal_temperature", 170.0)
    p = sim.defect_probabilities()
    assert p[0] > 0.5 and p.shape == (len(DEFECT_NAMES),)
    before = truth_of(sim)
    sim.step(10.0)  # forced: the probabilities do not move with the drift of the temperature
    after = truth_of(sim)
    # The seal-gap expectation grows by ~p[0] per pack (dwell wander moves it a little).
    grown = after.expected_rates["seal_gap"] * after.units - before.expected_rates["seal_gap"] * before.units
    assert grown == pytest.approx(p[0] * (after.units - before.units), rel=0.02)


def fingerprint(seed: int, scenario: str) -> str:
    sim = LineSimulator(DEMO_STATIONS, seed=seed, scenario=scenario)
    digest = hashlib.sha256()
    for _ in range(60):
        sim.step(5.0)
        values = sim.values()
        digest.update(np.array([values[k] for k in sorted(values)]).tobytes())
    events = [(type(e).__name__, e.time, getattr(e, "unit_id", None), getattr(e, "result", None))
              for e in sim.take_events()]
    digest.update(repr(events).encode())
    return digest.hexdigest()[:16]


def test_keeping_the_truth_draws_no_random_number():
    # Fingerprints taken before the truth's accumulator was added to the simulator.
    assert fingerprint(7, "normal") == "fc78eda8ecdb2a16"
    assert fingerprint(3, "heater-degradation") == "023687b4e35cf82a"
