"""Live ingest throughput against a bare asyncua subscription, and GUI work per tick.

Two figures (issue 3):

1. **Throughput ratio.** An OPC UA server in a separate process
   (``benchmarks/ingest_server.py``, so it does not compete for our GIL) serves
   the node ids of ``gui_tick.py``'s synthetic line (10,000 signals by default)
   and rewrites every variable ``--rate`` times a second with a fresh value and
   SourceTimestamp. Against that same server, alternately (bare, live, bare,
   live ...):

   - *bare*: a plain asyncua ``Client`` on its own asyncio thread, one
     subscription (100 ms publishing interval) with the monitored-item requests
     LiveClient makes (same sampling interval, queue size and
     StatusValueTimestamp filter, so the server does identical work), created
     in chunks of 1,000; the handler's ``datachange_notification`` only counts.
   - *live*: the whole live path: ``LiveClient`` (its own thread, ValueUpdates
     on a ``queue.SimpleQueue``) drained by the real ``LiveBridge`` on its
     33 ms QTimer in a ``QCoreApplication`` (``QT_QPA_PLATFORM=offscreen``):
     history, alert rules (trend + Nelson on a tenth of the signals), twin
     state, staleness, colors and the real ``LineScene`` on an off-screen
     plotter; only the VTK render is left out (a no-op callback).

   Each phase connects fresh, waits until every signal has delivered a value
   (the initial burst), warms up, then measures over ``--seconds`` (a live
   link lost before the window is counted as a *link drop* and waited out:
   LiveClient reconnects by itself; one lost inside it fails the phase).
   *values/s* is the number of values whose SourceTimestamp falls inside the
   window that reached the handler (bare) or were processed by a tick (live)
   by the end of a grace period, divided by the window. Counting by source time keeps a
   client that starts the window behind and catches up from scoring more than
   the server wrote. The server's own write rate over the same window comes
   from its once-a-second ``stat`` lines. The figure is median(live) /
   median(bare); target >= 0.9.

   Also printed per phase: CPU µs per value (client thread, GUI thread,
   whole process, from /proc) and, from them, the ratio the live path would
   reach against bare if the client process were the bottleneck rather than
   the server; latencies (server SourceTimestamp -> handler, handler ->
   processed by the tick); and ``LiveBridge.tick`` wall and CPU time under
   the real, bursty load (one publish = 100 ms of values).

2. **GUI work per tick** with 10,000 signals changing at 1 Hz:
   ``benchmarks/gui_tick.py`` run as a subprocess (synthetic batches, no
   network). Target: median <= 5 ms.

Load: 10,000 signals at ``--rate 0.5`` Hz (5,000 values/s) by default. The
asyncua server process needs about one CPU for 10,000 values/s, its ceiling
on a 2-core machine, where the nominal ``--rate 1`` then leaves no headroom
and other load on the machine shows up as phases that fall behind; run it
with ``--rate 1`` (or add it with ``--stress-rate 1``) where cores allow.

Run: ``.venv/bin/python benchmarks/ingest.py [--signals N] [--rate HZ]
[--stress-rate HZ] [--seconds S] [--rounds R] [--stock-server]`` (about 2.5
minutes with the defaults).
"""

from __future__ import annotations

import argparse
import math
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # benchmarks/ is not a package: reuse gui_tick's line

import gui_tick  # noqa: E402  (sets QT_QPA_PLATFORM=offscreen before Qt loads)
import pyvista as pv  # noqa: E402
from asyncua import Client, ua  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402

from linetwin.io.opcua.asyncio_thread import AsyncioThread, quiet_asyncua_logging  # noqa: E402
from linetwin.io.opcua.opcua_client import LiveClient  # noqa: E402
from linetwin.io.opcua.ua_subscription import QUEUE_SIZE  # noqa: E402
from linetwin.scene.line_scene import LineScene  # noqa: E402
from linetwin.twin.alerts.alert_rules import AlertEngine  # noqa: E402
from linetwin.twin.colors import ColorEngine  # noqa: E402
from linetwin.twin.history_buffer import SignalHistory  # noqa: E402
from linetwin.twin.model import Project  # noqa: E402
from linetwin.twin.state import TwinState  # noqa: E402
from linetwin.twin.updates import ConnectionState, ValueUpdate  # noqa: E402
from linetwin.ui.qt.live_bridge import LiveBridge  # noqa: E402

PUBLISH_MS = 100.0
CHUNK = 1000  # monitored items per CreateMonitoredItems request (bare client)
READY_TIMEOUT_S = 60.0
GRACE_S = 3.0  # a value written inside the window counts if it arrives this soon after it
LATENCY_EVERY = 25  # sample one value in this many for the latency figures
BARE_THREAD = "bench-bare-client"
LIVE_THREAD = "linetwin-opcua-client"  # the name LiveClient gives its AsyncioThread
_LINK_DOWN = (ConnectionState.LOST, ConnectionState.DISCONNECTED)


def project_with(stations: int) -> Project:
    """gui_tick's synthetic line, with ``stations`` stations of 10 signals."""
    saved, gui_tick.STATIONS = gui_tick.STATIONS, stations
    try:
        return gui_tick.synthetic_project()
    finally:
        gui_tick.STATIONS = saved


# --- the server process -------------------------------------------------------------


class ServerProcess:
    """``ingest_server.py`` in a child process; follows its ``stat`` lines."""

    def __init__(self, signals: int, rate: float, stock: bool = False) -> None:
        command = [sys.executable, str(HERE / "ingest_server.py"), "--signals", str(signals),
                   "--rate", str(rate), "--exit-on-eof"] + (["--stock"] if stock else [])
        # Its stdin is a pipe we never write: if we die, it closes and the server exits.
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.stats: list[tuple[float, int]] = []  # unix time, values written so far
        self.endpoint = self._first_line(120.0)
        threading.Thread(target=self._follow, daemon=True).start()

    def _first_line(self, timeout: float) -> str:
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not box or not box[0].startswith("opc.tcp://"):
            self.stop()
            raise SystemExit(f"ingest_server.py did not start (got {box[0]!r})" if box else
                             f"ingest_server.py printed no endpoint within {timeout:.0f} s")
        return box[0].strip()

    def _follow(self) -> None:
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "stat":
                self.stats.append((float(parts[1]), int(parts[2])))

    def offered(self, t0: float, t1: float) -> float:
        """Values/s the server wrote between t0 and t1 (from its stat lines)."""
        inside = [s for s in self.stats if t0 - 0.5 <= s[0] <= t1 + 0.5]
        return _slope(inside) if len(inside) >= 2 else float("nan")

    def stop(self) -> None:
        self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- measuring helpers --------------------------------------------------------------


def _slope(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of a running count over time (per second)."""
    t, n = np.asarray(samples, dtype=float).T
    return float(np.polyfit(t - t[0], n, 1)[0])


def _thread_cpu() -> dict[str, float]:
    """CPU seconds so far per Python thread name (Linux /proc), plus "process"."""
    out = {"process": time.process_time()}
    names = {t.native_id: t.name for t in threading.enumerate()}
    clock = os.sysconf("SC_CLK_TCK")
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            name = names.get(int(tid), "other")
            out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / clock  # utime + stime
    except OSError:  # not Linux: the process total only
        pass
    return out


def _cpu_per_value(before: dict[str, float], after: dict[str, float], values: int,
                   client_thread: str) -> dict[str, float]:
    def used(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)
    scale = 1e6 / max(values, 1)
    return {"client": used(client_thread) * scale, "gui": used("MainThread") * scale,
            "process": used("process") * scale}


def _in_window(stamps: list[float], t0: float, t1: float) -> int:
    s = np.asarray(stamps, dtype=float)
    return int(np.count_nonzero((s >= t0) & (s < t1)))


@dataclass
class Phase:
    kind: str  # "bare" or "live"
    received: float  # values/s written inside the window that arrived (see module doc)
    offered: float  # values/s the server wrote over the same window
    setup_s: float  # connect + subscribe + initial burst (+ reconnects)
    cpu_us: dict[str, float]  # CPU µs per value: "client" thread, "gui" (main) thread, "process"
    # Sampled latencies, s; the server stamps SourceTimestamp just before it writes.
    to_handler: list[float] = field(default_factory=list)  # SourceTimestamp -> subscription handler
    queued: list[float] = field(default_factory=list)  # live: handler (receive_time) -> tick done
    ticks: list[tuple[float, float, int]] = field(default_factory=list)  # live: wall s, CPU s, values
    backlog: int = 0  # live: items still queued when the window closed
    drops: int = 0  # live: links lost (and re-made by LiveClient) before the window


# --- bare asyncua -------------------------------------------------------------------


class _CountingHandler:
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


def _posix(stamp) -> float:
    return stamp.replace(tzinfo=timezone.utc).timestamp()  # asyncua decodes UTC


def _item(node_id: ua.NodeId, handle: int, sampling_ms: float) -> ua.MonitoredItemCreateRequest:
    """The request LiveClient makes for a node (io/opcua/opcua_client.py: _item_request)."""
    params = ua.MonitoringParameters(ClientHandle=handle, SamplingInterval=sampling_ms,
                                     QueueSize=QUEUE_SIZE, DiscardOldest=True)
    params.Filter = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)
    return ua.MonitoredItemCreateRequest(
        ItemToMonitor=ua.ReadValueId(NodeId=node_id, AttributeId=ua.AttributeIds.Value),
        MonitoringMode=ua.MonitoringMode.Reporting, RequestedParameters=params)


def run_bare(server: ServerProcess, project: Project, warmup: float, seconds: float) -> Phase:
    thread = AsyncioThread(name=BARE_THREAD)
    thread.start()
    handler = _CountingHandler()
    client = Client(server.endpoint, timeout=10)
    requests = [_item(ua.NodeId.from_string(s.node), h, float(s.sampling_ms))
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
        cpu0, c0, t0 = _thread_cpu(), handler.count, time.time()
        time.sleep(seconds)
        cpu1, c1, t1 = _thread_cpu(), handler.count, time.time()
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
    arrived = _in_window([_posix(s) for s in stamps], t0, t1)
    return Phase("bare", arrived / (t1 - t0), server.offered(t0, t1), setup,
                 _cpu_per_value(cpu0, cpu1, c1 - c0, BARE_THREAD),
                 [a - _posix(s) for a, s in handler.arrivals if t0 <= a < t1])


# --- the live path ------------------------------------------------------------------


class _MeasuredBridge(LiveBridge):
    """LiveBridge that also records what each tick processed and what the tick cost."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.processed = 0  # ValueUpdates through tick() so far
        self.seen: set[str] | None = set()  # signal ids, until every signal has reported
        self.stamps: list[float] | None = None  # source times while measuring (+ grace)
        self.measuring = False  # inside the window: record ticks and latencies
        self.ticks: list[tuple[float, float, int]] = []
        self.to_handler: list[float] = []
        self.queued: list[float] = []
        self._drained: list = []
        self.taps.append(self._drained.extend)

    def tick(self) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        super().tick()
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        done = time.time()
        values = [u for u in self._drained if isinstance(u, ValueUpdate)]
        self._drained.clear()
        self.processed += len(values)
        if self.seen is not None:
            self.seen.update(u.signal_id for u in values)
        if self.stamps is not None:
            self.stamps.extend([u.source_time for u in values])
        if self.measuring:
            self.ticks.append((wall, cpu, len(values)))
            for u in values[::LATENCY_EVERY]:
                self.to_handler.append(u.receive_time - u.source_time)
                self.queued.append(done - u.receive_time)


def _spin(seconds: float) -> None:
    """Run the Qt event loop (and so the bridge's QTimer) for a while."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def run_live(server: ServerProcess, project: Project, scene: LineScene, engine: ColorEngine,
             warmup: float, seconds: float) -> Phase:
    state = TwinState(project)
    session = SimpleNamespace(updates=queue.SimpleQueue(), state=state, project=project,
                              history=SignalHistory(state.index), alerts=AlertEngine(project),
                              signal_indices=lambda endpoint: np.arange(len(project.signals)))
    bridge = _MeasuredBridge(session, engine, scene, lambda: None)  # the render is left out
    links: list[tuple[float, object]] = []  # (time seen by the GUI thread, ConnectionChange)
    bridge.connection_changed.connect(lambda change: links.append((time.time(), change)))
    client = LiveClient(project, session.updates, endpoint=server.endpoint)

    def losses_since(t: float) -> list[str]:
        return [c.message for when, c in links if when >= t and c.state in _LINK_DOWN]

    started = time.time()
    bridge.start()
    client.start()
    try:
        # Ready: every signal reported and a clean warm-up after it, on one link.
        # A link lost on the way (LiveClient reconnects by itself) starts the wait over.
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            mark, bridge.seen = time.time(), set()
            while len(bridge.seen) < len(project.signals) and not losses_since(mark):
                if time.monotonic() > deadline:
                    lost = losses_since(started)
                    raise RuntimeError(f"live client: only {len(bridge.seen)} of {len(project.signals)} signals "
                                       f"reported in {READY_TIMEOUT_S:.0f} s; link lost {len(lost)} times"
                                       + (f", last: {lost[-1]}" if lost else ""))
                _spin(0.05)
            if not losses_since(mark):
                _spin(warmup)
                if not losses_since(mark):
                    break
        bridge.seen = None
        setup = time.time() - started - warmup
        drops = len(losses_since(started))
        bridge.stamps, bridge.measuring = [], True
        cpu0, n0, t0 = _thread_cpu(), bridge.processed, time.time()
        _spin(seconds)
        cpu1, n1, t1 = _thread_cpu(), bridge.processed, time.time()
        bridge.measuring = False
        backlog = session.updates.qsize()
        _spin(GRACE_S)
        lost = losses_since(t0)
        if lost:
            raise RuntimeError(f"live client lost the link while measuring: {lost[0]}")
        if n1 == n0:
            raise RuntimeError("live client: no value processed in the window (subscription stalled)")
    finally:
        client.stop()
        bridge.stop()
    arrived = _in_window(bridge.stamps, t0, t1)
    return Phase("live", arrived / (t1 - t0), server.offered(t0, t1), setup,
                 _cpu_per_value(cpu0, cpu1, n1 - n0, LIVE_THREAD), bridge.to_handler,
                 bridge.queued, bridge.ticks, backlog, drops)


# --- gui_tick -----------------------------------------------------------------------


def run_gui_tick(ticks: int) -> tuple[float, float, str]:
    """gui_tick.py in a subprocess: (median ms, p95 ms, its output)."""
    out = subprocess.run([sys.executable, str(HERE / "gui_tick.py"), "--ticks", str(ticks)],
                         check=False, capture_output=True, text=True, timeout=300).stdout
    match = re.search(r"GUI work per tick: median ([\d.]+) ms, p95 ([\d.]+) ms", out)
    if match is None:
        return float("nan"), float("nan"), out
    return float(match.group(1)), float(match.group(2)), out


# --- report -------------------------------------------------------------------------


@dataclass
class RateResult:
    rate: float
    phases: list[Phase]
    failures: list[str]

    def median(self, kind: str, attr: str = "received", key: str | None = None) -> float:
        xs = [getattr(p, attr) if key is None else getattr(p, attr)[key] for p in self.phases if p.kind == kind]
        return statistics.median(xs) if xs else float("nan")


def _ms(xs: list[float], q: float) -> str:
    return f"{np.percentile(xs, q) * 1e3:.1f}" if xs else "-"


def _dist(xs: list[float]) -> str:
    return f"median {_ms(xs, 50):>6} p95 {_ms(xs, 95):>6} max {_ms(xs, 100):>6} ms"


def report_rate(result: RateResult) -> None:
    print(f"{'phase':<6} {'offered/s':>10} {'arrived/s':>10} {'arrived/offered':>16} "
          f"{'CPU us/value: client thr':>25} {'GUI thr':>8} {'process':>8} {'setup':>7} {'backlog':>8} "
          f"{'link drops':>10}")
    for p in result.phases:
        print(f"{p.kind:<6} {p.offered:10.0f} {p.received:10.0f} {p.received / p.offered:16.3f} "
              f"{p.cpu_us['client']:25.1f} {p.cpu_us['gui']:8.1f} {p.cpu_us['process']:8.1f} "
              f"{p.setup_s:6.1f}s {p.backlog if p.kind == 'live' else '':>8} "
              f"{p.drops if p.kind == 'live' else '':>10}")
    for failure in result.failures:
        print(f"FAILED {failure}")

    def pooled(kind: str, attr: str) -> list:
        return [x for p in result.phases if p.kind == kind for x in getattr(p, attr)]

    print(f"latency, server SourceTimestamp -> bare handler: {_dist(pooled('bare', 'to_handler'))}")
    print(f"latency, server SourceTimestamp -> live handler: {_dist(pooled('live', 'to_handler'))}")
    print(f"latency, live handler -> processed by the tick:  {_dist(pooled('live', 'queued'))}")
    ticks = pooled("live", "ticks")
    busy = [t for t in ticks if t[2]]
    print(f"LiveBridge.tick under this load (render left out): {len(ticks)} ticks, {len(busy)} with values "
          f"(median {np.median([t[2] for t in busy]) if busy else 0:.0f} values each)")
    print(f"  all ticks:         wall {_dist([t[0] for t in ticks])}; CPU {_dist([t[1] for t in ticks])}")
    print(f"  ticks with values: wall {_dist([t[0] for t in busy])}; CPU {_dist([t[1] for t in busy])}")


def measure(rate: float, args, project: Project, scene: LineScene, engine: ColorEngine) -> RateResult:
    print(f"\n--- {len(project.signals):,} signals x {rate:g} Hz = {len(project.signals) * rate:,.0f} values/s "
          f"asked of the server; {args.rounds} rounds of (bare, live), {args.seconds:g} s windows; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    server = ServerProcess(len(project.signals), rate, stock=args.stock_server)
    result = RateResult(rate, [], [])
    try:
        for r in range(args.rounds):
            for kind in ("bare", "live"):
                try:
                    phase = (run_bare(server, project, args.warmup, args.seconds) if kind == "bare" else
                             run_live(server, project, scene, engine, args.warmup, args.seconds))
                except RuntimeError as exc:
                    result.failures.append(f"round {r + 1} {kind}: {exc}")
                    print(f"  round {r + 1} {kind}: FAILED: {exc}", flush=True)
                    continue
                print(f"  round {r + 1} {kind}: {phase.received:,.0f}/s "
                      f"(server wrote {phase.offered:,.0f}/s)", flush=True)
                result.phases.append(phase)
    finally:
        server.stop()
    report_rate(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10_000, help="a multiple of 10")
    parser.add_argument("--rate", type=float, default=0.5,
                        help="writes per signal per second (0.5: what the server sustains with headroom)")
    parser.add_argument("--stress-rate", type=float, default=0.0,
                        help="also measure at this rate, e.g. 1 (0: skip)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ticks", type=int, default=300, help="gui_tick.py ticks")
    parser.add_argument("--stock-server", action="store_true",
                        help="serve with asyncua's unpatched server code (slower, see ingest_server.py)")
    args = parser.parse_args()
    if args.signals <= 0 or args.signals % 10:
        parser.error(f"--signals must be a positive multiple of 10, got {args.signals}")
    quiet_asyncua_logging()
    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 - the QTimer needs it
    project = project_with(args.signals // 10)
    plotter = pv.Plotter(off_screen=True, window_size=(640, 360))
    scene = LineScene(plotter, project, gui_tick.grid_geometry(project))
    engine = ColorEngine(project)
    results = [measure(args.rate, args, project, scene, engine)]
    if args.stress_rate > 0:
        results.append(measure(args.stress_rate, args, project, scene, engine))
    plotter.close()

    print("\n--- GUI work per tick: benchmarks/gui_tick.py (10,000 signals at 1 Hz, no network)", flush=True)
    median, p95, out = run_gui_tick(args.ticks)
    if math.isnan(median):  # could not read its figures: show what it said
        print(out)

    print(f"\n{'figure':<52} {'value':>10} {'target':>8}")
    for r in results:
        bare, live = r.median("bare"), r.median("live")
        bare_cpu, live_cpu = r.median("bare", "cpu_us", "process"), r.median("live", "cpu_us", "process")
        offered = statistics.median(p.offered for p in r.phases) if r.phases else float("nan")
        print(f"{f'server wrote, values/s ({len(project.signals) * r.rate:,.0f} asked)':<52} {offered:10,.0f}")
        print(f"{'bare asyncua subscription, values/s':<52} {bare:10,.0f}")
        print(f"{'live path (LiveClient + LiveBridge), values/s':<52} {live:10,.0f}")
        print(f"{'ratio live/bare':<52} {live / bare:10.3f} {'>= 0.9':>8}")
        print(f"{'CPU per value, bare / live (us)':<52} {f'{bare_cpu:.0f} / {live_cpu:.0f}':>10}")
        print(f"{'ratio if the client were the bottleneck (CPU)':<52} {bare_cpu / live_cpu:10.3f}")
        drops = sum(p.drops for p in r.phases)
        if drops:
            print(f"{'live links lost while subscribing (then re-made)':<52} {drops:10d}")
        if r.failures:
            print(f"{'phases that failed':<52} {len(r.failures):10d}")
    print(f"{'GUI work per tick, median (ms)':<52} {median:10.2f} {'<= 5':>8}")
    print(f"{'GUI work per tick, p95 (ms)':<52} {p95:10.2f}")
    print(f"(load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; the server process "
          f"alone needs about one CPU at 10,000 values/s)")


if __name__ == "__main__":
    main()
