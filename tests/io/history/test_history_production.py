"""History schema 3: production events, lots and connection events, and the
upgrade of a version 2 file in place."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from linetwin.io.history.history_rows import RowBuilder
from linetwin.io.history.history_schema import SCHEMA_VERSION, TABLES
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.recorder import Recorder
from linetwin.twin.model import Project
from linetwin.twin.production.events import (
    ComplianceEvent, InspectionEvent, InspectionResult, Lot, Severity,
)
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

pytestmark = pytest.mark.timeout(60)

T0 = 1_780_000_000.25
PROJECT = Project(name="Test line", path=None, assets=(), signals=())
LOT_A, LOT_B = "2026-06-14-A", "2026-06-14-B"


def production_items() -> list:
    return [
        Lot(LOT_A, "PET-500", T0),
        InspectionEvent(T0 + 1, "U-000001", LOT_A, "PET-500", "inspection", InspectionResult.PASS,
                        measured={"seal_width_mm": 4.02}),
        InspectionEvent(T0 + 2, "U-000002", LOT_A, "PET-500", "inspection", InspectionResult.REWORK,
                        "seal gap", Severity.MAJOR, {"seal_width_mm": 3.1, "gap_mm": math.nan}),
        ComplianceEvent(T0 + 3, "sealer", "op-17", "operator", "SOP-SEAL-CHANGE", "3", "engage seal head",
                        ok=False, reason="seal head engaged before verification"),
        ComplianceEvent(T0 + 4, "sealer", "op-17", "operator", "SOP-SEAL-CHANGE", "4", "verify"),
        Lot(LOT_A, "PET-500", T0, T0 + 5),  # lot A ends ...
        Lot(LOT_B, "PET-500", T0 + 5),  # ... and B starts
    ]


def test_production_events_become_rows_of_their_tables():
    tables = RowBuilder(7).build([(T0 + 99, production_items())])
    inspections = tables["inspection_events"]
    assert inspections["unit_id"] == ["U-000001", "U-000002"]
    assert inspections["result"] == ["pass", "rework"] and inspections["severity"] == [None, "major"]
    assert inspections["defect_type"] == [None, "seal gap"] and inspections["session_id"] == [7, 7]
    assert inspections["measured"][1] == '{"gap_mm": null, "seal_width_mm": 3.1}'  # strict JSON
    compliance = tables["compliance_events"]
    assert compliance["ok"] == [False, True] and compliance["step"] == ["3", "4"]
    assert compliance["reason"][0] == "seal head engaged before verification"
    assert tables["lots"]["lot_id"] == [LOT_A, LOT_A, LOT_B]  # the store keeps the last of A


def test_a_connection_change_keeps_its_own_time_and_falls_back_to_the_stamp():
    changes = [ConnectionChange("opc.tcp://a", ConnectionState.CONNECTED, "up", T0),
               ConnectionChange("opc.tcp://a", ConnectionState.LOST, "gone")]  # time unknown: NaN
    tables = RowBuilder(1).build([(T0 + 60, changes)])
    assert tables["connection_events"]["time"] == [T0, T0 + 60]
    assert tables["connection_events"]["state"] == ["connected", "lost"]


def test_the_recorder_writes_events_lots_and_links(tmp_path):
    link = ConnectionChange("opc.tcp://a", ConnectionState.CONNECTED, "connected", T0 - 30)
    with HistoryStore(tmp_path / "h.duckdb") as store:
        recorder = Recorder(store, PROJECT, endpoint="opc.tcp://a")
        recorder.start(links=[link])  # the link was up before the recording began
        items = production_items()
        recorder.submit(items[:4])
        recorder.submit([ValueUpdate("s", 1.0, T0, T0), *items[4:]])
        assert recorder.flush()
        recorder.stop()
        session = recorder.session_id
        [a, b] = store.lots(session)
        assert (a["lot_id"], a["start"], a["end"]) == (LOT_A, T0, T0 + 5)  # the end replaced the open row
        assert (b["lot_id"], b["end"]) == (LOT_B, None)
        units = store.inspection_events(session)
        assert [u["unit_id"] for u in units] == ["U-000001", "U-000002"]
        assert units[1]["measured"] == {"gap_mm": None, "seal_width_mm": 3.1}
        steps = store.compliance_events(session)
        assert [(s["ok"], s["time"]) for s in steps] == [(False, T0 + 3), (True, T0 + 4)]
        assert [(e["state"], e["time"]) for e in store.connection_events(session)] == \
            [("connected", T0 - 30)]
        assert store.inspection_events(session + 1) == []


def _version_2_file(path: Path) -> None:
    """The layout LineTwin wrote with schema 2, with an alert and a link event in it."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, written_by VARCHAR, applied_at DOUBLE)")
    con.execute("INSERT INTO schema_version VALUES (1, 'linetwin', 0), (2, 'linetwin', 1)")
    con.execute("CREATE TABLE connection_events (session_id INTEGER, endpoint VARCHAR, state VARCHAR, "
                "message VARCHAR, time DOUBLE)")
    con.execute("INSERT INTO connection_events VALUES (1, 'opc.tcp://old', 'connected', 'connected', 5.0)")
    con.execute("CREATE TABLE inspection_events (time DOUBLE, unit_id VARCHAR, lot VARCHAR, station VARCHAR, "
                "defect_type VARCHAR, severity VARCHAR)")
    con.execute("CREATE TABLE compliance_events (time DOUBLE, unit_id VARCHAR, lot VARCHAR, station VARCHAR, "
                "parameter VARCHAR, value DOUBLE, low DOUBLE, high DOUBLE, compliant BOOLEAN)")
    con.execute("CREATE TABLE signal_samples (signal_id VARCHAR NOT NULL, value DOUBLE, source_time DOUBLE NOT NULL, "
                "receive_time DOUBLE NOT NULL, status_code UINTEGER NOT NULL, quality TINYINT NOT NULL, "
                "value_text VARCHAR, value_type VARCHAR)")
    con.execute("INSERT INTO signal_samples VALUES ('a', 1.5, 4.0, 4.1, 0, 0, NULL, NULL)")
    con.close()


def test_a_version_2_file_reads_as_it_is_and_is_upgraded_without_losing_a_row(tmp_path):
    path = tmp_path / "v2.duckdb"
    _version_2_file(path)
    with HistoryStore(path, read_only=True) as old:
        assert old.schema_version == 2
        assert old.inspection_events() == []  # the new columns read as NULL: no error
        assert [e["endpoint"] for e in old.connection_events()] == ["opc.tcp://old"]
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 6
        assert store.count("signal_samples") == 1 and store.count("lots") == 0
        with Recorder(store, PROJECT) as recorder:
            recorder.submit(production_items())
            assert recorder.flush() and recorder.dropped == 0
        assert [u["result"] for u in store.inspection_events()] == ["pass", "rework"]
        assert [s["action"] for s in store.compliance_events()] == ["engage seal head", "verify"]
        assert len(store.lots()) == 2 and len(store.connection_events()) == 1
        store.add_annotation("seal gap cluster", "ana", at=5.0, station="inspection", unit_id="U-7")
        [note] = store.fetch_dicts("SELECT * FROM annotations")
        assert (note["station"], note["unit_id"], note["time"]) == ("inspection", "U-7", 5.0)
        assert store.count("bookmarks") == 0 and store.count("imports") == 0  # created by the upgrade
    con = duckdb.connect(str(path), read_only=True)
    kept = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'compliance_events'").fetchall()}
    versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
    con.close()
    assert {"parameter", "compliant"} <= kept  # nothing dropped
    assert {name for name, _ in TABLES["compliance_events"]} <= kept
    assert versions == [1, 2, 3, 4, 5, 6]
