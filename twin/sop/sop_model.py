"""Standard operating procedures (SOPs) as the twin reads them (issue 9).

An SOP is a list of steps on the line, each aimed at an asset or component
(the camera flies there in training) and completed by one kind of action:

- ``acknowledge``: the trainee confirms having read the step;
- ``pick``: pick the right component in 3D (``target``);
- ``set``: set ``signal`` to a value inside ``low``..``high`` (written to the simulator);
- ``control``: operate a virtual control (``control``: start, stop, reset,
  lockout, release) of the station of ``target``;
- ``verify``: the twin condition ``low <= signal <= high`` holds for ``duration_s``;
- ``enter``: a measured value of ``signal``, within ``tolerance`` of the twin's;
- ``quiz``: a question; ``answer`` is the text of the right choice.

Constraints: ``after`` (this step only once those are done: verify before
engage), hazards (their steps only under lockout of the hazard's station, the
lockout released again before the SOP ends), time limits per step and for the
SOP. The scoring rubric (penalty per error kind, the pass score, error kinds
that fail outright) comes from the SOP file.

In compliance mode a step the line reports (a ``ComplianceEvent`` whose
``step`` is the SOP step's ``reported_as``) is checked against the same
constraints.

Pure: the standard library only. Files are read by ``io/project/sop_file.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class ActionKind(str, Enum):
    ACKNOWLEDGE = "acknowledge"
    PICK = "pick"
    SET = "set"
    CONTROL = "control"
    VERIFY = "verify"
    ENTER = "enter"
    QUIZ = "quiz"


class Control(str, Enum):
    """The virtual controls of a station (what the simulator obeys)."""

    START = "start"  # run again (refused under lockout)
    STOP = "stop"  # operator stop: the station holds, idle
    RESET = "reset"  # clear a fault or jam
    LOCKOUT = "lockout"  # energy isolated and locked: maintenance, cannot start
    RELEASE = "release"  # lockout removed; the station stays stopped until started


class ErrorKind(str, Enum):
    """What a trainee (or the line, in compliance mode) can get wrong."""

    OUT_OF_ORDER = "out_of_order"  # a step before one it must follow
    WRONG_COMPONENT = "wrong_component"  # picked or operated the wrong part
    OUT_OF_RANGE = "out_of_range"  # a set value outside the step's range
    HAZARD = "hazard"  # a hazardous step without lockout, or lockout never released
    TIMEOUT = "timeout"  # a step or the SOP over its time limit
    WRONG_VALUE = "wrong_value"  # an entered measurement that does not match the twin
    WRONG_ANSWER = "wrong_answer"  # a quiz answered wrongly
    CONDITION = "condition"  # a verified condition that did not hold (compliance mode)
    INCOMPLETE = "incomplete"  # the session ended with steps not done


DEFAULT_PENALTIES: dict[ErrorKind, float] = {
    ErrorKind.OUT_OF_ORDER: 25.0,
    ErrorKind.WRONG_COMPONENT: 10.0,
    ErrorKind.OUT_OF_RANGE: 10.0,
    ErrorKind.HAZARD: 40.0,
    ErrorKind.TIMEOUT: 10.0,
    ErrorKind.WRONG_VALUE: 10.0,
    ErrorKind.WRONG_ANSWER: 10.0,
    ErrorKind.CONDITION: 25.0,
    ErrorKind.INCOMPLETE: 100.0,
}


@dataclass(frozen=True)
class Scoring:
    """How a session is scored: 100 minus the penalties (never below 0); passed at
    ``pass_score`` or more, with every step done and no error of a ``fail_on`` kind."""

    pass_score: float = 80.0
    penalties: dict[ErrorKind, float] = field(default_factory=lambda: dict(DEFAULT_PENALTIES))
    hint_penalty: float = 5.0
    fail_on: tuple[ErrorKind, ...] = (ErrorKind.HAZARD, ErrorKind.INCOMPLETE)

    def penalty(self, kind: ErrorKind) -> float:
        return self.penalties.get(kind, DEFAULT_PENALTIES[kind])


@dataclass(frozen=True)
class Hazard:
    """Energy that must be isolated: ``steps`` only under lockout of ``station``,
    and the lockout released again before the SOP ends."""

    id: str
    station: str
    steps: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class Revision:
    version: str
    date: str  # ISO date
    author: str
    note: str = ""


@dataclass(frozen=True)
class SopStep:
    """One step. Fields not used by the step's ``action`` stay at their defaults.

    ``station``: the station (asset level) ``target`` belongs to, resolved by the
    loader from the project's hierarchy; controls and lockouts act on it.
    ``value``: what the expert sets (reference run of a ``set`` step).
    """

    id: str
    title: str
    action: ActionKind
    target: str
    station: str
    instruction: str = ""  # markdown
    image: Path | None = None  # absolute, resolved against the SOP file
    hint: str = ""
    after: tuple[str, ...] = ()
    time_limit_s: float | None = None
    signal: str | None = None  # set, verify, enter
    low: float | None = None  # set: accepted range; verify: the condition's window
    high: float | None = None
    value: float | None = None  # set: the reference value
    duration_s: float = 0.0  # verify
    tolerance: float = 0.0  # enter
    control: Control | None = None  # control
    question: str = ""  # quiz
    choices: tuple[str, ...] = ()
    answer: str = ""
    reported_as: str | None = None  # compliance: the line's name for this step
    line: int = 0  # line of the step in its SOP file (0: unknown)

    def in_range(self, value: float) -> bool:
        """``low <= value <= high`` (an open side accepts anything)."""
        return ((self.low is None or value >= self.low)
                and (self.high is None or value <= self.high))

    def range_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} .. {self.high:g}"
        if self.low is not None:
            return f">= {self.low:g}"
        return f"<= {self.high:g}" if self.high is not None else "any value"


@dataclass(frozen=True)
class Sop:
    """One SOP file, validated and resolved against its project."""

    id: str
    title: str
    version: str
    author: str
    approver: str
    approved: str  # ISO date of approval
    steps: tuple[SopStep, ...]
    station: str = ""  # the station the SOP is about (the first step's by default)
    revisions: tuple[Revision, ...] = ()
    hazards: tuple[Hazard, ...] = ()
    scoring: Scoring = field(default_factory=Scoring)
    time_limit_s: float | None = None
    certification_days: int = 365  # a passed, signed record certifies for this long
    # Compliance mode: reported steps further apart than this belong to separate runs
    # (the line's events carry no run id; a step seen again also starts a new run).
    run_gap_s: float = 900.0
    path: Path | None = None

    def step(self, step_id: str) -> SopStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"SOP {self.id} has no step {step_id!r}")

    def number(self, step_id: str) -> int:
        """1-based position of a step (what error messages and results call it)."""
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i + 1
        raise KeyError(f"SOP {self.id} has no step {step_id!r}")

    def hazards_of(self, step_id: str) -> list[Hazard]:
        return [h for h in self.hazards if step_id in h.steps]

    def reported(self, line_step: str) -> SopStep | None:
        """The step the line reports as ``line_step`` (compliance mode)."""
        for step in self.steps:
            if step.reported_as == line_step:
                return step
        return None
