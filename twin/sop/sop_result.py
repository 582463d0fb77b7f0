"""What an SOP session produced: its events, errors, per-step times and result.

:class:`TrainingResult` is the record a trainer signs and the JSON
``linetwin train`` prints (:meth:`TrainingResult.as_json`); it reads back with
:meth:`TrainingResult.from_json` so a stored record is the same object again.

Pure: the standard library only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from linetwin.twin.sop.sop_model import ErrorKind


class SopEventKind(str, Enum):
    STEP_STARTED = "step_started"
    STEP_COMPLETED = "step_completed"
    ERROR = "error"
    HINT_USED = "hint_used"
    ACTION = "action"  # an action that completed nothing and broke nothing
    FAULT_INJECTED = "fault_injected"  # the trainer's doing
    FINISHED = "finished"


@dataclass(frozen=True)
class SopError:
    """One mistake: its kind, the 1-based step number (0: the SOP as a whole)."""

    kind: ErrorKind
    step: int
    step_id: str
    message: str
    time: float

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "step": self.step, "step_id": self.step_id,
                "message": self.message, "time": self.time}


@dataclass(frozen=True)
class SopEvent:
    """Something that happened in a session, for the window's feedback and the record."""

    kind: SopEventKind
    time: float
    step_id: str = ""
    message: str = ""
    error: SopError | None = None


@dataclass(frozen=True)
class StepResult:
    step: int
    step_id: str
    title: str
    completed: bool
    started_at: float | None
    completed_at: float | None
    errors: int = 0
    hints: int = 0

    @property
    def time_s(self) -> float | None:
        if self.started_at is None or self.completed_at is None:
            return None
        return self.completed_at - self.started_at

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["time_s"] = self.time_s
        return out


@dataclass(frozen=True)
class TrainingResult:
    """The outcome of one session of one trainee on one version of one SOP."""

    sop: str
    version: str
    title: str
    trainee: str
    passed: bool
    score: float  # 0..100
    started_at: float  # POSIX seconds of the (simulated) line clock
    ended_at: float
    steps: tuple[StepResult, ...]
    errors: tuple[SopError, ...]
    hints: int = 0
    mode: str = "training"  # "training" (simulator) or "compliance"
    faults: tuple[str, ...] = ()  # faults the trainer injected
    extra: dict[str, Any] = field(default_factory=dict)  # seed, scenario, project hash ...

    @property
    def duration_s(self) -> float:
        return self.ended_at - self.started_at

    def errors_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for error in self.errors:
            counts[error.kind.value] = counts.get(error.kind.value, 0) + 1
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "sop": self.sop, "version": self.version, "title": self.title, "trainee": self.trainee,
            "passed": self.passed, "score": round(self.score, 2), "mode": self.mode,
            "started_at": self.started_at, "ended_at": self.ended_at,
            "duration_s": round(self.duration_s, 3), "hints": self.hints,
            "errors_by_kind": self.errors_by_kind(),
            "errors": [e.as_json() for e in self.errors],
            "steps": [s.as_json() for s in self.steps],
            "faults": list(self.faults), "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TrainingResult":
        """The result :meth:`as_json` wrote. Raises KeyError/ValueError on a record
        that is not one (the caller names the file)."""
        steps = tuple(StepResult(s["step"], s["step_id"], s["title"], bool(s["completed"]),
                                 s["started_at"], s["completed_at"], int(s.get("errors", 0)),
                                 int(s.get("hints", 0))) for s in data["steps"])
        errors = tuple(SopError(ErrorKind(e["kind"]), int(e["step"]), e.get("step_id", ""),
                                e["message"], float(e.get("time", 0.0))) for e in data["errors"])
        return cls(data["sop"], str(data["version"]), data.get("title", ""), data["trainee"],
                   bool(data["passed"]), float(data["score"]), float(data["started_at"]),
                   float(data["ended_at"]), steps, errors, int(data.get("hints", 0)),
                   data.get("mode", "training"), tuple(data.get("faults", ())),
                   dict(data.get("extra", {})))
