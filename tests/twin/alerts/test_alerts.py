"""The alert book's lifecycle and the engine: quality, ordering, limits, the heater
degradation scenario (trend on temperature before FPY drops)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import AlertBook, AlertConfig, AlertState, ChangeKind, Severity
from linetwin.twin.model import (
    AlertSettings, Asset, AssetLevel, FpySpec, Limits, Project, Signal, SignalKind,
)
from linetwin.twin.sim.simulation_process import defect_probabilities
from linetwin.twin.updates import ValueUpdate

UNCERTAIN, BAD = 0x40000000, 0x80000000

# -- the book ----------------------------------------------------------------------


def raise_(book: AlertBook, key="limit-high:oven.temp", value=210.0, at=1.0):
    return book.raise_or_update(
        key, asset_id="oven", signal_id="oven.temp", rule=key.split(":")[0],
        severity=Severity.ALARM, message="Temp 210 °C above high limit 200 °C",
        value=value, limit=200.0, at=at,
    )


@pytest.fixture
def book():
    book = AlertBook()
    book.events = []
    for name in ("raised", "updated", "cleared", "acknowledged"):
        getattr(book, name).connect(lambda alert, name=name: book.events.append((name, alert.id)))
    return book


def test_a_condition_that_stays_true_is_one_alert(book):
    first = raise_(book).alert
    again = raise_(book, value=215.0, at=2.0)
    assert again.kind is ChangeKind.UPDATED and again.alert.id == first.id
    assert again.alert.value == 210.0 and again.alert.worst == 215.0
    assert [a.id for a in book.active()] == [first.id]
    assert first.id == "limit-high:oven.temp#1" and first.lifecycle == "active-unacked"


def test_lifecycle_cleared_unacked_stays_listed_until_acknowledged(book):
    alert = raise_(book).alert
    cleared = book.clear(alert.key, at=5.0).alert
    assert cleared.state is AlertState.CLEARED and cleared.cleared_at == 5.0
    assert cleared.lifecycle == "cleared-unacked" and book.active() == [cleared]
    acked = book.acknowledge(alert.id, "ana", "heater element replaced", at=9.0).alert
    assert acked.lifecycle == "cleared-acked" and not acked.listed
    assert book.active() == [] and book.for_asset("oven") == []
    assert book.history() == [acked] and book.get(alert.id).comment == "heater element replaced"
    assert book.events == [("raised", alert.id), ("cleared", alert.id), ("acknowledged", alert.id)]
    # the condition returns: a new alert, with a new id
    assert raise_(book, at=20.0).alert.id == "limit-high:oven.temp#2"


def test_active_acked_alert_closes_when_it_clears(book):
    alert = raise_(book).alert
    assert book.acknowledge(alert.id, "ana", "seen", at=2.0).alert.lifecycle == "active-acked"
    assert book.for_asset("oven")[0].acknowledged_by == "ana"
    book.clear(alert.key, at=3.0)
    assert book.active() == [] and book.history()[0].lifecycle == "cleared-acked"


def test_condition_returning_before_ack_reactivates_the_same_alert(book):
    alert = raise_(book).alert
    book.clear(alert.key, at=2.0)
    back = raise_(book, value=205.0, at=3.0)
    assert back.kind is ChangeKind.RAISED and back.alert.id == alert.id
    assert back.alert.active and back.alert.count == 2 and back.alert.cleared_at is None
    assert len(book.active()) == 1


@pytest.mark.parametrize("comment", ["", "   "])
def test_acknowledging_needs_a_comment(book, comment):
    alert = raise_(book).alert
    with pytest.raises(ValueError, match="needs a comment"):
        book.acknowledge(alert.id, "ana", comment, at=2.0)
    assert not book.get(alert.id).acknowledged and book.events == [("raised", alert.id)]


def test_acknowledging_needs_a_user_a_listed_alert_and_only_once(book):
    alert = raise_(book).alert
    with pytest.raises(ValueError, match="user"):
        book.acknowledge(alert.id, " ", "seen", at=2.0)
    with pytest.raises(KeyError):
        book.acknowledge("nope#9", "ana", "seen", at=2.0)
    book.acknowledge(alert.id, "ana", "seen", at=2.0)
    with pytest.raises(ValueError, match="already acknowledged by ana"):
        book.acknowledge(alert.id, "bo", "seen too", at=3.0)


def test_clearing_what_is_not_active_changes_nothing(book):
    assert book.clear("limit-high:oven.temp", at=1.0) is None
    assert book.worsen("limit-high:oven.temp", 1.0, at=1.0) is None


def test_history_is_bounded_but_keeps_listed_alerts():
    book = AlertBook(history_limit=10)
    keep = raise_(book, key="limit-high:keep").alert
    for i in range(30):
        alert = raise_(book, key=f"limit-high:s{i}", at=float(i)).alert
        book.clear(alert.key, at=i + 0.5)
        book.acknowledge(alert.id, "ana", "ok", at=i + 0.6)
    history = book.history()
    assert len(history) <= 10 and history[0].id == keep.id and history[-1].id.endswith("#31")


# -- the engine --------------------------------------------------------------------

ASSETS = (Asset("line", "Line", AssetLevel.SYSTEM),
          Asset("sealer", "Heat sealer", AssetLevel.ASSET, parent="line"),
          Asset("inspection", "Vision inspection", AssetLevel.ASSET, parent="line"))
TEMP = Signal("sealer.seal_temperature", "sealer", "ns=2;s=T", SignalKind.ANALOG, "°C",
              Limits(175.0, 195.0), sampling_ms=250)


def project(*signals, fpy=()):
    return Project("test", None, ASSETS, signals, fpy=fpy)


def upd(value, t, signal_id=TEMP.id, status=0):
    return ValueUpdate(signal_id, value, t, t + 0.01, status)


def test_limit_alert_with_deadband_does_not_flap():
    engine = AlertEngine(project(TEMP), AlertConfig(clear_samples=3))  # deadband 0.2 °C
    hover = [174.9, 175.1, 174.8, 175.15, 175.0, 174.95, 175.1]
    changes = engine.process(upd(v, float(t)) for t, v in enumerate(hover))
    assert [c.kind.value for c in changes] == ["raised", "updated"]  # 174.8 is worse
    alert = changes[0].alert
    assert alert.rule == "limit-low" and alert.severity is Severity.ALARM and alert.limit == 175.0
    assert alert.message == "Seal temperature 174.9 °C below low limit 175 °C"
    back = [175.3, 175.3, 175.1, 175.3, 175.3, 175.3]  # 175.1 is inside the deadband: restart
    changes = engine.process(upd(v, 10.0 + t) for t, v in enumerate(back))
    assert [c.kind.value for c in changes] == ["cleared"] and changes[0].alert.cleared_at == 15.0


def test_high_limit_and_explicit_deadband():
    signal = Signal("oven.temp", "sealer", "ns=2;s=O", SignalKind.ANALOG, "", Limits(high=100.0),
                    alerts=AlertSettings(deadband=5.0))
    engine = AlertEngine(project(signal), AlertConfig(clear_samples=1))
    changes = engine.process([upd(101.0, 0.0, "oven.temp"), upd(96.0, 1.0, "oven.temp"),
                              upd(94.0, 2.0, "oven.temp")])
    assert [(c.kind.value, c.alert.rule) for c in changes] == [
        ("raised", "limit-high"), ("cleared", "limit-high")]
    assert changes[1].alert.cleared_at == 2.0 and changes[0].alert.message == (
        "Temp 101 above high limit 100")


def test_only_good_finite_updates_are_judged():
    engine = AlertEngine(project(TEMP))
    changes = engine.process([upd(150.0, 0.0, status=BAD), upd(150.0, 1.0, status=UNCERTAIN),
                              upd(math.nan, 2.0), upd(math.inf, 3.0), upd(150.0, 4.0, "other")])
    assert changes == [] and engine.book.active() == []
    assert engine.process([upd(150.0, 5.0, status=0x00A30000)])  # Good with info bits


def test_every_update_is_judged_in_source_time_order_and_late_ones_skipped():
    engine = AlertEngine(project(TEMP), AlertConfig(clear_samples=1))
    # one batch, out of order: 170 at t=2 comes before 185 at t=1 in arrival order
    changes = engine.process([upd(170.0, 2.0), upd(185.0, 1.0), upd(186.0, 3.0)])
    assert [(c.kind.value, c.alert.raised_at) for c in changes] == [("raised", 2.0), ("cleared", 2.0)]
    assert changes[1].alert.cleared_at == 3.0
    assert engine.process([upd(150.0, 2.5)]) == [] and engine.late_samples == 1


def test_what_gets_watched():
    state = Signal("sealer.state", "sealer", "ns=2;s=S", SignalKind.STATE, limits=Limits(0, 1))
    no_limits = Signal("sealer.speed", "sealer", "ns=2;s=V", SignalKind.ANALOG)
    off = Signal("sealer.off", "sealer", "ns=2;s=X", SignalKind.ANALOG, limits=Limits(0, 1),
                 alerts=AlertSettings(limit=False))
    nelson_only = Signal("sealer.n", "sealer", "ns=2;s=N", SignalKind.ANALOG,
                         alerts=AlertSettings(nelson=(1,), center=0.0, sigma=1.0))
    engine = AlertEngine(project(TEMP, state, no_limits, off, nelson_only))
    assert engine.watched_signals == [TEMP.id, "sealer.n"]
    [change] = engine.process([upd(5.0, 0.0, "sealer.n")])
    assert change.alert.rule == "nelson-1"


def test_when_running_judges_only_while_the_asset_runs():
    speed = Signal("sealer.speed", "sealer", "ns=2;s=V", SignalKind.ANALOG, limits=Limits(low=100.0),
                   alerts=AlertSettings(when_running=True))
    state = Signal("sealer.state", "sealer", "ns=2;s=S", SignalKind.STATE)  # running = 1
    engine = AlertEngine(project(speed, state), AlertConfig(clear_samples=1))
    # State unknown: the sample waits for it, then (no news for 2 s) is judged.
    assert engine.process([upd(50.0, 0.0, "sealer.speed")]) == []
    assert engine.quiet_reason("sealer.speed") == "waiting for the state of Heat sealer (judged once it is known)"
    assert [c.alert.raised_at for c in engine.process([upd(50.0, 2.5, "sealer.speed")])] == [0.0]
    engine.reset()
    changes = engine.process([
        upd(1, 0.0, "sealer.state"), upd(120.0, 0.5, "sealer.speed"),
        upd(2, 1.0, "sealer.state"), upd(0.0, 1.5, "sealer.speed"),  # starved: 0 is no deviation
        upd(1, 2.0, "sealer.state"), upd(90.0, 2.5, "sealer.speed"),
    ])
    assert changes == []  # 90 at 2.5 waits for the state at 2.5 (its heartbeat)
    changes = engine.process([upd(1, 3.0, "sealer.state")])
    assert [(c.kind.value, c.alert.raised_at) for c in changes] == [("raised", 2.5)]
    bare = AlertEngine(project(speed))  # no state signal: never suppressed
    assert bare.process([upd(0.0, 0.0, "sealer.speed")])


def test_reset_forgets_rule_state_and_alerts():
    engine = AlertEngine(project(TEMP))
    engine.process([upd(170.0, 10.0)])
    engine.reset()
    assert engine.book.active() == [] and engine.late_samples == 0
    assert [c.alert.raised_at for c in engine.process([upd(170.0, 0.0)])] == [0.0]  # earlier time


def test_engine_events_reach_book_listeners():
    engine = AlertEngine(project(TEMP))
    seen = []
    engine.book.raised.connect(seen.append)
    engine.process([upd(200.0, 0.0)])
    assert [a.rule for a in seen] == ["limit-high"] and engine.book.for_asset("sealer") == seen


# -- the heater degradation scenario -----------------------------------------------


def heater_degradation(seed: int, rate_c_per_min: float = 2.0, start: float = 600.0):
    """Seal temperature sags from 185 °C at ``rate_c_per_min`` from ``start``; the
    inspection rejects packs with the simulator's own defect model (seal gaps climb
    steeply below ~178 °C), 2 packs/s. Yields one batch per second."""
    rng = np.random.default_rng(seed)
    slope = rate_c_per_min / 60.0
    good = reject = 0
    for second in range(int(start + 12.0 / slope)):
        batch = []
        for k in range(4):  # temperature at 4 Hz
            t = second + k * 0.25
            temp = 185.0 - slope * max(t - start, 0.0) + rng.normal(0.0, 0.3)
            batch.append(upd(float(temp), t))
        p_reject = defect_probabilities(temp, 350.0, 4.5, 502.0, 0.0).sum()
        rejected = int(rng.binomial(2, p_reject))
        good, reject = good + 2 - rejected, reject + rejected
        batch.append(upd(float(good), second + 0.5, "inspection.good_count"))
        batch.append(upd(float(reject), second + 0.5, "inspection.reject_count"))
        yield batch


@pytest.mark.parametrize("seed", range(4))
def test_heater_degradation_raises_the_trend_alert_before_fpy_crosses_the_threshold(seed):
    counters = [Signal(f"inspection.{n}", "inspection", f"ns=2;s={n}", SignalKind.COUNTER)
                for n in ("good_count", "reject_count")]
    temp = Signal(TEMP.id, "sealer", TEMP.node, SignalKind.ANALOG, "°C", Limits(175.0, 195.0),
                  sampling_ms=250, alerts=AlertSettings(trend=True, nelson=(1, 2, 3, 5, 6),
                                                        center=185.0, sigma=0.3, subgroup_s=10.0))
    fpy = FpySpec("inspection", "inspection.good_count", "inspection.reject_count",
                  threshold=0.97, window_s=600.0)
    engine = AlertEngine(project(temp, *counters, fpy=(fpy,)))
    first: dict[str, float] = {}
    for batch in heater_degradation(seed):
        for change in engine.process(batch):
            if change.kind is ChangeKind.RAISED:
                first.setdefault(change.alert.rule, change.alert.raised_at)
    crossing = 600.0 + 10.0 / (2.0 / 60.0)  # the drift reaches the low limit at t = 900 s
    assert first["trend"] < crossing - 60.0  # a warning well before the limit ...
    assert first["trend"] < first["fpy-low"] - 30.0  # ... and before FPY drops below 97 %
    assert first["trend"] < first.get("fpy-trend", math.inf)
    assert first["limit-low"] > first["trend"] + 60.0  # (noise reaches 175 a little early)
    sealer_rules = {a.rule for a in engine.book.for_asset("sealer")}
    assert {"trend", "limit-low", "nelson-2"} <= sealer_rules
    assert {a.rule for a in engine.book.for_asset("inspection")} >= {"fpy-low"}
