"""The e-stop scenario: every station of the line faults at once, then the line
restarts; on the demo line, on a generated line of 300 stations, and served by the
built-in OPC UA simulator to a client of a project that is not the demo."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.main import build_parser
from linetwin.twin.model import DEFAULT_STATES, Asset, AssetLevel, Limits, Project, Signal, SignalKind
from linetwin.twin.sim.scenarios import DEFAULT_START_S, SCENARIOS, EStop, make_scenario
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator, StationReliability

pytestmark = pytest.mark.timeout(90)

RUNNING, FAULT = DEFAULT_STATES["running"], DEFAULT_STATES["fault"]
LONG_LINE = [f"m{k:04d}" for k in range(1, 301)]  # as benchmarks/scale/line.py names machines


def line(stations: list[str], scenario: EStop | str = "e-stop", seed: int = 3,
         reliable: bool = False) -> LineSimulator:
    never = {s: StationReliability.never() for s in stations} if reliable else None
    return LineSimulator(stations, seed=seed, scenario=scenario, reliability=never)


def states(sim: LineSimulator) -> np.ndarray:
    return np.array([sim.state_of(s) for s in sim.stations])


def step_to(sim: LineSimulator, t: float) -> None:
    sim.step(round(t - sim.time_s, 9))


def test_e_stop_is_a_named_scenario_with_the_usual_start():
    assert SCENARIOS["e-stop"] is EStop
    model = make_scenario("e-stop")
    assert (model.start_s, model.duration_s, model.period_s) == (DEFAULT_START_S, 20.0, None)
    args = build_parser().parse_args(["sim", "--port", "0", "--scenario", "e-stop"])
    assert args.scenario == "e-stop"


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="duration_s"):
        EStop(duration_s=0)
    with pytest.raises(ValueError, match="period_s must be > duration_s"):
        EStop(duration_s=30, period_s=30)
    with pytest.raises(ValueError, match="start_s"):
        EStop(start_s=-1)


@pytest.mark.parametrize("stations", [DEMO_STATIONS, LONG_LINE], ids=["demo", "300 stations"])
def test_every_station_faults_in_the_first_tick_after_the_start(stations):
    normal, sim = line(stations, "normal"), line(stations)
    step_to(normal, DEFAULT_START_S - 0.1)
    step_to(sim, DEFAULT_START_S - 0.1)
    assert (states(sim) == states(normal)).all()  # the line's own running until then
    assert (states(sim) != FAULT).any()
    sim.step(0.1)
    assert (states(sim) == FAULT).all()
    step_to(sim, DEFAULT_START_S + 19.8)  # 20 s down, counted from the tick it began
    assert (states(sim) == FAULT).all()


@pytest.mark.parametrize("stations", [DEMO_STATIONS, LONG_LINE], ids=["demo", "300 stations"])
def test_after_the_stop_every_station_runs_again(stations):
    sim = line(stations, EStop(duration_s=30.0), reliable=True)  # only the e-stop stops it
    step_to(sim, DEFAULT_START_S - 0.1)
    assert (states(sim) == RUNNING).all()
    step_to(sim, DEFAULT_START_S + 29.8)
    assert (states(sim) == FAULT).all()
    step_to(sim, DEFAULT_START_S + 30.0)
    assert (states(sim) == RUNNING).all()
    good = sim.values()[f"{stations[-1]}.good_count"]
    sim.step(10.0)
    assert sim.values()[f"{stations[-1]}.good_count"] > good + 15  # packs leave the line again


def test_on_a_line_with_its_own_stops_most_stations_run_right_after():
    sim = line(LONG_LINE, seed=8)
    step_to(sim, DEFAULT_START_S + 20.1)
    shown = states(sim)
    assert (shown == RUNNING).mean() > 0.9  # the rest starved, blocked or stopped by themselves
    assert (shown == FAULT).sum() < 10


def test_a_period_repeats_the_stop():
    sim = line(DEMO_STATIONS, EStop(start_s=5.0, duration_s=10.0, period_s=60.0), reliable=True)
    step_to(sim, 5.1)  # ticks sum to 4.99999...: the stop comes one tick later
    assert (states(sim) == FAULT).all() and sim.scenario_model.stops == 1
    step_to(sim, 64.8)
    assert (states(sim) == RUNNING).all()
    step_to(sim, 65.1)
    assert (states(sim) == FAULT).all() and sim.scenario_model.stops == 2
    sim.step(290.0)  # to 355 s: stops at 125, 185, 245 and 305 s
    assert sim.scenario_model.stops == 6


def test_same_seed_same_run_on_the_long_line():
    def run(seed):
        sim = line(LONG_LINE, seed=seed)
        out = []
        for _ in range(60):  # 60 s: across the stop and the restart
            sim.step(1.0)
            out.append(sim.values())
        return out

    first = run(11)
    assert first == run(11)
    assert first != run(12)


def test_describe_says_what_happens_in_ascii():
    text = line(LONG_LINE, EStop(duration_s=25.0, period_s=600.0)).scenario_model.describe()
    assert text.isascii()
    assert "all 300 stations at once for 25 s, again every 600 s" in text
    assert "every station" in EStop().describe()  # not yet bound to a line


# -- served to a client --------------------------------------------------------------


def generic_project(stations: list[str]) -> Project:
    """Stations with a ``<station>.state`` signal and an analog one, as the scale line has."""
    assets = [Asset("line", "Line", AssetLevel.SYSTEM)] + [
        Asset(s, f"Machine {s[1:]}", AssetLevel.ASSET, parent="line", color_by=f"{s}.state") for s in stations]
    signals = [sig for s in stations for sig in (
        Signal(f"{s}.state", s, f"ns=2;s={s}.State", SignalKind.STATE, sampling_ms=1000),
        Signal(f"{s}.pv0", s, f"ns=2;s={s}.Pv0", SignalKind.ANALOG, "u", Limits(90.0, 110.0)))]
    return Project("generic line", None, tuple(assets), tuple(signals))


async def read_states(endpoint: str, stations: list[str], until: float) -> tuple[list[int], str]:
    """The served state of every station once all read fault (or at ``until``), and
    the status of the first station's analog node."""
    from asyncua import Client, ua

    async with Client(endpoint) as client:
        nodes = [client.get_node(f"ns=2;s={s}.State") for s in stations]
        while True:
            values = [dv.Value.Value for dv in await client.read_attributes(nodes, ua.AttributeIds.Value)]
            if all(v == FAULT for v in values) or time.monotonic() > until:
                break
            await asyncio.sleep(0.2)
        (analog,) = await client.read_attributes([client.get_node(f"ns=2;s={stations[0]}.Pv0")],
                                                 ua.AttributeIds.Value)
        return values, analog.StatusCode.name


def test_the_simulator_serves_a_generic_project_and_faults_every_state_node():
    stations = LONG_LINE[:120]
    server = SimulatorServer(generic_project(stations), port=0, speed=10.0,
                             scenario=EStop(start_s=2.0, duration_s=3600.0))
    endpoint = server.start_in_thread()
    try:
        assert server.simulator.stations == stations
        values, analog = asyncio.run(read_states(endpoint, stations, time.monotonic() + 30.0))
    finally:
        server.stop_thread()
    assert values == [FAULT] * len(stations)
    assert analog == "BadWaitingForInitialData"  # no value the simulator knows: served as bad
