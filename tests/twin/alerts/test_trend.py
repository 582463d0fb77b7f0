"""Trend alerts: the sliding fit, firing before the limit on a drift, never on noise."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.twin.alerts.alerts import AlertBook, AlertConfig
from linetwin.twin.model import AlertSettings, Limits, Signal, SignalKind
from linetwin.twin.alerts.trend import SlidingFit, TrendEvaluator

# -- the fit -----------------------------------------------------------------------


def test_fit_of_an_exact_line():
    fit = SlidingFit(window_s=60.0)
    for t in np.arange(1000.0, 1030.0, 0.5):
        fit.add(t, 3.0 - 0.25 * (t - 1000.0))
    level, slope, stderr = fit.line()
    assert slope == pytest.approx(-0.25)
    assert level == pytest.approx(3.0 - 0.25 * 29.5)  # at the newest sample
    assert stderr == pytest.approx(0.0, abs=1e-9)
    assert len(fit) == 60 and fit.span == pytest.approx(29.5)


def test_fit_keeps_only_the_window_and_matches_polyfit_after_many_rebases():
    rng = np.random.default_rng(5)
    t = 1.7e9 + np.cumsum(rng.uniform(0.1, 0.5, 5000))  # POSIX times, uneven steps
    y = 185.0 + 0.01 * (t - t[0]) + rng.normal(0.0, 0.3, t.size)
    fit = SlidingFit(window_s=60.0)
    for ti, yi in zip(t, y):
        fit.add(float(ti), float(yi))
    inside = t >= t[-1] - 60.0
    assert len(fit) == inside.sum()
    slope, intercept = np.polyfit(t[inside] - t[-1], y[inside], 1)
    level, fitted_slope, stderr = fit.line()
    assert fitted_slope == pytest.approx(slope, rel=1e-6)
    assert level == pytest.approx(intercept, rel=1e-9)
    assert 0.0 < stderr < abs(slope)


def test_fit_is_undetermined_with_too_few_points_or_one_instant():
    fit = SlidingFit(10.0)
    fit.add(0.0, 1.0)
    fit.add(1.0, 2.0)
    assert fit.line() is None
    same = SlidingFit(10.0)
    for _ in range(5):
        same.add(4.0, 1.0)
    assert same.line() is None


# -- the alert ---------------------------------------------------------------------

TEMP = Signal("sealer.seal_temperature", "sealer", "ns=2;s=T", SignalKind.ANALOG, "°C",
              Limits(175.0, 195.0), sampling_ms=250)


def run(values, times, settings=AlertSettings(trend=True), config=AlertConfig()):
    book = AlertBook()
    evaluator = TrendEvaluator(TEMP, settings, config, book, "Seal temperature")
    changes = []
    for v, t in zip(values, times):
        evaluator.update(float(v), float(t), changes)
    return changes, book


def test_linear_drift_fires_before_the_limit_is_crossed():
    rng = np.random.default_rng(1)
    t = np.arange(0.0, 900.0, 0.25)
    drift = np.where(t < 100.0, 185.0, 185.0 - 0.02 * (t - 100.0))  # crosses 175 at t = 600
    changes, book = run(drift + rng.normal(0.0, 0.3, t.size), t)
    [raised] = [c.alert for c in changes if c.kind.value == "raised"]
    assert raised.rule == "trend" and raised.severity.value == "warning"
    assert raised.limit == 175.0 and raised.value > 175.0
    assert 600.0 - 130.0 <= raised.raised_at < 600.0 - 60.0  # about one horizon ahead
    assert raised.message.startswith("Seal temperature projected to cross low limit 175 °C in ~")
    assert raised.details["slope_per_s"] == pytest.approx(-0.02, rel=0.2)
    assert raised.details["eta_s"] <= 120.0
    # once crossed, the limit alert's job: the trend alert holds, never re-raised
    assert [c.kind.value for c in changes] == ["raised"]
    assert book.active()[0].active


@pytest.mark.parametrize("seed", range(5))
def test_stationary_noise_never_fires(seed):
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 3600.0, 0.25)
    changes, _ = run(185.0 + rng.normal(0.0, 1.0, t.size), t)
    assert changes == []


def test_no_verdict_before_the_window_is_half_covered():
    t = np.arange(0.0, 30.0, 0.25)  # a steep drift, but under 30 s of a 60 s window
    changes, _ = run(185.0 + 0.1 * t, t)
    assert changes == []
    t = np.arange(0.0, 31.0, 0.25)
    changes, _ = run(185.0 + 0.1 * t, t)
    [raised] = [c.alert for c in changes]
    assert raised.raised_at == 30.0 and raised.limit == 195.0
    assert raised.message == "Seal temperature projected to cross high limit 195 °C in ~70 s"


def test_clears_when_the_drift_turns_back():
    t = np.arange(0.0, 450.0, 0.5)  # (the fall would reach 175 at t = 650)
    values = np.where(t < 200.0, 185.0 + 0.04 * t, 193.0 - 0.04 * (t - 200.0))
    changes, book = run(values, t, config=AlertConfig(clear_samples=3))
    assert [c.kind.value for c in changes] == ["raised", "cleared"]
    raised, cleared = changes
    assert raised.alert.limit == 195.0 and raised.alert.raised_at < 200.0
    assert 200.0 < cleared.alert.cleared_at < 260.0
    assert book.active() == [cleared.alert]  # cleared but not acknowledged: still listed


def test_horizon_and_window_come_from_the_settings():
    t = np.arange(0.0, 400.0, 1.0)
    values = 185.0 + 0.01 * t  # reaches 195 at t = 1000
    short, _ = run(values, t, AlertSettings(trend=True, horizon_s=120.0))
    long_, _ = run(values, t, AlertSettings(trend=True, horizon_s=900.0, window_s=120.0))
    assert short == []
    assert long_ and long_[0].alert.raised_at == pytest.approx(100.0, abs=10.0)
    assert "in ~15 min" in long_[0].alert.message
