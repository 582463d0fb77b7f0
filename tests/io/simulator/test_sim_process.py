"""The simulator child process the GUI starts: endpoint, stop, orphan, failure."""

import asyncio

import pytest
from asyncua import Client

from linetwin.io.opcua.simulator.sim_process import SimulatorProcess
from linetwin.main import DEMO_PROJECT

HANG_GUARD_S = 60


async def _read_state(endpoint: str):
    async with Client(endpoint) as client:
        node = client.get_node("ns=2;s=Sealer.State")
        return await node.read_value()


def test_serves_the_project_and_stops_on_request():
    simulator = SimulatorProcess(DEMO_PROJECT)
    try:
        endpoint = simulator.endpoint()
        assert endpoint.startswith("opc.tcp://127.0.0.1:")
        assert isinstance(asyncio.run(_read_state(endpoint)), int)
    finally:
        simulator.stop()
    assert simulator.process.returncode == 0  # SIGTERM handled: a clean stop
    simulator.stop()  # a second stop is harmless


def test_ends_by_itself_when_its_parent_is_gone():
    simulator = SimulatorProcess(DEMO_PROJECT)
    simulator.endpoint()
    simulator.process.stdin.close()  # what the kernel does when the GUI dies, even by SIGKILL
    assert simulator.process.wait(HANG_GUARD_S) == 0
    simulator.stop()


def test_a_broken_project_is_reported_in_the_childs_words(tmp_path):
    broken = tmp_path / "line.toml"
    broken.write_text("[project]\nname = 'x'\n[[assets]]\nid = 1\n")
    simulator = SimulatorProcess(broken)
    with pytest.raises(OSError, match="(?s)simulator did not start: .*line.toml:4: assets"):
        simulator.endpoint()
    assert simulator.process.poll() is not None


def test_waiting_can_be_given_up():
    simulator = SimulatorProcess(DEMO_PROJECT)
    try:
        assert simulator.endpoint(give_up=lambda: True) is None  # e.g. Ctrl+C while starting
    finally:
        simulator.stop()
