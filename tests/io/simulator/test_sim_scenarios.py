"""Simulator scenarios over real OPC UA: a stuck sensor on the wire, a server that
is stopped and started on the same port, the scenario plumbing of ``linetwin sim``."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest
from asyncua import Client, ua

from linetwin.ui.cli.sim import run_simulator_cli
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.twin.sim.scenarios import SensorFreeze
from tests.io.conftest_opcua import DEMO, demo_project, running_server

pytestmark = pytest.mark.timeout(20)

PROJECT = demo_project()
TEMP = "ns=2;s=Sealer.SealTemperature"
DWELL = "ns=2;s=Sealer.DwellTime"


def read(endpoint: str, nodes: list[str]) -> list[ua.DataValue]:
    async def go() -> list[ua.DataValue]:
        async with Client(endpoint, timeout=5) as client:
            return [await client.get_node(n).read_data_value(raise_on_bad_status=False) for n in nodes]

    return asyncio.run(go())


def test_unknown_scenario_is_rejected_with_the_valid_names():
    with pytest.raises(ValueError, match="known: normal, heater-degradation, sensor-freeze, jam, server-restart"):
        SimulatorServer(PROJECT, scenario="sensor_freeze")


def test_cli_rejects_an_unknown_scenario(capsys):
    assert run_simulator_cli(PROJECT, port=0, scenario="meltdown") == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'meltdown'" in err and "sensor-freeze" in err


def test_sensor_freeze_is_sent_unchanged_then_uncertain():
    # 10x: frozen 2 s after the start, Uncertain_LastUsableValue 0.5 s later.
    with running_server(PROJECT, seed=2, speed=10.0, scenario="sensor-freeze") as server:
        deadline = time.monotonic() + 10.0
        while server.on_model(lambda sim: sim.time_s) < 27.0:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        stuck = server.on_model(lambda sim: sim.scenario_model.frozen_value)
        first_temp, first_dwell = read(server.endpoint, [TEMP, DWELL])
        time.sleep(1.2)  # > the 1 s heartbeat
        temp, dwell = read(server.endpoint, [TEMP, DWELL])
    for dv in (first_temp, temp):
        assert dv.Value.Value == stuck
        assert dv.StatusCode.value == ua.StatusCodes.UncertainLastUsableValue == 0x40900000
        assert dv.StatusCode.is_uncertain()
    # Still sent (the heartbeat re-stamps it) ...
    assert temp.SourceTimestamp > first_temp.SourceTimestamp
    assert abs((datetime.now(timezone.utc) - temp.ServerTimestamp).total_seconds()) < 3.0
    # The source timestamp is simulated time: at 10x it runs ahead of the wall clock.
    assert (temp.SourceTimestamp - temp.ServerTimestamp).total_seconds() > 10.0
    # ... while the other sensors stay Good and live.
    assert first_dwell.StatusCode.is_good() and dwell.StatusCode.is_good()
    assert dwell.Value.Value != first_dwell.Value.Value


def test_sensor_freeze_status_change_reaches_a_subscriber():
    class Handler:
        def __init__(self) -> None:
            self.seen: list[tuple[float, int]] = []

        def datachange_notification(self, node, val, data) -> None:
            dv = data.monitored_item.Value
            self.seen.append((dv.Value.Value, dv.StatusCode.value))

    async def watch(endpoint: str) -> list[tuple[float, int]]:
        handler = Handler()
        async with Client(endpoint, timeout=5) as client:
            sub = await client.create_subscription(100, handler)
            await sub.subscribe_data_change(client.get_node(TEMP))
            deadline = asyncio.get_running_loop().time() + 8.0
            while not any(code for _, code in handler.seen):
                assert asyncio.get_running_loop().time() < deadline, handler.seen
                await asyncio.sleep(0.1)
        return handler.seen

    scenario = SensorFreeze(start_s=10.0)  # 1 s of wall time at 10x
    with running_server(PROJECT, seed=4, speed=10.0, scenario=scenario) as server:
        seen = asyncio.run(watch(server.endpoint))
    good = [v for v, code in seen if code == 0]
    uncertain = [v for v, code in seen if code]
    assert len(set(good)) > 3  # live before it stuck
    assert set(uncertain) == {good[-1]}  # the last Good value, now Uncertain
    assert seen[-1][1] == ua.StatusCodes.UncertainLastUsableValue


def test_rapid_restart_on_the_same_port(caplog):
    """``server-restart``: stop and start on one port, three times in a row."""
    caplog.set_level(logging.WARNING)
    threads_before = set(threading.enumerate())
    first = SimulatorServer(PROJECT, seed=3, scenario="server-restart")
    first.start_in_thread()
    port = first.port
    server = first
    for cycle in range(3):
        (dv,) = read(server.endpoint, [TEMP])
        assert dv.StatusCode.is_good() and 170 < dv.Value.Value < 200, cycle
        started = time.monotonic()
        server.stop_thread()
        assert time.monotonic() - started < 10.0, cycle  # a hang guard
        server = SimulatorServer(PROJECT, port=port, seed=3, scenario="server-restart")
        server.start_in_thread()  # at once: no wait for the port
        assert server.port == port
        # Same seed, same start: the line restarts from zero like a rebooted PLC.
        assert server.on_model(lambda sim: sim.time_s) < 30.0
    (dv,) = read(server.endpoint, ["ns=2;s=Infeed.GoodCount"])
    assert dv.StatusCode.is_good()
    server.stop_thread()
    assert set(threading.enumerate()) <= threads_before
    gc.collect()  # pending tasks would complain here ("Task was destroyed ...")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_cli_prints_the_endpoint_first_then_the_scenario():
    code = (
        "from linetwin.io.project.project_file import load_project\n"
        "from linetwin.ui.cli.sim import run_simulator_cli\n"
        f"raise SystemExit(run_simulator_cli(load_project({str(DEMO)!r}), port=0, seed=5, speed=2.0,"
        " scenario='jam'))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        endpoint = proc.stdout.readline().strip()
        scenario = proc.stdout.readline().strip()
        assert endpoint.startswith("opc.tcp://127.0.0.1:") and endpoint.endswith("/linetwin/")
        assert scenario.startswith("scenario: jam: ") and "labeler" in scenario
        proc.send_signal(signal.SIGTERM if os.name != "nt" else signal.CTRL_C_EVENT)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err


@pytest.mark.timeout(90)
def test_heater_degradation_at_high_speed_warns_first_over_opc_ua():
    """The real server at 20x, a real LiveClient, the demo project's alert rules:
    source timestamps are simulated time, so the trend alert still comes first
    and leads the low-limit alarm by more than a simulated minute."""
    from linetwin.io.opcua.opcua_client import LiveClient
    from linetwin.twin.alerts.alert_rules import AlertEngine
    from linetwin.twin.alerts.alerts import ChangeKind
    from linetwin.twin.updates import ValueUpdate

    updates: queue.SimpleQueue = queue.SimpleQueue()
    engine = AlertEngine(PROJECT)
    first: dict[str, float] = {}
    temp_times: list[float] = []
    with running_server(PROJECT, seed=3, speed=20.0, scenario="heater-degradation") as server:
        client = LiveClient(PROJECT, updates, endpoint=server.endpoint)
        client.start()
        wall0 = time.monotonic()
        try:
            while "limit-low" not in first:
                assert time.monotonic() - wall0 < 75.0, first  # hang guard only
                time.sleep(0.2)
                items = []
                with contextlib.suppress(queue.Empty):
                    while True:
                        items.append(updates.get_nowait())
                values = [i for i in items if isinstance(i, ValueUpdate)]
                temp_times += [u.source_time for u in values if u.signal_id == "sealer.seal_temperature"]
                for change in engine.process(values):
                    if change.kind is ChangeKind.RAISED:
                        first.setdefault(change.alert.rule, change.alert.raised_at)
            wall = time.monotonic() - wall0
        finally:
            client.stop()
    assert temp_times[-1] - temp_times[0] > 5.0 * wall  # source time is simulated time
    assert min(first, key=first.get) == "trend", first
    assert first["trend"] < first["limit-low"] - 60.0, first
