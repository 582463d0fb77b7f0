"""Recording throughput: the Recorder against DuckDB's own bulk insert, in the same run.

The same rows (ValueUpdates over 50 signals) go into a fresh DuckDB file:

- baseline: the rows already as numpy columns, inserted with ONE statement
  (``INSERT INTO signal_samples SELECT * FROM columns``): DuckDB's best case
- recorder: ``Recorder.submit`` in ticks of ``--tick`` items, as the GUI and
  ``linetwin record`` do, timed until every row is committed (its writer turns
  objects into columns and commits at least every 0.5 s)
- for scale: ``executemany`` and DuckDB's row appender on a slice of the rows

It also prints what ``submit`` costs the calling (GUI) thread per tick.
Ratios above 1 mean slower than the baseline. Run:
``.venv/bin/python benchmarks/record.py [--rows N] [--tick N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from linetwin.io.history.history_rows import sample_columns
from linetwin.io.history.history_schema import create_table_sql
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.recorder import Recorder
from linetwin.twin.model import Project
from linetwin.twin.updates import ValueUpdate

PROJECT = Project(name="Benchmark", path=None, assets=(), signals=())
SLICE = {"executemany": 2_000, "appender": 50_000}  # rows timed on the per-row paths


def make_updates(n: int) -> list[ValueUpdate]:
    t0 = time.time()
    return [ValueUpdate(f"line1.station{i % 50}.value", i * 0.5, t0 + i * 1e-3, t0 + i * 1e-3 + 0.004,
                        0 if i % 100 else 0x80000000) for i in range(n)]


def bare_table(folder: Path, name: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(folder / f"{name}.duckdb"))
    con.execute(create_table_sql("signal_samples"))
    return con


def baseline(folder: Path, rows: list[ValueUpdate]) -> float:
    columns = sample_columns(rows)  # built before timing: DuckDB's part only
    con = bare_table(folder, "baseline")
    start = time.perf_counter()
    con.execute("INSERT INTO signal_samples SELECT * FROM columns")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def per_row(folder: Path, rows: list[ValueUpdate], how: str) -> float:
    """Seconds for a slice of the rows the per-row way, scaled to all rows."""
    part = [(u.signal_id, u.value, u.source_time, u.receive_time, u.status_code, 0, None, None)
            for u in rows[:SLICE[how]]]
    con = bare_table(folder, how)
    start = time.perf_counter()
    if how == "executemany":
        con.executemany("INSERT INTO signal_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?)", part)
    else:
        appender = con.appender("signal_samples")
        appender.append_rows(part)
        appender.flush()
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed * len(rows) / len(part)


def recorder(folder: Path, rows: list[ValueUpdate], tick: int, name: str) -> tuple[float, float]:
    """(seconds until all committed, median seconds one submit call took)."""
    ticks = [rows[i:i + tick] for i in range(0, len(rows), tick)]
    submits = []
    with HistoryStore(folder / f"{name}.duckdb") as store:
        rec = Recorder(store, PROJECT)
        rec.start()
        start = time.perf_counter()
        for items in ticks:
            t = time.perf_counter()
            rec.submit(items)
            submits.append(time.perf_counter() - t)
        rec.stop()  # writes what is left, then returns
        elapsed = time.perf_counter() - start
        assert store.count("signal_samples") == len(rows)
    return elapsed, statistics.median(submits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--tick", type=int, default=1_000, help="items per submit call")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = make_updates(args.rows)
    base, rec, submit = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for run in range(args.repeat):
            base.append(baseline(folder, rows))
            (folder / "baseline.duckdb").unlink()
            seconds, per_submit = recorder(folder, rows, args.tick, f"rec{run}")
            rec.append(seconds)
            submit.append(per_submit)
        many = per_row(folder, rows, "executemany")
        appender = per_row(folder, rows, "appender")
    b, r = statistics.median(base), statistics.median(rec)
    n = args.rows
    print(f"{n} rows, {args.tick} per submit, median of {args.repeat}")
    print(f"{'path':<34} {'rows/s':>12} {'x baseline':>11}")
    for label, seconds in (("baseline: one INSERT of columns", b), ("Recorder (submit -> committed)", r),
                           ("DuckDB appender (per row)", appender), ("executemany (per row)", many)):
        print(f"{label:<34} {n / seconds:>12,.0f} {seconds / b:>11.1f}")
    print(f"submit() on the caller's thread: {statistics.median(submit) * 1e6:.0f} us per {args.tick} items")


if __name__ == "__main__":
    main()
