"""The guarded setpoint writer against the real built-in simulator over 127.0.0.1:
a write moves the line's setpoint, a broken guard or refused write is reported and
rolled back, an unreachable server is a clear reason, fast."""

from __future__ import annotations

import asyncio
import time

import pytest

from linetwin.io.opcua.setpoint_writer import (
    Guard,
    SetpointError,
    WriteRequest,
    read_value,
    read_value_blocking,
    write_guarded,
    write_guarded_blocking,
)
from linetwin.io.opcua.simulator.sim_server import free_port
from tests.io.conftest_opcua import UNMODELLED, demo_project, running_server

pytestmark = pytest.mark.timeout(60)

TEMP_SP = "ns=2;s=Sealer.SealTemperatureSetpoint"
DWELL_SP = "ns=2;s=Sealer.DwellTimeSetpoint"
TEMP = "ns=2;s=Sealer.SealTemperature"
ALL_STEPS = ["read-old", "write", "read-back", "guard-broken", "rollback", "rollback-read-back", "done"]


@pytest.fixture(scope="module")
def server():
    with running_server(demo_project(UNMODELLED), seed=3) as srv:
        yield srv


def nominal(server, signal_id: str) -> float:
    return server.on_model(lambda model: model.nominal(signal_id))


def wait_for_nominal(server, signal_id: str, value: float, timeout: float = 2.0) -> bool:
    """The simulator takes a written setpoint on its next 100 ms update."""
    deadline = time.monotonic() + timeout
    while nominal(server, signal_id) != value:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_write_within_limits_moves_the_simulators_setpoint(server):
    old = nominal(server, "sealer.seal_temperature")
    outcome = write_guarded_blocking(server.endpoint, None, None, WriteRequest(TEMP_SP, old + 2.5))
    assert outcome.ok and outcome.reason is None, outcome.reason
    assert (outcome.old, outcome.read_back, outcome.written, outcome.rolled_back) == (old, old + 2.5, True, False)
    assert [s.what for s in outcome.steps] == ["read-old", "write", "read-back", "done"]
    assert outcome.steps[1].details == {"node": TEMP_SP, "value": old + 2.5, "type": "Double", "status": "Good"}
    assert outcome.steps[2].details["equal"] is True
    assert all(a.time <= b.time for a, b in zip(outcome.steps, outcome.steps[1:]))
    assert wait_for_nominal(server, "sealer.seal_temperature", old + 2.5)
    assert read_value_blocking(server.endpoint, None, None, TEMP_SP) == old + 2.5


def test_a_broken_guard_rolls_the_setpoint_back(server):
    old = nominal(server, "sealer.dwell_time")
    guard = Guard("sealer.seal_temperature", TEMP, 150.0, 151.0)  # the sealer runs near 185 °C
    request = WriteRequest(DWELL_SP, old + 30.0, guards=(guard,), watch_s=5.0)
    outcome = write_guarded_blocking(server.endpoint, None, None, request, poll_s=0.1)
    assert not outcome.ok and outcome.written and outcome.rolled_back
    assert outcome.read_back == old + 30.0
    assert [s.what for s in outcome.steps] == ALL_STEPS
    broken = outcome.steps[3].details
    assert broken["signal"] == "sealer.seal_temperature" and broken["status"] == "Good"
    assert not 150.0 <= broken["value"] <= 151.0
    assert outcome.steps[5].details == {"node": DWELL_SP, "value": old, "status": "Good", "expected": old,
                                        "equal": True}
    assert outcome.reason.startswith("guard sealer.seal_temperature broken: ")
    assert outcome.reason.endswith(f"not in 150..151; rolled back to {old:g}")
    time.sleep(0.3)  # two updates: the simulator saw the write and the rollback
    assert nominal(server, "sealer.dwell_time") == old


def test_guards_held_for_the_whole_watch_let_the_change_stand(server):
    old = nominal(server, "sealer.dwell_time")
    guard = Guard("sealer.seal_temperature", TEMP, 100.0, 250.0)
    request = WriteRequest(DWELL_SP, old - 20.0, guards=(guard,), watch_s=0.6)
    started = time.monotonic()
    outcome = write_guarded_blocking(server.endpoint, None, None, request, poll_s=0.2)
    assert outcome.ok and not outcome.rolled_back, outcome.reason
    assert time.monotonic() - started >= 0.6
    assert wait_for_nominal(server, "sealer.dwell_time", old - 20.0)
    assert write_guarded_blocking(server.endpoint, None, None, WriteRequest(DWELL_SP, old)).ok
    assert wait_for_nominal(server, "sealer.dwell_time", old)


def test_a_guard_of_bad_quality_counts_as_broken(server):
    old = nominal(server, "sealer.dwell_time")
    guard = Guard("test.unmodelled", UNMODELLED.node, -1e9, 1e9)  # served BadWaitingForInitialData
    outcome = write_guarded_blocking(server.endpoint, None, None,
                                     WriteRequest(DWELL_SP, old + 10.0, guards=(guard,), watch_s=2.0))
    assert not outcome.ok and outcome.rolled_back
    assert outcome.reason.startswith("guard test.unmodelled broken: BadWaitingForInitialData")
    time.sleep(0.3)
    assert nominal(server, "sealer.dwell_time") == old


def test_a_read_only_node_is_refused_and_nothing_is_written(server):
    # Held: a live process value could change between the two reads on a loaded machine.
    server.on_model(lambda sim: sim.force("sealer.seal_temperature", 185.5))
    try:
        time.sleep(0.5)  # published
        before = read_value_blocking(server.endpoint, None, None, TEMP)
        outcome = write_guarded_blocking(server.endpoint, None, None, WriteRequest(TEMP, 186.0))
    finally:
        server.on_model(lambda sim: sim.release("sealer.seal_temperature"))
    assert not outcome.ok and not outcome.written and not outcome.rolled_back
    assert outcome.old == before and outcome.read_back is None
    assert outcome.reason == (f"the server refused to write {TEMP}: BadUserAccessDenied "
                              "(the node is read-only, or this user may not write it)")
    assert [s.what for s in outcome.steps] == ["read-old", "write", "done"]


def test_an_unknown_node_is_a_clear_reason(server):
    outcome = write_guarded_blocking(server.endpoint, None, None, WriteRequest("ns=2;s=Sealer.Nope", 1.0))
    assert not outcome.written and outcome.reason == "cannot read ns=2;s=Sealer.Nope: BadNodeIdUnknown"
    with pytest.raises(SetpointError, match="malformed OPC UA node id 'Sealer.Nope'"):
        read_value_blocking(server.endpoint, None, None, "Sealer.Nope")


def test_an_unreachable_endpoint_is_a_clear_reason_fast():
    endpoint = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/linetwin/"
    started = time.monotonic()
    outcome = write_guarded_blocking(endpoint, None, None, WriteRequest(TEMP_SP, 186.0))
    assert time.monotonic() - started < 5.0
    assert not outcome.ok and not outcome.written and outcome.old is None
    assert outcome.reason.startswith(f"cannot connect to {endpoint}: ")
    assert [s.what for s in outcome.steps] == ["done"]
    with pytest.raises(SetpointError, match="cannot connect to"):
        read_value_blocking(endpoint, None, None, TEMP_SP)


def test_a_value_that_is_not_finite_is_never_sent(server):
    outcome = write_guarded_blocking(server.endpoint, None, None, WriteRequest(TEMP_SP, float("nan")))
    assert not outcome.ok and not outcome.written and outcome.reason == f"nan is not a value to write to {TEMP_SP}"


def test_the_async_forms_run_on_the_callers_loop(server):
    async def both() -> tuple[float, bool]:
        value = await read_value(server.endpoint, None, None, TEMP_SP)
        outcome = await write_guarded(server.endpoint, None, None, WriteRequest(TEMP_SP, value))
        return value, outcome.ok

    value, ok = asyncio.run(both())
    assert ok and value == nominal(server, "sealer.seal_temperature")
