"""``linetwin history generate``: a simulated history, written faster than real time.

The simulated line (:class:`~linetwin.twin.sim.sim_feed.SimFeed`, no server,
no wall clock) is recorded as ``record`` records a live one: the feed's items
go, batch by batch, to the history (the recorder's own :class:`RowBuilder`)
and through one :class:`TwinPipeline` whose alert book is followed, so the
file holds the values, production events, lots, connection changes and the
alerts the window would have raised. The pipeline's clock is a
:class:`ReplayClock` set to each batch's last instant.

Speed (8 h of line time in ~29 s on 2 cores, was ~45 s in one process): the
line's model, half the work, runs on a process of its own and sends its values
as columns (:func:`~linetwin.twin.sim.sim_feed.send_batches`), batches of
``batch_s`` (30 s, ~2,600 items) of line time, each one pipeline step here;
every ``WRITE_S`` (5 min, ~25,000 rows) the steps' items become rows in one
build and one transaction (inserts of 2,600 rows ran at a quarter of the
speed), written on a thread while the next batches are stepped. The alert
rules run on source time only, so the batch size changes no alert (a test
replays the stored samples second by second and gets the same alerts).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator
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
from linetwin.twin.sim.sim_feed import SampleBlock, SimFeed, feed_batches, send_batches, server_time
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
                     progress: Progress | None = None, batch_s: float = BATCH_S,
                     in_process: bool = False) -> GenerateSummary:
    """Simulate ``hours`` of ``project``'s line from ``start`` into a new history ``out``.

    ``start``: POSIX seconds of the first instant; default ``hours`` before now,
    rounded to the second. Raises :class:`GenerateError` for an existing
    non-empty file or bad settings, ``HistoryStoreError`` if the file cannot
    be written. ``in_process``: simulate in this process (same result, slower).
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
    ticks = round(hours * 3600.0 / TICK_S)
    if ticks < 1:
        raise GenerateError(f"hours must be at least one tick ({TICK_S} s) of line time, got {hours}")
    per_batch = max(1, round(batch_s / TICK_S))
    batches = [per_batch] * (ticks // per_batch) + ([ticks % per_batch] if ticks % per_batch else [])
    production = ProductionConfig(first_day=datetime.fromtimestamp(start, timezone.utc).date().isoformat())
    feed_args = dict(project=project, batches=batches, seed=seed, scenario=scenario, epoch=start,
                     production=production)
    try:
        SimFeed(project, seed=seed, scenario=scenario)  # a project the simulator cannot run: say so now
    except ValueError as exc:
        raise GenerateError(f"{project.path or project.name}: {exc}") from None
    with HistoryStore(out) as store:
        path = str(project.path) if project.path is not None else None
        session_id = store.begin_session(project.name, path, endpoint, started_at=start)
        with _Writer(store) as writer, _feed_source(feed_args, in_process) as source:
            run = _Run(project, start, endpoint, RowBuilder(session_id), writer)
            run.record(source, batches, progress)
        store.end_session(session_id, stopped_at=run.end)
        counts = {table: store.count(table) for table in COUNTED}  # a new file: all rows are ours
    return GenerateSummary(out, session_id, endpoint, start, run.end, counts, time.perf_counter() - began)


Batch = tuple[float, SampleBlock, list[Any]]  # (time of its last tick, values, production events)


@contextlib.contextmanager
def _feed_source(feed_args: dict[str, Any], in_process: bool) -> Iterator[tuple[list[str], Iterator[Batch]]]:
    """The feed's signal names and batches: simulated on a process of its own (the
    line's model is half the work, and it runs beside the pipeline and the writes
    there), or here with ``in_process``. Both give the same items."""
    if in_process:
        batches = feed_batches(**feed_args)
        yield next(batches), batches
        return
    context = multiprocessing.get_context("spawn")  # fork: unsafe beside DuckDB's and our threads
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_simulate, args=(sender, feed_args), daemon=True,
                              name="linetwin-generate-sim")
    process.start()
    sender.close()  # ours is the reading end: EOF once the child's end closes
    try:
        names = _received(receiver)
        yield names, (_received(receiver) for _ in feed_args["batches"])
    finally:
        receiver.close()
        process.join(5.0)
        if process.is_alive():  # we stopped early (an error, Ctrl+C): it may wait on the pipe
            process.terminate()
            process.join()


def _simulate(sender: Any, feed_args: dict[str, Any]) -> None:
    """The simulation process: send the feed's batches until done or the reader leaves."""
    try:
        send_batches(sender, **feed_args)
    except (KeyboardInterrupt, BrokenPipeError):  # Ctrl+C reaches the whole group; the parent reports it
        pass
    except Exception as exc:  # noqa: BLE001 - reported by the parent, with the model's message
        sender.send(_Failed(f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


@dataclass(frozen=True)
class _Failed:
    message: str


def _received(receiver: Any) -> Any:
    try:
        item = receiver.recv()
    except EOFError:
        raise GenerateError("the simulation process ended unexpectedly") from None
    if isinstance(item, _Failed):
        raise GenerateError(f"the simulation failed: {item.message}")
    return item


class _Run:
    """One generation: the feed's items through the pipeline into rows, batch by batch."""

    def __init__(self, project: Project, start: float, endpoint: str, rows: RowBuilder,
                 writer: "_Writer") -> None:
        self.start, self.endpoint, self.rows, self.writer = start, endpoint, rows, writer
        self.clock = ReplayClock(start)
        self.pipeline = TwinPipeline(project, clock=self.clock, default_endpoint=endpoint)
        self.alerts: list[Any] = []  # what the alert book emitted during the current step
        self.pending: list[tuple[float, list[Any]]] = []  # stepped, not yet written
        book = self.pipeline.alerts.book
        for name in _ALERT_EVENTS:
            getattr(book, name).connect(self.alerts.append)
        self.end = start

    def record(self, source: tuple[list[str], Iterator[Batch]], sizes: list[int],
               progress: Progress | None) -> None:
        """Step and write each batch of ``source``; ``sizes``: the ticks of each."""
        names, batches = source
        per_write, ticks = round(WRITE_S / TICK_S), sum(sizes)
        items: list[Any] = [ConnectionChange(self.endpoint, ConnectionState.CONNECTED,
                                             f"connected to {self.endpoint}", server_time(self.start))]
        done = written = 0
        for size, (now, block, events) in zip(sizes, batches):
            done += size
            items += block.updates(names)
            items += events
            if done >= ticks:  # the recording stops: the link closes, as record's final poll
                items.append(ConnectionChange(self.endpoint, ConnectionState.DISCONNECTED, "stopped", now))
            self._step(items, now)
            items = []
            if done - written >= per_write or done >= ticks:
                self.writer.put(self.rows.build(self.pending))
                self.pending, written = [], done
            if progress is not None:
                progress(done * TICK_S, ticks * TICK_S)
            self.end = now

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
