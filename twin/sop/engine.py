"""The SOP step engine: a trainee's actions judged against the SOP and the twin.

:class:`SopEngine` is a state machine over one run of one SOP. The trainee
acts on the line freely (the window's 3D picks, controls and fields, or a
script); each action is matched to the step it does:

- it completes its step, unless a check fails: a set value outside the step's
  range, an entered value off the twin's reading, a wrong quiz answer;
- a step done before a step it must follow is an out-of-order error, a
  hazardous step without lockout a hazard error; the step still counts as done
  (it happened on the line), the error stays in the record;
- an action that matches no step is harmless, except where the current step
  asked for that kind of action on another part (wrong component);
- a ``verify`` step watches its condition on the twin state after every
  pipeline step (:meth:`SopEngine.observe`) and completes once it held for
  its duration; time limits are checked there too.

Time is always the caller's ``now`` (the pipeline's clock: simulated time in
training, source time in compliance), never the wall clock, so a session is
deterministic and faster than real time when the simulator is.

Pure: numpy (twin state) and the standard library only.
"""

from __future__ import annotations

import math

from linetwin.twin.model import Project
from linetwin.twin.sop.constraints import hazard_problems, left_locked, order_problem, reading, station_of
from linetwin.twin.sop.sop_model import ActionKind, Control, ErrorKind, Sop, SopStep
from linetwin.twin.sop.sop_result import SopError, SopEvent, SopEventKind, StepResult, TrainingResult
from linetwin.twin.sop.trainee_actions import TraineeAction
from linetwin.twin.state import TwinState

STARTED, COMPLETED, ERROR = SopEventKind.STEP_STARTED, SopEventKind.STEP_COMPLETED, SopEventKind.ERROR


class SopEngine:
    """One run of ``sop`` by ``trainee``, from ``start`` (clock seconds)."""

    def __init__(self, sop: Sop, project: Project, trainee: str, start: float) -> None:
        self.sop, self.project, self.trainee = sop, project, trainee
        self.start = float(start)
        self.done: dict[str, float] = {}  # step id -> completed at
        self.started: dict[str, float] = {}  # step id -> became current at
        self.locked: set[str] = set()  # stations this run locked out
        self.errors: list[SopError] = []
        self.hints: dict[str, int] = {}
        self.watching: dict[str, float] = {}  # verify step id -> condition holds since (NaN: not)
        self._timed_out: set[str] = set()
        self.finished_at: float | None = None
        self.faults: list[str] = []

    # -- where the run stands --------------------------------------------------------

    @property
    def current(self) -> SopStep | None:
        """The first step not done, in SOP order: what the instruction panel shows."""
        return next((s for s in self.sop.steps if s.id not in self.done), None)

    @property
    def complete(self) -> bool:
        return len(self.done) == len(self.sop.steps)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def begin(self) -> list[SopEvent]:
        """The first step starts (its timer runs from :attr:`start`)."""
        return self._announce_current(self.start)

    # -- the trainee's actions ---------------------------------------------------------

    def act(self, action: TraineeAction, state: TwinState, now: float,
            refused: str = "") -> list[SopEvent]:
        """Judge one action done at ``now``; ``refused``: the line refused it (why)."""
        if self.finished:
            return []
        if refused:
            return self._refused(action, now, refused)
        if action.kind == "control" and action.control is not None:
            self._track_lockout(action)
        handler = getattr(self, f"_on_{action.kind}", None)
        if handler is None:  # wait: time passes, nothing is judged
            return []
        return handler(action, state, now)

    def _refused(self, action: TraineeAction, now: float, refused: str) -> list[SopEvent]:
        """The line refused the action (a start under lockout): nothing is done, but
        trying a step before the steps it must follow is still the trainee's mistake."""
        message = f"{action.describe()}: refused, {refused}"
        step = None
        if action.kind == "control":
            station = station_of(self.project, action.target)
            step = self._pending(ActionKind.CONTROL, lambda s: s.control is action.control
                                 and (s.target == action.target or s.station == station))
        problem = order_problem(self.sop, step, self.done) if step is not None else None
        if problem is None:
            return [SopEvent(SopEventKind.ACTION, now, message=message)]
        return self._error(step, now, problem[0], f"{problem[1]} ({message})")

    def _on_hint(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._named_or_current(action)
        if step is None:
            return []
        self.hints[step.id] = self.hints.get(step.id, 0) + 1
        return [SopEvent(SopEventKind.HINT_USED, now, step.id, step.hint or "No hint for this step.")]

    def _on_acknowledge(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._named_or_current(action)
        if step is None or step.action is not ActionKind.ACKNOWLEDGE:
            return self._nothing(now, "nothing to acknowledge now")
        return self._complete(step, now)

    def _on_pick(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._pending(ActionKind.PICK, lambda s: s.target == action.target)
        if step is not None:
            return self._complete(step, now)
        return self._wrong_part(ActionKind.PICK, now, f"picked {action.target}")

    def _on_control(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        station = station_of(self.project, action.target)
        step = self._pending(ActionKind.CONTROL, lambda s: s.control is action.control
                             and (s.target == action.target or s.station == station))
        if step is not None:
            return self._complete(step, now)
        return self._wrong_part(ActionKind.CONTROL, now, f"{action.control.value} on {station}",
                                lambda s: s.control is action.control)

    def _on_set(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._pending(ActionKind.SET, lambda s: s.signal == action.signal)
        if step is None:
            return self._wrong_part(ActionKind.SET, now, f"set {action.signal}")
        if action.value is None or not step.in_range(action.value):
            shown = "nothing" if action.value is None else f"{action.value:g}"
            return self._error(step, now, ErrorKind.OUT_OF_RANGE,
                               f"{action.signal} set to {shown}; the step accepts {step.range_text()}")
        return self._complete(step, now)

    def _on_enter(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._pending(ActionKind.ENTER, lambda s: s.signal == action.signal)
        if step is None:
            return self._wrong_part(ActionKind.ENTER, now, f"entered {action.signal}")
        twin = reading(state, action.signal)
        entered = twin if action.value is None else action.value
        if math.isnan(twin):
            return self._error(step, now, ErrorKind.WRONG_VALUE,
                               f"the twin has no good, fresh reading of {action.signal} to check against")
        if abs(entered - twin) > step.tolerance:
            return self._error(step, now, ErrorKind.WRONG_VALUE,
                               f"{action.signal} entered as {entered:g}; the line reads {twin:.4g} "
                               f"(tolerance {step.tolerance:g})")
        return self._complete(step, now)

    def _on_answer(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._named_or_current(action)
        if step is None or step.action is not ActionKind.QUIZ:
            return self._nothing(now, "no question to answer now")
        if action.choice != step.answer:
            return self._error(step, now, ErrorKind.WRONG_ANSWER, f"{action.choice!r} is not right")
        return self._complete(step, now)

    def _on_verify(self, action: TraineeAction, state: TwinState, now: float) -> list[SopEvent]:
        step = self._named_or_current(action)
        if step is None or step.action is not ActionKind.VERIFY:
            return self._nothing(now, "nothing to verify now")
        self.watching.setdefault(step.id, math.nan)
        return self.observe(state, now) or [SopEvent(
            SopEventKind.ACTION, now, step.id,
            f"watching {step.signal} for {step.range_text()} during {step.duration_s:g} s")]

    # -- time passing ------------------------------------------------------------------

    def observe(self, state: TwinState, now: float) -> list[SopEvent]:
        """After each pipeline step: watched conditions, step and SOP time limits."""
        if self.finished:
            return []
        events: list[SopEvent] = []
        for step_id in list(self.watching):
            events += self._watch(self.sop.step(step_id), state, now)
        current = self.current
        if current is not None and current.time_limit_s is not None and current.id not in self._timed_out:
            if now - self.started.get(current.id, now) > current.time_limit_s:
                self._timed_out.add(current.id)
                events += self._error(current, now, ErrorKind.TIMEOUT,
                                      f"{current.title} not done within {current.time_limit_s:g} s")
        limit = self.sop.time_limit_s
        if limit is not None and now - self.start > limit:
            events += self._error(None, now, ErrorKind.TIMEOUT, f"the SOP took over {limit:g} s")
            events += self.finish(now)[1]
        return events

    def _watch(self, step: SopStep, state: TwinState, now: float) -> list[SopEvent]:
        value = reading(state, step.signal or "")
        if math.isnan(value) or not step.in_range(value):
            self.watching[step.id] = math.nan  # broken: the duration starts again
            return []
        since = self.watching[step.id]
        if math.isnan(since):
            self.watching[step.id] = since = now
        if now - since + 1e-9 < step.duration_s:
            return []
        del self.watching[step.id]
        return self._complete(step, now)

    # -- the end -----------------------------------------------------------------------

    def finish(self, now: float) -> tuple[TrainingResult, list[SopEvent]]:
        """End the run at ``now``: steps not done and lockouts left on are errors."""
        events: list[SopEvent] = []
        if not self.finished:
            for kind, message in left_locked(self.sop, self.locked):
                events += self._error(None, now, kind, message)
            for step in self.sop.steps:
                if step.id not in self.done:
                    events += self._error(step, now, ErrorKind.INCOMPLETE, f"{step.title} was not done")
            self.finished_at = now
            events.append(SopEvent(SopEventKind.FINISHED, now))
        return self.result(), events

    def score(self) -> float:
        rubric = self.sop.scoring
        lost = sum(rubric.penalty(e.kind) for e in self.errors)
        lost += rubric.hint_penalty * sum(self.hints.values())
        return max(0.0, 100.0 - lost)

    def result(self) -> TrainingResult:
        score = self.score()
        fails = any(e.kind in self.sop.scoring.fail_on for e in self.errors)
        passed = self.complete and not fails and score >= self.sop.scoring.pass_score
        end = self.finished_at if self.finished_at is not None else max([self.start, *self.done.values()])
        steps = tuple(StepResult(
            i + 1, s.id, s.title, s.id in self.done, self.started.get(s.id, self.done.get(s.id)),
            self.done.get(s.id), sum(1 for e in self.errors if e.step_id == s.id), self.hints.get(s.id, 0))
            for i, s in enumerate(self.sop.steps))
        return TrainingResult(self.sop.id, self.sop.version, self.sop.title, self.trainee, passed, score,
                              self.start, end, steps, tuple(self.errors), sum(self.hints.values()),
                              faults=tuple(self.faults))

    # -- helpers -----------------------------------------------------------------------

    def _pending(self, kind: ActionKind, fits) -> SopStep | None:
        """The first step not done of ``kind`` that ``fits`` the action."""
        return next((s for s in self.sop.steps if s.id not in self.done and s.action is kind and fits(s)), None)

    def _named_or_current(self, action: TraineeAction) -> SopStep | None:
        if action.step:
            try:
                step = self.sop.step(action.step)
            except KeyError:
                return None
            return None if step.id in self.done else step
        return self.current

    def _track_lockout(self, action: TraineeAction) -> None:
        station = station_of(self.project, action.target)
        if action.control is Control.LOCKOUT:
            self.locked.add(station)
        elif action.control is Control.RELEASE:
            self.locked.discard(station)

    def _complete(self, step: SopStep, now: float) -> list[SopEvent]:
        events: list[SopEvent] = []
        problem = order_problem(self.sop, step, self.done)
        for kind, message in ([problem] if problem else []) + hazard_problems(self.sop, step, self.locked):
            events += self._error(step, now, kind, message)
        self.done[step.id] = now
        self.started.setdefault(step.id, now)
        self.watching.pop(step.id, None)
        events.append(SopEvent(COMPLETED, now, step.id, f"step {self.sop.number(step.id)} done: {step.title}"))
        return events + self._announce_current(now)

    def _announce_current(self, now: float) -> list[SopEvent]:
        step = self.current
        if step is None or step.id in self.started:
            return []
        self.started[step.id] = now
        return [SopEvent(STARTED, now, step.id, f"step {self.sop.number(step.id)}: {step.title}")]

    def _error(self, step: SopStep | None, now: float, kind: ErrorKind, message: str) -> list[SopEvent]:
        number = self.sop.number(step.id) if step is not None else 0
        error = SopError(kind, number, step.id if step is not None else "", message, now)
        self.errors.append(error)
        return [SopEvent(ERROR, now, error.step_id, message, error)]

    def _wrong_part(self, kind: ActionKind, now: float, what: str, same=lambda step: True) -> list[SopEvent]:
        """An action on the wrong part: a mistake when a step not done asks for this kind
        of action (the current step if it does, else the first such step), else merely
        not what the SOP asks."""
        current = self.current
        if current is not None and current.action is kind and same(current):
            step = current
        else:
            step = self._pending(kind, same)
        if step is None:
            return self._nothing(now, f"{what} (no step asks for it now)")
        wanted = step.signal if kind in (ActionKind.SET, ActionKind.ENTER) else step.target
        return self._error(step, now, ErrorKind.WRONG_COMPONENT,
                           f"{what}; step {self.sop.number(step.id)} ({step.title}) needs {wanted}")

    @staticmethod
    def _nothing(now: float, message: str) -> list[SopEvent]:
        return [SopEvent(SopEventKind.ACTION, now, message=message)]
