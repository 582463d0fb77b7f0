"""Fault-injection scenarios of the line model: heater degradation (with the early
warning it exists to show), sensor freeze, jam; timing, determinism, arguments."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.twin.alert_rules import AlertEngine
from linetwin.twin.alerts import ChangeKind
from linetwin.twin.fpy import GOOD, REJECT, RollingYield
from linetwin.twin.model import (
    DEFAULT_STATES, AlertSettings, Asset, AssetLevel, FpySpec, Limits, Project, Signal, SignalKind,
)
from linetwin.twin.scenarios import (
    DEFAULT_START_S,
    SCENARIOS,
    UNCERTAIN_LAST_USABLE_VALUE,
    HeaterDegradation,
    Jam,
    Scenario,
    SensorFreeze,
    make_scenario,
)
from linetwin.twin.simulation import DEMO_STATIONS, LineSimulator, StationReliability
from linetwin.twin.simulation_process import DEFECT_CODES
from linetwin.twin.updates import ValueUpdate

pytestmark = pytest.mark.timeout(20)

RUNNING = DEFAULT_STATES["running"]
STARVED = DEFAULT_STATES["starved"]
BLOCKED = DEFAULT_STATES["blocked"]
FAULT = DEFAULT_STATES["fault"]
TEMP = "sealer.seal_temperature"
SEAL_GAP = DEFECT_CODES["seal_gap"]


def reliable(scenario: str | Scenario = "normal", seed: int = 3) -> LineSimulator:
    """The demo line without random stops, so only the scenario acts."""
    never = {s: StationReliability.never() for s in DEMO_STATIONS}
    return LineSimulator(DEMO_STATIONS, seed=seed, scenario=scenario, reliability=never)


def series(sim: LineSimulator, until_s: float, dt: float = 0.25) -> tuple[np.ndarray, list[dict]]:
    times, values = [], []
    while sim.time_s < until_s - 1e-9:
        sim.step(dt)
        times.append(sim.time_s)
        values.append(sim.values())
    return np.array(times), values


# -- the registry ------------------------------------------------------------------


def test_every_named_scenario_exists_and_makes_a_line():
    assert list(SCENARIOS) == ["normal", "heater-degradation", "sensor-freeze", "jam", "server-restart"]
    for name in SCENARIOS:
        sim = LineSimulator(DEMO_STATIONS, seed=1, scenario=name)
        assert sim.scenario == name and sim.scenario_model.name == name
        assert sim.scenario_model.start_s == DEFAULT_START_S
        assert sim.scenario_model.describe().isascii()  # any console can print it
        sim.step(30)
        assert set(sim.signal_ids()) == set(LineSimulator(DEMO_STATIONS, seed=1).signal_ids())


def test_unknown_scenario_names_the_known_ones():
    with pytest.raises(ValueError, match="known: normal, heater-degradation, sensor-freeze, jam, server-restart"):
        make_scenario("heater_degradation")
    with pytest.raises(ValueError, match="unknown scenario 'meltdown'"):
        LineSimulator(DEMO_STATIONS, scenario="meltdown")


def test_scenario_arguments_are_checked():
    with pytest.raises(ValueError, match="start_s"):
        make_scenario("jam", start_s=-1)
    with pytest.raises(ValueError, match="rate"):
        HeaterDegradation(rate_c_per_s=0)
    with pytest.raises(ValueError, match="duration"):
        Jam(duration_s=0)
    with pytest.raises(ValueError, match="needs sealer.seal_temperature"):
        LineSimulator(["a", "b"], scenario="heater-degradation")
    with pytest.raises(ValueError, match="needs sealer.seal_temperature"):
        LineSimulator(["a", "b"], scenario="sensor-freeze")
    with pytest.raises(ValueError, match="no station 'glue'"):
        LineSimulator(DEMO_STATIONS, scenario=Jam(station="glue"))
    used = SensorFreeze()
    LineSimulator(DEMO_STATIONS, scenario=used)
    with pytest.raises(ValueError, match="already drives"):
        LineSimulator(DEMO_STATIONS, scenario=used)


# -- determinism -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_seed_same_scenario_same_run(name):
    def run(sim):
        out = []
        for _ in range(450):  # 90 s: across every scenario's start
            sim.step(0.2)
            out.append((sim.values(), sim.status_codes()))
        return out

    assert run(LineSimulator(DEMO_STATIONS, seed=9, scenario=name)) == run(
        LineSimulator(DEMO_STATIONS, seed=9, scenario=name))


@pytest.mark.parametrize("name", ["heater-degradation", "sensor-freeze", "jam", "server-restart"])
def test_a_scenario_runs_as_normal_until_it_starts(name):
    a = LineSimulator(DEMO_STATIONS, seed=4, scenario="normal")
    b = LineSimulator(DEMO_STATIONS, seed=4, scenario=name)
    for _ in range(199):  # up to 19.9 s
        a.step(0.1)
        b.step(0.1)
        assert a.values() == b.values() and b.status_codes() == {}


def test_server_restart_is_normal_operation():
    a = LineSimulator(DEMO_STATIONS, seed=2, scenario="normal")
    b = LineSimulator(DEMO_STATIONS, seed=2, scenario="server-restart")
    a.step(120)
    b.step(120)
    assert a.values() == b.values()


def test_the_start_delay_is_configurable():
    sim = reliable(Jam(start_s=5.0, duration_s=10.0))
    sim.step(4.9)
    assert sim.state_of("labeler") != FAULT
    sim.step(0.2)
    assert sim.state_of("labeler") == FAULT


# -- heater degradation -------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heater_degradation_takes_the_seal_temperature_below_the_low_limit(seed):
    times, values = series(reliable("heater-degradation", seed), 420.0)
    temp = np.array([v[TEMP] for v in values])
    before = temp[(times > 10) & (times <= 20)].mean()
    assert 180 < before < 190
    # 0.1 °C/s: 10 °C down 100 s after the start, give or take the slow wander.
    assert temp[(times > 115) & (times <= 125)].mean() == pytest.approx(before - 10.0, abs=3.0)
    below = times[np.argmax(temp < 175.0)]
    assert 20 + (before - 175) / 0.1 - 30 < below < 20 + (before - 175) / 0.1 + 30
    assert temp[times > 150].max() < 176  # it keeps falling ...
    assert temp[times > 400].mean() == pytest.approx(160.0, abs=4.0)  # ... to the floor


def test_heater_degradation_raises_seal_gap_rejects():
    sim = reliable("heater-degradation", seed=5)
    inspected = []  # packs inspected per 10 s, and their seal gaps
    for _ in range(24):  # 240 s
        before = sim.values()
        sim.step(10.0)
        after = sim.values()
        packs = sum(after[f"inspection.{c}"] - before[f"inspection.{c}"] for c in ("good_count", "reject_count"))
        gaps = sum(e.defect == SEAL_GAP for e in sim.pop_defect_events())
        inspected.append((packs, gaps))
    packs, gaps = np.array(inspected).T
    assert gaps[:6].sum() / packs[:6].sum() < 0.02  # first minute: normal
    assert gaps[18:].sum() / packs[18:].sum() > 0.3  # from 180 s: most seals fail


def demo_alert_project() -> Project:
    """The demo's seal temperature and inspection FPY settings (resources/demo/line.toml)."""
    assets = (
        Asset("line", "Line", AssetLevel.SYSTEM),
        Asset("sealer", "Sealer", AssetLevel.ASSET, parent="line"),
        Asset("inspection", "Inspection", AssetLevel.ASSET, parent="line"),
    )
    temp = Signal(TEMP, "sealer", "ns=2;s=Sealer.SealTemperature", SignalKind.ANALOG, "°C",
                  Limits(175.0, 195.0), sampling_ms=250,
                  alerts=AlertSettings(trend=True, window_s=60, horizon_s=120))
    counters = tuple(Signal(f"inspection.{n}", "inspection", f"ns=2;s=Inspection.{n}", SignalKind.COUNTER)
                     for n in ("good_count", "reject_count"))
    fpy = FpySpec("inspection", "inspection.good_count", "inspection.reject_count",
                  threshold=0.97, window_s=600.0, horizon_s=300.0)
    return Project("demo alerts", None, assets, (temp, *counters), (), fpy=(fpy,))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_heater_degradation_warns_before_the_limit_and_before_yield_drops(seed):
    """The point of the scenario: the temperature trend alert comes well before
    the limit is crossed and before first-pass yield falls below its 97 %
    threshold (the yield of the FPY window, as the app computes it; its alarm
    waits for the window to be half covered, 300 s)."""
    sim = LineSimulator(DEMO_STATIONS, seed=seed, scenario="heater-degradation")  # random stops too
    engine = AlertEngine(demo_alert_project())
    fpy = RollingYield(600.0)
    raised: dict[str, float] = {}
    yields = []  # (t, FPY, units)
    while sim.time_s < 330.0:
        sim.step(0.25)
        t, v = sim.time_s, sim.values()
        updates = [ValueUpdate(sid, v[sid], t, t) for sid in (TEMP, "inspection.good_count",
                                                               "inspection.reject_count")]
        for change in engine.process(updates):
            if change.kind is ChangeKind.RAISED:
                raised.setdefault(change.alert.rule, t)
        fpy.count(GOOD, v["inspection.good_count"], t)
        fpy.count(REJECT, v["inspection.reject_count"], t)
        yields.append((t, fpy.value, fpy.units))
    y = np.array(yields)
    judged = y[:, 2] >= 50  # FpySpec.min_units
    still_good = np.flatnonzero(~judged | (y[:, 1] >= 0.97))
    fpy_below = y[still_good.max() + 1, 0]  # from here on FPY stays below 97 %
    assert DEFAULT_START_S < raised["trend"] < raised["limit-low"] - 25.0
    assert raised["trend"] < fpy_below - 20.0
    assert raised["trend"] < raised["fpy-low"]


# -- sensor freeze ------------------------------------------------------------------


def test_sensor_freeze_sticks_the_reading_and_flags_it_uncertain_after_5_s():
    sim = reliable("sensor-freeze", seed=6)
    sim.step(19.9)
    assert sim.status_codes() == {}
    sim.step(0.1)
    stuck = sim.values()[TEMP]
    readings, actual, codes = [], [], []
    for _ in range(100):  # 10 s
        sim.step(0.1)
        readings.append(sim.values()[TEMP])
        actual.append(sim.process_value(TEMP))
        codes.append(sim.status_codes())
    assert set(readings) == {stuck}  # the reading stops changing ...
    assert len(set(actual)) == len(actual)  # ... while the process goes on
    assert sim.scenario_model.frozen and sim.scenario_model.frozen_value == stuck
    assert all(c == {} for c in codes[:49])  # up to 5 s stuck: still Good
    assert all(c == {TEMP: UNCERTAIN_LAST_USABLE_VALUE} for c in codes[51:])
    assert UNCERTAIN_LAST_USABLE_VALUE == 0x40900000
    other = [sim.values()["sealer.dwell_time"]]
    sim.step(1.0)
    assert sim.values()["sealer.dwell_time"] != other[0]  # only the one sensor sticks


def test_a_sensor_freeze_with_a_duration_recovers():
    sim = reliable(SensorFreeze(start_s=2.0, duration_s=10.0), seed=6)
    sim.step(9.0)
    assert sim.status_codes() == {TEMP: UNCERTAIN_LAST_USABLE_VALUE}
    sim.step(4.0)
    assert sim.status_codes() == {} and not sim.scenario_model.frozen
    a = sim.values()[TEMP]
    sim.step(0.5)
    assert sim.values()[TEMP] != a
    sim.step(60.0)
    assert sim.status_codes() == {}  # once only


# -- jam --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 4])
def test_jam_blocks_upstream_and_starves_downstream_then_recovers(seed):
    sim = reliable("jam", seed)
    sim.step(19.9)
    assert all(sim.state_of(s) == RUNNING for s in DEMO_STATIONS)
    sim.step(0.1)
    assert sim.state_of("labeler") == FAULT
    sim.step(4.0)  # the neighbours within seconds
    assert sim.state_of("inspection") == BLOCKED
    assert sim.state_of("packer") == STARVED
    sim.step(6.0)  # 10 s in: the stop has spread
    assert [sim.state_of(s) for s in ("sealer", "inspection")] == [BLOCKED] * 2
    assert sim.state_of("filler") in (RUNNING, BLOCKED)
    assert [sim.state_of(s) for s in ("packer", "outfeed")] == [STARVED] * 2
    sim.step(5.0)  # 15 s in: the whole line upstream
    assert [sim.state_of(s) for s in ("infeed", "filler", "sealer", "inspection")] == [BLOCKED] * 4
    sim.step(44.0)  # 59 s in
    assert sim.state_of("labeler") == FAULT
    sim.step(2.0)
    assert all(sim.state_of(s) == RUNNING for s in DEMO_STATIONS)


def test_jam_picks_the_middle_station_without_a_labeler():
    sim = LineSimulator(["a", "b", "c"], seed=1, scenario="jam")
    assert sim.scenario_model.station == "b"
    sim.step(21.0)
    assert sim.state_of("b") == FAULT
