"""``linetwin history generate``: a simulated history, written faster than real time.

The simulated line (:class:`~linetwin.twin.sim.sim_feed.SimFeed`, no server,
no wall clock) is recorded as ``record`` records a live one: the feed's items
go, batch by batch, to the history (the recorder's own :class:`RowBuilder`)
and through one :class:`TwinPipeline` whose alert book is followed, so the
file holds the values, production events, lots, connection changes and the
alerts the window would have raised. The pipeline's clock is a
:class:`ReplayClock` set to each batch's last instant.

Speed: items are gathered for ``batch_s`` seconds of line time (30 s, ~2,600
items) before one pipeline step; every ``WRITE_S`` (5 min, ~25,000 rows) of
line time the steps' items become rows in one build and one transaction
(inserts of 2,600 rows ran at a quarter of the speed), written on a thread of
its own while the next batches are simulated.
The alert rules run on source time only, so the batch size changes no alert.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from linetwin.io.history.history_rows import RowBuilder
from linetwin.io.history.history_store import HistoryStore
from linetwin.twin.clock import ReplayClock
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.sim.production import ProductionConfig
from linetwin.twin.sim.sim_feed import SimFeed, server_time
from linetwin.twin.sim.simulation import TICK_S
from linetwin.twin.updates import ConnectionChange, ConnectionState

BATCH_S = 30.0  # line time per pipeline step
WRITE_S = 300.0  # line time per DuckDB write: ~25,000 samples, where inserts reach full speed
_ALERT_EVENTS = ("raised", "updated", "cleared", "acknowledged")  # as Recorder.follow_alerts
COUNTED = ("signal_samples", "inspection_events", "compliance_events", "lots",
           "connection_events", "alerts")

Progress = Callable[[float, float], None]  # (simulated seconds done, seconds in all)


class GenerateError(Exception):
    """The history cannot be generated; the message names the file or the setting."""


@dataclass(frozen=True)
class GenerateSummary:
    """What :func:`generate_history` wrote: rows per table and how long it took."""

    path: Path
    session_id: int
    endpoint: str
    start: float
    end: float
    counts: dict[str, int]
    seconds: float  # wall-clock time taken

    def describe(self) -> str:
        c = self.counts
        seconds = self.end - self.start
        span = f"{seconds / 3600.0:g} h" if seconds >= 3600 else f"{seconds / 60.0:g} min"
        return (f"generated {span} ({_iso(self.start)} .. {_iso(self.end)}) into {self.path} in "
                f"{self.seconds:.1f} s: {c['signal_samples']} samples, {c['inspection_events']} "
                f"inspection events, {c['compliance_events']} compliance events, {c['lots']} lots, "
                f"{c['connection_events']} connection events, {c['alerts']} alerts")


def simulated_endpoint(seed: int, scenario: str) -> str:
    """The endpoint a generated session names: no server, the simulator's settings."""
    return f"simulated:seed={seed},scenario={scenario}"


def generate_history(project: Project, out: str | Path, hours: float, seed: int = 1,
                     scenario: str = "normal", start: float | None = None,
                     progress: Progress | None = None, batch_s: float = BATCH_S) -> GenerateSummary:
    """Simulate ``hours`` of ``project``'s line from ``start`` into a new history ``out``.

    ``start``: POSIX seconds of the first instant; default ``hours`` before now,
    rounded to the second. Raises :class:`GenerateError` for an existing
    non-empty file or bad settings, ``HistoryStoreError`` if the file cannot
    be written.
    """
    out = Path(out)
    if not (math.isfinite(hours) and hours > 0):
        raise GenerateError(f"hours must be a positive number, got {hours}")
    if out.exists() and (out.is_dir() or out.stat().st_size > 0):
        raise GenerateError(f"{out}: already exists; generate writes a new history only "
                            "(choose another file or delete this one)")
    began = time.perf_counter()
    start = float(round(time.time() - hours * 3600.0)) if start is None else float(start)
    endpoint = simulated_endpoint(seed, scenario)
    production = ProductionConfig(first_day=datetime.fromtimestamp(start, timezone.utc).date().isoformat())
    try:
        feed = SimFeed(project, seed=seed, scenario=scenario, epoch=start, production=production)
    except ValueError as exc:
        raise GenerateError(f"{project.path or project.name}: {exc}") from None
    with HistoryStore(out) as store:
        path = str(project.path) if project.path is not None else None
        session_id = store.begin_session(project.name, path, endpoint, started_at=start)
        with _Writer(store) as writer:
            run = _Run(project, feed, endpoint, RowBuilder(session_id), writer)
            run.simulate(hours * 3600.0, batch_s, progress)
        store.end_session(session_id, stopped_at=run.end)
        counts = {table: store.count(table) for table in COUNTED}  # a new file: all rows are ours
    return GenerateSummary(out, session_id, endpoint, start, run.end, counts, time.perf_counter() - began)


class _Run:
    """One generation: the feed's items through the pipeline into rows, batch by batch."""

    def __init__(self, project: Project, feed: SimFeed, endpoint: str, rows: RowBuilder,
                 writer: "_Writer") -> None:
        self.feed, self.endpoint, self.rows, self.writer = feed, endpoint, rows, writer
        self.clock = ReplayClock(feed.epoch)
        self.pipeline = TwinPipeline(project, clock=self.clock, default_endpoint=endpoint)
        self.alerts: list[Any] = []  # what the alert book emitted during the current step
        self.pending: list[tuple[float, list[Any]]] = []  # stepped, not yet written
        book = self.pipeline.alerts.book
        for name in _ALERT_EVENTS:
            getattr(book, name).connect(self.alerts.append)
        self.end = feed.epoch

    def simulate(self, seconds: float, batch_s: float, progress: Progress | None) -> None:
        ticks = round(seconds / TICK_S)
        per_batch = max(1, round(batch_s / TICK_S))
        per_write = max(per_batch, round(WRITE_S / TICK_S))
        start = self.feed.epoch
        items: list[Any] = [ConnectionChange(self.endpoint, ConnectionState.CONNECTED,
                                             f"connected to {self.endpoint}", start)]
        items += self.feed.start()
        for done in range(1, ticks + 1):
            items += self.feed.tick()
            if done % per_batch == 0 or done == ticks:
                now = server_time(self.feed.time)  # the instant the batch's last values carry
                if done == ticks:  # the recording stops: the link closes, as record's final poll
                    items.append(ConnectionChange(self.endpoint, ConnectionState.DISCONNECTED, "stopped", now))
                self._step(items, now)
                items = []
                if progress is not None:
                    progress(done * TICK_S, ticks * TICK_S)
            if done % per_write == 0 or done == ticks:
                self.writer.put(self.rows.build(self.pending))
                self.pending = []
        self.end = server_time(self.feed.time)

    def _step(self, items: list[Any], now: float) -> None:
        """As ``Recording.poll``: the items are submitted, then stepped; the alerts
        the step raised follow them into the same write."""
        self.clock.set(now)
        self.pipeline.step(items, now)
        alerts, self.alerts[:] = list(self.alerts), []
        self.pending.append((now, items + alerts))


class _Writer:
    """Writes built tables on a thread of its own while the next batch is simulated.

    The queue is short, so a slow disk slows the simulation instead of filling
    memory; the first write error is raised from :meth:`put` or on exit.
    """

    def __init__(self, store: HistoryStore, depth: int = 4) -> None:
        self.store = store
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="linetwin-generate-writer", daemon=True)

    def __enter__(self) -> "_Writer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error

    def put(self, tables: dict[str, Any]) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(tables)

    def _run(self) -> None:
        while (tables := self._queue.get()) is not None:
            if self._error is None:  # after a failure, drain without writing
                try:
                    self.store.write(tables)
                except BaseException as exc:  # noqa: BLE001 - handed to the generating thread
                    self._error = exc


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")
