"""A project read from several servers: one connection and one status each."""

import dataclasses
import queue
import time

from linetwin.io.sessions.live_session import LiveSession
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.main import DEMO_PROJECT
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate


def _split_project(second_endpoint: str):
    """The demo with the packer's and outfeed's signals on a second server."""
    project = load_project(DEMO_PROJECT)
    moved = {"packer", "outfeed"}
    signals = tuple(dataclasses.replace(s, endpoint=second_endpoint) if s.asset in moved else s
                    for s in project.signals)
    return dataclasses.replace(project, signals=signals)


def test_each_endpoint_gets_its_own_connection_and_signals(tmp_path):
    first = SimulatorServer(load_project(DEMO_PROJECT), port=0, seed=1)
    second = SimulatorServer(load_project(DEMO_PROJECT), port=0, seed=2)
    first.start_in_thread()
    second.start_in_thread()
    try:
        project = _split_project(second.endpoint)
        session = LiveSession(project, endpoint=first.endpoint, mesh_cache=MeshCache(tmp_path))
        assert session.endpoints == [first.endpoint, second.endpoint]
        assert {s.asset for s in session.feed.signals_at(second.endpoint).signals} == \
            {"packer", "outfeed"}
        session.start()
        connected, seen = set(), set()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (len(connected) < 2 or len(seen) < len(project.signals)):
            try:
                item = session.updates.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(item, ConnectionChange) and item.state is ConnectionState.CONNECTED:
                connected.add(item.endpoint)
            elif isinstance(item, ValueUpdate):
                seen.add(item.signal_id)
        assert connected == {first.endpoint, second.endpoint}
        assert seen == {s.id for s in project.signals}
        second_rows = session.signal_indices(second.endpoint)
        assert {session.state.signal_ids[i].split(".")[0] for i in second_rows} == \
            {"packer", "outfeed"}
        session.stop()
        assert not any(c.running for c in session.clients.values())
    finally:
        first.stop_thread()
        second.stop_thread()
