"""``history generate``: a simulated history holding what ``record`` would have written."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.io.history.generate import GenerateError, generate_history
from linetwin.io.history.history_rows import sample_updates
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.clock import ReplayClock
from linetwin.twin.model import SignalKind
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.production.events import ComplianceEvent
from linetwin.twin.sim.simulation import DEFECT_NAMES
from linetwin.twin.updates import ConnectionChange, ConnectionState

START = 1_780_000_000.0  # 2026-05-28T20:26:40Z
MINUTES = 15
ENDPOINT = "simulated:seed=3,scenario=heater-degradation"


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture(scope="module")
def history(project, tmp_path_factory):
    path = tmp_path_factory.mktemp("generated") / "heater.duckdb"
    seen = []
    summary = generate_history(project, path, MINUTES / 60, seed=3, scenario="heater-degradation",
                               start=START, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (MINUTES * 60.0, MINUTES * 60.0) and len(seen) == MINUTES * 2  # every 30 s
    with HistoryStore(path, read_only=True) as store:
        yield summary, store


def last_values(store):
    rows = store.fetch_dicts("SELECT signal_id, arg_max(value, source_time) AS v FROM signal_samples "
                             "GROUP BY signal_id")
    return {r["signal_id"]: r["v"] for r in rows}


def test_session_and_connection_events_frame_the_simulated_time(history):
    summary, store = history
    end = START + MINUTES * 60
    [session] = store.sessions()
    assert (session["endpoint"], session["started_at"], session["stopped_at"]) == (ENDPOINT, START, end)
    assert [(c["state"], c["time"], c["endpoint"]) for c in store.connection_events()] == [
        ("connected", START, ENDPOINT), ("disconnected", end, ENDPOINT)]
    assert store.time_range() == (START, end)
    assert summary.counts["signal_samples"] == store.count("signal_samples") > 0
    assert "inspection events" in summary.describe() and str(summary.path) in summary.describe()


def test_inspection_events_agree_with_the_counters(history):
    _, store = history
    last = last_values(store)
    events = store.inspection_events()
    assert len(events) == last["inspection.good_count"] + last["inspection.reject_count"] > 1000
    assert sum(e["result"] != "pass" for e in events) == last["inspection.reject_count"]
    for name in DEFECT_NAMES:
        assert sum(e["defect_type"] == name for e in events) == last[f"inspection.defects.{name}"], name
    assert all(START <= e["time"] <= START + MINUTES * 60 for e in events)


def test_lots_cover_the_units_and_are_dated_by_the_start(history):
    _, store = history
    lots = store.lots()
    assert {e["lot"] for e in store.inspection_events()} <= {lot["lot_id"] for lot in lots}
    assert all(lot["end"] is not None for lot in lots[:-1]) and len(lots) >= 2
    assert all(lot["lot_id"].startswith("2026-05-28") for lot in lots)


def test_values_are_typed_and_sent_on_change_or_every_second(history, project):
    _, store = history
    samples = store.samples()
    kinds = {s.id: s.kind for s in project.signals}
    for signal_id in set(samples["signal_id"].tolist()):
        mine = samples["signal_id"] == signal_id
        times, values = samples["source_time"][mine], samples["value"][mine]
        assert times[0] == START and np.max(np.diff(times)) <= 1.0 + 1e-6, signal_id
        if kinds[signal_id] is not SignalKind.ANALOG:
            assert np.all(values == np.round(values)), signal_id
    assert np.array_equal(samples["source_time"], samples["receive_time"])


def test_alerts_are_those_a_pipeline_raises_replaying_the_stored_items(history, project):
    """The stored samples and connection changes, stepped second by second through a
    fresh pipeline (as a replay at 1x would), raise the alerts the generator stored."""
    _, store = history
    stored = {a["alert_id"]: a for a in store.alerts()}
    assert any(a["signal_id"] == "sealer.seal_temperature" for a in stored.values())
    clock = ReplayClock(START)
    pipeline = TwinPipeline(project, clock=clock, default_endpoint=ENDPOINT)
    latest = {}
    for name in ("raised", "updated", "cleared"):
        getattr(pipeline.alerts.book, name).connect(lambda alert: latest.__setitem__(alert.id, alert))
    changes = {c["state"]: ConnectionChange(ENDPOINT, ConnectionState[c["state"].upper()], c["message"],
                                            c["time"]) for c in store.connection_events()}
    updates = sample_updates(store.samples())
    second = np.floor(np.array([u.source_time for u in updates]) - START).astype(int)
    bounds = np.flatnonzero(np.diff(second)) + 1
    chunks = np.split(np.arange(len(updates)), bounds)
    steps = _operator_steps(store)  # judged against the project's SOPs, as the generator's were
    for i, chunk in enumerate(chunks):
        items = [updates[j] for j in chunk]
        end = np.inf if i == len(chunks) - 1 else START + second[chunks[i + 1][0]]
        while steps and steps[0].time < end:
            items.append(steps.pop(0))
        if i == 0:
            items.insert(0, changes["connected"])
        if i == len(chunks) - 1:
            items.append(changes["disconnected"])
        clock.set(updates[chunk[-1]].source_time if i < len(chunks) - 1 else START + MINUTES * 60)
        pipeline.step(items)
    assert latest.keys() == stored.keys()
    for alert_id, alert in latest.items():
        row = stored[alert_id]
        assert (row["key"], row["rule"], row["state"], row["raised_at"], row["cleared_at"], row["count"]) == (
            alert.key, alert.rule.value if hasattr(alert.rule, "value") else alert.rule,
            alert.state.value, alert.raised_at, alert.cleared_at, alert.count), alert_id


def test_same_seed_same_history_simulated_here_or_in_its_process(project, tmp_path):
    def make(name, seed, in_process=False):
        path = tmp_path / name
        generate_history(project, path, 2 / 60, seed=seed, start=START, in_process=in_process)
        with HistoryStore(path, read_only=True) as store:
            return store.samples(), store.inspection_events(), store.alerts()

    (a, ea, aa), (b, eb, ab) = make("a.duckdb", 5), make("b.duckdb", 5, in_process=True)
    assert all(np.array_equal(a[k], b[k]) for k in ("signal_id", "value", "source_time", "status_code"))
    assert ea == eb and [x["alert_id"] for x in aa] == [x["alert_id"] for x in ab]
    c, _, _ = make("c.duckdb", 6)
    assert len(a["value"]) != len(c["value"]) or not np.array_equal(a["value"], c["value"])


def test_refuses_to_overwrite_a_history_and_bad_hours(project, tmp_path):
    existing = tmp_path / "kept.duckdb"
    existing.write_bytes(b"something precious")
    with pytest.raises(GenerateError, match=r"kept.duckdb: already exists"):
        generate_history(project, existing, 0.01, start=START)
    assert existing.read_bytes() == b"something precious"
    with pytest.raises(GenerateError, match="hours must be a positive number, got 0"):
        generate_history(project, tmp_path / "new.duckdb", 0, start=START)
    empty = tmp_path / "empty.duckdb"
    empty.touch()  # e.g. made by mktemp: nothing to lose
    summary = generate_history(project, empty, 0.5 / 60, start=START)
    assert summary.counts["signal_samples"] > 0 and summary.end == START + 30


def _operator_steps(store) -> list[ComplianceEvent]:
    return [ComplianceEvent(r["time"], r["station"], r["operator"], r["role"], r["sop_id"], r["step"],
                            r["action"], bool(r["ok"]), r["reason"] or "") for r in store.compliance_events()]
