"""Alert engine throughput against a bare loop over the same updates, in one run.

Builds a synthetic line of ``--signals`` analog signals (default 10,000) that
all change once a second, as the GUI tick would see them (batches of ~1/30 s of
updates), and feeds ``--seconds`` of them:

- baseline: a loop that only appends each update to a list (the cheapest thing
  a tick can do with an update);
- limits: every signal with spec limits (the default rules);
- full: limits on all, plus trend on every 2nd signal and Nelson rules 1-8 on
  every 4th; FPY on 50 counter pairs.

Values wander inside their limits with a few excursions, so alerts are raised
and cleared during the run. Prints updates/s, µs per update, the ratio to the
baseline and the work per 33 ms tick at 10,000 updates/s. Run:
``.venv/bin/python benchmarks/alerts.py [--signals N] [--seconds S]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.model import (
    AlertSettings, Asset, AssetLevel, FpySpec, Limits, Project, Signal, SignalKind,
)
from linetwin.twin.updates import ValueUpdate

TICK_S = 1 / 30


def build_project(n: int, full: bool) -> Project:
    assets = tuple(Asset(f"a{i}", f"Station {i}", AssetLevel.ASSET) for i in range(max(1, n // 100)))
    signals = []
    for i in range(n):
        settings = None
        if full:
            settings = AlertSettings(trend=i % 2 == 0, nelson=tuple(range(1, 9)) if i % 4 == 0 else (),
                                     center=0.0, sigma=1.0)
        signals.append(Signal(f"s{i}", assets[i % len(assets)].id, f"ns=2;s=S{i}", SignalKind.ANALOG,
                              "u", Limits(-3.0, 3.0), sampling_ms=1000, alerts=settings))
    fpy = ()
    if full:
        for j in range(50):
            signals += [Signal(f"g{j}", assets[j % len(assets)].id, f"ns=2;s=G{j}", SignalKind.COUNTER),
                        Signal(f"r{j}", assets[j % len(assets)].id, f"ns=2;s=R{j}", SignalKind.COUNTER)]
        fpy = tuple(FpySpec(f"a{j % len(assets)}", f"g{j}", f"r{j}", min_units=10) for j in range(50))
    return Project("bench", None, assets, tuple(signals), fpy=fpy)


def make_batches(project: Project, seconds: int, seed: int = 0) -> list[list[ValueUpdate]]:
    """One update per signal per second, spread over the ticks of that second."""
    rng = np.random.default_rng(seed)
    ids = [s.id for s in project.signals]
    n = len(ids)
    level = np.zeros(n)
    batches: list[list[ValueUpdate]] = []
    counts = np.zeros(n)
    phase = rng.random(n)  # each signal's offset within the second
    ticks = int(round(1 / TICK_S))
    for second in range(seconds):
        level = 0.98 * level + 0.2 * rng.standard_normal(n)  # AR(1), sigma ~1
        values = level + 0.3 * rng.standard_normal(n)
        counts += rng.integers(0, 3, n)
        tick_of = np.minimum((phase * ticks).astype(int), ticks - 1)
        per_tick: list[list[ValueUpdate]] = [[] for _ in range(ticks)]
        for i in range(n):
            t = second + phase[i]
            value = counts[i] if ids[i][0] in "gr" else values[i]
            per_tick[tick_of[i]].append(ValueUpdate(ids[i], float(value), t, t))
        batches.extend(per_tick)
    return batches


def bare(batches: list[list[ValueUpdate]]) -> None:
    kept: list[ValueUpdate] = []
    for batch in batches:
        for update in batch:
            kept.append(update)


def time_bare(batches, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        bare(batches)
        best = min(best, time.perf_counter() - start)
    return best


def time_engine(project: Project, batches, repeat: int) -> tuple[float, int]:
    """Best time of feeding all batches to a fresh engine (building it is not timed)."""
    best, changes = float("inf"), 0
    for _ in range(repeat):
        engine = AlertEngine(project)
        process = engine.process
        start = time.perf_counter()
        changes = sum(len(process(batch)) for batch in batches)
        best = min(best, time.perf_counter() - start)
    return best, changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=90)  # > a trend window
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    for name, full in (("limits", False), ("full", True)):
        project = build_project(args.signals, full)
        batches = make_batches(project, args.seconds)
        updates = sum(len(b) for b in batches)
        base = time_bare(batches, args.repeat)
        took, changes = time_engine(project, batches, args.repeat)
        per_update_us = took / updates * 1e6
        print(f"{name:>6}: {updates} updates, {changes} alert changes; "
              f"bare loop {updates / base:,.0f}/s, engine {updates / took:,.0f}/s "
              f"({per_update_us:.2f} µs/update, {took / base:.0f}x the bare loop); "
              f"a 33 ms tick at 10,000 updates/s costs {per_update_us * 10_000 * TICK_S / 1000:.2f} ms")


if __name__ == "__main__":
    main()
