"""Alerts that must not mislead: data gaps restart the statistical windows, the
same updates give the same alerts however they are batched, and the engine says
why a rule is quiet."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import AlertConfig, ChangeKind
from linetwin.twin.model import (
    DEFAULT_STATES, AlertSettings, Asset, AssetLevel, Limits, Project, Signal, SignalKind,
)
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator
from linetwin.twin.alerts.trend import SlidingFit
from linetwin.twin.updates import ValueUpdate

TEMP = Signal("sealer.seal_temperature", "sealer", "ns=2;s=T", SignalKind.ANALOG, "°C",
              Limits(175.0, 195.0), sampling_ms=250,
              alerts=AlertSettings(trend=True, window_s=60.0, horizon_s=120.0))
SPEED = Signal("infeed.line_speed", "infeed", "ns=2;s=V", SignalKind.ANALOG, "packs/min",
               Limits(100.0, 140.0), alerts=AlertSettings(when_running=True))
STATE = Signal("infeed.state", "infeed", "ns=2;s=S", SignalKind.STATE)
RUNNING, IDLE = DEFAULT_STATES["running"], DEFAULT_STATES["idle"]


def project(*signals: Signal) -> Project:
    assets = (Asset("line", "Line", AssetLevel.SYSTEM),
              Asset("sealer", "Heat sealer", AssetLevel.ASSET, parent="line"),
              Asset("infeed", "Infeed conveyor", AssetLevel.ASSET, parent="line"))
    return Project("gaps", None, assets, signals)


def flat(level: float, start: float, seconds: float, rng, dt: float = 0.25) -> list[ValueUpdate]:
    times = start + np.arange(0.0, seconds, dt)
    return [ValueUpdate(TEMP.id, float(level + rng.normal(0.0, 0.05)), float(t), float(t))
            for t in times]


def outage_series(seed: int = 0) -> tuple[list[ValueUpdate], list[ValueUpdate]]:
    """Flat at 182 °C for 40 s, a 30 s outage, flat at 186 °C (the value after a reconnect)."""
    rng = np.random.default_rng(seed)
    return flat(182.0, 0.0, 40.0, rng), flat(186.0, 70.0, 60.0, rng)


def test_a_fit_across_the_outage_would_project_a_crossing():
    """The hazard itself: a line through both stretches climbs ~4 °C in 45 s and
    reaches 195 °C within the 120 s horizon, though the value never moved."""
    before, after = outage_series()
    fit = SlidingFit(60.0)
    for u in before + after[:40]:  # 10 s after the reconnect: the window still spans the gap
        fit.add(u.source_time, u.value)
    level, slope, _ = fit.line()
    assert (195.0 - level) / slope < 120.0


@pytest.mark.parametrize("how", ["link lost", "time gap", "bad reading"])
def test_a_gap_restarts_the_trend_window(how):
    before, after = outage_series()
    engine = AlertEngine(project(TEMP))
    assert engine.process(before) == []
    if how == "link lost":
        engine.break_windows([TEMP.id], at=40.0)
        assert engine.quiet_reason(TEMP.id).startswith("no data since the link was lost")
    elif how == "bad reading":
        assert engine.process([ValueUpdate(TEMP.id, float("nan"), 41.0, 41.0, 0x80000000)]) == []
    changes = []
    for u in after:  # one update per batch, as a GUI tick might drain them
        changes += engine.process([u])
    assert [c.alert.rule for c in changes] == []
    assert engine.quiet_reason(TEMP.id) is None  # the new window is full again


def test_a_lost_link_is_said_with_its_clock_time_not_posix_seconds():
    engine = AlertEngine(project(TEMP))
    at = 1_796_301_658.819
    engine.break_windows([TEMP.id], at=at)
    clock = datetime.fromtimestamp(at).strftime("%H:%M:%S")  # local, as the alerts table
    assert engine.quiet_reason(TEMP.id) == (f"no data since the link was lost at {clock}; "
                                            "windows restart with the next sample")


@pytest.mark.parametrize("value, code, said", [
    (float("nan"), 0x80000000, "a Bad reading"),  # e.g. BadWaitingForInitialData, no value
    (float("nan"), 0, "a non-numeric reading"),
    (21.0, 0x40000000, "an Uncertain reading"),
])
def test_the_quiet_reason_names_the_status_before_the_value(value, code, said):
    engine = AlertEngine(project(TEMP))
    engine.process([ValueUpdate(TEMP.id, value, 1.0, 1.0, code)])
    assert engine.quiet_reason(TEMP.id).startswith(f"no data since {said};")


def test_without_a_gap_rule_the_same_series_raises_a_trend():
    """The test above can fail: with gap detection switched off (an absurd gap
    factor, no break) the engine fits across the outage and warns."""
    before, after = outage_series()
    engine = AlertEngine(project(TEMP), AlertConfig(gap_factor=1e9))
    engine._feeds[TEMP.id].gap_limit = float("inf")
    rules = [c.alert.rule for c in engine.process(before + after)]
    assert "trend" in rules


def test_quiet_reason_while_the_window_refills_after_a_gap():
    before, after = outage_series()
    engine = AlertEngine(project(TEMP))
    engine.process(before)
    engine.break_windows([TEMP.id])
    engine.process(after[:48])  # 12 s of the new window
    reason = engine.quiet_reason(TEMP.id)
    assert reason == "trend: window restarting after a data gap (12 s of 30 s)"


def test_quiet_reason_names_the_stopped_asset_and_its_state():
    engine = AlertEngine(project(SPEED, STATE))
    assert engine.quiet_reason(SPEED.id) == (
        "waiting for the state of Infeed conveyor (judged once it is known)")
    engine.process([ValueUpdate(STATE.id, IDLE, 1.0, 1.0), ValueUpdate(SPEED.id, 0.0, 1.0, 1.0)])
    assert engine.quiet_reason(SPEED.id) == (
        "suppressed while Infeed conveyor is not running (state: idle)")
    engine.process([ValueUpdate(STATE.id, RUNNING, 2.0, 2.0), ValueUpdate(SPEED.id, 120.0, 2.0, 2.0)])
    assert engine.quiet_reason(SPEED.id) is None
    assert engine.quiet_reason("no.such.signal") is None


def test_quiet_reason_while_nelson_learns_its_baseline():
    learning = Signal("x.v", "sealer", "ns=2;s=X", SignalKind.ANALOG,
                      alerts=AlertSettings(nelson=(1,)))
    engine = AlertEngine(project(learning), AlertConfig(nelson_baseline_points=30))
    engine.process([ValueUpdate("x.v", float(i % 3), float(i), float(i)) for i in range(12)])
    assert engine.quiet_reason("x.v") == "Nelson rules: learning baseline (12 of 30 points)"


# -- the same data, however batched --------------------------------------------------


def recorded_line(seed: int, seconds: float) -> list[ValueUpdate]:
    """What a client receives from the simulated line: infeed state and speed
    (the speed reads 0 while the infeed is stopped), each on its own sampling
    clock, in arrival order: the state may arrive after the speed of the
    same instant."""
    sim = LineSimulator(DEMO_STATIONS, seed=seed)
    rng = np.random.default_rng(seed)
    out: list[ValueUpdate] = []
    while sim.time_s < seconds:
        sim.step(0.25)
        t, v = sim.time_s, sim.values()
        pair = [ValueUpdate(SPEED.id, v[SPEED.id], t, t), ValueUpdate(STATE.id, v[STATE.id], t, t)]
        if rng.random() < 0.5:
            pair.reverse()
        out += pair
    return out


def alerts_of(engine: AlertEngine) -> list[tuple]:
    return sorted((a.key, a.raised_at, a.cleared_at, a.value, a.worst, a.count, a.message)
                  for a in engine.book.history())


@pytest.mark.parametrize("seed", [1, 2])
def test_same_updates_same_alerts_however_batched(seed):
    updates = recorded_line(seed, 900.0)  # starts idle at speed 0, then random stops
    assert any(u.signal_id == SPEED.id and u.value == 0.0 for u in updates)
    results = []
    for batch_size in (len(updates), 1, 3, 7):
        engine = AlertEngine(project(SPEED, STATE))
        for i in range(0, len(updates), batch_size):
            engine.process(updates[i:i + batch_size])
        results.append(alerts_of(engine))
    assert all(r == results[0] for r in results)
    # A stopped infeed's 0 packs/min is never a limit-low alarm.
    assert not any(key.startswith("limit-low") and value == 0.0 for key, _, _, value, *_ in results[0])


def test_a_stop_split_across_batches_raises_nothing():
    """The GUI case: the speed of 0 arrives one tick before the state saying the
    infeed stopped at that same instant."""
    engine = AlertEngine(project(SPEED, STATE))
    assert engine.process([ValueUpdate(STATE.id, RUNNING, 0.0, 0.0),
                           ValueUpdate(SPEED.id, 120.0, 0.0, 0.0)]) == []
    assert engine.process([ValueUpdate(SPEED.id, 0.0, 1.0, 1.01)]) == []
    assert engine.process([ValueUpdate(STATE.id, IDLE, 1.0, 1.02)]) == []
    assert engine.process([ValueUpdate(SPEED.id, 0.0, 5.0, 5.0)]) == []  # long after: still quiet
    assert engine.book.history() == []


def test_a_real_slowdown_while_running_still_alarms():
    engine = AlertEngine(project(SPEED, STATE), AlertConfig(clear_samples=1))
    engine.process([ValueUpdate(STATE.id, RUNNING, 0.0, 0.0)])
    engine.process([ValueUpdate(SPEED.id, 80.0, 0.5, 0.5)])  # waits for the state at 0.5 ...
    changes = engine.process([ValueUpdate(STATE.id, RUNNING, 1.0, 1.0)])  # ... the heartbeat
    assert [(c.kind, c.alert.rule, c.alert.raised_at) for c in changes] == [
        (ChangeKind.RAISED, "limit-low", 0.5)]
