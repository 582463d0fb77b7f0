"""A history recorded live over OPC UA replays with the alerts the live twin raised.

`record_cli` reads the simulator's server (a real asyncua server on loopback,
at 8x, the heater sagging fast) and stores the alerts its pipeline raised;
replaying the file through the cursor at 1x and at 100x must raise the same
alerts at the same source instants.
"""

from __future__ import annotations

import io

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT
from linetwin.twin.sim.scenarios import HeaterDegradation
from linetwin.ui.cli.record import record_cli

pytestmark = pytest.mark.timeout(180)


def replayed(project, path, speed: float, tick_s: float) -> list[tuple]:
    with ReplaySession(project, path) as session:
        cursor = session.cursor
        cursor.seek(session.data.start)
        cursor.speed = speed
        cursor.playing = True
        while cursor.playing:
            cursor.apply(cursor.advance(tick_s))
        return sorted((a.rule, a.key, a.raised_at, a.cleared_at)
                      for a in session.pipeline.alerts.book.history())


def test_replay_at_1x_and_100x_raises_what_record_stored_live(tmp_path):
    project = load_project(DEMO_PROJECT)
    server = SimulatorServer(project, port=0, seed=3, speed=8.0,
                             scenario=HeaterDegradation(start_s=5, rate_c_per_s=0.2))
    server.start_in_thread()
    out = tmp_path / "live.duckdb"
    try:
        assert record_cli(project, server.endpoint, out, duration=14.0, stream=io.StringIO()) == 0
    finally:
        server.stop_thread()
    with HistoryStore(out, read_only=True) as store:
        live = sorted((a["rule"], a["key"], a["raised_at"], a["cleared_at"]) for a in store.alerts())
    assert {rule for rule, *_ in live} >= {"limit-low"}, live
    assert replayed(project, out, 1.0, 0.1) == live
    assert replayed(project, out, 100.0, 0.033) == live
