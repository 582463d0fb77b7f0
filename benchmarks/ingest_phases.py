"""The two contestants of ``benchmarks/ingest.py``: bare asyncua and the live path.

Each ``run_*`` connects fresh to the server process, waits until every signal
delivered a value, warms up, measures over a window and returns a
:class:`ingest_support.Phase`.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import time
from datetime import timezone

from asyncua import Client, ua
from PySide6.QtCore import QEventLoop, QTimer

from ingest_support import Phase, ServerProcess, cpu_per_value, in_window, thread_cpu
from linetwin.io.opcua import opcua_client
from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.opcua.ua_subscription import item_request, open_subscription
from linetwin.scene.line_scene import LineScene
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate
from linetwin.ui.qt.live_bridge import LiveBridge

PUBLISH_MS = 100.0
CHUNK = 1000  # monitored items per CreateMonitoredItems request (bare client)
READY_TIMEOUT_S = 60.0
GRACE_S = 3.0  # a value written inside the window counts if it arrives this soon after it
LATENCY_EVERY = 25  # sample one value in this many for the latency figures
BARE_THREAD = "bench-bare-client"
LIVE_THREAD = "linetwin-opcua-client"  # the name LiveClient gives its AsyncioThread
_LINK_DOWN = (ConnectionState.LOST, ConnectionState.DISCONNECTED)


def _posix(stamp) -> float:
    return stamp.replace(tzinfo=timezone.utc).timestamp()  # asyncua decodes UTC


class _CountingHandler:
    """asyncua's callback handler that only counts (and samples latencies)."""

    def __init__(self) -> None:
        self.count = 0
        self.seen: set[int] | None = set()  # client handles, until every node has reported
        self.stamps: list | None = None  # SourceTimestamps while measuring
        self.arrivals: list[tuple[float, object]] = []  # sampled (arrival, SourceTimestamp)

    def datachange_notification(self, node, val, data) -> None:
        self.count += 1
        stamps = self.stamps
        if stamps is not None:
            stamp = data.monitored_item.Value.SourceTimestamp
            stamps.append(stamp)
            if self.count % LATENCY_EVERY == 0:
                self.arrivals.append((time.time(), stamp))
        elif self.seen is not None:
            self.seen.add(data.monitored_item.ClientHandle)

    def status_change_notification(self, status) -> None:
        pass


def run_bare(server: ServerProcess, project: Project, warmup: float, seconds: float) -> Phase:
    """A plain asyncua client, callback handler, same monitored-item requests as LiveClient."""
    thread = AsyncioThread(name=BARE_THREAD)
    thread.start()
    handler = _CountingHandler()
    client = Client(server.endpoint, timeout=10)
    requests = [item_request(ua.NodeId.from_string(s.node), h, float(s.sampling_ms), with_filter=True)
                for h, s in enumerate(project.signals, start=1)]

    async def connect() -> None:
        await client.connect()
        sub = await client.create_subscription(PUBLISH_MS, handler)
        for i in range(0, len(requests), CHUNK):
            for result in await sub.create_monitored_items(requests[i:i + CHUNK]):
                if isinstance(result, ua.StatusCode):
                    raise RuntimeError(f"bare client: monitored item refused: {result}")

    started = time.time()
    try:
        try:
            thread.submit(connect()).result(READY_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - this phase fails, the others still run
            raise RuntimeError(f"bare client could not subscribe: {exc!r}") from None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(handler.seen) < len(requests):
            if time.monotonic() > deadline:
                raise RuntimeError(f"bare client: only {len(handler.seen)} of {len(requests)} nodes reported")
            time.sleep(0.05)
        handler.seen = None
        setup = time.time() - started
        time.sleep(warmup)
        handler.stamps = []
        cpu0, c0, t0, s0 = thread_cpu(), handler.count, time.time(), server.cpu_seconds()
        time.sleep(seconds)
        cpu1, c1, t1, s1 = thread_cpu(), handler.count, time.time(), server.cpu_seconds()
        time.sleep(GRACE_S)
        stamps, handler.stamps = handler.stamps, None
    finally:
        try:
            thread.submit(client.disconnect()).result(10)
        except Exception as exc:  # noqa: BLE001 - report, the next phase still runs
            print(f"  (bare client did not disconnect cleanly: {exc!r})")
        thread.stop()
    if c1 == c0:
        raise RuntimeError("bare client: no value arrived in the window (subscription stalled)")
    arrived = in_window([_posix(s) for s in stamps], t0, t1)
    phase = Phase("bare", arrived / (t1 - t0), server.offered(t0, t1), setup,
                  cpu_per_value(cpu0, cpu1, c1 - c0, BARE_THREAD),
                  [a - _posix(s) for a, s in handler.arrivals if t0 <= a < t1])
    phase.server_cpu = (s1 - s0) / (t1 - t0)
    return phase


class _MeasuredBridge(LiveBridge):
    """LiveBridge that also records what each tick applied and what the tick cost.

    Its tap sees the items of each pipeline step (not when they are taken from
    the queue), so "drawn" is the end of the tick that applied a value.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.processed = 0  # ValueUpdates stepped so far
        self.seen: set[str] | None = set()  # signal ids, until every signal has reported
        self.stamps: list[float] | None = None  # source times while measuring (+ grace)
        self.measuring = False  # inside the window: record ticks and latencies
        self.ticks: list[tuple[float, float, int]] = []
        self.longest_before = 0.0  # wall s of the longest tick before the window (initial burst)
        self.to_handler: list[float] = []
        self.to_drawn: list[float] = []
        self.link_log: list[tuple[float, ConnectionChange]] = []  # (time stepped, change)
        self._stepped: list = []
        self.taps.append(self._stepped.extend)

    def tick(self) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        super().tick()
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        done = time.time()
        values = [u for u in self._stepped if type(u) is ValueUpdate]
        self.link_log += [(done, c) for c in self._stepped if type(c) is ConnectionChange]
        self._stepped.clear()
        self.processed += len(values)
        if self.seen is not None:
            self.seen.update(u.signal_id for u in values)
        if self.stamps is not None:
            self.stamps.extend([u.source_time for u in values])
        if not self.measuring and self.stamps is None:
            self.longest_before = max(self.longest_before, wall)
        if self.measuring:
            self.ticks.append((wall, cpu, len(values)))
            for u in values[::LATENCY_EVERY]:
                self.to_handler.append(u.receive_time - u.source_time)
                self.to_drawn.append(done - u.source_time)

    def losses_since(self, t: float) -> list[str]:
        return [c.message for when, c in self.link_log if when >= t and c.state in _LINK_DOWN]


class _FullCollections:
    """Wall time of the garbage collector's full (generation 2) passes, any thread:
    a pass holds the GIL, so every thread waits for it."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.durations.append(time.perf_counter() - self._started)

    def __enter__(self) -> "_FullCollections":
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self)


def _spin(seconds: float) -> None:
    """Run the Qt event loop (and so the bridge's QTimer) for a while."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _wait_ready(bridge: _MeasuredBridge, signals: int, warmup: float, started: float) -> None:
    """Every signal reported and a clean warm-up after it, on one link. A link lost
    on the way (LiveClient reconnects by itself) starts the wait over."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        mark, bridge.seen = time.time(), set()
        while len(bridge.seen) < signals and not bridge.losses_since(mark):
            if time.monotonic() > deadline:
                lost = bridge.losses_since(started)
                raise RuntimeError(f"live client: only {len(bridge.seen)} of {signals} signals "
                                   f"reported in {READY_TIMEOUT_S:.0f} s; link lost {len(lost)} times"
                                   + (f", last: {lost[-1]}" if lost else ""))
            _spin(0.05)
        if not bridge.losses_since(mark):
            _spin(warmup)
            if not bridge.losses_since(mark):
                break
    bridge.seen = None


def client_subscribes_directly() -> bool:
    """True once LiveClient creates its subscription with ``open_subscription``."""
    return hasattr(opcua_client, "open_subscription")


@contextlib.contextmanager
def direct_subscriptions(enabled: bool):
    """LiveClient with ``ua_subscription.open_subscription`` in place of asyncua's
    ``client.create_subscription``: the one-line change proposed for
    ``opcua_client.py`` (issue 7), measured before it is made. A no-op once it is."""
    if not enabled or client_subscribes_directly():
        yield
        return
    original = opcua_client.new_client

    async def new_client(*args, **kwargs):
        client, validator = await original(*args, **kwargs)
        client.create_subscription = lambda params, handler, **_: open_subscription(client, params, handler)
        return client, validator

    opcua_client.new_client = new_client
    try:
        yield
    finally:
        opcua_client.new_client = original


def run_live(server: ServerProcess, project: Project, scene: LineScene,
             warmup: float, seconds: float, direct: bool = True, freeze: bool = False) -> Phase:
    """The whole live path: LiveClient -> queue -> LiveBridge (TwinPipeline) -> LineScene.

    ``freeze``: ``gc.freeze()`` once every signal has reported, so the full
    garbage collections no longer walk the objects of the start-up (undone after).
    """
    with direct_subscriptions(direct):
        try:
            return _run_live(server, project, scene, warmup, seconds, freeze)
        finally:
            gc.unfreeze()


def _run_live(server: ServerProcess, project: Project, scene: LineScene,
              warmup: float, seconds: float, freeze: bool) -> Phase:
    updates: queue.SimpleQueue = queue.SimpleQueue()
    pipeline = TwinPipeline(project, default_endpoint=server.endpoint)
    bridge = _MeasuredBridge(pipeline, updates, scene, lambda: None)  # the render is left out
    client = LiveClient(project, updates, endpoint=server.endpoint)
    started = time.time()
    bridge.start()
    client.start()
    try:
        _wait_ready(bridge, len(project.signals), warmup, started)
        if freeze:
            gc.freeze()
        setup = time.time() - started - warmup
        drops = len(bridge.losses_since(started))
        bridge.stamps, bridge.measuring = [], True
        cpu0, n0, t0, s0 = thread_cpu(), bridge.processed, time.time(), server.cpu_seconds()
        with _FullCollections() as collections:
            _spin(seconds)
        cpu1, n1, t1, s1 = thread_cpu(), bridge.processed, time.time(), server.cpu_seconds()
        bridge.measuring = False
        backlog = updates.qsize() + bridge.backlog
        _spin(GRACE_S)
        lost = bridge.losses_since(t0)
        if lost:
            raise RuntimeError(f"live client lost the link while measuring: {lost[0]}")
        if n1 == n0:
            raise RuntimeError("live client: no value processed in the window (subscription stalled)")
    finally:
        client.stop()
        bridge.stop()
    arrived = in_window(bridge.stamps, t0, t1)
    phase = Phase("live", arrived / (t1 - t0), server.offered(t0, t1), setup,
                  cpu_per_value(cpu0, cpu1, n1 - n0, LIVE_THREAD), bridge.to_handler,
                  bridge.to_drawn, bridge.ticks, backlog, drops)
    phase.longest_startup_tick = bridge.longest_before
    phase.full_collections = collections.durations
    phase.server_cpu = (s1 - s0) / (t1 - t0)
    return phase
