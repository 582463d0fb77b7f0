"""``linetwin record PROJECT [--endpoint URL | --simulate] --out FILE.duckdb [--duration S]``.

Headless recording: a :class:`LiveFeed` (one client per endpoint of the
project) fills a queue; every 0.1 s :class:`Recording` drains it, hands every
item to the :class:`Recorder` and steps the one :class:`TwinPipeline` the GUI
drives too, whose alert book the recorder follows: a headless recording holds
the alerts the window would have raised. Connection changes and a progress line
every few seconds go to stderr; the summary line to stdout. An unreachable
server is not an error: the client keeps retrying and each state change is
printed. Stops after ``duration`` seconds, or on Ctrl+C / SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.history.recorder import Recorder
from linetwin.io.opcua.connection.connection_options import headless_reason
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import TrustStore, pki_folder
from linetwin.io.sessions.live_feed import LiveFeed
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.production.events import ComplianceEvent, InspectionEvent
from linetwin.twin.updates import ConnectionChange, ValueUpdate
from linetwin.ui.cli.links import LinkWatch
from linetwin.ui.cli.monitor import Feed

PROGRESS_EVERY_S = 5.0
POLL_S = 0.1


class Recording:
    """Moves a feed's items through ``pipeline`` into ``recorder``, one poll at a time.

    The recorder follows the pipeline's alert book, so every alert raised,
    updated, cleared or acknowledged is written. ``feed`` is anything with
    ``drain()``: a :class:`LiveFeed`, or a queue in a test.
    """

    def __init__(self, feed: Feed, pipeline: TwinPipeline, recorder: Recorder,
                 stream: TextIO | None = None) -> None:
        self.feed, self.pipeline, self.recorder = feed, pipeline, recorder
        self.stream = stream
        self.signals: set[str] = set()
        self.counts = {"connection": 0, "inspection": 0, "compliance": 0}
        self.links = LinkWatch()
        self.started = time.monotonic()
        self._last = (self.started, 0)
        recorder.follow_alerts(pipeline.alerts.book)

    def poll(self) -> int:
        """Record and step everything waiting; how many items it was."""
        items = self.feed.drain()
        if items:
            self._saw(items)
            self.recorder.submit(items)
            self.pipeline.step(items)
        return len(items)

    def _saw(self, items: list) -> None:
        for item in items:
            kind = type(item)
            if kind is ValueUpdate:
                self.signals.add(item.signal_id)
            elif kind is ConnectionChange:
                self.counts["connection"] += 1
                self.links.saw(item)
                self._say(f"{item.state.name.lower()}: {item.message}")
            elif kind is InspectionEvent:
                self.counts["inspection"] += 1
            elif kind is ComplianceEvent:
                self.counts["compliance"] += 1

    def report(self) -> None:
        """The progress line: samples written, their rate since the last line, the backlog."""
        now, samples = time.monotonic(), self.recorder.samples_written
        rate = (samples - self._last[1]) / max(now - self._last[0], 1e-9)
        self._last = (now, samples)
        error = f", write error: {self.recorder.error}" if self.recorder.error else ""
        self._say(f"{samples} samples of {len(self.signals)} signals, {rate:.0f}/s, "
                  f"backlog {self.recorder.backlog}{error}")

    def summary(self, path: Path) -> str:
        seconds = time.monotonic() - self.started
        return (f"recorded {self.recorder.samples_written} samples of {len(self.signals)} signals, "
                f"{self.counts['inspection']} inspection events, {self.counts['compliance']} compliance "
                f"events and {self.counts['connection']} connection events in {seconds:.1f} s to {path}")

    def _say(self, text: str) -> None:
        if self.stream is not None:
            print(f"linetwin record: {text}", file=self.stream, flush=True)


def record_cli(project: Project, endpoint: str | None, out: str | Path, duration: float | None = None,
               simulate: bool = False, stream: TextIO | None = None,
               progress_every: float = PROGRESS_EVERY_S,
               settings: ConnectionSettings | None = None, seed: int = 1,
               scenario: str = "normal", speed: float = 1.0) -> int:
    """Record ``project``'s signals into ``out`` until ``duration`` or a signal; exit code.

    0 when everything received was written, 1 when the file cannot be opened,
    writes failed or a server was never reached, 2 for a bad duration.
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
    feed = LiveFeed(project, endpoint, simulate=simulate, seed=seed, scenario=scenario, speed=speed,
                    settings=None if simulate else settings, trust=TrustStore(pki_folder()))
    try:
        return _record(project, feed, store, duration, stream, progress_every)
    finally:
        store.close()


def _record(project: Project, feed: LiveFeed, store: HistoryStore, duration: float | None,
            stream: TextIO, progress_every: float) -> int:
    recorder = Recorder(store, project)
    recording = Recording(feed, TwinPipeline(project), recorder, stream)
    try:
        feed.start()  # a simulator's port is known only now
        recording.pipeline.default_endpoint = recorder.endpoint = feed.endpoint
        print(f"linetwin record: {', '.join(feed.endpoints)} -> {store.path}"
              + (f" for {duration:g} s" if duration else " until Ctrl+C"), file=stream, flush=True)
        recorder.start()
        with _stop_on_signals() as stop:
            _pump(recording, stop, duration, progress_every, lambda: feed.refused() is not None,
                  lambda: feed.running_since)
    finally:
        feed.stop()
        recording.poll()  # the final "disconnected" of each link
        recorder.stop()
    return _outcome(recording, feed, store.path, stream)


def _outcome(recording: Recording, feed: LiveFeed, path: Path, stream: TextIO) -> int:
    refused = feed.refused()
    if refused is not None:
        print(f"linetwin record: {headless_reason(refused.problem, refused.trust)}", file=stream)
        return 1
    missing = recording.links.never_connected(feed.endpoints)
    if len(missing) == len(feed.endpoints):  # unreachable all along: nothing was recorded, say so
        for endpoint, _reason in missing:
            print(f"linetwin record: never connected to {endpoint}; nothing recorded", file=stream)
        return 1
    print(recording.summary(path), flush=True)
    for endpoint, reason in missing:
        print(f"linetwin record: never connected to {endpoint}; its signals were not recorded: {reason}",
              file=stream)
    recorder = recording.recorder
    if recorder.backlog or recorder.dropped:
        print(f"linetwin record: {recorder.backlog + recorder.dropped} received items were not written: "
              f"{recorder.error or 'items no column can hold'}", file=stream)
        return 1
    return 1 if missing else 0


def _pump(recording: Recording, stop: threading.Event, duration: float | None,
          progress_every: float, refused, running_since) -> None:
    """Poll until ``duration`` seconds after ``running_since()`` (a held simulator:
    once it moves), a stop, or a refusal."""
    next_report = time.monotonic() + progress_every
    while not stop.is_set():
        recording.poll()
        if refused():  # untrusted certificate or rejected password: nobody to ask here
            return
        now, since = time.monotonic(), running_since()
        if duration is not None and since is not None and now - since >= duration:
            return
        if now >= next_report:
            recording.report()
            next_report = now + progress_every
        stop.wait(POLL_S)


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
