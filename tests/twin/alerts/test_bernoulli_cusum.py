"""The Bernoulli CUSUM against independent computations: hand-worked sequences,
the textbook log-likelihood-ratio increments, closed forms and Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linetwin.twin.alerts.alerts import AlertBook, ChangeKind, Condition, Severity
from linetwin.twin.alerts.bernoulli_cusum import (
    BernoulliCusum, CusumDesign, average_run_length, control_limit, gamma, scale_m,
)
from linetwin.twin.alerts.defect_rate import RateShiftAlert


def test_gamma_is_the_ratio_of_the_log_likelihood_increments():
    """Reynolds & Stoumbos: a good unit adds ln((1-p1)/(1-p0)) to the LLR, a
    defective one ln(p1/p0); scaled so a defective adds 1 - gamma."""
    p0, p1 = 0.01, 0.03
    good, bad = math.log(0.97 / 0.99), math.log(3.0)
    assert gamma(p0, p1) == pytest.approx(-good / (bad - good))
    assert (bad / -good) + 1 == pytest.approx(1 / gamma(p0, p1))  # m - 1 goods weigh one defective
    assert scale_m(p0, p1) == 55  # 1 / 0.01824 = 54.8
    assert scale_m(0.1, 0.3) == 5  # gamma = ln(0.9/0.7) / ln(27/7) = 0.1862


def test_hand_worked_sequence():
    design = CusumDesign(0.1, 0.3, m=5, h=10, arl0=0.0, arl1=0.0)
    chart = BernoulliCusum(design)
    # good, good, defective, good, defective, defective: 0, 0, 4, 3, 7, 11 -> capped at 10
    steps = [chart.add(*unit) for unit in [(1, 0), (1, 0), (0, 1), (1, 0), (0, 1), (0, 1)]]
    assert steps == [0, 0, 4, 3, 7, 10]
    assert chart.signalling and chart.run_defective == 3 and chart.run_units == 4
    assert chart.add(12, 0) == 0 and not chart.signalling  # twelve goods use up the evidence


def test_batched_counts_apply_goods_before_defectives():
    design = CusumDesign(0.1, 0.3, m=5, h=100, arl0=0.0, arl1=0.0)
    chart = BernoulliCusum(design)
    chart.add(0, 1)  # 4
    assert chart.add(3, 2) == 9  # 4 - 3 = 1, then + 2 * 4


def test_run_length_closed_forms():
    # Any defective crosses a limit within m - 1: the run length is geometric.
    assert average_run_length(0.1, m=5, h=3) == pytest.approx(10.0)
    assert average_run_length(0.25, m=5, h=4) == pytest.approx(4.0)
    # m = 2 and h = 2: two defectives in a row, or one after a good at zero ...
    # here states 0 and 1; from 0: good -> 0, defective -> 1; from 1: good -> 0,
    # defective -> signal. L0 = 1 + q L0 + p L1, L1 = 1 + q L0  =>  L0 = (1 + p) / p^2.
    p = 0.2
    assert average_run_length(p, m=2, h=2) == pytest.approx((1 + p) / p**2)


def test_run_length_matches_monte_carlo():
    p, m, h = 0.15, 5, 12
    rng = np.random.default_rng(7)
    lengths = []
    for _ in range(20_000):
        s = n = 0
        while s < h:
            n += 1
            s = s + m - 1 if rng.random() < p else max(s - 1, 0)
        lengths.append(n)
    arl = average_run_length(p, m, h)
    assert np.mean(lengths) == pytest.approx(arl, rel=0.03)


def test_control_limit_is_the_smallest_that_reaches_the_wanted_arl0():
    p0, m = 0.01, 55
    h = control_limit(p0, m, 200_000)
    assert average_run_length(p0, m, h) >= 200_000 > average_run_length(p0, m, h - 1)
    design = CusumDesign.for_arl0(0.01, 0.03, 200_000)
    assert design.h == h and design.arl1 < 600  # a tripled rate: found within ~500 units


def test_for_arl0_refuses_a_rate_to_detect_below_the_in_control_one():
    with pytest.raises(ValueError, match="0 < p0 < p1 < 1"):
        CusumDesign.for_arl0(0.03, 0.01, 1000)


def shift_alert(p0, baseline_units=200):
    book = AlertBook()
    condition = Condition(book, "fpy-shift", "inspection", "inspection", None, Severity.ALARM, 1)
    return RateShiftAlert(condition, "Inspection reject rate", p0, 0.03, 50_000, baseline_units), book


def test_rate_shift_alert_raises_on_a_rise_and_clears_when_back_in_control():
    alert, book = shift_alert(0.01)
    rng = np.random.default_rng(3)
    out = []
    for t in range(2000):  # in control
        alert.add(*((0, 1) if rng.random() < 0.01 else (1, 0)), float(t), out)
    assert out == []
    for t in range(2000, 4000):  # 6 %
        alert.add(*((0, 1) if rng.random() < 0.06 else (1, 0)), float(t), out)
        if out:
            break
    [raised] = out
    assert raised.kind is ChangeKind.RAISED and raised.alert.raised_at - 2000 < 400
    assert "Bernoulli CUSUM" in raised.alert.message and raised.alert.details["p0"] == 0.01
    for t in range(4000, 6000):
        alert.add(1, 0, float(t), out)
    assert out[-1].kind is ChangeKind.CLEARED


def test_learned_baseline_is_counted_in_units():
    alert, _ = shift_alert(None, baseline_units=200)
    out = []
    for i in range(150):
        alert.add(*((0, 1) if i % 100 == 0 else (1, 0)), float(i), out)
    assert alert.quiet_reason() == "Inspection reject rate: learning baseline (150 of 200 units)"
    for i in range(150, 200):
        alert.add(1, 0, float(i), out)
    assert alert.quiet_reason() is None and alert.p0 == pytest.approx(0.01)
