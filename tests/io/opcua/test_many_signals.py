"""A project with thousands of signals subscribes in several requests without losing the link."""

import dataclasses
import queue
import time

from linetwin.io.opcua.opcua_client import ITEMS_PER_REQUEST, LiveClient
from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.main import DEMO_PROJECT
from linetwin.twin.model import Signal, SignalKind
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate


def test_thousands_of_signals_all_arrive_on_one_link():
    demo = load_project(DEMO_PROJECT)
    extra = tuple(Signal(f"sealer.probe_{k:04d}", "sealer", f"ns=2;s=Sealer.Probe{k:04d}",
                         SignalKind.ANALOG) for k in range(2 * ITEMS_PER_REQUEST + 500))
    project = dataclasses.replace(demo, signals=demo.signals + extra)
    server = SimulatorServer(project, port=0)  # serves the unknown probes as Bad
    server.start_in_thread()
    updates: queue.SimpleQueue = queue.SimpleQueue()
    client = LiveClient(project, updates, endpoint=server.endpoint)
    client.start()
    seen, states = set(), []
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(seen) < len(project.signals):
            try:
                item = updates.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(item, ValueUpdate):
                seen.add(item.signal_id)
            elif isinstance(item, ConnectionChange):
                states.append(item.state)
    finally:
        client.stop()
        server.stop_thread()
    assert len(seen) == len(project.signals)
    assert ConnectionState.LOST not in states
