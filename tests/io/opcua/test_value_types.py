"""Values of every common OPC UA type, end to end against a real asyncua server:
received with their type, printed as strict JSON by ``monitor``, recorded and
read back for replay with their type, shown as people read them, and refused
at bind time where a rule needs a number."""

from __future__ import annotations

import io
import json
import math
import queue

import duckdb
import pytest

from linetwin.io.opcua import opcua_client
from linetwin.io.history.history_rows import sample_updates
from linetwin.io.history.history_store import HistoryStore
from linetwin.ui.cli.monitor import Monitor
from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.history.recorder import Recorder
from linetwin.twin.model import Signal, SignalKind
from linetwin.twin.state import SignalReading, TwinState
from linetwin.twin.updates import Quality, ValueType, ValueUpdate
from linetwin.ui.qt.formatting import format_quality, format_value
from tests.io.conftest_opcua import QueueReader, demo_project, running_server
from tests.io.typed_server import RECIPE_WITH_LIMITS, STARTED, TypedServer, typed_project

pytestmark = pytest.mark.timeout(60)

EXPECTED = {  # signal -> (value for the rules, text, type)
    "cell.running": (1.0, None, ValueType.BOOLEAN),
    "cell.count": (-42.0, None, ValueType.NUMBER),
    "cell.speed": (1200.0, None, ValueType.NUMBER),
    "cell.ratio": (0.5, None, ValueType.NUMBER),
    "cell.temperature": (71.25, None, ValueType.NUMBER),
    "cell.recipe": (math.nan, "PET-500 ml", ValueType.TEXT),
    "cell.batchstart": (STARTED.timestamp(), "2024-05-17T06:30:15.250+00:00", ValueType.DATETIME),
    "cell.operator": (math.nan, "Jana Nováková", ValueType.TEXT),
    "cell.serverstate": (0.0, "Running", ValueType.ENUM),
    "cell.mode": (2.0, "Production", ValueType.ENUM),
}
TRENDED_TIME = Signal("cell.batch_trend", "cell", "ns=2;s=Cell.BatchStart", SignalKind.COUNTER)


@pytest.fixture(scope="module")
def server():
    with TypedServer() as srv:
        yield srv


def _receive(server, project) -> tuple[LiveClient, dict[str, ValueUpdate]]:
    updates: queue.SimpleQueue = queue.SimpleQueue()
    reader = QueueReader(updates)
    client = LiveClient(project, updates, endpoint=server.endpoint)
    client.start()
    try:
        wanted = {s.id for s in project.signals}
        assert reader.wait_for(lambda: {v.signal_id for v in reader.values()} >= wanted, timeout=20)
    finally:
        client.stop()
    return client, {v.signal_id: v for v in reader.values()}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def test_every_type_arrives_with_its_type_and_text(server):
    _, latest = _receive(server, typed_project())
    for signal_id, (value, text, kind) in EXPECTED.items():
        got = latest[signal_id]
        assert got.status_code == 0, signal_id
        assert (got.value_type, got.text) == (kind, text), signal_id
        assert _same(got.value, value), signal_id


def test_a_rule_that_needs_a_number_is_refused_at_bind_time(server):
    client, latest = _receive(server, typed_project(RECIPE_WITH_LIMITS, TRENDED_TIME))
    assert set(client.signal_problems) == {"cell.recipe_limited", "cell.batch_trend"}
    message = client.signal_problems["cell.recipe_limited"]
    assert "ns=2;s=Cell.Recipe" in message and "String" in message and "limits" in message
    assert "DateTime" in client.signal_problems["cell.batch_trend"]
    for refused in ("cell.recipe_limited", "cell.batch_trend"):
        assert latest[refused].quality.name == "BAD" and math.isnan(latest[refused].value)
    assert latest["cell.recipe"].text == "PET-500 ml"  # the same node, without rules, still reads


def _strict(line: str) -> dict:
    def refuse(constant: str):
        raise ValueError(f"not strict JSON: {constant} in {line}")

    return json.loads(line, parse_constant=refuse)


def test_monitor_prints_strict_json_with_typed_values(server):
    ghost = Signal("cell.ghost", "cell", "ns=2;s=Cell.Ghost", SignalKind.ANALOG)
    project = typed_project(ghost, RECIPE_WITH_LIMITS)
    out = io.StringIO()
    assert Monitor(project, server.endpoint, out=out).run(duration=2.5) == 0
    records = [_strict(line) for line in out.getvalue().splitlines()]
    values = {r["signal"]: r for r in records if r["type"] == "value"}
    assert values["cell.running"]["value"] is True and values["cell.running"]["value_type"] == "boolean"
    assert values["cell.count"]["value"] == -42
    assert values["cell.recipe"]["value"] == "PET-500 ml"
    assert values["cell.batchstart"]["value"] == "2024-05-17T06:30:15.250+00:00"
    assert values["cell.operator"]["value"] == "Jana Nováková"
    assert (values["cell.mode"]["value"], values["cell.mode"]["code"]) == ("Production", 2)
    assert values["cell.ghost"]["value"] is None and values["cell.ghost"]["quality"] == "bad"
    problems = [r for r in records if r["type"] == "signal_problem"]
    assert [p["signal"] for p in problems] == ["cell.recipe_limited"]


def test_recorded_values_replay_with_their_type(server, tmp_path):
    project = typed_project()
    _, latest = _receive(server, project)
    store = HistoryStore(tmp_path / "typed.duckdb")
    recorder = Recorder(store, project, endpoint=server.endpoint)
    recorder.start()
    recorder.submit(list(latest.values()))
    recorder.stop()
    store.close()
    with HistoryStore(tmp_path / "typed.duckdb", read_only=True) as history:
        replayed = {u.signal_id: u for u in sample_updates(history.samples())}
    for signal_id, (value, text, kind) in EXPECTED.items():
        got = replayed[signal_id]
        assert (got.value_type, got.text) == (kind, text), signal_id
        assert _same(got.value, value), signal_id


def test_the_inspector_text_of_each_type(server):
    project = typed_project()
    _, latest = _receive(server, project)
    state = TwinState(project)
    state.apply(latest.values())
    shown = {s.id: format_value(project, s, state.reading(s.id)) for s in project.signals}
    assert shown["cell.running"] == "true"
    assert shown["cell.temperature"] == "71.25"
    assert shown["cell.recipe"] == "PET-500 ml" and shown["cell.operator"] == "Jana Nováková"
    assert shown["cell.mode"] == "Production (2)"
    assert shown["cell.batchstart"].startswith("2024-05-1")  # local time of 06:30 UTC
    state.apply([ValueUpdate("cell.recipe", 3.0, 1.0, 1.0)])  # now a number: the old text goes
    assert format_value(project, project.signals[5], state.reading("cell.recipe")) == "3.00"


def test_a_version_1_history_is_upgraded_in_place_and_read_as_before(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # the version 1 layout, as LineTwin 0.1 wrote it
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, written_by VARCHAR, applied_at DOUBLE)")
    con.execute("INSERT INTO schema_version VALUES (1, 'linetwin', 0)")
    con.execute("CREATE TABLE signal_samples (signal_id VARCHAR NOT NULL, value DOUBLE, source_time DOUBLE NOT NULL, "
                "receive_time DOUBLE NOT NULL, status_code UINTEGER NOT NULL, quality TINYINT NOT NULL)")
    con.execute("INSERT INTO signal_samples VALUES ('cell.temperature', 71.25, 10.0, 10.1, 0, 0)")
    con.close()
    with HistoryStore(path, read_only=True) as old:  # read-only: read as it is
        assert old.schema_version == 1
        [update] = sample_updates(old.samples())
        assert (update.value, update.text, update.value_type) == (71.25, None, ValueType.NUMBER)
    with HistoryStore(path) as upgraded:
        assert upgraded.schema_version >= 2  # and every upgrade since
        upgraded.append("signal_samples", {
            "signal_id": ["cell.recipe"], "value": [math.nan], "source_time": [11.0], "receive_time": [11.1],
            "status_code": [0], "quality": [0], "value_text": ["PET-500 ml"], "value_type": ["text"]})
        first, second = sample_updates(upgraded.samples())
    assert first.value == 71.25 and first.value_type is ValueType.NUMBER
    assert second.text == "PET-500 ml" and second.value_type is ValueType.TEXT


def test_a_reconnect_reuses_the_types_it_read(monkeypatch):
    """Types are read once per client: a reconnect (which must be quick) reads none again."""
    asked: list[int] = []
    real = opcua_client.read_node_types

    async def counting(client, node_ids):
        asked.append(len(node_ids))
        return await real(client, node_ids)

    monkeypatch.setattr(opcua_client, "read_node_types", counting)
    project = demo_project()
    with running_server(project, port=0) as first:
        port = first.port
        updates: queue.SimpleQueue = queue.SimpleQueue()
        reader = QueueReader(updates)
        client = LiveClient(project, updates, endpoint=first.endpoint)
        client.start()
        try:
            ids = {s.id for s in project.signals}
            assert reader.wait_for(lambda: ids <= reader.signals_seen(), timeout=15)
            first.stop_thread()
            mark = len(reader.items)
            with running_server(project, port=port):
                assert reader.wait_for(lambda: ids <= reader.signals_seen(mark), timeout=15)
        finally:
            client.stop()
    assert asked == [len(project.signals)]


def test_a_bad_reading_names_its_status_code():
    reading = SignalReading("s", math.nan, 1.0, 1.0, 0x80740000, Quality.BAD)
    assert format_quality(reading) == "Bad: BadTypeMismatch (0x80740000)"
    unknown = SignalReading("s", math.nan, 1.0, 1.0, 0x80FF0000, Quality.BAD)  # no such code
    assert format_quality(unknown) == "Bad (0x80FF0000)"
