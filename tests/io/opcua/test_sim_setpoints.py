"""The simulator's writable setpoint nodes, over a real client session on 127.0.0.1:
where they are, what they hold, and what a client's write does to the model."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from asyncua import ua

from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.setpoint_session import open_session, read_numbers, write_number
from tests.io.conftest_opcua import demo_project, running_server

pytestmark = pytest.mark.timeout(60)

TEMP_SP = ua.NodeId("Sealer.SealTemperatureSetpoint", 2)
DWELL_SP = ua.NodeId("Sealer.DwellTimeSetpoint", 2)


def session_call(endpoint: str, work):
    """Run ``work(client)`` in a session made by the one connection factory."""
    async def run():
        async with open_session(ConnectionSettings(endpoint), None) as client:
            return await work(client)

    return asyncio.run(run())


def eventually(check, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope="module")
def server():
    with running_server(demo_project(), seed=4, speed=20.0) as srv:
        yield srv


def test_setpoint_nodes_sit_in_the_station_folder_holding_the_setpoint(server):
    assert server.setpoints.node_ids == {"sealer.seal_temperature": TEMP_SP, "sealer.dwell_time": DWELL_SP}

    async def look(client):
        node = client.get_node(TEMP_SP)
        parent = await node.get_parent()
        access = await node.read_attribute(ua.AttributeIds.UserAccessLevel)
        return (await parent.read_browse_name()).Name, access.Value.Value, await read_numbers(client, [TEMP_SP, DWELL_SP])

    folder, access, (temp, dwell) = session_call(server.endpoint, look)
    assert folder == "Sealer" and access & ua.AccessLevel.CurrentWrite.mask
    assert temp.variant == ua.VariantType.Double
    assert temp.value == server.on_model(lambda m: m.nominal("sealer.seal_temperature"))
    assert dwell.value == server.on_model(lambda m: m.nominal("sealer.dwell_time"))


def test_a_clients_write_moves_the_setpoint_and_the_value_ramps_there(server):
    old = server.on_model(lambda m: m.nominal("sealer.seal_temperature"))
    status = session_call(server.endpoint, lambda c: write_number(c, TEMP_SP, old + 5.0, ua.VariantType.Double))
    assert status == "Good"
    assert eventually(lambda: server.on_model(lambda m: m.nominal("sealer.seal_temperature")) == old + 5.0)
    # 1 °C/s at 20x: the controller gets most of the way in well under a second of wall time
    assert eventually(lambda: server.on_model(lambda m: m.process_value("sealer.seal_temperature")) > old + 3.5)
    session_call(server.endpoint, lambda c: write_number(c, TEMP_SP, old, ua.VariantType.Double))
    assert eventually(lambda: server.on_model(lambda m: m.nominal("sealer.seal_temperature")) == old)


def test_the_models_own_setpoint_changes_show_on_the_node(server):
    server.on_model(lambda m: m.set_setpoint("sealer.dwell_time", 333.0))

    def shown() -> float | None:
        return session_call(server.endpoint, lambda c: read_numbers(c, [DWELL_SP]))[0].value

    assert eventually(lambda: shown() == 333.0)
    server.on_model(lambda m: m.set_setpoint("sealer.dwell_time", 350.0))


@pytest.mark.parametrize("bad", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_a_value_that_is_not_finite_is_refused_and_the_setpoint_written_back(server, bad):
    old = server.on_model(lambda m: m.nominal("sealer.dwell_time"))
    session_call(server.endpoint, lambda c: write_number(c, DWELL_SP, bad, ua.VariantType.Double))

    def held() -> float | None:
        return session_call(server.endpoint, lambda c: read_numbers(c, [DWELL_SP]))[0].value

    assert eventually(lambda: held() == old)
    assert server.on_model(lambda m: m.nominal("sealer.dwell_time")) == old


def test_a_write_of_another_type_is_refused_by_the_server(server):
    status = session_call(server.endpoint, lambda c: write_number(c, DWELL_SP, 340, ua.VariantType.Int32))
    assert status == "BadTypeMismatch"


def test_read_only_projects_get_no_setpoint_nodes():
    project = demo_project()
    read_only = dataclasses.replace(project, signals=tuple(
        dataclasses.replace(s, writable=False, certified=None, setpoint_node=None) for s in project.signals))
    with running_server(read_only) as srv:
        assert srv.setpoints.node_ids == {}
        [reading] = session_call(srv.endpoint, lambda c: read_numbers(c, [TEMP_SP]))
        assert reading.value is None and reading.status == "BadNodeIdUnknown"
