"""``monitor`` and ``record`` read every endpoint of a project: the demo split
over two simulators (issue 7: 18 of 22 signals were dropped before)."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.ui.cli.monitor import Monitor
from linetwin.ui.cli.record import record_cli

pytestmark = pytest.mark.timeout(120)

MOVED = {"packer", "outfeed"}  # their signals live on the second server


@pytest.fixture(scope="module")
def servers():
    first = SimulatorServer(load_project(DEMO_PROJECT), port=0, seed=1)
    second = SimulatorServer(load_project(DEMO_PROJECT), port=0, seed=2)
    first.start_in_thread()
    second.start_in_thread()
    try:
        yield first, second
    finally:
        first.stop_thread()
        second.stop_thread()


@pytest.fixture(scope="module")
def split_project(servers):
    project = load_project(DEMO_PROJECT)
    signals = tuple(dataclasses.replace(s, endpoint=servers[1].endpoint) if s.asset in MOVED else s
                    for s in project.signals)
    return dataclasses.replace(project, signals=signals)


def test_monitor_prints_the_signals_of_both_servers(servers, split_project):
    first, second = servers
    out = io.StringIO()
    assert Monitor(split_project, first.endpoint, out=out).run(duration=4.0) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    seen = {r["signal"] for r in records if r["type"] == "value"}
    assert seen == {s.id for s in split_project.signals}
    assert {s.split(".")[0] for s in seen} > MOVED
    connected = {r["endpoint"] for r in records if r["type"] == "connection" and r["state"] == "connected"}
    assert connected == {first.endpoint, second.endpoint}
    assert records[-1]["signals_seen"] == len(split_project.signals)


def test_record_writes_the_signals_and_links_of_both_servers(servers, split_project, tmp_path):
    first, second = servers
    out, err = tmp_path / "two.duckdb", io.StringIO()
    assert record_cli(split_project, first.endpoint, out, duration=4.0, stream=err) == 0, err.getvalue()
    with HistoryStore(out, read_only=True) as store:
        recorded = set(store.samples()["signal_id"].tolist())
        links = {(e["endpoint"], e["state"]) for e in store.connection_events()}
    assert recorded == {s.id for s in split_project.signals}
    assert {(first.endpoint, "connected"), (second.endpoint, "connected")} <= links
    assert f"{first.endpoint}, {second.endpoint} -> " in err.getvalue()


def test_an_unreachable_second_server_is_named_and_fails_the_command(servers, tmp_path, capsys):
    first, _ = servers
    project = load_project(DEMO_PROJECT)
    nobody = "opc.tcp://127.0.0.1:1/nobody/"
    signals = tuple(dataclasses.replace(s, endpoint=nobody) if s.asset in MOVED else s
                    for s in project.signals)
    project = dataclasses.replace(project, signals=signals)
    err = io.StringIO()
    assert record_cli(project, first.endpoint, tmp_path / "half.duckdb", duration=2.0, stream=err) == 1
    assert f"never connected to {nobody}; its signals were not recorded" in err.getvalue()
    assert capsys.readouterr().out.startswith("recorded ")  # what was reachable is kept
