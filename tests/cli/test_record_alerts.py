"""Headless recording keeps the alerts too; a signal's staleness limit comes from the file."""

import io

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.project.project_file import ProjectFileError, load_project
from linetwin.ui.cli.record import record_cli
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.main import DEMO_PROJECT


def test_record_cli_stores_the_alerts_the_rules_raise(tmp_path):
    project = load_project(DEMO_PROJECT)
    server = SimulatorServer(project, port=0, seed=4)
    server.start_in_thread()
    try:
        server.on_model(lambda sim: sim.force("sealer.seal_temperature", 168.0))
        out = tmp_path / "h.duckdb"
        assert record_cli(project, server.endpoint, out, duration=3.0, stream=io.StringIO()) == 0
    finally:
        server.stop_thread()
    with HistoryStore(out, read_only=True) as store:
        rules = {(a["signal_id"], a["rule"]) for a in store.alerts()}
    assert ("sealer.seal_temperature", "limit-low") in rules


def test_stale_after_is_read_from_the_project_and_checked(tmp_path):
    text = DEMO_PROJECT.read_text().replace(
        'kind = "analog"\nunit = "°C"', 'kind = "analog"\nunit = "°C"\nstale_after_s = 2.5', 1)
    good = tmp_path / "line.toml"
    good.write_text(text)
    (tmp_path / "meshes").symlink_to(DEMO_PROJECT.parent / "meshes")
    (tmp_path / "sops").symlink_to(DEMO_PROJECT.parent / "sops")
    project = load_project(good)
    assert project.signal("sealer.seal_temperature").staleness_limit() == 2.5
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("stale_after_s = 2.5", "stale_after_s = -1"))
    with pytest.raises(ProjectFileError) as info:
        load_project(bad)
    assert "stale_after_s" in str(info.value.problems[0])
