"""The guarded setpoint writer against a node-opcua server (another OPC UA stack, as a
vendor's line would be): typed writes (Float, Int32), namespace URIs, a refusal
and a rollback, as the stack itself answers them."""

from __future__ import annotations

import struct

import pytest

from linetwin.io.opcua.setpoint_writer import Guard, WriteRequest, read_value_blocking, write_guarded_blocking
from tests.io.node_opcua_server import NodeOpcuaServer

pytestmark = pytest.mark.timeout(240)

NS = "nsu=urn:acme:sealer;s=Sealer."


def float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


@pytest.fixture(scope="module")
def sealer(tmp_path_factory):
    with NodeOpcuaServer(tmp_path_factory.mktemp("node-opcua-setpoint"), script="setpoint_server.js") as server:
        yield server


def test_a_float_setpoint_is_written_as_a_float_and_read_back(sealer):
    outcome = write_guarded_blocking(sealer.endpoint, None, None, WriteRequest(NS + "TempSetpoint", 182.3))
    assert outcome.ok, outcome.reason
    assert outcome.steps[1].details["type"] == "Float"
    assert outcome.old == 185.0 and outcome.read_back == float32(182.3) != 182.3
    assert read_value_blocking(sealer.endpoint, None, None, NS + "TempSetpoint") == float32(182.3)


def test_an_integer_setpoint_takes_whole_numbers_only(sealer):
    outcome = write_guarded_blocking(sealer.endpoint, None, None, WriteRequest(NS + "SpeedSetpoint", 130.0))
    assert outcome.ok and outcome.read_back == 130.0 and outcome.steps[1].details["type"] == "Int32"
    outcome = write_guarded_blocking(sealer.endpoint, None, None, WriteRequest(NS + "SpeedSetpoint", 130.5))
    assert not outcome.written
    assert outcome.reason == "130.5 cannot be written to the Int32 node (whole numbers -2147483648..2147483647 only)"


def test_a_read_only_node_is_refused_by_node_opcua(sealer):
    outcome = write_guarded_blocking(sealer.endpoint, None, None, WriteRequest(NS + "Recipe", 8.0))
    assert not outcome.ok and not outcome.written
    assert outcome.reason.startswith(f"the server refused to write {NS}Recipe: Bad")
    assert "read-only" in outcome.reason
    assert read_value_blocking(sealer.endpoint, None, None, NS + "Recipe") == 7.0


def test_a_broken_guard_rolls_back_on_node_opcua(sealer):
    old = read_value_blocking(sealer.endpoint, None, None, NS + "SpeedSetpoint")
    guard = Guard("sealer.temp", NS + "Temp", 0.0, 1.0)
    outcome = write_guarded_blocking(sealer.endpoint, None, None,
                                     WriteRequest(NS + "SpeedSetpoint", old + 5, guards=(guard,), watch_s=2.0))
    assert not outcome.ok and outcome.rolled_back
    assert outcome.reason == f"guard sealer.temp broken: 185.2, not in 0..1; rolled back to {old:g}"
    assert read_value_blocking(sealer.endpoint, None, None, NS + "SpeedSetpoint") == old
