"""The simulated line as a client of the simulator server would receive it, faster than real time.

:class:`SimFeed` steps a :class:`LineSimulator` tick by tick (0.1 s of line
time) with no server and no wall clock, and yields per tick the items a client
subscribed to the built-in OPC UA simulator (``io/opcua/simulator/sim_server.py``)
would have put on its queue, so a history generated from it reads as if
``record`` had recorded the server:

- a :class:`ValueUpdate` for each project signal the model knows, written as the
  server writes it: when its value or status changed, or as a heartbeat at least
  every second of line time; typed as the server types it (state codes and
  counters are integers, analog values floats), status codes from
  ``sim.status_codes()``; ``source_time`` = epoch + simulated seconds as the OPC
  UA DateTime carries it (whole microseconds) and ``receive_time`` the same;
- project signals the model does not know: one update with
  ``BadWaitingForInitialData`` at the start, as the server serves them;
- the production events of the tick (inspections, operator steps, lot changes),
  as ``sim.take_events(epoch)`` gives them.

Pure: numpy (through the simulator) and the standard library only.
Deterministic: the same project, seed and scenario give the same items.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timezone

import numpy as np

from linetwin.twin.model import AssetLevel, Project, SignalKind
from linetwin.twin.sim.production import ProductionConfig
from linetwin.twin.sim.scenarios import Scenario
from linetwin.twin.sim.simulation import TICK_S, LineSimulator
from linetwin.twin.updates import ValueUpdate

HEARTBEAT_TICKS = 10  # the server rewrites an unchanged value every 1 s (10 updates)
BAD_WAITING_FOR_INITIAL_DATA = 0x80320000
_UINT32_MAX = 2**32 - 1  # a counter is a UInt32: clamped as the server's _typed clamps it


def stations_of(project: Project) -> list[str]:
    """Station assets of the project, in file (= flow) order: those the simulator runs
    (the same rule as the simulator server's)."""
    return [a.id for a in project.assets if a.level == AssetLevel.ASSET and project.signals_of(a.id)]


def server_time(t: float) -> float:
    """``t`` (POSIX seconds) as it arrives through an OPC UA DateTime: whole microseconds."""
    return datetime.fromtimestamp(t, timezone.utc).timestamp()


class SimFeed:
    """What a client of the simulator server receives, tick by tick, from ``epoch`` on.

    Parameters
    ----------
    project : the line; its station assets are simulated, its signals published
    seed, scenario, production : as for :class:`LineSimulator`
    epoch : POSIX seconds of simulated time 0
    """

    def __init__(self, project: Project, seed: int = 1, scenario: str | Scenario = "normal",
                 epoch: float = 0.0, production: ProductionConfig | None = None) -> None:
        stations = stations_of(project)
        if not stations:
            raise ValueError(f"project {project.name!r} has no station assets with signals")
        self.simulator = LineSimulator(stations, seed=seed, scenario=scenario, production=production)
        self.epoch = float(epoch)
        known = set(self.simulator.signal_ids())
        published = [s for s in project.signals if s.id in known]
        self.unknown_signals = [s.id for s in project.signals if s.id not in known]
        self._ids = [s.id for s in published]
        self._row = {signal_id: i for i, signal_id in enumerate(self._ids)}
        self._analog = np.array([s.kind == SignalKind.ANALOG for s in published], dtype=bool)
        self._counter = np.array([s.kind == SignalKind.COUNTER for s in published], dtype=bool)
        # What was last sent of each signal and how many ticks ago (NaN: never, so sent)
        self._value = np.full(len(published), np.nan)
        self._status = np.zeros(len(published), dtype=np.int64)
        self._age = np.zeros(len(published), dtype=np.int64)
        self._started = False

    @property
    def signal_ids(self) -> list[str]:
        """The project signals the model publishes."""
        return list(self._ids)

    @property
    def time(self) -> float:
        """POSIX seconds of the latest tick."""
        return self.epoch + self.simulator.time_s

    def start(self) -> list:
        """The items of simulated time 0: every value, before the first tick (as the
        server publishes once while building its address space)."""
        self._started = True
        at = server_time(self.epoch)
        bad = [ValueUpdate(s, math.nan, at, at, BAD_WAITING_FOR_INITIAL_DATA) for s in self.unknown_signals]
        return bad + self._publish(at)

    def tick(self) -> list:
        """Advance 0.1 s of line time; the values and events a client receives for it."""
        items = [] if self._started else self.start()
        self.simulator.step(TICK_S)
        items += self._publish(server_time(self.time))
        items += self.simulator.take_events(self.epoch)
        return items

    def run(self, seconds: float) -> Iterator[list]:
        """The items of each tick of the next ``seconds`` of line time (the items of
        time 0 come with the first tick of a feed not started yet)."""
        for _ in range(round(seconds / TICK_S)):
            yield self.tick()

    def _publish(self, at: float) -> list[ValueUpdate]:
        """Updates for what changed or is due its heartbeat, as the server's _publish
        (vectorised over the signals: this runs 36,000 times an hour of line time)."""
        values = self.simulator.values()
        raw = np.fromiter((values[s] for s in self._ids), dtype=np.float64, count=len(self._ids))
        typed = np.where(self._analog, raw, np.where(self._counter, np.clip(np.trunc(raw), 0, _UINT32_MAX),
                                                      np.rint(raw)))
        status = np.zeros(len(self._ids), dtype=np.int64)
        for signal_id, code in self.simulator.status_codes().items():  # only the non-Good ones
            row = self._row.get(signal_id)
            if row is not None:
                status[row] = code
        self._age += 1
        due = (typed != self._value) | (status != self._status) | (self._age >= HEARTBEAT_TICKS)
        rows = np.flatnonzero(due)
        self._value[rows], self._status[rows], self._age[rows] = typed[rows], status[rows], 0
        ids = self._ids
        return [ValueUpdate(ids[i], v, at, at, c)
                for i, v, c in zip(rows.tolist(), typed[rows].tolist(), status[rows].tolist())]
