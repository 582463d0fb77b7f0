"""A history recorded live over OPC UA replays with the alerts the live twin raised.

`record_cli` reads the simulator's server (a real asyncua server on loopback,
at 8x, the heater sagging fast) and stores the alerts its pipeline raised;
replaying the file through the cursor at 1x and at 100x must raise the same
alerts at the same source instants.
"""

from __future__ import annotations

import io

import pytest

from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.sim.scenarios import HeaterDegradation
from linetwin.ui.cli.record import record_cli
from tests.io.history.replay_history import played_trace, recorded_trace

pytestmark = pytest.mark.timeout(180)


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
    live = recorded_trace(out)
    assert {rule for rule, *_ in live} >= {"limit-low"}, live
    assert played_trace(project, out, 1.0, 0.1) == live
    assert played_trace(project, out, 100.0, 0.033) == live
