"""Live ingest against a bare asyncua subscription: throughput, latency, tick time, CPU.

An OPC UA server in a separate process (``benchmarks/ingest_server.py``, so it
does not compete for our GIL) serves the node ids of ``gui_tick.py``'s
synthetic line (10,000 signals by default) and rewrites every variable
``--rate`` times a second with a fresh value and SourceTimestamp. Against that
same server, alternately (bare, live, bare, live ...; ``ingest_phases.py``):

- *bare*: a plain asyncua ``Client`` on its own asyncio thread, one
  subscription (100 ms publishing interval) with the monitored-item requests
  LiveClient makes (same sampling interval, queue size and StatusValueTimestamp
  filter, so the server does identical work), created in chunks of 1,000; its
  callback handler's ``datachange_notification`` only counts.
- *live*: the whole live path: ``LiveClient`` (its own thread, ValueUpdates on
  a ``queue.SimpleQueue``) drained by the real ``LiveBridge`` on its 33 ms
  QTimer in a ``QCoreApplication`` (``QT_QPA_PLATFORM=offscreen``), which
  steps the ``TwinPipeline`` (history, alert rules with trend + Nelson on a
  tenth of the signals, twin state, staleness, colours) within its per-tick
  budget and restyles the real ``LineScene`` on an off-screen plotter; only the
  VTK render is left out (a no-op callback).

Each phase connects fresh, waits until every signal has delivered a value,
warms up, then measures over ``--seconds`` (a live link lost before the window
is counted as a *link drop* and waited out; one lost inside it fails the
phase). Figures (issue 7, section 4), each side by side with bare:

- *values/s*: values whose SourceTimestamp falls inside the window that reached
  the handler (bare) or were applied by a tick (live) by the end of a grace
  period, over the window; the server's own write rate comes from its stat lines.
- *latency*: SourceTimestamp (stamped by the server just before it writes) to
  the bare handler, and to the end of the live tick that applied the value
  ("drawn", render excluded). Goal: live p95 <= 250 ms.
- *tick wall time* of ``LiveBridge.tick`` under the real, bursty load (one
  publish = 100 ms of values). Goal: none over 50 ms.
- *CPU per value* of the whole process (from /proc), bare / live. Goal >= 0.9.

Run: ``.venv/bin/python benchmarks/ingest.py [--signals N] [--rate HZ]
[--seconds S] [--rounds R] [--stock-server] [--gui-tick]`` (about 2.5 minutes
with the defaults). The *server* column is the server process's CPU share over the
window (1.0 = one core; about 0.2 at 10,000 values/s with asyncua 2.1 and the
patches of ``ingest_server.py``).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import subprocess
import sys

import numpy as np

from ingest_support import HERE, Phase, RateResult, ServerProcess

sys.path.insert(0, str(HERE))  # benchmarks/ is not a package: reuse gui_tick's line

import gui_tick  # noqa: E402  (sets QT_QPA_PLATFORM=offscreen before Qt loads)
import pyvista as pv  # noqa: E402
from ingest_phases import client_subscribes_directly, run_bare, run_live  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from linetwin.ui.log_levels import quiet_libraries  # noqa: E402
from linetwin.scene.line_scene import LineScene  # noqa: E402
from linetwin.twin.model import Project  # noqa: E402

LATENCY_GOAL_S, TICK_GOAL_S, CPU_GOAL = 0.250, 0.050, 0.9


def project_with(stations: int) -> Project:
    """gui_tick's synthetic line, with ``stations`` stations of 10 signals."""
    saved, gui_tick.STATIONS = gui_tick.STATIONS, stations
    try:
        return gui_tick.synthetic_project()
    finally:
        gui_tick.STATIONS = saved


def run_gui_tick(ticks: int) -> tuple[float, float, str]:
    """gui_tick.py in a subprocess: (median ms, p95 ms, its output)."""
    out = subprocess.run([sys.executable, str(HERE / "gui_tick.py"), "--ticks", str(ticks)],
                         check=False, capture_output=True, text=True, timeout=300).stdout
    match = re.search(r"GUI work per tick: median ([\d.]+) ms, p95 ([\d.]+) ms", out)
    if match is None:
        return float("nan"), float("nan"), out
    return float(match.group(1)), float(match.group(2)), out


def _ms(xs: list[float], q: float) -> str:
    return f"{np.percentile(xs, q) * 1e3:.1f}" if xs else "-"


def _dist(xs: list[float]) -> str:
    return f"median {_ms(xs, 50):>6} p95 {_ms(xs, 95):>6} max {_ms(xs, 100):>6} ms"


def _phase_row(p: Phase) -> str:
    live = p.kind == "live"
    return (f"{p.kind:<6} {p.offered:10.0f} {p.received:10.0f} {p.received / p.offered:16.3f} "
            f"{p.cpu_us['client']:25.1f} {p.cpu_us['gui']:8.1f} {p.cpu_us['process']:8.1f} "
            f"{p.server_cpu:7.2f} {p.setup_s:6.1f}s {p.backlog if live else '':>8} "
            f"{p.drops if live else '':>6}")


def report_rate(result: RateResult) -> None:
    print(f"{'phase':<6} {'offered/s':>10} {'arrived/s':>10} {'arrived/offered':>16} "
          f"{'CPU us/value: client thr':>25} {'GUI thr':>8} {'process':>8} {'server':>7} "
          f"{'setup':>7} {'backlog':>8} {'drops':>6}")
    for p in result.phases:
        print(_phase_row(p))
    for failure in result.failures:
        print(f"FAILED {failure}")
    print(f"latency, SourceTimestamp -> bare handler:      {_dist(result.pooled('bare', 'to_handler'))}")
    print(f"latency, SourceTimestamp -> live handler:      {_dist(result.pooled('live', 'to_handler'))}")
    print(f"latency, SourceTimestamp -> live tick applied: {_dist(result.pooled('live', 'to_drawn'))}")
    ticks = result.pooled("live", "ticks")
    busy = [t for t in ticks if t[2]]
    print(f"LiveBridge.tick under this load (render left out): {len(ticks)} ticks, {len(busy)} with values "
          f"(median {np.median([t[2] for t in busy]) if busy else 0:.0f} values each), "
          f"{sum(t[0] > TICK_GOAL_S for t in ticks)} over {TICK_GOAL_S * 1e3:.0f} ms")
    print(f"  all ticks:         wall {_dist([t[0] for t in ticks])}; CPU {_dist([t[1] for t in ticks])}")
    print(f"  ticks with values: wall {_dist([t[0] for t in busy])}; CPU {_dist([t[1] for t in busy])}")
    startup = [p.longest_startup_tick * 1e3 for p in result.phases if p.kind == "live"]
    print(f"  longest tick before the window (initial burst of every signal, warm-up), per phase: "
          + ", ".join(f"{ms:.0f} ms" for ms in startup))
    passes = result.pooled("live", "full_collections")
    print(f"  full (generation 2) garbage collections inside the live windows: {len(passes)}"
          + (f", {sum(passes) * 1e3:.0f} ms in all, longest {max(passes) * 1e3:.0f} ms" if passes else ""))


def measure(rate: float, args, project: Project, scene: LineScene) -> RateResult:
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
                             run_live(server, project, scene, args.warmup, args.seconds,
                                      direct=not args.asyncua_callbacks, freeze=args.gc_freeze))
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


def summary(r: RateResult, signals: int) -> None:
    """The goals of issue 7 section 4, each against bare in the same run."""
    bare, live = r.median("bare"), r.median("live")
    bare_cpu, live_cpu = r.median("bare", "cpu_us", "process"), r.median("live", "cpu_us", "process")
    offered = statistics.median(p.offered for p in r.phases) if r.phases else float("nan")
    bare_lat, live_lat = r.pooled("bare", "to_handler"), r.pooled("live", "to_drawn")
    p95 = (lambda xs: float(np.percentile(xs, 95)) if xs else float("nan"))
    ticks = [t[0] for t in r.pooled("live", "ticks")]
    print(f"\n{'figure':<50} {'live':>10} {'bare':>10} {'ratio':>7} {'goal':>12}")
    print(f"{f'server wrote, values/s ({signals * r.rate:,.0f} asked)':<50} {offered:10,.0f}")
    print(f"{'values/s':<50} {live:10,.0f} {bare:10,.0f} {live / bare:7.3f} {'>= 0.9':>12}")
    print(f"{'latency p95, source -> drawn (bare: -> handler), ms':<50} {p95(live_lat) * 1e3:10.0f} "
          f"{p95(bare_lat) * 1e3:10.0f} {p95(live_lat) / p95(bare_lat):7.2f} {'<= 250 ms':>12}")
    print(f"{'latency median, ms':<50} {np.median(live_lat) * 1e3 if live_lat else math.nan:10.0f} "
          f"{np.median(bare_lat) * 1e3 if bare_lat else math.nan:10.0f}")
    print(f"{'GUI tick wall, max / p95 ms':<50} "
          f"{f'{max(ticks, default=math.nan) * 1e3:.0f} / {p95(ticks) * 1e3:.0f}':>10} {'':>10} {'':>7} "
          f"{'<= 50 ms':>12}")
    print(f"{'CPU per value, process, us (ratio bare/live)':<50} {live_cpu:10.1f} {bare_cpu:10.1f} "
          f"{bare_cpu / live_cpu:7.3f} {'>= 0.9':>12}")
    drops = sum(p.drops for p in r.phases)
    if drops:
        print(f"{'live links lost while subscribing (then re-made)':<50} {drops:10d}")
    if r.failures:
        print(f"{'phases that failed':<50} {len(r.failures):10d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10_000, help="a multiple of 10")
    parser.add_argument("--rate", type=float, default=0.5,
                        help="writes per signal per second (1: the 10,000 values/s of issue 7)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gui-tick", type=int, default=0, metavar="TICKS",
                        help="also run gui_tick.py with this many ticks (0: skip)")
    parser.add_argument("--asyncua-callbacks", action="store_true",
                        help="live: LiveClient as it is, if it still uses asyncua's callback mode "
                             "(default: with ua_subscription.open_subscription, see ingest_phases.py)")
    parser.add_argument("--switch-interval", type=float, default=0.0, metavar="S",
                        help="sys.setswitchinterval for this process (0: Python's default, 0.005 s)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="live: gc.freeze() once every signal has reported (see ingest_phases.py)")
    parser.add_argument("--stock-server", action="store_true",
                        help="serve with asyncua's unpatched server code (slower, see ingest_server.py)")
    args = parser.parse_args()
    if args.signals <= 0 or args.signals % 10:
        parser.error(f"--signals must be a positive multiple of 10, got {args.signals}")
    quiet_libraries()
    if args.switch_interval > 0:
        sys.setswitchinterval(args.switch_interval)  # how soon a thread waiting for the GIL gets it
    print(f"GIL switch interval {sys.getswitchinterval() * 1e3:g} ms")
    if client_subscribes_directly():
        print("LiveClient subscribes with ua_subscription.open_subscription")
    else:
        print("LiveClient still uses asyncua's callback mode: live measured "
              + ("as it is" if args.asyncua_callbacks else "with open_subscription swapped in (proposed change)"))
    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 - the QTimer needs it
    project = project_with(args.signals // 10)
    plotter = pv.Plotter(off_screen=True, window_size=(640, 360))
    scene = LineScene(plotter, project, gui_tick.grid_geometry(project))
    result = measure(args.rate, args, project, scene)
    plotter.close()
    if args.gui_tick:
        print("\n--- GUI work per tick: benchmarks/gui_tick.py (10,000 signals at 1 Hz, no network)", flush=True)
        median, p95, out = run_gui_tick(args.gui_tick)
        print(out if math.isnan(median) else f"GUI work per tick: median {median:.2f} ms, p95 {p95:.2f} ms")
    summary(result, len(project.signals))
    print(f"(load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
