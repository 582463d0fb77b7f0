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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

import numpy as np

from linetwin.twin.model import AssetLevel, Project, SignalKind
from linetwin.twin.production.events import ProductionEvent
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
        self._state = ~(self._analog | self._counter)
        self._good = np.zeros(len(published), dtype=np.int64)  # every status Good
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
    def names(self) -> list[str]:
        """Signal id of each row number a :class:`SampleBlock` of this feed holds."""
        return self._ids + self.unknown_signals

    @property
    def time(self) -> float:
        """POSIX seconds of the latest tick."""
        return self.epoch + self.simulator.time_s

    def start(self) -> list:
        """The items of simulated time 0: every value, before the first tick (as the
        server publishes once while building its address space)."""
        return self._start_block().updates(self.names)

    def tick(self) -> list:
        """Advance 0.1 s of line time; the values and events a client receives for it."""
        items = [] if self._started else self.start()
        self.simulator.step(TICK_S)
        items += self._publish(server_time(self.time)).updates(self.names)
        items += self.simulator.take_events(self.epoch)
        return items

    def run(self, seconds: float) -> Iterator[list]:
        """The items of each tick of the next ``seconds`` of line time (the items of
        time 0 come with the first tick of a feed not started yet)."""
        for _ in range(round(seconds / TICK_S)):
            yield self.tick()

    def advance(self, ticks: int) -> tuple[SampleBlock, list[ProductionEvent]]:
        """``ticks`` ticks at once: their values as one block (those of time 0 first
        if the feed was not started) and their production events, in order.

        The same values as :meth:`tick` gives, as columns: cheap to send to another
        process (:func:`send_batches`)."""
        blocks = [] if self._started else [self._start_block()]
        events: list[ProductionEvent] = []
        for _ in range(ticks):
            self.simulator.step(TICK_S)
            blocks.append(self._publish(server_time(self.time)))
            events += self.simulator.take_events(self.epoch)
        return SampleBlock.joined(blocks), events

    def _start_block(self) -> SampleBlock:
        self._started = True
        at = server_time(self.epoch)
        unknown = len(self.unknown_signals)
        bad = SampleBlock(np.arange(len(self._ids), len(self._ids) + unknown), np.full(unknown, np.nan),
                          np.full(unknown, at), np.full(unknown, BAD_WAITING_FOR_INITIAL_DATA, dtype=np.int64))
        return SampleBlock.joined([bad, self._publish(at)])

    def _publish(self, at: float) -> SampleBlock:
        """What changed or is due its heartbeat, as the server's _publish (vectorised
        over the signals: this runs 36,000 times an hour of line time)."""
        values = self.simulator.values()
        typed = np.array([values[s] for s in self._ids])
        typed[self._counter] = np.clip(np.trunc(typed[self._counter]), 0, _UINT32_MAX)
        typed[self._state] = np.rint(typed[self._state])
        codes = self.simulator.status_codes()  # only the non-Good ones: mostly none
        status = self._good
        if codes:
            status = self._good.copy()
            for signal_id, code in codes.items():
                row = self._row.get(signal_id)
                if row is not None:
                    status[row] = code
        self._age += 1
        due = (typed != self._value) | (status != self._status) | (self._age >= HEARTBEAT_TICKS)
        rows = due.nonzero()[0]
        typed, status = typed[rows], status[rows]
        self._value[rows], self._status[rows], self._age[rows] = typed, status, 0
        return SampleBlock(rows, typed, np.full(len(rows), at), status)


@dataclass(frozen=True)
class SampleBlock:
    """Value updates as columns; ``rows`` index the feed's :attr:`SimFeed.names`."""

    rows: np.ndarray
    values: np.ndarray
    times: np.ndarray  # source time = receive time
    statuses: np.ndarray

    @classmethod
    def joined(cls, blocks: Sequence[SampleBlock]) -> SampleBlock:
        return cls(*(np.concatenate([getattr(b, name) for b in blocks])
                     for name in ("rows", "values", "times", "statuses")))

    def __len__(self) -> int:
        return len(self.rows)

    def updates(self, names: Sequence[str]) -> list[ValueUpdate]:
        return [ValueUpdate(names[r], v, t, t, c) for r, v, t, c in zip(
            self.rows.tolist(), self.values.tolist(), self.times.tolist(), self.statuses.tolist())]


class Sender(Protocol):
    def send(self, obj: object) -> None: ...


def feed_batches(project: Project, batches: Sequence[int], seed: int = 1, scenario: str = "normal",
                 epoch: float = 0.0, production: ProductionConfig | None = None) -> Iterator[Any]:
    """A feed's output in batches: first :attr:`SimFeed.names`, then per entry of
    ``batches`` (ticks) ``(time of its last tick, SampleBlock, production events)``."""
    feed = SimFeed(project, seed=seed, scenario=scenario, epoch=epoch, production=production)
    yield feed.names
    for ticks in batches:
        block, events = feed.advance(ticks)
        yield server_time(feed.time), block, events


def send_batches(sink: Sender, **feed_args: Any) -> None:
    """``sink.send`` each item of :func:`feed_batches` (``feed_args``).

    The body of the simulation process ``history generate`` starts (the end of a
    multiprocessing pipe as ``sink``): the line is simulated on one core while the
    pipeline and the database work on the other.
    """
    for item in feed_batches(**feed_args):
        sink.send(item)
