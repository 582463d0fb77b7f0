"""Operator controls, setpoints and faults injected mid-run on the real line model
(what SOP training does to the virtual line)."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.twin.model import DEFAULT_STATES
from linetwin.twin.production.events import ComplianceEvent
from linetwin.twin.sim.operator_controls import INJECTED_JAM_S
from linetwin.twin.sim.scenarios import UNCERTAIN_LAST_USABLE_VALUE, HeaterDegradation
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator, StationReliability
from linetwin.twin.sop.sop_model import Control

pytestmark = pytest.mark.timeout(60)

IDLE, RUNNING = DEFAULT_STATES["idle"], DEFAULT_STATES["running"]
STARVED, BLOCKED = DEFAULT_STATES["starved"], DEFAULT_STATES["blocked"]
FAULT, MAINTENANCE = DEFAULT_STATES["fault"], DEFAULT_STATES["maintenance"]
TEMP = "sealer.seal_temperature"


def reliable(seed: int = 3, scenario: str = "normal") -> LineSimulator:
    """The demo line without random stops, running steadily after 10 s."""
    never = {s: StationReliability.never() for s in DEMO_STATIONS}
    sim = LineSimulator(DEMO_STATIONS, seed=seed, reliability=never, scenario=scenario)
    sim.step(10.0)
    assert all(sim.state_of(s) == RUNNING for s in DEMO_STATIONS)
    return sim


def states(sim: LineSimulator) -> dict[str, int]:
    return {s: sim.state_of(s) for s in DEMO_STATIONS}


# -- stop / start ----------------------------------------------------------------------------


def test_stop_holds_a_station_idle_and_its_neighbours_block_and_starve_within_seconds():
    sim = reliable()
    good = sim.values()["sealer.good_count"]
    assert sim.operate("sealer", "stop") == ""
    assert sim.state_of("sealer") == IDLE and sim.held("sealer") and not sim.locked_out("sealer")
    sim.step(5.0)
    assert sim.state_of("sealer") == IDLE
    assert sim.values()["sealer.good_count"] == good  # it moves nothing
    assert sim.state_of("filler") == BLOCKED and sim.state_of("inspection") == STARVED
    sim.step(5.0)  # the stop spreads to the ends of the line
    assert sim.state_of("infeed") == BLOCKED and sim.state_of("outfeed") == STARVED
    assert sim.operate("sealer", Control.START) == ""  # the enum works as its value does
    assert not sim.held("sealer")
    sim.step(3.0)
    assert all(s == RUNNING for s in states(sim).values())
    assert sim.values()["sealer.good_count"] > good


def test_a_held_station_has_no_random_stops_of_its_own():
    jammy = {s: StationReliability(jam_rate_per_h=3600.0, maintenance_rate_per_h=3600.0)
             for s in DEMO_STATIONS}
    sim = LineSimulator(DEMO_STATIONS, seed=4, reliability=jammy)
    sim.operate("labeler", "stop")
    for _ in range(300):
        sim.step(0.1)
        assert sim.state_of("labeler") == IDLE


def test_start_ends_the_hold_but_not_a_fault():
    sim = reliable()
    sim.inject("jam", "packer")
    sim.operate("packer", "stop")
    assert sim.operate("packer", "start") == ""
    sim.step(5.0)
    assert sim.state_of("packer") == FAULT  # down until reset or its time is over


# -- lockout / release ----------------------------------------------------------------------


def test_lockout_shows_maintenance_refuses_start_and_release_leaves_it_held_until_start():
    sim = reliable()
    assert sim.operate("labeler", Control.LOCKOUT) == ""
    assert sim.locked_out("labeler") and sim.held("labeler")
    assert sim.state_of("labeler") == MAINTENANCE
    reason = sim.operate("labeler", "start")
    assert reason == "labeler is locked out: release the lockout before starting it"
    sim.step(5.0)
    assert sim.state_of("labeler") == MAINTENANCE and sim.state_of("packer") == STARVED
    assert sim.operate("labeler", "release") == ""
    assert not sim.locked_out("labeler") and sim.held("labeler")
    sim.step(3.0)
    assert sim.state_of("labeler") == IDLE
    assert sim.operate("labeler", "start") == ""
    sim.step(3.0)
    assert sim.state_of("labeler") == RUNNING


def test_release_without_a_lockout_is_refused_and_changes_nothing():
    sim = reliable()
    assert sim.operate("filler", "release") == "filler is not locked out: there is no lockout to release"
    assert not sim.held("filler")
    sim.step(1.0)
    assert sim.state_of("filler") == RUNNING


def test_a_lockout_shows_over_a_fault():
    sim = reliable()
    sim.inject("jam")
    sim.operate("labeler", "lockout")
    assert sim.state_of("labeler") == MAINTENANCE
    sim.step(INJECTED_JAM_S + 5.0)  # the jam's time runs out under the lockout
    assert sim.state_of("labeler") == MAINTENANCE


# -- reset -------------------------------------------------------------------------------------


def test_reset_ends_a_jam_early():
    sim = reliable()
    sim.inject("jam")
    sim.step(10.0)
    assert sim.state_of("labeler") == FAULT
    assert sim.operate("labeler", "reset") == ""
    assert sim.state_of("labeler") == IDLE
    sim.step(5.0)
    assert all(s == RUNNING for s in states(sim).values())


def test_the_jam_procedure_reset_under_lockout_release_start():
    sim = reliable()
    sim.inject("jam")
    sim.step(5.0)
    assert sim.operate("labeler", "lockout") == ""
    assert sim.operate("labeler", "reset") == ""  # clearing a jam is done under lockout
    assert sim.state_of("labeler") == MAINTENANCE
    assert sim.operate("labeler", "release") == ""
    assert sim.state_of("labeler") == IDLE
    sim.step(2.0)
    assert sim.state_of("labeler") == IDLE  # held: waits for start although the jam is cleared
    sim.operate("labeler", "start")
    sim.step(5.0)
    assert sim.state_of("labeler") == RUNNING


def test_reset_refuses_to_cut_planned_maintenance_short():
    sim = reliable()
    sim.trigger_fault("packer", 60.0, maintenance=True)
    reason = sim.operate("packer", "reset")
    assert reason == "packer is in planned maintenance, not faulted: reset clears jams and faults only"
    assert sim.state_of("packer") == MAINTENANCE


# -- setpoints ------------------------------------------------------------------------------


def test_seal_temperature_ramps_at_one_degree_a_second_keeping_its_wander():
    moved, same = reliable(seed=11), reliable(seed=11)
    moved.set_setpoint(TEMP, 190.0)
    assert moved.nominal(TEMP) == 190.0 and same.nominal(TEMP) == 185.0
    rise = []
    for _ in range(80):  # 8 s in 0.1 s steps
        moved.step(0.1)
        same.step(0.1)
        rise.append(moved.process_value(TEMP) - same.process_value(TEMP))
    # Setting a value draws no random numbers: the wander is the same, shifted by the ramp.
    expected = np.minimum(0.1 * np.arange(1, 81), 5.0)
    np.testing.assert_allclose(rise, expected, atol=1e-6)
    readings = []
    for _ in range(120):
        moved.step(0.5)
        readings.append(moved.values()[TEMP])
    assert np.all(np.abs(np.array(readings) - 190.0) < 1.0)


def test_dwell_time_takes_its_new_setpoint_at_once():
    moved, same = reliable(seed=5), reliable(seed=5)
    moved.set_setpoint("sealer.dwell_time", 300.0)
    moved.step(0.1)
    same.step(0.1)
    shift = moved.process_value("sealer.dwell_time") - same.process_value("sealer.dwell_time")
    assert shift == pytest.approx(-50.0, abs=1e-6)


def test_defects_follow_a_cold_seal_setpoint():
    sim = reliable(seed=2)
    sim.set_setpoint(TEMP, 168.0)
    sim.step(17.0)  # the ramp down
    before = sim.values()["inspection.defects.seal_gap"]
    sim.step(30.0)
    assert sim.values()["inspection.defects.seal_gap"] - before > 20  # ~60 packs, most gapped


def test_a_heater_sag_sags_from_a_new_setpoint_down_to_its_floor():
    never = {s: StationReliability.never() for s in DEMO_STATIONS}
    sag = HeaterDegradation(start_s=0.0, rate_c_per_s=5.0, floor_c=180.0)
    sim = LineSimulator(DEMO_STATIONS, seed=1, reliability=never, scenario=sag)
    sim.set_setpoint(TEMP, 190.0)
    sim.step(30.0)
    assert sim.process_value(TEMP) == pytest.approx(180.0, abs=2.0)


# -- injected faults -----------------------------------------------------------------------


def test_an_injected_jam_faults_the_labeler_now_and_runs_the_lockout_procedure():
    sim = reliable()
    text = sim.inject("jam")
    assert "labeler" in text and "120" in text
    assert sim.state_of("labeler") == FAULT  # now, not at the next step
    sim.take_events()
    sim.step(INJECTED_JAM_S - 2.0)
    assert sim.state_of("labeler") == FAULT
    steps = [e for e in sim.take_events() if isinstance(e, ComplianceEvent) and e.sop_id == "SOP-LOTO-07"]
    assert {e.station for e in steps} == {"labeler"}  # (its verification may be skipped)
    assert (steps[0].step, steps[-1].step) == ("lockout", "release") and len(steps) >= 3
    sim.step(8.0)
    assert sim.state_of("labeler") == RUNNING


def test_an_injected_jam_on_a_named_station_on_top_of_a_running_heater_sag():
    sim = reliable(scenario="heater-degradation")
    sim.inject("jam", "filler")
    assert sim.state_of("filler") == FAULT and sim.scenario == "heater-degradation"
    assert [f.name for f in sim.injected] == ["jam"]
    sim.step(60.0)  # the running scenario keeps working: 40 s of a 0.03 C/s sag
    assert sim.nominal(TEMP) - sim.process_value(TEMP) > 0.5
    assert sim.state_of("infeed") == BLOCKED and sim.state_of("sealer") == STARVED


def test_an_injected_heater_sag_starts_now():
    sagging, same = reliable(seed=8), reliable(seed=8)
    assert "drifts down" in sagging.inject("heater-degradation")
    sagging.step(60.0)
    same.step(60.0)
    drop = same.process_value(TEMP) - sagging.process_value(TEMP)
    assert drop == pytest.approx(0.03 * 60.0, abs=1e-6)


def test_an_injected_sensor_freeze_sticks_the_reading_now():
    sim = reliable(seed=6)
    stuck = sim.values()[TEMP]
    assert "stops changing" in sim.inject("sensor-freeze", "sealer")
    sim.step(3.0)
    assert sim.values()[TEMP] == stuck and sim.status_codes() == {}
    sim.step(3.0)
    assert sim.values()[TEMP] == stuck
    assert sim.status_codes() == {TEMP: UNCERTAIN_LAST_USABLE_VALUE}
    assert sim.process_value(TEMP) != stuck  # the process goes on


# -- determinism ---------------------------------------------------------------------------


def scripted(sim: LineSimulator, idle_calls: bool = False) -> list:
    """A training session's worth of calls; ``idle_calls`` adds ones that change nothing."""
    trace = []
    script = [(3.0, lambda: sim.operate("sealer", "stop")),
              (2.0, lambda: sim.set_setpoint(TEMP, 191.0)),
              (4.0, lambda: sim.inject("jam")),
              (6.0, lambda: sim.operate("labeler", "lockout")),
              (1.0, lambda: sim.operate("labeler", "reset")),
              (2.0, lambda: sim.operate("labeler", "release")),
              (1.0, lambda: sim.operate("labeler", "start")),
              (1.0, lambda: sim.operate("sealer", "start")),
              (5.0, lambda: sim.inject("heater-degradation")),
              (30.0, lambda: None)]
    for dt, call in script:
        sim.step(dt)
        call()
        if idle_calls:
            sim.operate("infeed", "start")  # already running
            sim.operate("outfeed", "reset")  # nothing to clear
            sim.set_setpoint("sealer.dwell_time", sim.nominal("sealer.dwell_time"))
        trace.append((sim.values(), sim.status_codes(), sim.take_events()))
    return trace


def test_the_same_seed_and_calls_give_the_same_line():
    a = scripted(LineSimulator(DEMO_STATIONS, seed=21))
    b = scripted(LineSimulator(DEMO_STATIONS, seed=21))
    assert a == b
    c = scripted(LineSimulator(DEMO_STATIONS, seed=21), idle_calls=True)
    assert a == c  # calls that change nothing draw no random numbers


# -- bad input -----------------------------------------------------------------------------


def test_unknown_station_control_signal_and_fault_are_named():
    sim = reliable()
    with pytest.raises(ValueError, match="no station 'sealr' on this line; stations: infeed, "):
        sim.operate("sealr", "stop")
    with pytest.raises(ValueError, match="no station 'sealr'"):
        sim.held("sealr")
    with pytest.raises(ValueError, match="unknown control 'pause'; controls: start, stop, reset"):
        sim.operate("sealer", "pause")
    with pytest.raises(KeyError, match="'sealer.temp' is not a simulated process value"):
        sim.set_setpoint("sealer.temp", 190.0)
    with pytest.raises(ValueError, match="setpoint of sealer.seal_temperature must be a finite number"):
        sim.set_setpoint(TEMP, float("nan"))
    with pytest.raises(ValueError, match="unknown fault 'fire'; faults: jam, heater-degradation"):
        sim.inject("fire")
    with pytest.raises(ValueError, match="cannot inject a jam: no station 'sealr'"):
        sim.inject("jam", "sealr")
    with pytest.raises(ValueError, match="sensor-freeze acts on sealer.seal_temperature, not on station 'labeler'"):
        sim.inject("sensor-freeze", "labeler")
    assert sim.injected == []
