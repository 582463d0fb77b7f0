"""Live ingest throughput against a bare asyncua subscription, and GUI work per tick.

Two figures (issue 3):

1. **Throughput ratio.** An OPC UA server in a separate process
   (``benchmarks/ingest_server.py``, so it does not compete for our GIL) serves
   the node ids of ``gui_tick.py``'s synthetic line (10,000 signals by default)
   and rewrites every variable ``--rate`` times a second with fresh values and
   SourceTimestamps. Against that same server, alternately (A, B, A, B ...):

   - *bare*: a plain asyncua ``Client`` on its own asyncio thread, one
     subscription (100 ms publishing interval) with the same monitored-item
     requests the live client makes (same sampling interval, queue size and
     StatusValueTimestamp filter, so the server does identical work), created
     in chunks of 1,000; the handler's ``datachange_notification`` only counts.
   - *live*: the whole live path: ``LiveClient`` (its own thread, ValueUpdates
     on a ``queue.SimpleQueue``) drained by the real ``LiveBridge`` on its 33 ms
     QTimer in a ``QCoreApplication`` (``QT_QPA_PLATFORM=offscreen``): history,
     alert rules (trend + Nelson on a tenth of the signals), twin state,
     staleness, colors and the real off-screen ``LineScene`` update; only the
     VTK render is left out (a no-op callback). Counted: ValueUpdates the
     bridge processed.

   Each phase connects fresh, waits until every signal has delivered a value
   (the initial burst), warms up, then counts over ``--seconds``. The figure
   is median(live/s) / median(bare/s); each phase's count is also shown
   against what the server wrote in the same window (from its once-a-second
   ``stat`` lines). Target: ratio >= 0.9. Also printed: end-to-end latency of
   the live path (receive_time -> processed by the tick, and server
   SourceTimestamp -> processed) and the bridge's tick time under real load.

2. **GUI work per tick** with 10,000 signals changing at 1 Hz:
   ``benchmarks/gui_tick.py`` run as a subprocess (its synthetic batches, no
   network). Target: median <= 5 ms.

Run: ``.venv/bin/python benchmarks/ingest.py [--signals N] [--rate HZ]
[--seconds S] [--rounds R] [--stress-rate HZ]`` (about 2.5 minutes with the
defaults).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # benchmarks/ is not a package: reuse gui_tick's line

import gui_tick  # noqa: E402  (sets QT_QPA_PLATFORM=offscreen before Qt loads)
import pyvista as pv  # noqa: E402
from asyncua import Client, ua  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402

from linetwin.io.asyncio_thread import AsyncioThread, quiet_asyncua_logging  # noqa: E402
from linetwin.io.opcua_client import QUEUE_SIZE, LiveClient  # noqa: E402
from linetwin.scene.line_scene import LineScene  # noqa: E402
from linetwin.twin.alert_rules import AlertEngine  # noqa: E402
from linetwin.twin.colors import ColorEngine  # noqa: E402
from linetwin.twin.history_buffer import SignalHistory  # noqa: E402
from linetwin.twin.model import Project  # noqa: E402
from linetwin.twin.state import TwinState  # noqa: E402
from linetwin.twin.updates import ConnectionState, ValueUpdate  # noqa: E402
from linetwin.ui.live_bridge import LiveBridge  # noqa: E402

PUBLISH_MS = 100.0
CHUNK = 1000  # monitored items per CreateMonitoredItems request (bare client)
READY_TIMEOUT_S = 60.0
BARE_THREAD = "bench-bare-client"
LIVE_THREAD = "linetwin-opcua-client"  # the name LiveClient gives its AsyncioThread
LATENCY_EVERY = 25  # sample one update in this many for the latency figures


def project_with(stations: int) -> Project:
    """gui_tick's synthetic line, with ``stations`` stations of 10 signals."""
    saved, gui_tick.STATIONS = gui_tick.STATIONS, stations
    try:
        return gui_tick.synthetic_project()
    finally:
        gui_tick.STATIONS = saved


# --- the server process -------------------------------------------------------


class ServerProcess:
    """``ingest_server.py`` in a child process; follows its ``stat`` lines."""

    def __init__(self, signals: int, rate: float, stock: bool = False) -> None:
        command = [sys.executable, str(HERE / "ingest_server.py"), "--signals", str(signals), "--rate", str(rate)]
        self.proc = subprocess.Popen(command + (["--stock"] if stock else []),
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.stats: list[tuple[float, int, int]] = []  # unix time, values written, late slices
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
                self.stats.append((float(parts[1]), int(parts[2]), int(parts[3])))

    def offered(self, t0: float, t1: float) -> float:
        """Values/s the server wrote between t0 and t1 (from its stat lines)."""
        inside = [s for s in self.stats if t0 - 0.5 <= s[0] <= t1 + 0.5]
        if len(inside) < 2:
            return float("nan")
        return _slope([(t, c) for t, c, _ in inside])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- phases ------------------------------------------------------------------------


@dataclass
class Phase:
    kind: str  # "bare" or "live"
    received: float  # values/s over the window
    offered: float  # values/s the server wrote over the same window
    setup_s: float  # connect + subscribe + initial burst
    cpu_us: dict[str, float]  # CPU µs per value received: "client" thread, "gui" thread, "process"
    latency: list[float] = field(default_factory=list)  # receive -> processed, s
    source_latency: list[float] = field(default_factory=list)  # SourceTimestamp -> processed, s
    ticks: list[float] = field(default_factory=list)  # bridge tick durations, s
    backlog: int = 0  # items still queued when the window closed


class _CountingHandler:
    def __init__(self) -> None:
        self.count = 0
        self.seen: set[int] | None = set()  # client handles, until all have reported

    def datachange_notification(self, node, val, data) -> None:
        self.count += 1
        if self.seen is not None:
            self.seen.add(data.monitored_item.ClientHandle)

    def status_change_notification(self, status) -> None:
        pass


def _item(node_id: ua.NodeId, handle: int, sampling_ms: float) -> ua.MonitoredItemCreateRequest:
    """The request LiveClient makes for a node (io/opcua_client.py: _item_request)."""
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
        thread.submit(connect()).result(READY_TIMEOUT_S)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(handler.seen) < len(requests):
            if time.monotonic() > deadline:
                raise RuntimeError(f"bare client: only {len(handler.seen)} of {len(requests)} nodes reported")
            time.sleep(0.05)
        handler.seen = None
        setup = time.time() - started
        time.sleep(warmup)
        samples = []  # (time, count so far), every 20 ms
        cpu0, c0, t0 = _thread_cpu(), handler.count, time.time()
        while (now := time.time()) < t0 + seconds:
            samples.append((now, handler.count))
            time.sleep(0.02)
        cpu1, c1, t1 = _thread_cpu(), handler.count, time.time()
    finally:
        try:
            thread.submit(client.disconnect()).result(10)
        except Exception as exc:  # noqa: BLE001 - report, the next phase still runs
            print(f"  (bare client did not disconnect cleanly: {exc})")
        thread.stop()
    cpu = _cpu_per_value(cpu0, cpu1, c1 - c0, BARE_THREAD)
    return Phase("bare", _slope(samples), server.offered(t0, t1), setup, cpu)


class _MeasuredBridge(LiveBridge):
    """LiveBridge that also records what each tick processed, when, and how long it took."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.processed = 0  # ValueUpdates through tick() so far
        self.seen: set[str] | None = set()
        self.log: list[tuple[float, int]] = []  # (time.time() after the tick, values processed)
        self.ticks: list[float] = []
        self.latency: list[float] = []
        self.source_latency: list[float] = []
        self.measuring = False
        self._drained: list = []
        self.taps.append(self._drained.extend)

    def tick(self) -> None:
        t0 = time.perf_counter()
        super().tick()
        elapsed = time.perf_counter() - t0
        done = time.time()
        values = [u for u in self._drained if isinstance(u, ValueUpdate)]
        self._drained.clear()
        self.log.append((done, len(values)))
        self.processed += len(values)
        if self.seen is not None:
            self.seen.update(u.signal_id for u in values)
        if self.measuring:
            self.ticks.append(elapsed)
            for u in values[::LATENCY_EVERY]:
                self.latency.append(done - u.receive_time)
                self.source_latency.append(done - u.source_time)


def _slope(samples: list[tuple[float, float]]) -> float:
    """Values/s: least-squares slope of the running count over time.

    Values arrive in bursts (one publish per 100 ms); a fit over the whole
    window is not thrown off by a burst falling just inside or outside its ends.
    """
    t, n = np.asarray(samples, dtype=float).T
    return float(np.polyfit(t - t[0], n, 1)[0])


def _thread_cpu() -> dict[str, float]:
    """CPU seconds so far per Python thread name (Linux /proc), plus "process"."""
    out = {"process": time.process_time()}
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            name = names.get(int(tid), "other")
            out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    except OSError:  # not Linux: process total only
        pass
    return out


def _cpu_per_value(before: dict[str, float], after: dict[str, float], values: float,
                   client_thread: str) -> dict[str, float]:
    def used(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)
    scale = 1e6 / max(values, 1.0)
    return {"client": used(client_thread) * scale, "gui": used("MainThread") * scale,
            "process": used("process") * scale}


def _spin(app_seconds: float) -> None:
    """Run the Qt event loop (the bridge's QTimer) for a while."""
    loop = QEventLoop()
    QTimer.singleShot(int(app_seconds * 1000), loop.quit)
    loop.exec()


def run_live(server: ServerProcess, project: Project, scene: LineScene, engine: ColorEngine,
             warmup: float, seconds: float) -> Phase:
    state = TwinState(project)
    session = SimpleNamespace(updates=queue.SimpleQueue(), state=state, project=project,
                              history=SignalHistory(state.index), alerts=AlertEngine(project),
                              signal_indices=lambda endpoint: np.arange(len(project.signals)))
    bridge = _MeasuredBridge(session, engine, scene, lambda: None)  # render left out
    links: list = []
    bridge.connection_changed.connect(links.append)
    client = LiveClient(project, session.updates, endpoint=server.endpoint)
    started = time.time()
    bridge.start()
    client.start()
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(bridge.seen) < len(project.signals):
            lost = [c for c in links if c.state in (ConnectionState.LOST, ConnectionState.DISCONNECTED)]
            if lost:
                raise RuntimeError(f"live client lost the link while subscribing: {lost[0].message}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"live client: only {len(bridge.seen)} of {len(project.signals)} signals reported")
            _spin(0.05)
        bridge.seen = None
        setup = time.time() - started
        _spin(warmup)
        bridge.measuring = True
        cpu0, n0, t0 = _thread_cpu(), bridge.processed, time.time()
        _spin(seconds)
        cpu1, n1, t1 = _thread_cpu(), bridge.processed, time.time()
        bridge.measuring = False
        backlog = session.updates.qsize()
        lost = [c.message for c in links if c.state in (ConnectionState.LOST, ConnectionState.DISCONNECTED)]
        if lost:
            raise RuntimeError(f"live client lost the link while measuring: {lost[0]}")
    finally:
        client.stop()
        bridge.stop()
    window = [(t, n) for t, n in bridge.log if t0 < t <= t1]
    cumulative = np.cumsum([n for _, n in window])
    received = _slope(list(zip([t for t, _ in window], cumulative)))
    cpu = _cpu_per_value(cpu0, cpu1, n1 - n0, LIVE_THREAD)
    return Phase("live", received, server.offered(t0, t1), setup, cpu, bridge.latency,
                 bridge.source_latency, bridge.ticks, backlog)


# --- gui_tick ------------------------------------------------------------------------


def run_gui_tick(ticks: int) -> tuple[float, float, str]:
    """gui_tick.py in a subprocess: (median ms, p95 ms, its output)."""
    out = subprocess.run([sys.executable, str(HERE / "gui_tick.py"), "--ticks", str(ticks)],
                         capture_output=True, text=True, timeout=300).stdout
    match = re.search(r"GUI work per tick: median ([\d.]+) ms, p95 ([\d.]+) ms", out)
    if match is None:
        return float("nan"), float("nan"), out
    return float(match.group(1)), float(match.group(2)), out


# --- report --------------------------------------------------------------------------


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


def report_rate(result: RateResult) -> None:
    print(f"{'phase':<6} {'offered/s':>10} {'received/s':>11} {'recv/offered':>13} "
          f"{'CPU us/value: client thr':>25} {'GUI thr':>8} {'process':>8} {'setup':>7} {'backlog':>8}")
    for p in result.phases:
        print(f"{p.kind:<6} {p.offered:10.0f} {p.received:11.0f} {p.received / p.offered:13.3f} "
              f"{p.cpu_us['client']:25.1f} {p.cpu_us['gui']:8.1f} {p.cpu_us['process']:8.1f} "
              f"{p.setup_s:6.1f}s {p.backlog if p.kind == 'live' else '':>8}")
    for failure in result.failures:
        print(f"FAILED {failure}")
    lives = [p for p in result.phases if p.kind == "live"]
    lat = [x for p in lives for x in p.latency]
    src = [x for p in lives for x in p.source_latency]
    ticks = [x for p in lives for x in p.ticks]
    print(f"live latency, receive -> processed by the tick: median {_ms(lat, 50)} ms, p95 {_ms(lat, 95)} ms, "
          f"max {_ms(lat, 100)} ms; server SourceTimestamp -> processed: median {_ms(src, 50)} ms, "
          f"p95 {_ms(src, 95)} ms")
    print(f"LiveBridge.tick under this load (render left out): median {_ms(ticks, 50)} ms, "
          f"p95 {_ms(ticks, 95)} ms over {len(ticks)} ticks")


def measure(rate: float, args, project: Project, scene: LineScene, engine: ColorEngine) -> RateResult:
    print(f"\n--- {len(project.signals):,} signals x {rate:g} Hz = {len(project.signals) * rate:,.0f} values/s "
          f"asked of the server; {args.rounds} rounds of (bare, live), {args.seconds:g} s windows", flush=True)
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
    parser.add_argument("--rate", type=float, default=1.0, help="writes per signal per second")
    parser.add_argument("--stress-rate", type=float, default=0.0, help="also measure at this rate (0: skip)")
    parser.add_argument("--seconds", type=float, default=12.0, help="measured window per phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ticks", type=int, default=300, help="gui_tick.py ticks")
    parser.add_argument("--stock-server", action="store_true",
                        help="serve with asyncua's own (slower) server code, see ingest_server.py")
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
    if median != median:  # NaN: could not read its figures, show what it said
        print(out)

    print(f"\n{'figure':<48} {'value':>10} {'target':>8}")
    for r in results:
        tag = f" @{len(project.signals) * r.rate:,.0f}/s asked"
        bare, live = r.median("bare"), r.median("live")
        bare_cpu, live_cpu = r.median("bare", "cpu_us", "process"), r.median("live", "cpu_us", "process")
        print(f"{'server wrote, values/s' + tag:<48} {statistics.median(p.offered for p in r.phases):10,.0f}")
        print(f"{'bare asyncua subscription, values/s':<48} {bare:10,.0f}")
        print(f"{'live path (LiveClient + LiveBridge), values/s':<48} {live:10,.0f}")
        print(f"{'ratio live/bare':<48} {live / bare:10.3f} {'>= 0.9':>8}")
        print(f"{'CPU per value, bare / live (us)':<48} {f'{bare_cpu:.0f} / {live_cpu:.0f}':>10}")
        print(f"{'ceiling ratio if CPU-bound (bare CPU/live CPU)':<48} {bare_cpu / live_cpu:10.3f}")
    print(f"{'GUI work per tick, median (ms)':<48} {median:10.2f} {'<= 5':>8}")
    print(f"{'GUI work per tick, p95 (ms)':<48} {p95:10.2f}")


if __name__ == "__main__":
    main()
