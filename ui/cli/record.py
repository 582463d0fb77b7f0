"""``linetwin record PROJECT [--endpoint URL] --out FILE.duckdb [--duration S]``.

Headless recording: a :class:`LiveClient` fills a queue, this loop drains it
every 0.1 s into a :class:`Recorder`. Connection changes and a progress line
every few seconds go to stderr; the summary line to stdout. An unreachable
server is not an error: the client keeps retrying and each state change is
printed. Stops after ``duration`` seconds, or on Ctrl+C / SIGTERM.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from linetwin.io.opcua.connection_options import headless_reason
from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.opcua.security import ConnectionSettings
from linetwin.io.history.recorder import Recorder
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.model import Project
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

PROGRESS_EVERY_S = 5.0
POLL_S = 0.1


class _Progress:
    """What the loop has seen, for the progress and summary lines."""

    def __init__(self, recorder: Recorder, stream: TextIO) -> None:
        self.recorder = recorder
        self.stream = stream
        self.signals: set[str] = set()
        self.connection_events = 0
        self.connected = False  # ever, during this recording
        self.started = time.monotonic()
        self._last = (self.started, 0)

    def saw(self, items: list) -> None:
        for item in items:
            if type(item) is ValueUpdate:
                self.signals.add(item.signal_id)
            elif isinstance(item, ConnectionChange):
                self.connection_events += 1
                self.connected = self.connected or item.state is ConnectionState.CONNECTED
                print(f"linetwin record: {item.state.name.lower()}: {item.message}", file=self.stream, flush=True)

    def report(self) -> None:
        now, samples = time.monotonic(), self.recorder.samples_written
        rate = (samples - self._last[1]) / max(now - self._last[0], 1e-9)
        self._last = (now, samples)
        error = f", write error: {self.recorder.error}" if self.recorder.error else ""
        print(f"linetwin record: {samples} samples of {len(self.signals)} signals, {rate:.0f}/s, "
              f"backlog {self.recorder.backlog}{error}", file=self.stream, flush=True)


def record_cli(project: Project, endpoint: str | None, out: str | Path, duration: float | None = None,
               simulate: bool = False, stream: TextIO | None = None,
               progress_every: float = PROGRESS_EVERY_S,
               settings: ConnectionSettings | None = None) -> int:
    """Record ``project``'s signals into ``out`` until ``duration`` or a signal; exit code.

    0 when everything received was written, 1 when the file cannot be opened,
    writes failed or the server was never reached, 2 for a bad duration.
    """
    stream = stream or sys.stderr
    if duration is not None and not duration > 0:
        print(f"linetwin record: --duration must be > 0 seconds, got {duration}", file=stream)
        return 2
    try:
        store = HistoryStore(out)
    except HistoryStoreError as exc:
        print(f"linetwin record: {exc}", file=stream)
        return 1
    server = None
    try:
        if simulate:
            server = SimulatorServer(project, host="127.0.0.1", port=0)
            endpoint = server.start_in_thread()
        return _record(project, store, endpoint or project.source.endpoint, duration, stream,
                       progress_every, None if simulate else settings)
    finally:
        if server is not None:
            server.stop_thread()
        store.close()


def _record(project: Project, store: HistoryStore, endpoint: str, duration: float | None,
            stream: TextIO, progress_every: float, settings: ConnectionSettings | None) -> int:
    updates: queue.SimpleQueue = queue.SimpleQueue()
    client = LiveClient(project, updates, endpoint=endpoint, settings=settings)
    recorder = Recorder(store, project, endpoint=endpoint)
    alerts = AlertEngine(project)
    recorder.follow_alerts(alerts.book)
    progress = _Progress(recorder, stream)
    print(f"linetwin record: {endpoint} -> {store.path}"
          + (f" for {duration:g} s" if duration else " until Ctrl+C"), file=stream, flush=True)
    recorder.start()
    client.start()
    try:
        with _stop_on_signals() as stop:
            _pump(updates, recorder, progress, stop, duration, progress_every,
                  lambda: client.problem is not None, alerts)
    finally:
        client.stop()
        _drain(updates, recorder, progress, alerts)  # the final "disconnected"
        recorder.stop()
    if client.problem is not None:
        print(f"linetwin record: {headless_reason(client.problem, client.trust)}", file=stream)
        return 1
    if not progress.connected:  # unreachable all along: nothing was recorded, say so
        print(f"linetwin record: never connected to {endpoint}; nothing recorded", file=stream)
        return 1
    seconds = time.monotonic() - progress.started
    print(f"recorded {recorder.samples_written} samples of {len(progress.signals)} signals and "
          f"{progress.connection_events} connection events in {seconds:.1f} s to {store.path}", flush=True)
    if recorder.backlog or recorder.dropped:
        print(f"linetwin record: {recorder.backlog + recorder.dropped} received items were not written: "
              f"{recorder.error or 'items no column can hold'}", file=stream)
        return 1
    return 0


def _pump(updates: queue.SimpleQueue, recorder: Recorder, progress: _Progress, stop: threading.Event,
          duration: float | None, progress_every: float, refused,
          alerts: AlertEngine) -> None:
    start = time.monotonic()
    next_report = start + progress_every
    while not stop.is_set():
        _drain(updates, recorder, progress, alerts)
        if refused():  # untrusted certificate or rejected password: nobody to ask here
            return
        now = time.monotonic()
        if duration is not None and now - start >= duration:
            return
        if now >= next_report:
            progress.report()
            next_report = now + progress_every
        stop.wait(POLL_S)


def _drain(updates: queue.SimpleQueue, recorder: Recorder, progress: _Progress,
           alerts: AlertEngine) -> None:
    items = []
    with contextlib.suppress(queue.Empty):
        while True:
            items.append(updates.get_nowait())
    if items:
        progress.saw(items)
        recorder.submit(items)
        # The project's alert rules run here too, so a headless recording holds
        # the same alerts the GUI would have raised (the recorder follows the book).
        values = []
        for item in items:  # in order: a lost link breaks the windows of its signals
            if isinstance(item, ValueUpdate):
                values.append(item)
            elif isinstance(item, ConnectionChange):
                alerts.process(values)
                values = []
                alerts.connection_changed(item, recorder.endpoint or "")
        alerts.process(values)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while inside; old handlers restored after.

    Off the main thread Python cannot install handlers: then only ``duration``
    (or KeyboardInterrupt in the caller) ends the recording.
    """
    stop = threading.Event()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
