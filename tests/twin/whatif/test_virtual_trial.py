"""Try it on the virtual line: the outcome, its intervals, progress and cancelling."""

from __future__ import annotations

import json

import pytest

from linetwin.twin.sim.simulation import DEFECT_NAMES, DEMO_STATIONS
from linetwin.twin.whatif.changes import parse_changes
from linetwin.twin.whatif.virtual_trial import TrialCancelled, run_virtual_trial, wilson_interval

NOW = {"sealer.seal_temperature": 184.0, "sealer.dwell_time": 340.0}


@pytest.mark.parametrize(("count", "n"), [(10, 100), (0, 50), (3, 7000), (50, 50)])
def test_wilson_interval_agrees_with_statsmodels(count, n):
    from statsmodels.stats.proportion import proportion_confint

    expected = proportion_confint(count, n, alpha=0.10, method="wilson")
    assert wilson_interval(count, n) == pytest.approx(expected, abs=1e-9)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_a_short_dwell_trial_from_the_current_state():
    seen = []
    outcome = run_virtual_trial(DEMO_STATIONS, NOW, parse_changes(["sealer.dwell_time=-10%"]), 10, seed=3,
                                progress=seen.append)
    assert seen == pytest.approx([i / 10 for i in range(1, 11)])  # every minute of line time
    assert outcome.changes == [{"signal": "sealer.dwell_time", "change": "sealer.dwell_time=-10%",
                                "from": 340.0, "to": 306.0}]
    assert 800 < outcome.units < 1250
    gap = outcome.defects["seal_gap"]
    assert gap.expected > 0.05  # 306 ms is close to the short-seal edge
    assert gap.low <= gap.rate <= gap.high and gap.count == round(gap.rate * outcome.units)
    assert gap.low < gap.expected < gap.high  # a 90 % interval: this seed's holds it
    assert outcome.expected_fpy == pytest.approx(1 - sum(d.expected for d in outcome.defects.values()))
    assert outcome.fpy_low <= outcome.fpy <= outcome.fpy_high
    data = json.loads(json.dumps(outcome.as_json()))
    assert set(data["defects"]) == set(DEFECT_NAMES)
    assert data["defects"]["seal_gap"]["expected"] == gap.expected and data["fpy"]["expected"] < 0.95


def test_the_intervals_cover_the_truth_about_nine_times_in_ten():
    hits = 0
    for seed in range(1, 9):
        outcome = run_virtual_trial(DEMO_STATIONS, {}, parse_changes(["sealer.dwell_time=305"]), 3, seed=seed)
        gap = outcome.defects["seal_gap"]
        hits += gap.low <= gap.expected <= gap.high
    assert hits >= 5  # 90 % of 8: 5 or fewer happens with p < 0.04


def test_cancel_stops_the_trial_between_minutes():
    seen = []
    with pytest.raises(TrialCancelled, match=r"cancelled after 2\.0 of 30 min"):
        run_virtual_trial(DEMO_STATIONS, NOW, [], 30, progress=seen.append, cancelled=lambda: len(seen) >= 2)
    assert seen == pytest.approx([1 / 30, 2 / 30])


def test_bad_trials_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"--set sealer\.colour: not a process value"):
        run_virtual_trial(DEMO_STATIONS, NOW, parse_changes(["sealer.colour=3"]), 5)
    with pytest.raises(ValueError, match="minutes must be a positive number"):
        run_virtual_trial(DEMO_STATIONS, NOW, [], float("nan"))
