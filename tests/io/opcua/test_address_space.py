"""AddressSpaceBrowser against real asyncua servers on 127.0.0.1: the built-in
simulator, and a small server with units, enumerations and refused nodes."""

from __future__ import annotations

import asyncio
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from asyncua import Server, ua

from linetwin.io.opcua.address_space import (
    AddressSpaceBrowser,
    BrowseError,
    free_signal_id,
    guess_kind,
    snake_case,
)
from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.simulator.sim_server import free_port
from tests.io.conftest_opcua import demo_project, running_server

pytestmark = pytest.mark.timeout(20)

PROJECT = demo_project()
STATIONS = ["Infeed", "Filler", "Sealer", "Inspection", "Labeler", "Packer", "Outfeed"]
META_URI = "urn:linetwin:test-metadata"


@pytest.fixture(scope="module")
def sim():
    with running_server(PROJECT) as server:
        yield server


@pytest.fixture
def browser(sim):
    with AddressSpaceBrowser(sim.endpoint) as b:
        yield b


class MetadataServer:
    """A plain asyncua server with what the simulator lacks: units, a Boolean,
    an enumeration, a writable node, an array and a node that refuses reads."""

    def __init__(self) -> None:
        self.thread = AsyncioThread(name="test-metadata-server")
        self.server: Server | None = None
        self.endpoint = ""

    def start(self) -> None:
        self.thread.start()
        self.thread.submit(self._start()).result(15)

    def stop(self) -> None:
        self.thread.submit(self.server.stop()).result(5)
        self.thread.stop()

    async def _start(self) -> None:
        server = Server()
        await server.init()
        self.endpoint = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/meta/"
        server.set_endpoint(self.endpoint)
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        ns = await server.register_namespace(META_URI)
        oven = await server.nodes.objects.add_object(ua.NodeId("Oven", ns), ua.QualifiedName("Oven", ns))

        async def variable(name: str, value, variant: ua.VariantType):
            return await oven.add_variable(ua.NodeId(f"Oven.{name}", ns), ua.QualifiedName(name, ns), value, variant)

        temp = await variable("ZoneTemp", 21.5, ua.VariantType.Float)
        units = ua.EUInformation(NamespaceUri="http://www.opcfoundation.org/UA/units/un/cefact", UnitId=4408652,
                                 DisplayName=ua.LocalizedText("°C"), Description=ua.LocalizedText("degree Celsius"))
        await temp.add_property(ua.NodeId("Oven.ZoneTemp.EngineeringUnits", ns), ua.QualifiedName("EngineeringUnits", 0),
                                units, ua.VariantType.ExtensionObject, ua.NodeId(ua.ObjectIds.EUInformation))
        await temp.add_property(ua.NodeId("Oven.ZoneTemp.EURange", ns), ua.QualifiedName("EURange", 0),
                                ua.Range(0.0, 250.0), ua.VariantType.ExtensionObject, ua.NodeId(ua.ObjectIds.Range))
        await temp.write_attribute(ua.AttributeIds.Description, ua.DataValue(ua.Variant(ua.LocalizedText("zone 1 air"))))
        await (await variable("DoorOpen", False, ua.VariantType.Boolean)).set_writable()
        recipe = await variable("Recipe", 1, ua.VariantType.Int32)
        names = [ua.LocalizedText("Bread Loaf"), ua.LocalizedText("Pizza"), ua.LocalizedText("Idle")]
        await recipe.add_property(ua.NodeId("Oven.Recipe.EnumStrings", ns), ua.QualifiedName("EnumStrings", 0),
                                  names, ua.VariantType.LocalizedText)
        await variable("Profile", [1.0, 2.0], ua.VariantType.Double)
        await variable("Label", "batch 7", ua.VariantType.String)
        secret = await variable("Secret", 0.0, ua.VariantType.Double)
        denied = ua.DataValue(StatusCode=ua.StatusCode(ua.StatusCodes.BadUserAccessDenied))
        await server.write_attribute_value(secret.nodeid, denied)
        await server.start()
        self.server = server


@pytest.fixture(scope="module")
def meta():
    server = MetadataServer()
    server.start()
    yield server
    server.stop()


def meta_node(ns: int, name: str) -> str:
    return f"ns={ns};s=Oven.{name}"


@pytest.fixture
def meta_browser(meta):
    with AddressSpaceBrowser(meta.endpoint) as b:
        ns = b.children(None)  # connect, and find our namespace index
        oven = next(n for n in ns if n.browse_name == "Oven")
        yield b, int(oven.node_id.split(";")[0].removeprefix("ns="))


# -- browsing the simulator ------------------------------------------------------------


def test_objects_folder_lists_the_station_folders(browser):
    nodes = browser.children(None)
    names = [n.browse_name for n in nodes]
    assert [n for n in names if n in STATIONS] == STATIONS  # in line (file) order
    sealer = next(n for n in nodes if n.browse_name == "Sealer")
    assert sealer.node_class == "Object" and sealer.has_children
    assert sealer.node_id.startswith("ns=2;")
    assert "Server" in names  # the standard server object is browsable too


def test_station_children_are_typed_variables(browser):
    sealer = next(n for n in browser.children(None) if n.browse_name == "Sealer")
    children = {n.browse_name: n for n in browser.children(sealer.node_id)}
    temp = children["SealTemperature"]
    assert temp.node_id == "ns=2;s=Sealer.SealTemperature"
    assert (temp.node_class, temp.data_type, temp.has_children) == ("Variable", "Double", False)
    assert children["GoodCount"].data_type == "UInt32"
    assert children["State"].data_type == "Int32"


def test_read_gives_a_live_good_value(browser):
    first = browser.read("ns=2;s=Sealer.SealTemperature")
    assert first.is_good and first.status == "Good" and first.status_code == 0
    assert isinstance(first.value, float) and 150 < first.value < 220
    assert first.data_type == "Double"
    assert first.source_timestamp is not None and first.source_timestamp.tzinfo is not None
    assert abs(datetime.now(timezone.utc) - first.source_timestamp) < timedelta(seconds=5)
    assert first.readable and not first.is_array
    deadline = time.monotonic() + 5
    while browser.read(first.node_id).source_timestamp == first.source_timestamp:
        assert time.monotonic() < deadline, "the value never refreshed"
        time.sleep(0.1)


def test_suggest_signal_avoids_taken_ids_and_names_the_existing_binding(browser):
    proposal = browser.suggest_signal("ns=2;s=Sealer.SealTemperature", "sealer", PROJECT)
    assert proposal.id == "sealer.seal_temperature_2"  # "sealer.seal_temperature" is in the demo file
    assert proposal.kind == "analog" and proposal.node == "ns=2;s=Sealer.SealTemperature"
    assert proposal.bound_as == "sealer.seal_temperature"
    fresh = browser.suggest_signal("ns=2;s=Sealer.SealTemperature", "sealer")
    assert fresh.id == "sealer.seal_temperature" and fresh.bound_as is None
    assert fresh.to_fields() == {
        "id": "sealer.seal_temperature", "asset": "sealer", "node": "ns=2;s=Sealer.SealTemperature", "kind": "analog",
    }


def test_suggest_signal_guesses_counters_and_states(browser):
    assert browser.suggest_signal("ns=2;s=Sealer.GoodCount", "sealer").kind == "counter"
    assert browser.suggest_signal("ns=2;s=Sealer.State", "sealer").kind == "state"
    # Server.ServerStatus.State: data type ServerState, an Enumeration subtype
    server_state = browser.suggest_signal("i=2259", "line1")
    assert (server_state.kind, server_state.data_type, server_state.id) == ("state", "ServerState", "line1.state")


def test_unknown_node_is_a_browse_error_naming_it(browser, sim):
    for call in (browser.read, browser.children):
        with pytest.raises(BrowseError, match=r"ns=2;s=Sealer\.NoSuchNode does not exist") as info:
            call("ns=2;s=Sealer.NoSuchNode")
        assert sim.endpoint in str(info.value)
    with pytest.raises(BrowseError, match="'not a node' is not an OPC UA node id"):
        browser.read("not a node")
    with pytest.raises(BrowseError, match="no namespace urn:nowhere"):
        browser.read("nsu=urn:nowhere;s=X")
    with pytest.raises(BrowseError, match="i=85 is not a variable"):
        browser.read("i=85")  # the Objects folder has no value
    assert browser.read("ns=2;s=Sealer.State").is_good  # the session survives errors


def test_nsu_node_ids_resolve_against_the_server(browser):
    value = browser.read("nsu=urn:linetwin:demo-sim;s=Sealer.DwellTime")
    assert value.node_id == "ns=2;s=Sealer.DwellTime" and value.is_good


def test_calls_from_several_worker_threads_share_one_session(browser):
    nodes = ["ns=2;s=Sealer.SealTemperature", "ns=2;s=Filler.FillWeight", "ns=2;s=Infeed.State"] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        values = list(pool.map(browser.read, nodes))
    assert all(v.is_good for v in values)


# -- failures of the connection ---------------------------------------------------------


def test_unreachable_endpoint_fails_fast_with_the_endpoint_named():
    endpoint = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/nobody/"
    start = time.monotonic()
    with AddressSpaceBrowser(endpoint) as browser, pytest.raises(BrowseError, match="cannot connect to " + endpoint):
        browser.children(None)
    assert time.monotonic() - start < 10.0  # a hang guard


def test_a_server_that_never_answers_times_out_within_seconds():
    with socket.socket() as silent:  # accepts TCP connections, never speaks OPC UA
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        endpoint = f"opc.tcp://127.0.0.1:{silent.getsockname()[1]}/silent/"
        start = time.monotonic()
        with AddressSpaceBrowser(endpoint) as browser, pytest.raises(BrowseError, match=endpoint):
            browser.read("ns=2;s=Sealer.State")
        assert time.monotonic() - start < 15.0  # a hang guard


class Relay:
    """TCP pass-through to a server that can cut every open connection (as a
    network glitch or server restart does) and stop listening (server gone)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.thread = AsyncioThread(name="test-relay")
        self.listener: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.port = 0
        self.connections = 0

    def start(self) -> None:
        self.thread.start()
        self.thread.submit(self._listen()).result(5)

    def cut(self) -> None:
        self.thread.submit(self._cut()).result(5)

    def stop(self) -> None:
        if not self.thread.is_running():
            return
        if self.listener is not None:
            self.thread.call_soon(self.listener.close)
        self.cut()
        self.thread.stop()

    async def _listen(self) -> None:
        self.listener = await asyncio.start_server(self._pipe_both, "127.0.0.1", self.port)
        self.port = self.listener.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()
        await asyncio.sleep(0.05)

    async def _pipe_both(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def test_cut_connection_is_reopened_and_a_gone_server_reported(sim):
    relay = Relay(sim.port)
    relay.start()
    endpoint = f"opc.tcp://127.0.0.1:{relay.port}/linetwin/"
    try:
        with AddressSpaceBrowser(endpoint) as browser:
            assert browser.read("ns=2;s=Sealer.State").is_good
            relay.cut()  # the session's connection dies between two clicks
            assert browser.read("ns=2;s=Sealer.State").is_good  # a fresh session, no error
            assert relay.connections == 2
            relay.stop()  # now nobody listens
            start = time.monotonic()
            with pytest.raises(BrowseError, match=endpoint):
                browser.read("ns=2;s=Sealer.State")
            assert time.monotonic() - start < 15.0  # a hang guard
    finally:
        relay.stop()


def test_closed_browser_refuses_calls(sim):
    browser = AddressSpaceBrowser(sim.endpoint)
    browser.children(None)
    browser.close()
    browser.close()  # twice is fine
    with pytest.raises(BrowseError, match="closed"):
        browser.children(None)


def test_settings_give_the_endpoint_and_a_secure_one_without_certificates_is_refused(sim):
    with AddressSpaceBrowser(settings=ConnectionSettings(sim.endpoint)) as browser:
        assert browser.read("ns=2;s=Sealer.State").is_good
    secure = ConnectionSettings(sim.endpoint, "Basic256Sha256", "SignAndEncrypt", "op", "secret")
    with AddressSpaceBrowser(settings=secure) as browser, pytest.raises(BrowseError) as info:
        browser.children(None)
    assert "Basic256Sha256" in str(info.value) and "secret" not in str(info.value)


def test_a_password_in_the_endpoint_never_shows_in_messages():
    endpoint = f"opc.tcp://op:hunter2@127.0.0.1:{free_port('127.0.0.1')}/x/"
    with AddressSpaceBrowser(endpoint) as browser, pytest.raises(BrowseError) as info:
        browser.children(None)
    assert "op@127.0.0.1" in str(info.value) and "hunter2" not in str(info.value)  # redact_url


# -- metadata: units, enumerations, access ------------------------------------------------


def test_read_reports_units_range_description_and_access(meta_browser):
    browser, ns = meta_browser
    temp = browser.read(meta_node(ns, "ZoneTemp"))
    assert (temp.value, temp.data_type, temp.unit) == (21.5, "Float", "°C")
    assert temp.eu_range == (0.0, 250.0) and temp.description == "zone 1 air"
    assert temp.readable and not temp.writable
    assert browser.read(meta_node(ns, "DoorOpen")).writable


def test_suggestions_use_units_booleans_and_enum_strings(meta_browser):
    browser, ns = meta_browser
    temp = browser.suggest_signal(meta_node(ns, "ZoneTemp"), "oven")
    assert (temp.id, temp.kind, temp.unit) == ("oven.zone_temp", "analog", "°C")
    assert temp.to_fields()["unit"] == "°C"
    door = browser.suggest_signal(meta_node(ns, "DoorOpen"), "oven")
    assert (door.kind, door.states) == ("state", {"false": 0, "true": 1})
    recipe = browser.suggest_signal(meta_node(ns, "Recipe"), "oven")
    assert recipe.kind == "state"
    assert recipe.states == {"bread_loaf": 0, "pizza": 1, "idle": 2}
    assert browser.read(meta_node(ns, "Recipe")).enum_values == {0: "Bread Loaf", 1: "Pizza", 2: "Idle"}


def test_values_that_cannot_be_signals_are_refused(meta_browser):
    browser, ns = meta_browser
    with pytest.raises(BrowseError, match="array"):
        browser.suggest_signal(meta_node(ns, "Profile"), "oven")
    with pytest.raises(BrowseError, match="String"):
        browser.suggest_signal(meta_node(ns, "Label"), "oven")


def test_access_denied_is_a_browse_error_naming_the_node(meta_browser, meta):
    browser, ns = meta_browser
    with pytest.raises(BrowseError, match=r"access to node ns=\d+;s=Oven\.Secret denied") as info:
        browser.read(meta_node(ns, "Secret"))
    assert meta.endpoint in str(info.value)


# -- pure helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "snake"),
    [("SealTemperature", "seal_temperature"), ("GoodCount", "good_count"), ("HMIValue 2", "hmi_value_2"),
     ("line-speed", "line_speed"), ("PV", "pv"), ("Temp_1", "temp_1"), ("***", "")],
)
def test_snake_case(name, snake):
    assert snake_case(name) == snake


def test_free_signal_id_suffixes_until_free():
    assert free_signal_id("a.b", set()) == "a.b"
    assert free_signal_id("a.b", {"a.b", "a.b_2"}) == "a.b_3"


@pytest.mark.parametrize(
    ("data_type", "name", "kind"),
    [("Double", "Pressure", "analog"), ("Float", "x", "analog"), ("Boolean", "Running", "state"),
     ("UInt32", "RejectCount", "counter"), ("Int64", "TotalPacks", "counter"), ("Int16", "MachineState", "state"),
     ("Int32", "Speed", "analog"), ("Enumeration", "Whatever", "state")],
)
def test_guess_kind(data_type, name, kind):
    assert guess_kind(data_type, name)[0] == kind


def test_guess_kind_refuses_non_numeric_types():
    assert guess_kind("String", "Label") is None
    assert guess_kind("DateTime", "Stamp") is None
