"""First-pass yield over a rolling window, counter resets, fpy-low and fpy-trend."""

from __future__ import annotations

import pytest

from linetwin.twin.alerts.alerts import AlertBook, AlertConfig
from linetwin.twin.alerts.fpy import GOOD, REJECT, FpyEvaluator, RollingYield
from linetwin.twin.model import FpySpec

# -- the rolling yield -------------------------------------------------------------


def test_first_reading_is_only_a_baseline():
    rolling = RollingYield(600.0)
    rolling.count(GOOD, 10_000, 0.0)
    rolling.count(REJECT, 250, 0.0)
    assert rolling.units == 0 and rolling.value != rolling.value  # NaN: no units yet
    rolling.count(GOOD, 10_095, 1.0)
    rolling.count(REJECT, 255, 1.0)
    assert (rolling.good, rolling.reject) == (95, 5) and rolling.value == pytest.approx(0.95)


def test_window_forgets_old_increments():
    rolling = RollingYield(10.0)
    rolling.count(GOOD, 0, 0.0)
    rolling.count(REJECT, 0, 0.0)
    rolling.count(REJECT, 50, 1.0)  # a burst of rejects at t = 1
    for t in range(2, 13):
        rolling.count(GOOD, 10 * (t - 1), float(t))
    # at t = 12 the window (2, 12] holds goods from t = 3..12 and no rejects
    assert rolling.reject == 0 and rolling.good == 100 and rolling.value == 1.0


def test_counter_reset_counts_from_zero_not_negative():
    rolling = RollingYield(600.0)
    rolling.count(GOOD, 5000, 0.0)
    rolling.count(GOOD, 5100, 10.0)  # +100
    rolling.count(GOOD, 30, 20.0)  # restarted: 30 since the restart
    rolling.count(GOOD, 80, 30.0)  # +50
    rolling.count(REJECT, 900, 0.0)
    rolling.count(REJECT, 4, 25.0)  # restarted: 4 since
    assert rolling.good == 180 and rolling.reject == 4
    assert rolling.value == pytest.approx(180 / 184)


# -- the alerts --------------------------------------------------------------------


def evaluator(**spec):
    spec = FpySpec("inspection", "inspection.good_count", "inspection.reject_count", **spec)
    book = AlertBook()
    return FpyEvaluator(spec, AlertConfig(clear_samples=2), book, "Vision inspection"), book


def produce(fpy_eval, seconds, rate_good, rate_reject, t0=0.0, counts=None):
    """Feed 1 Hz counter readings; returns the changes and the final counts."""
    good, reject = counts or (0.0, 0.0)
    out = []
    if counts is None:
        fpy_eval.count(GOOD, good, t0, out)
        fpy_eval.count(REJECT, reject, t0, out)
    for s in range(1, seconds + 1):
        t = t0 + s
        good += rate_good(t) if callable(rate_good) else rate_good
        reject += rate_reject(t) if callable(rate_reject) else rate_reject
        fpy_eval.count(GOOD, good, t, out)
        fpy_eval.count(REJECT, reject, t, out)
    return out, (good, reject)


def test_fpy_low_raises_below_threshold_and_clears_above_it_plus_deadband():
    fpy_eval, book = evaluator(threshold=0.97, window_s=60.0, trend=False, min_units=10)
    changes, counts = produce(fpy_eval, 120, 2.0, 0.0)
    assert changes == []
    changes, counts = produce(fpy_eval, 120, 1.8, 0.2, t0=120.0, counts=counts)  # FPY 90 %
    raised = changes[0].alert
    assert raised.rule == "fpy-low" and raised.severity.value == "alarm"
    assert raised.asset_id == "inspection" and raised.signal_id is None
    assert raised.limit == 0.97 and raised.value < 0.97
    assert raised.message.startswith("Vision inspection first-pass yield 96.99 % below")
    assert "below threshold 97 %" in raised.message and "rejected" in raised.message
    assert changes[-1].alert.worst == pytest.approx(0.9)  # worst value followed, same alert
    assert {c.alert.id for c in changes} == {raised.id}
    changes, _ = produce(fpy_eval, 120, 2.0, 0.0, t0=240.0, counts=counts)
    assert [c.kind.value for c in changes] == ["cleared"]
    assert changes[0].alert.cleared_at > 240.0 + 30.0  # only once back above 97.5 %


def test_no_verdict_with_too_few_units():
    fpy_eval, _ = evaluator(window_s=60.0, min_units=500)
    changes, _ = produce(fpy_eval, 120, 0.5, 0.5)  # FPY 50 %, but only 60 units a window
    assert changes == []


def test_fpy_trend_warns_before_fpy_falls_below_threshold():
    fpy_eval, book = evaluator(trend=True, threshold=0.97, window_s=300.0, horizon_s=300.0, min_units=50)
    # rejects climb slowly from 0.5 % to 10 % of 2 packs/s over 20 minutes
    share = lambda t: min(0.005 + 0.095 * max(t - 300.0, 0.0) / 1200.0, 0.1)  # noqa: E731
    changes, _ = produce(fpy_eval, 1800, lambda t: 2.0 * (1 - share(t)), lambda t: 2.0 * share(t))
    raised = {c.alert.rule: c.alert for c in changes if c.kind.value == "raised"}
    assert set(raised) == {"fpy-trend", "fpy-low"}
    assert raised["fpy-trend"].raised_at < raised["fpy-low"].raised_at - 60.0
    assert "first-pass yield projected to cross threshold 97 %" in raised["fpy-trend"].message


def test_reset_forgets_counts_and_alert_state():
    fpy_eval, _ = evaluator(window_s=60.0, trend=False, min_units=10)
    produce(fpy_eval, 60, 1.0, 1.0)
    fpy_eval.reset()
    assert fpy_eval.yield_.units == 0 and not fpy_eval.low.active
