"""``linetwin replay --at T --json`` against direct DuckDB queries (issue 8, "Done when").

The JSON comes from the twin played through the pipeline up to T; the
reference is SQL on the same file: each signal's last sample at or before T
(by source time), its quality from the StatusCode's severity bits, stale when
its link was down at T (the last connection event at or before T is a loss that
came after the sample) or it was silent for longer than its staleness limit,
and the defects per station and type with ``T - window < time <= T``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import numpy as np
import pytest

from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT
from linetwin.twin.replay.instants import parse_instant
from linetwin.twin.replay.snapshot import twin_at
from tests.io.history.replay_history import record_history
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
WINDOW = 120.0
_QUALITY = {0: "good", 1: "uncertain", 2: "bad", 3: "bad"}


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture(scope="module")
def history(project, tmp_path_factory):
    path = tmp_path_factory.mktemp("replay_json") / "line.duckdb"
    record_history(project, path, 900.0)
    return path


def expected_at(con, project, t: float) -> dict:
    limits = {s.id: s.staleness_limit() for s in project.signals}
    last_change = con.execute("SELECT state, time FROM connection_events WHERE time <= ? "
                              "ORDER BY time DESC LIMIT 1", [t]).fetchone()
    down_since = last_change[1] if last_change and last_change[0] in ("lost", "disconnected") else None
    signals = {}
    for sid, value, status, source, receive in con.execute(
            "SELECT signal_id, arg_max(value, source_time), arg_max(status_code, source_time), "
            "max(source_time), arg_max(receive_time, source_time) FROM signal_samples "
            "WHERE source_time <= ? GROUP BY signal_id", [t]).fetchall():
        stale = (down_since is not None and source <= down_since) or t - receive > limits[sid]
        signals[sid] = {"value": value, "quality": _QUALITY[(status >> 30) & 3], "stale": bool(stale)}
    defects: dict = {}
    for station, kind, n in con.execute(
            "SELECT station, defect_type, count(*) FROM inspection_events WHERE time > ? AND time <= ? "
            "AND defect_type IS NOT NULL GROUP BY ALL", [t - WINDOW, t]).fetchall():
        defects.setdefault(station, {})[kind] = n
    return {"signals": signals, "defects": defects}


def test_the_twin_at_100_random_instants_equals_direct_queries(project, history):
    con = duckdb.connect(str(history), read_only=True)
    try:
        rng = np.random.default_rng(8)
        instants = np.sort(rng.uniform(T0, T0 + 900.0, 100))
        instants[:3] = (T0 + 400.0, T0 + 415.0, T0 + 900.0)  # the loss, inside the outage, the end
        with ReplaySession(project, history, warmup_s=None) as session:
            for t in rng.permutation(instants):  # forwards and backwards
                session.cursor.seek(float(t))
                got = twin_at(session.cursor, WINDOW)
                want = expected_at(con, project, float(t))
                assert parse_instant(got["time"]) == pytest.approx(t, abs=1e-3)
                shown = {s: {k: v[k] for k in ("value", "quality", "stale")} for s, v in got["signals"].items()}
                assert shown == want["signals"], f"signals at {got['time']}"
                assert got["defects"] == want["defects"], f"defects at {got['time']}"
    finally:
        con.close()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linetwin.main", "replay", *args],
                          capture_output=True, text=True, timeout=120)


def test_the_command_prints_the_json_shape(history):
    done = run_cli(str(DEMO_PROJECT), "--history", str(history), "--at", str(T0 + 600), "--json")
    assert done.returncode == 0, done.stderr
    twin = json.loads(done.stdout)
    assert set(twin) >= {"time", "signals", "assets", "alerts", "defects"}
    assert twin["time"] == "2026-05-28T20:36:40.000+00:00"
    assert twin["assets"]["sealer"]["color"].startswith("#") and twin["assets"]["sealer"]["state"]
    assert any(a["rule"] == "trend" for a in twin["alerts"])


@pytest.mark.parametrize("args, message", [
    (["--at", "2026-05-28T20:36:40", "--json"], "no UTC offset"),
    (["--at", "yesterday", "--json"], "not a time"),
    (["--json"], "need --at"),
])
def test_bad_usage_is_explained(history, args, message):
    done = run_cli(str(DEMO_PROJECT), "--history", str(history), *args)
    assert done.returncode == 2 and message in done.stderr


def test_an_instant_outside_the_history_or_a_missing_file_is_one_clear_line(history, tmp_path):
    done = run_cli(str(DEMO_PROJECT), "--history", str(history), "--at", str(T0 - 60), "--json")
    assert done.returncode == 1 and "is outside" in done.stderr and str(history) in done.stderr
    missing = tmp_path / "none.duckdb"
    done = run_cli(str(DEMO_PROJECT), "--history", str(missing), "--at", str(T0), "--json")
    assert done.returncode == 1 and "no such history file" in done.stderr
    assert "Traceback" not in done.stderr
