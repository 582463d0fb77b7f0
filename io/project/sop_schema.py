"""Schema of an SOP file (one standard operating procedure per ``*.toml``).

Shape only, as :mod:`linetwin.io.project.project_schema` does for the project:
types, allowed words, unknown keys. What each action kind needs, and every
reference into the project (targets, signals, stations), is checked by
:mod:`linetwin.io.project.sop_consistency`, which can point at the exact key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr, field_validator

from linetwin.io.project.project_schema import (
    FiniteFloat,
    Identifier,
    NonNegativeFloat,
    PositiveFloat,
    _number,
    _Section,
)
from linetwin.twin.sop.sop_model import ActionKind, Control, ErrorKind

ACTIONS = tuple(kind.value for kind in ActionKind)
CONTROLS = tuple(control.value for control in Control)
ERROR_KINDS = tuple(kind.value for kind in ErrorKind)


def _iso_date(value: Any) -> str:
    """A TOML date (``2026-10-14``) or the same as text; kept as ISO text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2026-10-14, got {value!r}")


def _pair(value: Any) -> Any:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"expected 2 numbers [low, high], got {value!r}")
    return value


def _ordered(value: tuple[float, float]) -> tuple[float, float]:
    if value[0] > value[1]:
        raise ValueError(f"low ({value[0]:g}) must not be above high ({value[1]:g})")
    return value


def _percent(value: float) -> float:
    if not 0.0 <= value <= 100.0:
        raise ValueError(f"must be between 0 and 100, got {value:g}")
    return value


IsoDate = Annotated[str, BeforeValidator(_iso_date)]
Range = Annotated[tuple[FiniteFloat, FiniteFloat], BeforeValidator(_pair), AfterValidator(_ordered)]
Percent = Annotated[float, BeforeValidator(_number), AfterValidator(_percent)]
Text = Annotated[StrictStr, Field(min_length=1)]


class SopSection(_Section):
    id: Identifier
    title: Text
    version: Text
    author: Text
    approver: Text
    approved: IsoDate
    station: Identifier | None = None  # None: the first step's station
    time_limit_s: PositiveFloat | None = None
    certification_days: Annotated[StrictInt, Field(gt=0)] = 365
    run_gap_s: PositiveFloat = 900.0  # compliance mode: steps further apart are separate runs


class RevisionEntry(_Section):
    version: Text
    date: IsoDate
    author: Text
    note: StrictStr = ""


class ScoringEntry(_Section):
    pass_score: Percent = 80.0
    hint_penalty: NonNegativeFloat = 5.0
    fail_on: list[Literal[ERROR_KINDS]] = ["hazard", "incomplete"]  # type: ignore[valid-type]
    penalties: dict[Literal[ERROR_KINDS], NonNegativeFloat] = {}  # type: ignore[valid-type]


class HazardEntry(_Section):
    id: Identifier
    station: Identifier
    steps: Annotated[list[Identifier], Field(min_length=1)]
    text: StrictStr = ""


class StepEntry(_Section):
    """A ``[[steps]]`` table. Which of the optional keys a step needs depends on
    its ``action`` (checked with the project, so the message can name the key)."""

    id: Identifier
    title: Text
    action: Literal[ACTIONS]  # type: ignore[valid-type]
    target: Identifier  # asset or component id of the project
    instruction: StrictStr = ""  # markdown
    image: Identifier | None = None  # relative to the SOP file
    hint: StrictStr = ""
    after: list[Identifier] = []
    time_limit_s: PositiveFloat | None = None
    reported_as: Identifier | None = None  # the line's name for this step (compliance)
    signal: Identifier | None = None  # set, verify, enter
    range: Range | None = None  # set: accepted values; verify: the condition's window
    value: FiniteFloat | None = None  # set: the reference value
    duration_s: PositiveFloat | None = None  # verify
    tolerance: NonNegativeFloat | None = None  # enter
    control: Literal[CONTROLS] | None = None  # type: ignore[valid-type]
    question: Text | None = None  # quiz
    choices: list[Text] | None = None
    answer: Text | None = None

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            if len(value) < 2:
                raise ValueError("a quiz needs at least 2 choices")
            twice = sorted({c for c in value if value.count(c) > 1})
            if twice:
                raise ValueError(f"choice {', '.join(map(repr, twice))} listed twice")
        return value


class SopDocument(_Section):
    """The whole SOP file."""

    sop: SopSection
    revisions: list[RevisionEntry] = []
    scoring: ScoringEntry = ScoringEntry()
    hazards: list[HazardEntry] = []
    steps: Annotated[list[StepEntry], Field(min_length=1)]


# Keys of a step only some action kinds use: kind -> keys it requires, and the keys it may have.
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "acknowledge": (),
    "pick": (),
    "set": ("signal", "range"),
    "verify": ("signal", "range", "duration_s"),
    "enter": ("signal", "tolerance"),
    "control": ("control",),
    "quiz": ("question", "choices", "answer"),
}
OPTIONAL_KEYS: dict[str, tuple[str, ...]] = {"set": ("value",)}
ACTION_KEYS = ("signal", "range", "value", "duration_s", "tolerance", "control",
               "question", "choices", "answer")
