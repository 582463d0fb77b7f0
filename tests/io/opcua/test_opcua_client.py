"""LiveClient against the real built-in simulator: values, bad nodes, loss,
reconnection and shutdown, all over 127.0.0.1."""

from __future__ import annotations

import dataclasses
import math
import queue
import socket
import threading
import time

import pytest
from asyncua import ua

from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.twin.updates import ConnectionState, ValueUpdate
from tests.io.conftest_opcua import (
    MISSING,
    UNMODELLED,
    FreezableProxy,
    QueueReader,
    demo_project,
    running_server,
)

pytestmark = pytest.mark.timeout(20)

SERVED = demo_project(UNMODELLED)  # the simulator's project: no MISSING node
PROJECT = demo_project(UNMODELLED, MISSING)  # what the client subscribes to
DEMO_IDS = {s.id for s in PROJECT.signals} - {UNMODELLED.id, MISSING.id}


@pytest.fixture(scope="module")
def server():
    with running_server(SERVED) as srv:
        yield srv


@pytest.fixture
def client_for():
    """Start LiveClients for endpoints; every one is stopped after the test."""
    clients: list[LiveClient] = []

    def start(endpoint: str, project=PROJECT) -> QueueReader:
        updates: queue.SimpleQueue = queue.SimpleQueue()
        client = LiveClient(project, updates, endpoint=endpoint)
        client.start()
        clients.append(client)
        return QueueReader(updates)

    yield start
    for client in clients:
        client.stop()


def test_every_demo_signal_arrives_good_and_fresh(server, client_for):
    reader = client_for(server.endpoint)
    assert reader.wait_for(lambda: DEMO_IDS <= reader.signals_seen(), timeout=10)
    assert reader.states()[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    first_value = next(i for i, item in enumerate(reader.items) if isinstance(item, ValueUpdate))
    before = reader.items[:first_value]
    assert any(getattr(item, "state", None) == ConnectionState.CONNECTED for item in before)
    now = time.time()
    for update in reader.values():
        if update.signal_id in DEMO_IDS:
            assert update.status_code == 0
            assert math.isfinite(update.value)
            assert abs(update.source_time - now) < 5.0
            # Order and clock, not speed: a swapped pair or a local-vs-UTC stamp is off by
            # hours; a loaded CI machine has delivered the first values 2.3 s late.
            assert 0 <= update.receive_time - update.source_time < 10.0


def test_values_keep_coming_and_every_one_is_kept(server, client_for):
    reader = client_for(server.endpoint)
    assert reader.wait_for(lambda: DEMO_IDS <= reader.signals_seen(), timeout=10)
    start = len(reader.items)
    time.sleep(2.0)
    reader.pump()
    temps = [v for v in reader.values(start) if v.signal_id == "sealer.seal_temperature"]
    assert len(temps) >= 12  # written every 100 ms, nothing coalesced
    # Unchanged values (a steadily running station) still arrive, re-stamped
    # by the server's heartbeat, so the GUI can tell fresh from stale.
    assert DEMO_IDS <= reader.signals_seen(start)
    assert all(b.source_time >= a.source_time for a, b in zip(temps, temps[1:]))


def test_missing_and_unmodelled_nodes_give_bad_updates(server, client_for):
    reader = client_for(server.endpoint)
    assert reader.wait_for(lambda: {MISSING.id, UNMODELLED.id} <= reader.signals_seen(good=False), timeout=10)
    bad = {v.signal_id: v for v in reader.values() if v.status_code != 0}
    # The server's own code is passed on; asyncua's server says Invalid where
    # the spec (and most servers) say Unknown for a well-formed missing node.
    assert bad[MISSING.id].status_code in (ua.StatusCodes.BadNodeIdUnknown, ua.StatusCodes.BadNodeIdInvalid)
    assert bad[UNMODELLED.id].status_code == ua.StatusCodes.BadWaitingForInitialData
    assert math.isnan(bad[MISSING.id].value)
    assert bad[MISSING.id].quality.name == "BAD"


def test_stop_while_connected_is_prompt_and_final(server):
    updates: queue.SimpleQueue = queue.SimpleQueue()
    reader = QueueReader(updates)
    threads_before = set(threading.enumerate())
    client = LiveClient(PROJECT, updates, endpoint=server.endpoint)
    client.start()
    client.start()  # idempotent
    assert reader.wait_for(lambda: ConnectionState.CONNECTED in reader.states(), timeout=10)
    started = time.monotonic()
    client.stop()
    assert time.monotonic() - started < 8.0  # a hang guard
    client.stop()  # idempotent
    reader.pump()
    assert reader.states()[-1] == ConnectionState.DISCONNECTED
    count = len(reader.items)
    time.sleep(0.3)
    reader.pump()
    assert len(reader.items) == count  # nothing after "stopped"
    assert set(threading.enumerate()) <= threads_before


def test_server_loss_is_reported_and_the_client_reconnects():
    with running_server(SERVED) as first:
        port = first.port
        updates: queue.SimpleQueue = queue.SimpleQueue()
        reader = QueueReader(updates)
        client = LiveClient(PROJECT, updates, endpoint=first.endpoint)
        client.start()
        try:
            assert reader.wait_for(lambda: DEMO_IDS <= reader.signals_seen(), timeout=10)
            mark = len(reader.items)
            first.stop_thread()
            assert reader.wait_for(lambda: ConnectionState.LOST in reader.states(mark), timeout=3)
            with running_server(SERVED, port=port):
                mark = len(reader.items)
                assert reader.wait_for(lambda: ConnectionState.CONNECTED in reader.states(mark), timeout=8)
                assert reader.wait_for(lambda: DEMO_IDS <= reader.signals_seen(mark), timeout=5)
        finally:
            client.stop()


def test_a_silent_server_is_noticed_by_the_watchdog(server):
    proxy = FreezableProxy(server.port)
    proxy.start()
    updates: queue.SimpleQueue = queue.SimpleQueue()
    reader = QueueReader(updates)
    client = LiveClient(PROJECT, updates, endpoint=f"opc.tcp://127.0.0.1:{proxy.port}/linetwin/")
    client.start()
    try:
        assert reader.wait_for(lambda: ConnectionState.CONNECTED in reader.states(), timeout=10)
        proxy.frozen = True  # sockets stay open, nothing flows
        frozen_at = time.monotonic()
        assert reader.wait_for(lambda: ConnectionState.LOST in reader.states(), timeout=5)
        assert time.monotonic() - frozen_at < 8.0  # a hang guard
        mark = len(reader.items)
        proxy.frozen = False
        assert reader.wait_for(lambda: ConnectionState.CONNECTED in reader.states(mark), timeout=10)
        started = time.monotonic()
    finally:
        client.stop()
        proxy.stop()
    assert time.monotonic() - started < 8.0  # a hang guard


def test_malformed_node_ids_give_bad_updates_and_the_rest_still_works(server, client_for):
    broken = dataclasses.replace(MISSING, id="sealer.typo", node="ns=2;x=Oops")
    unknown_ns = dataclasses.replace(MISSING, id="sealer.elsewhere", node="nsu=urn:not-here;s=Sealer.X")
    project = dataclasses.replace(PROJECT, signals=PROJECT.signals + (broken, unknown_ns))
    reader = client_for(server.endpoint, project)
    assert reader.wait_for(lambda: DEMO_IDS <= reader.signals_seen(), timeout=10)
    bad = {v.signal_id: v.status_code for v in reader.values() if v.status_code != 0}
    assert bad["sealer.typo"] == ua.StatusCodes.BadNodeIdInvalid
    assert bad["sealer.elsewhere"] == ua.StatusCodes.BadNodeIdUnknown


def test_unreachable_server_is_reported_and_stop_is_prompt(client_for):
    with socket.socket() as sock:  # a port that refuses connections
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reader = client_for(f"opc.tcp://127.0.0.1:{port}/linetwin/")
    assert reader.wait_for(lambda: ConnectionState.DISCONNECTED in reader.states(), timeout=5)
    assert "cannot connect" in reader.items[-1].message


def test_stop_is_prompt_while_a_connect_hangs():
    """A peer that accepts TCP but never answers OPC UA: stop must not wait on it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        updates: queue.SimpleQueue = queue.SimpleQueue()
        client = LiveClient(PROJECT, updates, endpoint=f"opc.tcp://127.0.0.1:{listener.getsockname()[1]}/")
        client.start()
        time.sleep(0.5)  # inside connect(), waiting for the Acknowledge
        started = time.monotonic()
        client.stop()
        assert time.monotonic() - started < 8.0  # a hang guard
    items = []
    while not updates.empty():
        items.append(updates.get_nowait())
    assert not [i for i in items if isinstance(i, ValueUpdate)]
    assert items[-1].state == ConnectionState.DISCONNECTED
