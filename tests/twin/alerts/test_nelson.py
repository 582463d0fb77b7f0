"""The eight Nelson rules: each on its defining pattern, and on a near miss."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.twin.alerts.alerts import AlertBook, AlertConfig
from linetwin.twin.model import AlertSettings, Limits, Signal, SignalKind
from linetwin.twin.alerts.nelson import NelsonChart, NelsonEvaluator, rule_bit

def fired_at(rule: int, zs: list[float]) -> list[int]:
    """Indices (into ``zs``) of the points after which ``rule`` is present (fresh chart)."""
    chart = NelsonChart()
    return [i for i, z in enumerate(zs) if chart.push(z) & rule_bit(rule)]


# rule -> (defining pattern, near misses that must not trigger it)
PATTERNS = {
    1: ([0.2, 3.2], [[2.99, -2.99, 3.0, -3.0]]),
    2: ([0.5] * 9, [[0.5] * 8 + [-0.5], [0.5] * 4 + [0.0] + [0.5] * 4]),
    3: ([-1.0, -0.6, -0.2, 0.2, 0.6, 1.0], [[-1.0, -0.6, -0.2, 0.2, 0.2, 0.6, 1.0],
                                             [1.0, 0.6, 0.2, -0.2, -0.6, -0.5]]),
    4: ([0.5, -0.5] * 7, [[0.5, -0.5] * 6 + [0.5, 0.7], [0.5, -0.5] * 6 + [0.5]]),
    5: ([2.5, 0.0, 2.5], [[2.5, -2.5, 0.0], [2.5, 0.0, 0.0, 2.5], [2.5, 1.9, 1.9]]),
    6: ([1.5, 1.5, 0.0, 1.5, 1.5], [[1.5, 1.5, 0.0, 0.0, 1.5, 1.5], [1.5, -1.5, 1.5, -1.5, 1.5]]),
    7: ([0.3, -0.2] * 7 + [0.1], [[0.3, -0.2] * 7 + [1.2], [0.3, -0.2] * 7 + [1.0]]),
    8: ([1.5, -1.5] * 4, [[1.5] * 8, [1.5, -1.5] * 3 + [1.5, 0.5],
                          [1.5, -1.5, 1.0, 1.5, -1.5, 1.5, -1.5, 1.5]]),
}  # fmt: skip


@pytest.mark.parametrize("rule", PATTERNS, ids=[f"rule {r}" for r in PATTERNS])
def test_defining_pattern_triggers_rule_on_its_last_point(rule):
    pattern, _ = PATTERNS[rule]
    assert fired_at(rule, pattern) == [len(pattern) - 1]


@pytest.mark.parametrize("rule", PATTERNS, ids=[f"rule {r}" for r in PATTERNS])
def test_near_miss_does_not_trigger_rule(rule):
    _, near_misses = PATTERNS[rule]
    for pattern in near_misses:
        assert fired_at(rule, pattern) == [], pattern


def test_rule_3_falling_and_rule_2_below_too():
    assert fired_at(3, [1.0, 0.6, 0.2, -0.2, -0.6, -1.0]) == [5]
    assert fired_at(2, [-0.1] * 9) == [8]
    assert fired_at(2, [-0.5] * 5 + [0.5] * 9) == [13]  # a side change restarts the run


def test_a_run_goes_on_firing_while_it_lasts():
    assert fired_at(2, [0.5] * 11) == [8, 9, 10]


def test_neutral_noise_fires_nothing_often():
    """Independent normal points: each rule fires rarely (its design false-alarm rate)."""
    rng = np.random.default_rng(7)
    chart = NelsonChart()
    hits = np.zeros(8)
    n = 20_000
    for z in rng.standard_normal(n):
        found = chart.push(float(z))
        hits += [(found >> k) & 1 for k in range(8)]
    assert (hits / n < 0.02).all(), hits / n  # rule 1's rate is 0.27 %


# -- through the evaluator: baseline, subgroups, alerts ------------------------------


def make(settings: AlertSettings, config: AlertConfig = AlertConfig()):
    signal = Signal("oven.temp", "oven", "ns=2;s=T", SignalKind.ANALOG, "°C", Limits(150, 200),
                    alerts=settings)
    book = AlertBook()
    return NelsonEvaluator(signal, settings, config, book, "Temp"), book


def feed(evaluator, values, t0=0.0, dt=1.0):
    out = []
    for i, v in enumerate(values):
        evaluator.update(float(v), t0 + i * dt, out)
    return out


def test_configured_baseline_raises_only_enabled_rules_once():
    evaluator, book = make(AlertSettings(nelson=(2,), center=180.0, sigma=2.0))
    changes = feed(evaluator, [181.0] * 20 + [230.0])  # a run of 20, then a 25-sigma spike
    raised = [c.alert for c in changes if c.kind.value == "raised"]
    assert [a.rule for a in raised] == ["nelson-2"]  # rule 1 is not enabled
    alert = raised[0]
    assert alert.raised_at == 8.0 and alert.key == "nelson-2:oven.temp"
    assert alert.details["center"] == 180.0 and alert.details["sigma"] == 2.0
    assert "Nelson rule 2" in alert.message and "centre 180 °C" in alert.message
    assert len(book.active()) == 1


def test_alert_clears_after_the_pattern_is_gone_for_clear_samples_points():
    evaluator, book = make(AlertSettings(nelson=(1,), center=0.0, sigma=1.0),
                           AlertConfig(clear_samples=3))
    changes = feed(evaluator, [0.1, 4.0, 0.1, 0.1, 0.1, 0.1])
    assert [(c.kind.value, c.alert.raised_at) for c in changes] == [("raised", 1.0), ("cleared", 1.0)]
    assert changes[1].alert.cleared_at == 4.0


def test_baseline_is_estimated_from_the_first_points_and_not_judged():
    rng = np.random.default_rng(3)
    evaluator, book = make(AlertSettings(nelson=(1, 2)), AlertConfig(nelson_baseline_points=30))
    baseline = 50.0 + 0.5 * rng.standard_normal(30)
    baseline[10] = 60.0  # a spike among the baseline points is not judged
    assert feed(evaluator, baseline) == []
    assert evaluator.center == pytest.approx(np.mean(baseline))
    expected_sigma = np.mean(np.abs(np.diff(baseline))) / 1.128
    assert evaluator.sigma == pytest.approx(expected_sigma)
    shifted = feed(evaluator, [evaluator.center + 0.5 * evaluator.sigma] * 9, t0=30.0)
    assert [c.alert.rule for c in shifted] == ["nelson-2"]


def test_configured_center_with_estimated_sigma_and_frozen_baseline_retries():
    evaluator, _ = make(AlertSettings(nelson=(1,), center=10.0), AlertConfig(nelson_baseline_points=5))
    feed(evaluator, [12.0] * 5)  # no spread: cannot judge yet
    assert evaluator.sigma is None
    feed(evaluator, [12.0, 13.0, 12.0, 13.0, 12.0], t0=5.0)
    assert evaluator.center == 10.0 and evaluator.sigma == pytest.approx(1.0 / 1.128)


def test_subgroups_judge_interval_means():
    evaluator, _ = make(AlertSettings(nelson=(1,), center=0.0, sigma=1.0, subgroup_s=10.0))
    # 10 samples per 10 s interval; one sample of 20 in a group averages to 2: no rule 1
    group = [0.0] * 9 + [20.0]
    assert feed(evaluator, group * 3, dt=1.0) == []
    # a whole group at 4 -> mean 4, judged when the next group's first sample arrives
    changes = feed(evaluator, [4.0] * 10 + [0.0], t0=30.0)
    assert [c.alert.rule for c in changes] == ["nelson-1"]
    assert changes[0].alert.raised_at == 39.0 and changes[0].alert.value == 4.0


def test_a_subgroup_that_covers_only_part_of_its_interval_is_no_chart_point():
    """The first subgroup after a start (or a gap) holds a part of its interval: its
    mean is no chart point, however far off it is; the next full one is judged."""
    evaluator, _ = make(AlertSettings(nelson=(1,), center=0.0, sigma=1.0, subgroup_s=10.0))
    # starts 2 s before a boundary: samples at 8 and 9 s, both far off (mean 5 sigma)
    assert feed(evaluator, [5.0, 5.0], t0=8.0) == []
    changes = feed(evaluator, [5.0] * 10 + [0.0], t0=10.0)  # a whole interval at 5 sigma
    assert [(c.alert.rule, c.alert.raised_at) for c in changes] == [("nelson-1", 19.0)]


def test_after_a_gap_the_partial_subgroup_is_no_chart_point():
    evaluator, _ = make(AlertSettings(nelson=(1,), center=0.0, sigma=1.0, subgroup_s=10.0))
    feed(evaluator, [0.0] * 10)  # one whole interval in control
    evaluator.restart()  # a data gap
    assert feed(evaluator, [6.0] * 4 + [0.0], t0=26.0) == []  # 26-29 s, then the next interval


def test_rule_numbers_outside_1_to_8_are_refused():
    with pytest.raises(ValueError, match="1..8"):
        make(AlertSettings(nelson=(0, 9)))
