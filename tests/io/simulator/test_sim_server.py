"""The built-in simulator, read by a plain asyncua client over real TCP."""

from __future__ import annotations

import asyncio
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

from linetwin.io.opcua.simulator.sim_server import NAMESPACE_URI, SimulatorServer
from linetwin.twin.model import SignalKind
from tests.io.conftest_opcua import DEMO, UNMODELLED, demo_project, running_server

pytestmark = pytest.mark.timeout(20)

PROJECT = demo_project(UNMODELLED)
DEMO_SIGNALS = [s for s in PROJECT.signals if s is not UNMODELLED]
EXPECTED_TYPE = {
    SignalKind.STATE: ua.VariantType.Int32,
    SignalKind.COUNTER: ua.VariantType.UInt32,
    SignalKind.ANALOG: ua.VariantType.Double,
}


@pytest.fixture(scope="module")
def server():
    with running_server(PROJECT) as srv:
        yield srv


def read_all(endpoint: str, nodes: list[str]) -> list[ua.DataValue]:
    async def read() -> list[ua.DataValue]:
        async with Client(endpoint, timeout=5) as client:
            return [await client.get_node(n).read_data_value(raise_on_bad_status=False) for n in nodes]

    return asyncio.run(read())


def test_endpoint_is_a_free_loopback_port(server):
    assert server.endpoint == f"opc.tcp://127.0.0.1:{server.port}/linetwin/"
    assert server.port > 0


def test_every_demo_signal_is_served_good_typed_and_timestamped(server):
    values = read_all(server.endpoint, [s.node for s in DEMO_SIGNALS])
    now = datetime.now(timezone.utc)
    for sig, dv in zip(DEMO_SIGNALS, values):
        assert dv.StatusCode.is_good(), sig.id
        assert dv.Value.VariantType == EXPECTED_TYPE[sig.kind], sig.id
        assert dv.SourceTimestamp is not None, sig.id
        # Unchanged values are re-stamped every second (heartbeat), on the wall clock
        # (server) and in simulated time (source; at 1x it never runs ahead of the wall).
        assert abs((now - dv.ServerTimestamp).total_seconds()) < 3.0, sig.id
        assert (dv.SourceTimestamp - now).total_seconds() < 1.0, sig.id


def test_values_change_over_time(server):
    nodes = [s.node for s in DEMO_SIGNALS]
    first = read_all(server.endpoint, nodes)
    time.sleep(1.5)
    second = read_all(server.endpoint, nodes)
    changed = {s.id for s, a, b in zip(DEMO_SIGNALS, first, second) if a.Value.Value != b.Value.Value}
    assert {"sealer.seal_temperature", "filler.fill_weight", "labeler.label_offset"} <= changed
    assert all(b.SourceTimestamp > a.SourceTimestamp for a, b in zip(first, second))


def test_unmodelled_signal_is_served_bad(server):
    (dv,) = read_all(server.endpoint, [UNMODELLED.node])
    assert dv.StatusCode.value == ua.StatusCodes.BadWaitingForInitialData


def test_address_space_has_a_folder_per_station_in_our_namespace(server):
    async def browse() -> tuple[list[str], int]:
        async with Client(server.endpoint, timeout=5) as client:
            index = await client.get_namespace_index(NAMESPACE_URI)
            children = await client.nodes.objects.get_children()
            names = [(await c.read_browse_name()) for c in children]
            folder = next(c for c, n in zip(children, names) if n.Name == "Sealer")
            leaves = [(await c.read_browse_name()).Name for c in await folder.get_children()]
            return [n.Name for n in names if n.NamespaceIndex == index] + leaves, index

    names, index = asyncio.run(browse())
    assert index == 2
    for folder in ("Infeed", "Filler", "Sealer", "Inspection", "Labeler", "Packer", "Outfeed"):
        assert folder in names
    assert {"SealTemperature", "DwellTime", "SealPressure", "State", "GoodCount", "JawWear"} <= set(names)


def test_stop_is_clean_and_releases_the_port(caplog):
    caplog.set_level(logging.WARNING)
    threads_before = set(threading.enumerate())
    first = SimulatorServer(PROJECT, seed=3)
    first.start_in_thread()
    port = first.port
    assert read_all(first.endpoint, [DEMO_SIGNALS[0].node])[0].StatusCode.is_good()
    started = time.monotonic()
    first.stop_thread()
    assert time.monotonic() - started < 10.0  # a hang guard, not a timing
    first.stop_thread()  # a second stop is harmless
    assert set(threading.enumerate()) <= threads_before

    with running_server(PROJECT, port=port, seed=3) as second:
        assert second.port == port
        assert read_all(second.endpoint, [DEMO_SIGNALS[0].node])[0].StatusCode.is_good()
    gc.collect()  # pending tasks would complain here ("Task was destroyed ...")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="speed"):
        SimulatorServer(PROJECT, speed=0)
    with pytest.raises(ValueError, match="port"):
        SimulatorServer(PROJECT, port=70000)


def test_cli_prints_the_endpoint_and_exits_cleanly_on_sigterm():
    code = (
        "from linetwin.io.project.project_file import load_project\n"
        "from linetwin.ui.cli.sim import run_simulator_cli\n"
        f"raise SystemExit(run_simulator_cli(load_project({str(DEMO)!r}), port=0, seed=5, speed=2.0))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("opc.tcp://127.0.0.1:") and endpoint.endswith("/linetwin/")
        (dv,) = read_all(endpoint, ["ns=2;s=Sealer.SealTemperature"])
        assert 170 < dv.Value.Value < 200
        proc.send_signal(signal.SIGTERM if os.name != "nt" else signal.CTRL_C_EVENT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Task was destroyed" not in err, err


def test_cli_reports_a_busy_port(server):
    code = (
        "from linetwin.io.project.project_file import load_project\n"
        "from linetwin.ui.cli.sim import run_simulator_cli\n"
        f"raise SystemExit(run_simulator_cli(load_project({str(DEMO)!r}), port={server.port}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=15)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_held_line_stands_still_until_released():
    """The simulator started for a command's own clients waits for them: the
    line's time stays 0 while held, and runs once released."""
    server = SimulatorServer(demo_project(), seed=3)
    server.start_in_thread(held=True)
    try:
        time.sleep(0.6)
        assert server.on_model(lambda sim: sim.time_s) == 0.0
        server.release()
        deadline = time.monotonic() + 10
        while server.on_model(lambda sim: sim.time_s) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.on_model(lambda sim: sim.time_s) >= 0.3
        server.release()  # a second release changes nothing
    finally:
        server.stop_thread()


def test_a_simulated_feed_releases_its_line_once_every_client_subscribed():
    from linetwin.io.sessions.live_feed import LiveFeed

    feed = LiveFeed(demo_project(), simulate=True, seed=3)
    feed.start()
    try:
        deadline = time.monotonic() + 30
        while feed.running_since is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert feed.running_since is not None and feed.client.subscribed.is_set()
    finally:
        feed.stop()
