"""Replay: loading a range and scrubbing its window counts, against DuckDB in the same run.

A synthetic history (default 10M inspection events over 30 days, the demo line's
7 stations, 6 defect types, ~2.5 % defects, lots of 500 units) is written by
DuckDB itself from ``range()`` and cached (``--db`` or the temp folder), then:

- (a) load: ``load_replay(..., measured=False)`` plus the cursor's
  ``DefectWindows``, against DuckDB's own fetch of time, station and defect type
  into numpy (same range, same time order), alternated, median of ``--repeat``;
- (b) scrub: counts by station x defect type for a window ending at t
  (``DefectWindows.defect_counts(t - w, t)``) against the same ``GROUP BY`` in
  DuckDB, for windows of 1 min, 1 h, 1 day and 30 days at ``--instants`` t
  (random ones and exact defect times, so window edges fall on events). Both
  answers are compared for every t before anything is timed;
- (c) play at 1000x: a generated history of the demo line (``history generate``,
  heater degradation, cached) played by the real cursor with 33 ms ticks (33 s of
  history each): advance, the pipeline step of the items, and the 1 h window's
  counts and FPY, on the played history and on the 10M-event one;
- the numba kernels' first call, compiling into an empty cache and then loading
  from it (``cache=True``), each in a fresh process.

Ratios above 1 mean slower than DuckDB. The pseudo-random numbers are
``hash(row, k)`` rather than ``random()``: DuckDB's ``random()`` runs on several
threads and is not repeatable even after ``setseed``. Run:
``.venv/bin/python benchmarks/replay.py [--quick] [--db FILE] [--events N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from linetwin.io.history.generate import generate_history
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.replay_load import load_replay
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.twin.replay.defect_windows import DefectWindows
from linetwin.twin.sim.simulation import DEMO_STATIONS

PROJECT_FILE = Path(__file__).resolve().parents[1] / "resources" / "demo" / "line.toml"
DEFECT_TYPES = ("seal_gap", "wrinkle", "contamination", "misalignment", "label_skew", "short_fill")
SKUS = ("PCH-250-ORIG", "PCH-250-LITE", "PCH-500-ORIG")
START = 1_793_491_200.0  # 2026-11-01T00:00:00Z
DAYS = 30
WINDOWS = (("1 min", 60.0), ("1 h", 3600.0), ("1 day", 86_400.0), ("30 days", 30 * 86_400.0))
TICK_S, SPEED, FRAME_MS = 0.033, 1000.0, 33.0
CACHE = Path(tempfile.gettempdir()) / "linetwin-bench-replay"

# Each unit passes the 7 stations in turn (row i: unit i // 7 at station i % 7).
# Defects: 1 % + up to 1 % by station + a daily wave of up to 2 %; the type
# skewed towards the first ones (a Pareto); the result and severity by type.
EVENTS_SQL = """
INSERT INTO inspection_events (session_id, time, unit_id, lot, sku, station, result, defect_type, severity)
WITH draws AS (
    SELECT i, i // 7 AS unit, i % 7 AS st, (hash(i, 1) % 1000000) / 1e6 AS r,
           (hash(i, 2) % 1000000) / 1e6 AS r_type, (hash(i, 3) % 1000000) / 1e6 AS r_sev
    FROM range($n) t(i)
), coded AS (
    SELECT *, CASE WHEN r < 0.01 + 0.01 * st / 6.0 + 0.01 * (1 + sin(i * $step / 43200.0 * pi()))
              THEN CAST(floor(6 * r_type * r_type) AS INTEGER) ELSE -1 END AS d
    FROM draws
)
SELECT 1, round($start + i * $step, 3), 'U' || lpad(unit::VARCHAR, 8, '0'),
       'L' || lpad((unit // 500)::VARCHAR, 6, '0'), $skus[(unit // 500) % 3 + 1], $stations[st + 1],
       CASE WHEN d < 0 THEN 'pass' WHEN d IN (0, 2, 5) THEN 'fail' ELSE 'rework' END,
       CASE WHEN d < 0 THEN NULL ELSE $types[d + 1] END,
       CASE WHEN d < 0 THEN NULL WHEN d IN (0, 2) THEN 'critical' WHEN d = 5 OR r_sev < 0.3 THEN 'major'
            ELSE 'minor' END
FROM coded
"""
LOTS_SQL = ("INSERT INTO lots SELECT 1, lot, any_value(sku), min(time), max(time) "
            "FROM inspection_events GROUP BY lot")
FETCH_SQL = ("SELECT time, station, defect_type FROM inspection_events "
             "WHERE time BETWEEN $lo AND $hi ORDER BY time")
FETCH_ALL_SQL = ("SELECT time, station, defect_type, result, severity, lot, sku, unit_id "
                 "FROM inspection_events WHERE time BETWEEN $lo AND $hi ORDER BY time")
SCRUB_SQL = ("SELECT station, defect_type, count(*) FROM inspection_events "
             "WHERE time > ? AND time <= ? AND defect_type IS NOT NULL GROUP BY ALL")
COMPILE_PROBE = """
import time, numpy as np
t0 = time.perf_counter()
from linetwin.twin.replay.window_counts import GroupedTimes
t1 = time.perf_counter()
g = GroupedTimes(np.array([3.0, 1.0, 2.0]), np.array([0, 1, 0]), 2)
g.counts(0.0, 2.5); g.cumulative(np.array([1.0, 2.0]))
t2 = time.perf_counter()
g.counts(0.0, 3.0)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


# -- the histories --------------------------------------------------------------------------


def events_history(path: Path, n: int) -> Path:
    """The synthetic events history at ``path``, written first if it is not there."""
    if path.exists():
        return path
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    HistoryStore(part).close()  # the schema, as record writes it
    began = time.perf_counter()
    con = duckdb.connect(str(part))
    con.execute(EVENTS_SQL, {"n": n, "step": DAYS * 86_400.0 / n, "start": START, "skus": list(SKUS),
                             "stations": list(DEMO_STATIONS), "types": list(DEFECT_TYPES)})
    con.execute(LOTS_SQL)
    con.execute("CHECKPOINT")
    con.close()
    part.rename(path)
    print(f"wrote {n:,} inspection events to {path} in {time.perf_counter() - began:.1f} s")
    return path


def played_history(folder: Path, hours: float, project) -> Path:
    path = folder / f"replay-played-{hours:g}h-v1.duckdb"
    if not path.exists():
        part = path.with_name(path.name + ".part")
        part.unlink(missing_ok=True)
        summary = generate_history(project, part, hours, seed=3, scenario="heater-degradation",
                                   start=START)
        part.rename(path)
        print(summary.describe())
    return path


# -- (a) load --------------------------------------------------------------------------------


def bench_load(path: Path, project, repeat: int) -> tuple[dict[str, float], DefectWindows]:
    """Median seconds of each part; the last DefectWindows built (for the scrub)."""
    times: dict[str, list[float]] = {"load_replay": [], "DefectWindows": [], "cursor": [], "duckdb": [],
                                     "duckdb all": []}
    windows = None
    with HistoryStore(path, read_only=True) as store:
        con = duckdb.connect(str(path), read_only=True)  # the same database, DuckDB's own fetch
        for run in range(repeat):
            sides = ("ours", "duckdb", "duckdb all")
            for side in (sides if run % 2 == 0 else sides[::-1]):
                if side != "ours":
                    gc.collect()
                    t0 = time.perf_counter()
                    con.execute(FETCH_SQL if side == "duckdb" else FETCH_ALL_SQL,
                                {"lo": -np.inf, "hi": np.inf}).fetchnumpy()
                    times[side].append(time.perf_counter() - t0)
                    continue
                windows = None  # the previous run's arrays freed before this one is timed
                gc.collect()
                t0 = time.perf_counter()
                data = load_replay(store, project, measured=False)
                t1 = time.perf_counter()
                windows = DefectWindows(data)
                t2 = time.perf_counter()
                times["load_replay"].append(t1 - t0)
                times["DefectWindows"].append(t2 - t1)
                times["cursor"].append(t2 - t0)
                rows, data = len(data.inspections), None
        con.close()
    medians = {k: statistics.median(v) for k, v in times.items()}
    medians["rows"] = rows
    return medians, windows


# -- (b) scrub -------------------------------------------------------------------------------


def duckdb_counts(con, lo: float, hi: float, windows: DefectWindows) -> tuple[np.ndarray, float]:
    """DuckDB's counts as a (stations, types) matrix, and the seconds the query took."""
    t0 = time.perf_counter()
    rows = con.execute(SCRUB_SQL, [lo, hi]).fetchall()
    elapsed = time.perf_counter() - t0
    out = np.zeros((len(windows.stations), len(windows.defect_types)), dtype=np.int64)
    for station, defect, count in rows:
        out[windows.stations.index(station), windows.defect_types.index(defect)] = count
    return out, elapsed


def bench_scrub(path: Path, windows: DefectWindows, instants: int, seed: int = 7) -> list[tuple]:
    """Per window: (label, our median s, our worst s, DuckDB median s, checked instants)."""
    rng = np.random.default_rng(seed)
    start, end = START, START + DAYS * 86_400.0
    exact = rng.choice(windows.defects.times, instants // 4)  # window ends on a defect
    ts = np.concatenate([rng.uniform(start, end, instants - len(exact)), exact]).tolist()
    out = []
    con = duckdb.connect(str(path), read_only=True)
    for label, w in WINDOWS:
        for t in ts:  # the check, which also warms both up
            ours, (theirs, _) = windows.defect_counts(t - w, t), duckdb_counts(con, t - w, t, windows)
            if not np.array_equal(ours, theirs):
                sys.exit(f"window {label} ending at {t!r}: counts differ from DuckDB's\n{ours}\n{theirs}")
        ours_s, theirs_s = [], []
        for t in ts:
            calls = []
            for _ in range(5):
                t0 = time.perf_counter()
                windows.defect_counts(t - w, t)
                calls.append(time.perf_counter() - t0)
            ours_s.append(statistics.median(calls))
            theirs_s.append(duckdb_counts(con, t - w, t, windows)[1])
        out.append((label, statistics.median(ours_s), max(ours_s), statistics.median(theirs_s), len(ts)))
    con.close()
    return out


# -- (c) play at 1000x -----------------------------------------------------------------------


def bench_play(path: Path, project, big: DefectWindows, freeze: bool) -> dict[str, object]:
    """Per tick: advance (items out of the history), pipeline step, 1 h window counts + FPY.

    ``freeze``: as the application does once its window is shown (``ui/qt/app.py``),
    collect and freeze what lives until then, so full collections skip it; the
    replay itself is loaded afterwards, as File > Open history would.
    """
    if freeze:
        gc.collect()
        gc.freeze()
    parts: dict[str, list[float]] = {"advance": [], "pipeline": [], "window": [], "window, file": []}
    totals, items = [], []
    with ReplaySession(project, path) as session:
        cursor, t_big = session.cursor, START
        cursor.seek(session.data.start)
        cursor.speed, cursor.playing = SPEED, True
        while cursor.playing:
            t0 = time.perf_counter()
            plan = cursor.advance(TICK_S)
            t1 = time.perf_counter()
            cursor.apply(plan)
            t2 = time.perf_counter()
            now = cursor.position
            cursor.windows.defect_counts(now - 3600.0, now)
            cursor.windows.yields(now - 3600.0, now).fpy
            t3 = time.perf_counter()
            t_big += TICK_S * SPEED
            big.defect_counts(t_big - 3600.0, t_big)
            big.yields(t_big - 3600.0, t_big).fpy
            t4 = time.perf_counter()
            for name, s in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                parts[name].append(s)
            totals.append(t4 - t0)
            items.append(len(plan.items))
        hours = session.data.duration / 3600.0
    gc.unfreeze()
    return {"ticks": len(totals), "hours": hours, "items": statistics.median(items),
            "parts": {k: (statistics.median(v), float(np.percentile(v, 99))) for k, v in parts.items()},
            "total": (statistics.median(totals), float(np.percentile(totals, 99)), max(totals))}


# -- numba -----------------------------------------------------------------------------------


def bench_compile() -> tuple[list[float], list[float]]:
    """(import s, first call s, second call s) compiling into an empty cache, then from it."""
    runs = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", COMPILE_PROBE], env=env, check=True,
                                 capture_output=True, text=True).stdout
            runs.append([float(x) for x in out.split()])
    return runs[0], runs[1]


# -- report ----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 0.01 else f"{seconds * 1e3:.1f} ms"


def report(load: dict, scrub: list[tuple], plays: dict[str, dict], compile_: tuple, repeat: int) -> None:
    print(f"\n(a) load {load['rows']:,} inspection events, median of {repeat}")
    base = load["duckdb"]
    for label, key in (("DuckDB fetchnumpy (time, station, type)", "duckdb"),
                       ("DuckDB fetchnumpy, the 8 columns loaded", "duckdb all"),
                       ("load_replay(measured=False)", "load_replay"), ("DefectWindows", "DefectWindows"),
                       ("cursor structures (both)", "cursor")):
        print(f"  {label:<42} {load[key]:>8.2f} s {load[key] / base:>7.2f}x")
    print(f"\n(b) scrub: counts by station x defect type, window (t - w, t], {scrub[0][4]} instants")
    print(f"  {'window':<9} {'ours median':>12} {'ours worst':>12} {'DuckDB median':>14} "
          f"{'DuckDB / ours':>14}  goal <= 0.5 ms, >= 30x")
    for label, ours, worst, theirs, _ in scrub:
        ok = "met" if worst <= 0.5e-3 and theirs / ours >= 30 else "MISSED"
        print(f"  {label:<9} {ms(ours):>12} {ms(worst):>12} {ms(theirs):>14} {theirs / ours:>13.0f}x  {ok}")
    for how, play in plays.items():
        print(f"\n(c) play at {SPEED:g}x, {TICK_S * 1e3:g} ms ticks, {how}: {play['ticks']} ticks over "
              f"{play['hours']:.1f} h generated, median {play['items']:.0f} items a tick")
        for name, (med, p99) in play["parts"].items():
            print(f"  {name:<12} median {ms(med):>10}  p99 {ms(p99):>10}")
        med, p99, worst = play["total"]
        fits = "fits" if p99 * 1e3 <= FRAME_MS else "does NOT fit"
        print(f"  {'tick':<12} median {ms(med):>10}  p99 {ms(p99):>10}  max {ms(worst)}: p99 {fits} "
              f"a {FRAME_MS:g} ms frame")
    (imp0, first0, again0), (imp1, first1, again1) = compile_
    print(f"\nnumba kernels' first call: compiling {ms(first0)}, from the cache {ms(first1)} "
          f"(next call {ms(again1)}; import {ms(imp0)} / {ms(imp1)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M events, 1 h played, fewer repeats")
    parser.add_argument("--db", type=Path, help="the events history (written first if missing)")
    parser.add_argument("--events", type=int, help="inspection events (default 10M, --quick 1M)")
    parser.add_argument("--repeat", type=int, help="load repeats (default 5, --quick 3)")
    parser.add_argument("--instants", type=int, help="scrub instants per window (default 200, --quick 60)")
    args = parser.parse_args()
    n = args.events or (1_000_000 if args.quick else 10_000_000)
    repeat = args.repeat or (3 if args.quick else 5)
    instants = args.instants or (60 if args.quick else 200)
    CACHE.mkdir(exist_ok=True)
    project = load_project(PROJECT_FILE)
    db = events_history(args.db or CACHE / f"replay-events-{n}-v1.duckdb", n)
    played = played_history(CACHE, 1.0 if args.quick else 3.0, project)
    compile_ = bench_compile()
    load, windows = bench_load(db, project, repeat)
    scrub = bench_scrub(db, windows, instants)
    plays = {how: bench_play(played, project, windows, freeze)
             for how, freeze in (("default GC", False), ("gc.freeze() as the app", True))}
    print(f"\nmachine: {os.cpu_count()} CPUs, DuckDB {duckdb.__version__}, events file {db}")
    report(load, scrub, plays, compile_, repeat)


if __name__ == "__main__":
    main()
