"""GUI-thread work per tick with 10,000 signals changing at 1 Hz.

Builds a synthetic line of 1,000 stations x 10 signals (one state signal that
colors the station, nine analog signals with spec limits and trend + Nelson
alerts on one of them), then drives the real ``LiveBridge.tick`` at 30 Hz with
10,000 / 30 updates per tick, as the OPC UA thread would deliver them. Timed:
draining the queue and the ``TwinPipeline`` step (history, alert rules, twin
state, staleness, colors) and the scene update. VTK rendering is timed
separately (it is GPU/driver bound).

Baseline in the same run: the bare cost of draining the same queue items into
a list (what any consumer must pay). Target: median tick <= 5 ms.
Run: ``.venv/bin/python benchmarks/gui_tick.py [--ticks N]``.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a QTimer needs an app, not a screen

import pyvista as pv  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from linetwin.scene.line_scene import LineScene  # noqa: E402
from linetwin.twin.geometry import AssetGeometry, MeshPart, place, placeholder_box  # noqa: E402
from linetwin.twin.model import (  # noqa: E402
    AlertSettings, Asset, AssetLevel, Limits, Project, Signal, SignalKind,
)
from linetwin.twin.pipeline import TwinPipeline  # noqa: E402
from linetwin.twin.updates import ValueUpdate  # noqa: E402
from linetwin.ui.qt.live_bridge import LiveBridge  # noqa: E402

STATIONS, ANALOG_PER_STATION, TICK_HZ = 1000, 9, 30


def synthetic_project() -> Project:
    assets, signals = [Asset("line", "Line", AssetLevel.SYSTEM)], []
    trend = AlertSettings(trend=True, nelson=(1, 2, 3, 5), center=100.0, sigma=1.0)
    for k in range(STATIONS):
        sid = f"st{k:04d}"
        assets.append(Asset(sid, sid, AssetLevel.ASSET, parent="line", color_by=f"{sid}.state"))
        signals.append(Signal(f"{sid}.state", sid, f"ns=2;s={sid}.State", SignalKind.STATE))
        for j in range(ANALOG_PER_STATION):
            signals.append(Signal(f"{sid}.pv{j}", sid, f"ns=2;s={sid}.Pv{j}", SignalKind.ANALOG,
                                  "u", Limits(90.0, 110.0), alerts=trend if j == 0 else None))
    return Project("bench", None, tuple(assets), tuple(signals))


def grid_geometry(project: Project) -> dict[str, AssetGeometry]:
    out = {}
    for k, asset in enumerate(a for a in project.assets if a.level is AssetLevel.ASSET):
        box = placeholder_box(asset.id, 0.8, "synthetic").parts[0]
        pos = (2.0 * (k % 50), 2.0 * (k // 50), 0.0)
        out[asset.id] = AssetGeometry(asset.id, (MeshPart(
            "box", place(box.vertices, pos, (0, 0, 0), (1, 1, 1)), box.faces),))
    return out


def tick_updates(project: Project, tick: int, rng) -> list[ValueUpdate]:
    """Each signal changes once per second: this tick's share, round robin."""
    n = len(project.signals)
    per_tick = n // TICK_HZ
    start = (tick * per_tick) % n
    now = time.time()
    out = []
    for i in range(start, start + per_tick):
        signal = project.signals[i % n]
        value = float(rng.integers(0, 6)) if signal.kind is SignalKind.STATE else \
            100.0 + rng.normal(0.0, 1.0)
        out.append(ValueUpdate(signal.id, value, now, now))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=300)
    args = parser.parse_args()
    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841
    project = synthetic_project()
    updates: queue.SimpleQueue = queue.SimpleQueue()
    pipeline = TwinPipeline(project, default_endpoint="opc.tcp://127.0.0.1:4840")
    plotter = pv.Plotter(off_screen=True, window_size=(1280, 720))
    scene = LineScene(plotter, project, grid_geometry(project))
    renders = []

    def render() -> None:
        t0 = time.perf_counter()
        plotter.render()
        renders.append(time.perf_counter() - t0)

    bridge = LiveBridge(pipeline, updates, scene, render)
    rng = np.random.default_rng(7)
    ticks, baseline = [], []
    for k in range(args.ticks):
        batch = tick_updates(project, k, rng)
        for u in batch:  # baseline: the same items through a bare queue drain
            updates.put(u)
        t0 = time.perf_counter()
        drained = []
        while True:
            try:
                drained.append(updates.get_nowait())
            except queue.Empty:
                break
        baseline.append(time.perf_counter() - t0)
        for u in batch:
            updates.put(u)
        renders_before = sum(renders)
        t0 = time.perf_counter()
        bridge.tick()
        ticks.append(time.perf_counter() - t0 - (sum(renders) - renders_before))
    warm = ticks[10:]  # the first ticks pay numba compilation and caches
    print(f"signals: {len(project.signals)}, updates/tick: {len(batch)}, ticks: {len(warm)}")
    print(f"GUI work per tick: median {statistics.median(warm) * 1e3:.2f} ms, "
          f"p95 {np.percentile(warm, 95) * 1e3:.2f} ms (target: median <= 5 ms)")
    print(f"bare queue drain:  median {statistics.median(baseline[10:]) * 1e3:.3f} ms; "
          f"ratio {statistics.median(warm) / statistics.median(baseline[10:]):.1f}x")
    if renders:
        print(f"VTK render (separate): median {statistics.median(renders) * 1e3:.1f} ms")
    plotter.close()


if __name__ == "__main__":
    main()
