"""Recorded-like streams for pipeline tests, from the pure simulator model.

The simulator (twin/sim) knows nothing of the pipeline or its alert rules, so
a stream it produces is an independent input: what a client would have put on
the queue, sample by sample, with source times on a fixed base date.
"""

from __future__ import annotations

from collections.abc import Callable

from linetwin.twin.model import Project
from linetwin.twin.sim.scenarios import Scenario
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

T0 = 1_780_000_000.0  # 2026-05-28, far from the wall clock: a replayed history
LATENCY = 0.05  # receive time after source time


def simulated_stream(project: Project, seconds: float, dt: float = 1.0, seed: int = 3,
                     scenario: str | Scenario = "heater-degradation",
                     outage: tuple[float, float] | None = None,
                     endpoint: str | None = None,
                     extra: Callable[[float, float], list] | None = None) -> list:
    """Every project signal sampled every ``dt`` s for ``seconds`` of line time.

    ``outage``: (from, to) seconds after start during which the link is down:
    a LOST change at its start, no values inside, CONNECTED at its end.
    ``extra(t, now)``: more items to put after the values of line time ``t``.
    """
    endpoint = endpoint or project.source.endpoint
    sim = LineSimulator(DEMO_STATIONS, seed=seed, scenario=scenario)
    wanted = [s.id for s in project.signals]
    items: list = []
    lost = False
    t = 0.0
    while t < seconds:
        sim.step(dt)
        t += dt
        now = T0 + t
        if outage is not None and outage[0] <= t < outage[1]:
            if not lost:
                items.append(ConnectionChange(endpoint, ConnectionState.LOST, "server went away", now))
                lost = True
            continue
        if lost:
            items.append(ConnectionChange(endpoint, ConnectionState.CONNECTED, "connected", now))
            lost = False
        values, codes = sim.values(), sim.status_codes()
        for signal_id in wanted:
            if signal_id in values:
                items.append(ValueUpdate(signal_id, float(values[signal_id]), now, now + LATENCY,
                                         int(codes.get(signal_id, 0))))
        if extra is not None:
            items += extra(t, now)
    return items
