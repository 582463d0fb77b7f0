"""Compliance mode end to end on the demo line: a generated history (the simulator's
operators, with their occasional skipped verification or wrong order), judged by
the pipeline against the demo SOPs while it is written; then replayed.

The truth is the line's own word: each step the simulator broke is stored with
``ok = false`` in ``compliance_events``. The alerts the checker raised must name
exactly those steps, and a replay of the file must raise them again."""

from __future__ import annotations

import pytest

from linetwin.io.history.generate import generate_history
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.sop.compliance import RULE
from tests.io.history.replay_history import played_trace, recorded_trace

START = 1_798_761_600.0  # 2027-01-01T00:00:00Z
HOURS = 3.0
SEED = 11
SCENARIO = "heater-degradation"  # the seal temperature sags: verifications out of window too


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    project = load_project(DEMO_PROJECT)
    path = tmp_path_factory.mktemp("compliance") / "line.duckdb"
    generate_history(project, path, HOURS, seed=SEED, scenario=SCENARIO, start=START, in_process=True)
    return project, path


def test_the_demo_project_judges_the_simulators_procedures(history):
    project, _ = history
    reported = {s.reported_as for sop in project.sops for s in sop.steps if s.reported_as}
    assert {"heat_up", "verify_temperature", "engage_seal_head", "lockout", "clear", "verify",
            "release"} <= reported


def test_every_broken_step_and_only_those_raise_a_station_alert(history):
    _, path = history
    with HistoryStore(path, read_only=True) as store:
        broken = store.fetch_dicts(
            "SELECT time, station, sop_id, step, reason FROM compliance_events WHERE NOT ok ORDER BY time")
        steps = store.fetch_dicts("SELECT count(*) AS n FROM compliance_events")[0]["n"]
        alerts = [a for a in store.alerts() if a["rule"] == RULE]
    assert steps > 20 and broken, "the sample holds procedures and at least one violation"
    rule_broken = [a for a in alerts if ":condition@" not in a["key"]]
    assert {(a["raised_at"], a["asset_id"]) for a in rule_broken} == {(b["time"], b["station"]) for b in broken}
    for step in broken:
        words = [a["message"] for a in rule_broken if a["raised_at"] == step["time"]]
        assert all(step["sop_id"] in w and step["station"] in w for w in words)


def test_a_flagged_condition_is_what_the_stored_samples_show(history):
    """Each "verified while the condition did not hold" alert, checked by a DuckDB query
    of the samples in the step's window (the SOP's range and duration)."""
    project, path = history
    with HistoryStore(path, read_only=True) as store:
        conditions = [a for a in store.alerts() if a["rule"] == RULE and ":condition@" in a["key"]]
        verifies = store.fetch_dicts("SELECT time, station, sop_id, step FROM compliance_events "
                                     "WHERE step IN ('verify_temperature', 'verify') ORDER BY time")
        flagged = set()
        for v in verifies:
            sop = next(s for s in project.sops if s.id == v["sop_id"])
            step = sop.reported(v["step"])
            if step.station != v["station"]:
                continue
            outside = store.fetch_dicts(
                "SELECT count(*) AS n FROM signal_samples WHERE signal_id = $s AND source_time BETWEEN $lo AND $hi "
                "AND (value < $low OR value > $high)",
                {"s": step.signal, "lo": v["time"] - step.duration_s, "hi": v["time"], "low": step.low,
                 "high": step.high})[0]["n"]
            if outside:
                flagged.add((v["time"], v["station"]))
    assert conditions and {(a["raised_at"], a["asset_id"]) for a in conditions} == flagged


def test_a_replay_raises_the_same_compliance_alerts(history):
    project, path = history
    recorded = [a for a in recorded_trace(path) if a[0] == RULE]
    played = [a for a in played_trace(project, path, speed=1000.0, tick_s=0.5) if a[0] == RULE]
    assert played == recorded and recorded
