"""HistoryStore on real DuckDB files: create, reopen, write and read back exactly,
alerts, the audit chain, and a clear error for every file it cannot use."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pytest

from linetwin.io.history.history_rows import sample_columns
from linetwin.io.history.history_schema import SCHEMA_VERSION, TABLES
from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.twin.updates import Quality, ValueUpdate, quality_codes

pytestmark = pytest.mark.timeout(60)

T0 = 1_750_000_000.123456789  # a float no microsecond timestamp could hold exactly


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.duckdb"


def some_samples(n: int = 1000) -> list[ValueUpdate]:
    codes = [0, 0x40000000, 0x80000000, 0x808A0000, 0xC0000000]  # good, uncertain, bad, BadTimeout...
    return [ValueUpdate(f"sig.{i % 7}", math.nan if i % 97 == 0 else i * 0.1 + 1e-9,
                        T0 + i * 0.01, T0 + i * 0.01 + 0.003, codes[i % len(codes)]) for i in range(n)]


def alert_columns(session: int, alert_id: str, cleared_at: float | None, **extra) -> dict:
    row = {"session_id": session, "alert_id": alert_id, "key": f"limit-high:{alert_id}", "asset_id": "sealer",
           "signal_id": "sealer.seal_temperature", "rule": "limit-high", "severity": "alarm",
           "state": "active" if cleared_at is None else "cleared", "message": "too hot", "value": 191.5,
           "worst": 192.0, "limit_value": 190.5, "raised_at": T0, "updated_at": T0,
           "cleared_at": cleared_at, "count": 1, "details": '{"eta_s": 3.5}'}
    row.update(extra)
    return {name: [value] for name, value in row.items()}


# --- create, open, reopen ----------------------------------------------------------------


def test_a_new_file_gets_every_table_and_the_schema_version(path):
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert all(store.count(table) == 0 for table in TABLES)
    con = duckdb.connect(str(path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == set(TABLES) | {"schema_version"}
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    con.close()


def test_reopening_keeps_the_rows_and_adds_to_them(path):
    with HistoryStore(path) as store:
        store.append("signal_samples", sample_columns(some_samples(10)))
    with HistoryStore(path) as store:
        store.append("signal_samples", sample_columns(some_samples(5)))
        assert store.count("signal_samples") == 15
    with HistoryStore(path, read_only=True) as store:
        assert store.count("signal_samples") == 15


def test_an_empty_file_becomes_a_new_history(path):
    path.write_bytes(b"")  # e.g. made by mktemp: nothing in it to lose
    with HistoryStore(path) as store:
        assert store.count("signal_samples") == 0


# --- writing and reading back ------------------------------------------------------------


def test_samples_read_back_exactly(path):
    updates = some_samples()
    with HistoryStore(path) as store:
        assert store.append("signal_samples", sample_columns(updates)) == len(updates)
    with HistoryStore(path, read_only=True) as store:
        got = store.samples()
    assert got["signal_id"].tolist() == [u.signal_id for u in updates]
    np.testing.assert_array_equal(got["value"], [u.value for u in updates])  # NaN where NaN
    assert got["source_time"].tolist() == [u.source_time for u in updates]  # bit for bit
    assert got["receive_time"].tolist() == [u.receive_time for u in updates]
    assert got["status_code"].tolist() == [u.status_code for u in updates]
    assert got["quality"].tolist() == [int(u.quality) for u in updates]


def test_samples_filter_by_signal_and_source_time(path):
    updates = some_samples(100)
    with HistoryStore(path) as store:
        store.append("signal_samples", sample_columns(updates))
        got = store.samples(["sig.1", "sig.2"], start=T0 + 0.2, end=T0 + 0.6)
        assert store.time_range() == (updates[0].source_time, updates[-1].source_time)
    wanted = [u for u in updates if u.signal_id in ("sig.1", "sig.2") and T0 + 0.2 <= u.source_time < T0 + 0.6]
    assert got["source_time"].tolist() == [u.source_time for u in wanted]
    assert got["signal_id"].tolist() == [u.signal_id for u in wanted]


def test_an_empty_history_reads_as_empty_arrays(path):
    with HistoryStore(path) as store:
        got = store.samples()
        assert store.time_range() is None
    assert set(got) == {"signal_id", "value", "source_time", "receive_time", "status_code", "quality",
                        "value_text", "value_type"}
    assert all(len(column) == 0 for column in got.values())


def test_quality_matches_the_twin_for_every_severity():
    codes = np.array([0, 0x00A80000, 0x40000000, 0x408F0000, 0x80000000, 0x80340000, 0xC0000000, 0xFFFFFFFF],
                     dtype=np.uint32)
    assert quality_codes(codes).tolist() == [int(Quality.from_status_code(int(c))) for c in codes]


def test_a_cleared_alert_replaces_its_raised_row_per_session(path):
    with HistoryStore(path) as store:
        store.append("alerts", alert_columns(1, "a#1", None))
        store.append("alerts", alert_columns(1, "a#1", T0 + 5, state="cleared"))
        store.append("alerts", alert_columns(2, "a#1", None))  # ids restart in a new session
        store.append("alert_acks", {"session_id": [1], "alert_id": ["a#1"], "user": ["ana"],
                                    "comment": ["heater checked"], "acked_at": [T0 + 2]})
        alerts = store.alerts()
        acks = store.alert_acks("a#1", session_id=1)
    assert [(a["session_id"], a["cleared_at"], a["state"]) for a in alerts] == [(1, T0 + 5, "cleared"), (2, None, "active")]
    assert alerts[0]["details"] == {"eta_s": 3.5} and alerts[0]["limit_value"] == 190.5
    assert [(a["user"], a["comment"], a["acked_at"]) for a in acks] == [("ana", "heater checked", T0 + 2)]


def test_a_batch_is_one_transaction(path):
    with HistoryStore(path) as store:
        bad_alert = alert_columns(1, "a#1", None, details="{not json")
        with pytest.raises(HistoryStoreError, match="writing failed"):
            store.write({"signal_samples": sample_columns(some_samples(10)), "alerts": bad_alert})
        assert store.count("signal_samples") == 0  # the samples went back with the alert
        store.append("signal_samples", sample_columns(some_samples(3)))  # and the store still works
        assert store.count("signal_samples") == 3


def test_columns_must_match_the_table(path):
    with HistoryStore(path) as store:
        with pytest.raises(ValueError, match="missing"):
            store.append("annotations", {"time": [T0], "author": ["ana"]})
        with pytest.raises(ValueError, match="unknown history table"):
            store.count("samples; DROP TABLE audit_log")


def test_sessions_and_annotations(path):
    with HistoryStore(path) as store:
        first = store.begin_session("Demo", "/line.toml", "opc.tcp://x", started_at=T0)
        store.end_session(first, stopped_at=T0 + 60)
        second = store.begin_session("Demo", None, None, started_at=T0 + 100)
        store.add_annotation("jam cleared", author="ana", asset_id="packer", at=T0 + 30)
        assert (first, second) == (1, 2)
        assert [(s["session_id"], s["stopped_at"]) for s in store.sessions()] == [(1, T0 + 60), (2, None)]
        assert store.count("annotations") == 1


def test_a_read_only_history_refuses_writes(path):
    HistoryStore(path).close()
    with HistoryStore(path, read_only=True) as store, pytest.raises(HistoryStoreError, match="read-only"):
        store.add_annotation("x", "ana")


# --- audit log ---------------------------------------------------------------------------


def test_the_audit_chain_verifies_and_reads_back(path):
    with HistoryStore(path) as store:
        store.append_audit("ana", "setpoint.request", {"signal": "sealer.temp", "value": 183.0}, at=T0)
        store.append_audit("ben", "setpoint.approve", {"request": 1}, at=T0 + 1)
        store.append_audit("ana", "setpoint.write", {"read_back": 183.0, "ok": True}, at=T0 + 2)
    with HistoryStore(path, read_only=True) as store:
        check = store.verify_audit_chain()
        entries = store.audit_entries()
    assert check.ok and check.entries == 3
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash and entries[0].details["value"] == 183.0


@pytest.mark.parametrize("tamper, problem", [
    ("UPDATE audit_log SET details = '{\"signal\":\"sealer.temp\",\"value\":200.0}' WHERE seq = 1", "edited"),
    ("UPDATE audit_log SET \"user\" = 'eve' WHERE seq = 2", "edited"),
    ("DELETE FROM audit_log WHERE seq = 2", "removed"),
])
def test_tampering_with_the_audit_log_is_detected(path, tamper, problem):
    with HistoryStore(path) as store:
        for n in range(3):
            store.append_audit("ana", "setpoint.write", {"signal": "sealer.temp", "value": 183.0 + n}, at=T0 + n)
    con = duckdb.connect(str(path))
    con.execute(tamper)
    con.close()
    with HistoryStore(path) as store:
        check = store.verify_audit_chain()
    assert not check.ok
    assert problem in check.problems[0]


# --- files it cannot use ---------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"time,unit,station\n1,2,3\n", bytes(range(256)) * 64])
def test_a_file_that_is_not_duckdb_gets_a_clear_error(path, content):
    path.write_bytes(content)
    with pytest.raises(HistoryStoreError) as err:
        HistoryStore(path)
    assert str(path) in str(err.value) and "not a DuckDB database" in str(err.value)
    assert path.read_bytes() == content  # untouched


def test_other_unusable_paths_get_clear_errors(tmp_path):
    with pytest.raises(HistoryStoreError, match="is a folder"):
        HistoryStore(tmp_path)
    with pytest.raises(HistoryStoreError, match="does not exist"):
        HistoryStore(tmp_path / "missing" / "h.duckdb")
    with pytest.raises(HistoryStoreError, match="no such history file"):
        HistoryStore(tmp_path / "h.duckdb", read_only=True)


def test_a_duckdb_file_of_something_else_is_refused(path):
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    with pytest.raises(HistoryStoreError, match="not a LineTwin history"):
        HistoryStore(path)


def test_a_newer_schema_version_is_refused(path):
    HistoryStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (?, 'linetwin 9', 0)", [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(HistoryStoreError) as err:
        HistoryStore(path)
    assert str(path) in str(err.value) and "newer LineTwin" in str(err.value)


def test_a_file_another_process_records_into_gets_a_clear_error(path):
    HistoryStore(path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from linetwin.io.history.history_store import HistoryStore
        store = HistoryStore({str(path)!r})
        print("open", flush=True)
        sys.stdin.read()  # hold the file until the test closes our stdin
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        for read_only in (False, True):
            with pytest.raises(HistoryStoreError) as err:
                HistoryStore(path, read_only=read_only)
            message = str(err.value)
            assert str(path) in message and "another LineTwin may be recording" in message
            assert f"process {holder.pid}" in message
    finally:
        holder.communicate("", timeout=20)
    with HistoryStore(path) as store:  # free again once that process let go
        assert store.count("signal_samples") == 0
