"""A training session: the simulated line, the one pipeline and the SOP engine.

:class:`TrainingRun` feeds the simulator's items (:class:`SimFeed`, no server
and no wall clock) through :class:`TwinPipeline` exactly as a live client's
would go, so the twin a trainee works on is the twin an operator watches.
What the trainee does acts on the simulator first (a control, a setpoint) and
is then judged by :class:`SopEngine` against the twin state.

The window advances it by its timer (real time, or faster); ``linetwin train
--script`` runs it as fast as the simulator goes (:meth:`TrainingRun.run_script`).

Pure: numpy and the standard library only.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from linetwin.twin.clock import ReplayClock
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TickResult, TwinPipeline
from linetwin.twin.sim.production import ProductionConfig
from linetwin.twin.sim.sim_feed import SimFeed
from linetwin.twin.sim.simulation import TICK_S
from linetwin.twin.sop.constraints import station_of
from linetwin.twin.sop.engine import SopEngine
from linetwin.twin.sop.sop_model import Sop
from linetwin.twin.sop.sop_result import SopEvent, SopEventKind, TrainingResult
from linetwin.twin.sop.trainee_actions import TraineeAction

WARMUP_S = 30.0  # the line runs this long before the first step: stations up, values live
ACTION_S = 2.0  # a scripted action takes this long (the line reacts meanwhile)
MAX_WATCH_S = 600.0  # a scripted verify watches at most this long without a time limit
FAULTS = ("jam", "heater-degradation", "sensor-freeze")


@dataclass
class Advance:
    """What :meth:`TrainingRun.advance` did: the pipeline's results and the engine's events."""

    ticks: list[TickResult] = field(default_factory=list)
    events: list[SopEvent] = field(default_factory=list)


class TrainingRun:
    """One trainee on one SOP on the simulated line; the first step starts at ``epoch``
    (POSIX seconds), after ``warmup_s`` of line time that brings the stations up.

    The simulator's own operators do their procedures without violations here
    (``violation_rate`` 0): in training, the only mistakes are the trainee's.
    """

    def __init__(self, project: Project, sop: Sop, trainee: str, seed: int = 1,
                 scenario: str = "normal", epoch: float = 0.0, warmup_s: float = WARMUP_S) -> None:
        self.project, self.sop = project, sop
        self.feed = SimFeed(project, seed=seed, scenario=scenario, epoch=epoch - warmup_s,
                            production=ProductionConfig(violation_rate=0.0))
        self.clock = ReplayClock(epoch - warmup_s)
        self.pipeline = TwinPipeline(project, self.clock)
        self.settings = {"seed": seed, "scenario": scenario}
        self._faults: list[tuple[float, int, str]] = []  # (due time, order, name)
        self.log: list[SopEvent] = []
        self.engine: SopEngine | None = None  # none during the warm-up: nothing is judged yet
        self.advance(warmup_s)
        self.engine = SopEngine(sop, project, trainee, start=self.now)
        self.log += self.engine.begin()

    @property
    def now(self) -> float:
        return self.feed.time

    @property
    def simulator(self):
        return self.feed.simulator

    @property
    def finished(self) -> bool:
        return self.engine is not None and self.engine.finished

    # -- time --------------------------------------------------------------------------

    def advance(self, seconds: float) -> Advance:
        """Run the line ``seconds`` of simulated time (whole ticks of 0.1 s)."""
        out = Advance()
        for _ in range(max(0, round(seconds / TICK_S))):
            self._inject_due()
            items = self.feed.tick()
            self.clock.set(self.feed.time)
            out.ticks.append(self.pipeline.step(items, self.now))
            if self.engine is not None:
                out.events += self.engine.observe(self.pipeline.state, self.now)
                if self.engine.finished:
                    break
        self.log += out.events
        return out

    # -- the trainee and the trainer ---------------------------------------------------

    def act(self, action: TraineeAction) -> list[SopEvent]:
        """Do ``action`` on the simulated line, then judge it."""
        refused = self._apply(action)
        events = self.engine.act(action, self.pipeline.state, self.now, refused)
        self.log += events
        return events

    def _apply(self, action: TraineeAction) -> str:
        """Act on the simulator; the reason it refused, or ''."""
        sim = self.simulator
        if action.kind == "control" and action.control is not None:
            station = station_of(self.project, action.target)
            if station not in sim.stations:
                return f"{action.target} has no controls"
            return sim.operate(station, action.control.value)
        if action.kind == "set":
            if action.signal not in sim.process_signal_ids():
                return f"{action.signal} is not a setpoint of this line"
            sim.set_setpoint(action.signal, float(action.value))
        return ""

    def inject_fault(self, name: str, at_s: float | None = None) -> SopEvent | None:
        """The trainer's fault (:data:`FAULTS`): now, or ``at_s`` seconds into the session."""
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}: choose one of {', '.join(FAULTS)}")
        if at_s is not None and self.engine.start + at_s > self.now:
            heapq.heappush(self._faults, (self.engine.start + at_s, len(self._faults), name))
            return None
        text = self.simulator.inject(name)
        self.engine.faults.append(name)
        event = SopEvent(SopEventKind.FAULT_INJECTED, self.now, message=f"trainer injected: {text}")
        self.log.append(event)
        return event

    def _inject_due(self) -> None:
        while self._faults and self._faults[0][0] <= self.now + 1e-9:
            self.inject_fault(heapq.heappop(self._faults)[2])

    def finish(self) -> TrainingResult:
        result, events = self.engine.finish(self.now)
        self.log += events
        extra = dict(self.settings, simulated_s=round(self.now - self.engine.start, 1))
        return _with_extra(result, extra)

    # -- headless ----------------------------------------------------------------------

    def run_script(self, actions: Iterable[TraineeAction]) -> TrainingResult:
        """Do ``actions`` one after another as fast as the simulator runs.

        Each action comes :data:`ACTION_S` of line time after the one before; a ``verify`` watches
        until its step is done, times out, or the SOP ends; ``wait`` lets time pass.
        """
        for action in actions:
            if self.finished:
                break
            if action.kind == "wait":
                self.advance(action.seconds)
                continue
            self.advance(ACTION_S)  # reading, walking over, reaching: no action is instant
            if self.finished:
                break
            self.act(action)
            if action.kind == "verify":
                self._watch_until_done(action)
        return self.finish()

    def _watch_until_done(self, action: TraineeAction) -> None:
        step = self.sop.step(action.step) if action.step else self.engine.current
        if step is None:
            return
        limit = step.time_limit_s if step.time_limit_s is not None else MAX_WATCH_S
        deadline = self.engine.started.get(step.id, self.now) + limit + TICK_S
        while step.id in self.engine.watching and not self.finished and self.now < deadline:
            self.advance(1.0)
        self.engine.watching.pop(step.id, None)  # the trainee gives up watching


def _with_extra(result: TrainingResult, extra: dict) -> TrainingResult:
    return replace(result, extra={**result.extra, **extra})
