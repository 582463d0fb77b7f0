"""Recorder and ``linetwin record``: every item lands, the GUI never waits, a
SIGKILL loses at most about a second, and a real simulator gets recorded."""

from __future__ import annotations

import dataclasses
import io
import math
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.history.recorder import Recorder
from linetwin.ui.cli.record import record_cli
from linetwin.io.opcua.simulator.sim_server import free_port
from linetwin.twin.alerts.alerts import AlertBook, Severity
from linetwin.twin.model import Project
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate
from tests.io.conftest_opcua import demo_project, running_server

pytestmark = pytest.mark.timeout(60)

PROJECT = Project(name="Test line", path=None, assets=(), signals=())
KILL_SLACK_S = 1.5  # "at most the last second", plus scheduling noise on a 2-core machine


def updates(n: int, start: int = 0, t0: float = 1.7e9) -> list[ValueUpdate]:
    return [ValueUpdate(f"s{i % 5}", float(i), t0 + i, t0 + i + 0.01, 0) for i in range(start, start + n)]


class GatedStore(HistoryStore):
    """A store whose writes wait for ``gate`` (a slow disk) or fail while ``failing``."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate = threading.Event()
        self.gate.set()
        self.failing = False

    def write(self, tables):
        self.gate.wait()
        if self.failing:
            raise HistoryStoreError(f"{self.path}: writing failed: disk full")
        return super().write(tables)


@pytest.fixture
def store(tmp_path):
    with GatedStore(tmp_path / "rec.duckdb") as s:
        yield s


def test_every_submitted_item_lands(store):
    book = AlertBook()
    with Recorder(store, PROJECT, endpoint="opc.tcp://x") as recorder:
        recorder.follow_alerts(book)
        recorder.submit([ConnectionChange("opc.tcp://x", ConnectionState.CONNECTED, "connected")])
        for tick in range(50):
            recorder.submit(updates(20, start=tick * 20))
        book.raise_or_update("limit-high:s1", asset_id="sealer", signal_id="s1", rule="limit-high",
                             severity=Severity.ALARM, message="too hot", value=191.0, limit=190.0, at=1.7e9,
                             details={"eta_s": math.nan})
        alert_id = book.active()[0].id
        book.acknowledge(alert_id, "ana", "checked the heater", at=1.7e9 + 1)
        book.clear("limit-high:s1", at=1.7e9 + 2)  # still acked: the ack must not repeat
        assert recorder.flush()
        assert recorder.backlog == 0
    assert store.count("signal_samples") == 1000
    assert sorted(store.samples()["value"].tolist()) == [float(i) for i in range(1000)]
    [alert] = store.alerts()
    assert (alert["alert_id"], alert["state"], alert["severity"], alert["cleared_at"]) == \
        (alert_id, "cleared", "alarm", 1.7e9 + 2)
    assert alert["details"] == {"eta_s": None}
    assert [(a["user"], a["acked_at"]) for a in store.alert_acks()] == [("ana", 1.7e9 + 1)]
    assert [e["state"] for e in store.connection_events()] == ["connected"]
    [session] = store.sessions()
    assert session["endpoint"] == "opc.tcp://x" and session["stopped_at"] is not None
    assert recorder.rows_written == 1000 + 1 + 1 + 1 and recorder.ignored == 0


def test_writes_commit_without_being_asked(store):
    with Recorder(store, PROJECT, flush_interval=0.2) as recorder:
        recorder.submit(updates(10))
        deadline = time.monotonic() + 10
        while recorder.samples_written < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert recorder.samples_written == 10
        assert store.count("signal_samples") == 10  # committed: visible to another cursor


def test_stop_is_clean_and_final(store):
    recorder = Recorder(store, PROJECT)
    recorder.start()
    recorder.submit(updates(5))
    recorder.stop()
    assert not recorder.running
    assert not any(t.name == "linetwin-recorder" for t in threading.enumerate())
    assert store.count("signal_samples") == 5  # stop wrote what was pending
    recorder.submit(updates(5))  # after stop: dropped, not an error
    recorder.stop()  # twice is fine
    assert store.count("signal_samples") == 5 and store.sessions()[0]["stopped_at"] is not None


def test_submit_never_waits_for_a_stuck_writer(store):
    recorder = Recorder(store, PROJECT, flush_interval=0.05)
    recorder.start()
    store.gate.clear()  # the disk stalls
    recorder.submit(updates(1))
    time.sleep(0.2)  # the writer is now inside write(), waiting on the gate
    for tick in range(200):  # a GUI at 30 Hz would take ~7 s for this
        recorder.submit(updates(10, start=1 + tick * 10))
    assert recorder.backlog == 2001
    store.gate.set()
    assert recorder.flush(timeout=20)
    recorder.stop()
    assert recorder.backlog == 0 and store.count("signal_samples") == 2001


def test_a_failing_store_keeps_the_items_and_retries(store):
    recorder = Recorder(store, PROJECT, flush_interval=0.05)
    recorder.start()
    store.failing = True
    recorder.submit(updates(10))
    assert not recorder.flush(timeout=0.5)
    assert "disk full" in recorder.error and recorder.backlog == 10
    store.failing = False
    assert recorder.flush(timeout=10)
    recorder.stop()
    assert recorder.error is None and store.count("signal_samples") == 10


def test_unknown_items_are_counted_not_fatal(store):
    with Recorder(store, PROJECT) as recorder:
        recorder.submit([object(), *updates(3)])
        assert recorder.flush()
    assert recorder.ignored == 1 and store.count("signal_samples") == 3


def test_a_malformed_item_costs_its_batch_not_the_recording(store):
    broken_alert = dataclasses.replace(_an_alert(), raised_at="yesterday")
    with Recorder(store, PROJECT) as recorder:
        recorder.submit([ValueUpdate("s", "n/a", 1.7e9, 1.7e9, 0x80000000)])  # no number: NULL
        assert recorder.flush() and recorder.dropped == 0
        recorder.submit([broken_alert, *updates(3)])
        assert recorder.flush()
        assert recorder.dropped == 4 and "cannot be stored" in recorder.error and recorder.running
        recorder.submit(updates(2, start=10))
        assert recorder.flush()
    values = store.samples()["value"].tolist()
    assert math.isnan(values[0]) and values[1:] == [10.0, 11.0]


def _an_alert():
    book = AlertBook()
    return book.raise_or_update("k", asset_id="sealer", signal_id="s", rule="limit-high", severity=Severity.ALARM,
                                message="m", value=1.0, limit=0.5, at=1.7e9).alert


# --- SIGKILL -----------------------------------------------------------------------------------

_SYNTHETIC_RECORDING = textwrap.dedent("""
    import sys, time
    from linetwin.io.history.history_store import HistoryStore
    from linetwin.io.history.recorder import Recorder
    from linetwin.twin.model import Project
    from linetwin.twin.updates import ValueUpdate
    recorder = Recorder(HistoryStore(sys.argv[1]), Project("Killed", None, (), ()))
    recorder.start()
    print("recording", flush=True)
    n = 0
    while True:  # 1000 values/s with consecutive numbers, stamped now
        now = time.time()
        recorder.submit([ValueUpdate("s", float(n + i), now, now, 0) for i in range(10)])
        n += 10
        time.sleep(0.01)
""")


def _signal_after(proc: subprocess.Popen, ready: str, seconds: float, signum: int = signal.SIGKILL) -> float:
    """Wait for ``ready`` in the child's output, let it run, send ``signum``, wait; the time it was sent."""
    lines: queue.SimpleQueue = queue.SimpleQueue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    proc.lines = lines  # what the child prints after ``ready``, for the caller
    deadline, seen = time.monotonic() + 30, []
    try:
        while ready not in (seen[-1] if seen else ""):
            seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
    except queue.Empty:
        proc.kill()
        proc.wait(10)
        pytest.fail(f"the recording never printed {ready!r}; it printed: {''.join(seen)}")
    time.sleep(seconds)
    sent_at = time.time()
    os.kill(proc.pid, signum)
    proc.wait(20)
    reader.join(5)  # the child's last lines
    return sent_at


def test_a_recording_killed_with_sigkill_opens_and_keeps_all_but_the_last_second(tmp_path):
    path = tmp_path / "killed.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", _SYNTHETIC_RECORDING, str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed_at = _signal_after(proc, "recording", 3.0)
    assert proc.returncode == -signal.SIGKILL
    with HistoryStore(path, read_only=True) as store:  # opens, as an investigator would
        samples = store.samples()
        [session] = store.sessions()
    assert len(samples["value"]) > 1000
    print(f"lost the last {killed_at - samples['receive_time'].max():.3f} s")
    assert killed_at - samples["receive_time"].max() < KILL_SLACK_S
    # Whole batches only: values 0..n-1 with no hole.
    assert sorted(samples["value"].tolist()) == [float(i) for i in range(len(samples["value"]))]
    assert session["stopped_at"] is None  # ended abruptly, and it shows


_RECORD_CLI = ("import sys\nfrom linetwin.io.project.project_file import load_project\n"
               "from linetwin.ui.cli.record import record_cli\n"
               "sys.exit(record_cli(load_project(sys.argv[1]), sys.argv[2], sys.argv[3], duration=120))")


def _record_in_subprocess(project, endpoint: str, path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _RECORD_CLI, str(project.path), endpoint, str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_linetwin_record_killed_with_sigkill_keeps_the_live_values(tmp_path):
    path = tmp_path / "killed-live.duckdb"
    project = demo_project()
    with running_server(project) as server:
        proc = _record_in_subprocess(project, server.endpoint, path)
        killed_at = _signal_after(proc, "connected:", 2.5)
    with HistoryStore(path) as store:
        samples = store.samples()
    assert {s.id for s in project.signals} <= set(samples["signal_id"].tolist())
    print(f"lost the last {killed_at - samples['receive_time'].max():.3f} s")
    assert killed_at - samples["receive_time"].max() < KILL_SLACK_S


# --- linetwin record ----------------------------------------------------------------------


def test_record_cli_stops_cleanly_on_sigterm(tmp_path):
    path, project = tmp_path / "term.duckdb", demo_project()
    with running_server(project) as server:
        proc = _record_in_subprocess(project, server.endpoint, path)
        _signal_after(proc, "connected:", 1.0, signal.SIGTERM)
    assert proc.returncode == 0
    output = []
    while not proc.lines.empty():
        output.append(proc.lines.get())
    assert any(line.startswith("recorded ") for line in output), output
    with HistoryStore(path, read_only=True) as store:
        assert store.sessions()[0]["stopped_at"] is not None and store.count("signal_samples") > 0


def test_record_cli_records_every_demo_signal(tmp_path):
    project, out, err = demo_project(), tmp_path / "demo.duckdb", io.StringIO()
    with running_server(project) as server:
        assert record_cli(project, server.endpoint, out, duration=3.0, stream=err, progress_every=1.0) == 0
    with HistoryStore(out, read_only=True) as store:
        samples = store.samples()
        states = [e["state"] for e in store.connection_events()]
        [session] = store.sessions()
    assert {s.id for s in project.signals} <= set(samples["signal_id"].tolist())
    assert (samples["quality"] == 0).all() and (samples["receive_time"] >= samples["source_time"] - 1).all()
    assert states == ["connecting", "connected", "disconnected"]
    assert session["endpoint"] == server.endpoint and session["stopped_at"] is not None
    assert "connected: connected to" in err.getvalue()
    assert f"samples of {len(project.signals)} signals" in err.getvalue()


def test_record_cli_keeps_retrying_an_unreachable_server_then_exits_1(tmp_path, capsys):
    endpoint = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/nobody/"
    err = io.StringIO()
    assert record_cli(demo_project(), endpoint, tmp_path / "none.duckdb", duration=2.0, stream=err) == 1
    assert f"disconnected: cannot connect to {endpoint}" in err.getvalue()
    assert f"never connected to {endpoint}; nothing recorded" in err.getvalue()
    assert "recorded" not in capsys.readouterr().out
    with HistoryStore(tmp_path / "none.duckdb", read_only=True) as store:  # the attempts are kept
        assert store.count("signal_samples") == 0 and store.count("connection_events") >= 2


def test_record_cli_refuses_a_file_it_cannot_use(tmp_path):
    bad, err = tmp_path / "notes.duckdb", io.StringIO()
    bad.write_text("not a database")
    assert record_cli(PROJECT, "opc.tcp://127.0.0.1:1/", bad, duration=1, stream=err) == 1
    assert f"linetwin record: {bad}: not a LineTwin history" in err.getvalue()
    assert record_cli(PROJECT, None, tmp_path / "x.duckdb", duration=0, stream=err) == 2
