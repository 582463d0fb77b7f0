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
as columns (:func:`_feed_items`: :class:`~linetwin.twin.sim.sim_feed.SampleBlock`),
batches of ``batch_s`` (30 s, ~2,600 items) of line time, each one pipeline step here;
every ``WRITE_S`` (5 min, ~25,000 rows) the steps' items become rows in one
build and one transaction (inserts of 2,600 rows ran at a quarter of the
speed), written on a thread while the next batches are stepped. The alert
rules run on source time only, so the batch size changes no alert (a test
replays the stored samples second by second and gets the same alerts).

``changes`` (``--set``) move setpoints at the start of the run, before the
first sample, relative to the simulator's nominal. The history records them
and the simulator's truth over the run (the expected rate of each defect type
per unit inspected, the expected first-pass yield: :mod:`linetwin.twin.sim.truth`)
in an audit entry ``simulator / history-generate``, the reference a what-if
model's predictions are checked against.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
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
from linetwin.twin.sim.sim_feed import SampleBlock, SimFeed, server_time
from linetwin.twin.sim.simulation import DEFECT_NAMES, TICK_S
from linetwin.twin.sim.truth import SimTruth, apply_changes, check_signals, truth_of
from linetwin.twin.updates import ConnectionChange, ConnectionState
from linetwin.twin.whatif.changes import ProposedChange

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
    truth: SimTruth | None = None  # the simulator's truth over the run
    changes: tuple[dict[str, Any], ...] = ()  # {"signal", "change", "from", "to"} as applied

    def describe(self) -> str:
        c = self.counts
        seconds = self.end - self.start
        span = f"{seconds / 3600.0:g} h" if seconds >= 3600 else f"{seconds / 60.0:g} min"
        text = (f"generated {span} ({_iso(self.start)} .. {_iso(self.end)}) into {self.path} in "
                f"{self.seconds:.1f} s: {c['signal_samples']} samples, {c['inspection_events']} "
                f"inspection events, {c['compliance_events']} compliance events, {c['lots']} lots, "
                f"{c['connection_events']} connection events, {c['alerts']} alerts")
        changed = "".join(f"\nset {c['signal']} {c['from']:g} -> {c['to']:g} ({c['change']})" for c in self.changes)
        return text + changed + (f"\n{describe_truth(self.truth.as_json())}" if self.truth else "")


def describe_truth(truth: dict[str, Any]) -> str:
    """The simulator's truth (:meth:`SimTruth.as_json`) in one line for people."""
    order = {name: i for i, name in enumerate(DEFECT_NAMES)}  # code order, as the counters (JSON sorts)
    rates = ", ".join(f"{name} {_percent(rate)}" for name, rate in
                      sorted(truth["expected_rates"].items(), key=lambda kv: order.get(kv[0], len(order))))
    return (f"simulator truth over {truth['units']} units: expected FPY {_percent(truth['expected_fpy'])}; "
            f"expected rates {rates}")


def _percent(p: float | None) -> str:
    return "n/a" if p is None else f"{100.0 * p:.3g} %"


def simulated_endpoint(seed: int, scenario: str) -> str:
    """The endpoint a generated session names: no server, the simulator's settings."""
    return f"simulated:seed={seed},scenario={scenario}"


def generate_history(project: Project, out: str | Path, hours: float, seed: int = 1,
                     scenario: str = "normal", start: float | None = None,
                     progress: Progress | None = None, batch_s: float = BATCH_S,
                     in_process: bool = False, changes: Sequence[ProposedChange] = ()) -> GenerateSummary:
    """Simulate ``hours`` of ``project``'s line from ``start`` into a new history ``out``.

    ``start``: POSIX seconds of the first instant; default ``hours`` before now,
    rounded to the second. ``changes``: setpoints moved before the first sample.
    Raises :class:`GenerateError` for an existing non-empty file or bad settings
    (a change of a signal that is not a simulated process value, named), before
    the file is created; ``HistoryStoreError`` if the file cannot be written.
    ``in_process``: simulate in this process (same result, slower).
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
                     production=production, changes=list(changes))
    try:  # a project the simulator cannot run, a signal it does not simulate: say so now
        check_signals(SimFeed(project, seed=seed, scenario=scenario).simulator, [c.signal_id for c in changes])
    except ValueError as exc:
        raise GenerateError(f"{project.path or project.name}: {exc}") from None
    with HistoryStore(out) as store:
        path = str(project.path) if project.path is not None else None
        session_id = store.begin_session(project.name, path, endpoint, started_at=start)
        with _Writer(store) as writer, _feed_source(feed_args, in_process) as items:
            names = next(items)
            run = _Run(project, start, endpoint, RowBuilder(session_id), writer)
            run.record((names, items), batches, progress)
            final: _Final = next(items)
        store.end_session(session_id, stopped_at=run.end)
        store.append_audit("simulator", "history-generate", {
            "session_id": session_id, "endpoint": endpoint, "seed": seed, "scenario": scenario,
            "hours": hours, "start": start, "end": run.end, "changes": final.changes,
            "truth": final.truth.as_json()})
        counts = {table: store.count(table) for table in COUNTED}  # a new file: all rows are ours
    return GenerateSummary(out, session_id, endpoint, start, run.end, counts, time.perf_counter() - began,
                           final.truth, tuple(final.changes))


Batch = tuple[float, SampleBlock, list[Any]]  # (time of its last tick, values, production events)


@dataclass(frozen=True)
class _Final:
    """The feed's last item: the changes applied and the simulator's truth of the run."""

    changes: list[dict[str, Any]]
    truth: SimTruth


def _feed_items(project: Project, batches: Sequence[int], seed: int, scenario: str, epoch: float,
                production: ProductionConfig, changes: Sequence[ProposedChange]) -> Iterator[Any]:
    """The simulated line's items: its signal names, a :data:`Batch` per entry of
    ``batches`` (ticks), then a :class:`_Final`. The changes are set before the
    first tick, so the values ramp to them from the first sample on."""
    feed = SimFeed(project, seed=seed, scenario=scenario, epoch=epoch, production=production)
    applied = apply_changes(feed.simulator, changes)
    yield feed.names
    for ticks in batches:
        block, events = feed.advance(ticks)
        yield server_time(feed.time), block, events
    yield _Final(applied, truth_of(feed.simulator))


@contextlib.contextmanager
def _feed_source(feed_args: dict[str, Any], in_process: bool) -> Iterator[Iterator[Any]]:
    """The feed's items (:func:`_feed_items`): simulated on a process of its own (the
    line's model is half the work, and it runs beside the pipeline and the writes
    there), or here with ``in_process``. Both give the same items."""
    if in_process:
        yield _feed_items(**feed_args)
        return
    context = multiprocessing.get_context("spawn")  # fork: unsafe beside DuckDB's and our threads
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_simulate, args=(sender, feed_args), daemon=True,
                              name="linetwin-generate-sim")
    process.start()
    sender.close()  # ours is the reading end: EOF once the child's end closes
    try:
        yield (_received(receiver) for _ in range(len(feed_args["batches"]) + 2))
    finally:
        receiver.close()
        process.join(5.0)
        if process.is_alive():  # we stopped early (an error, Ctrl+C): it may wait on the pipe
            process.terminate()
            process.join()


def _simulate(sender: Any, feed_args: dict[str, Any]) -> None:
    """The simulation process: send the feed's batches until done or the reader leaves."""
    try:
        for item in _feed_items(**feed_args):
            sender.send(item)
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
