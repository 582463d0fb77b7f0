"""Compliance mode: the operator steps the real line reports, held to the SOPs.

The line reports each operator step as a :class:`ComplianceEvent` (an OPC UA
event, or a history row in replay). :class:`ComplianceChecker` follows each
run of each SOP per station and judges every reported step with the rules the
training engine uses (:mod:`linetwin.twin.sop.constraints`):

- order: a step before a step it must follow (a skipped verification included);
- hazards: a step of a hazard without that run's lockout;
- conditions: a ``verify`` step while the twin shows its condition did not hold
  over the step's duration (judged on the pipeline's trend history; no data,
  no verdict). Only where the step's station is the reporting station: an SOP
  run on another station (one lockout SOP for every machine) is held to its
  order and hazards, not to the signals of the station the SOP was written on.

Only steps the SOP marks ``reported_as`` are followed; a prerequisite the line
never reports cannot be judged and counts as done. A run starts with a step of
the SOP on a station and ends when every reported step was seen; a step seen
again, or one more than the SOP's ``run_gap_s`` after the run's latest step,
starts the next run (the line's events carry no run id). Each violation comes back as a judged
:class:`ComplianceEvent` (``ok`` False, ``reason`` in words) and is raised as
an alert on the station (:func:`raise_violation`), so the live window, the
recorder and a replay all show it, through the one pipeline.

Pure: numpy and the standard library only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from linetwin.twin.alerts.alerts import AlertBook, AlertChange, Severity
from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.production.events import ComplianceEvent
from linetwin.twin.sop.constraints import hazard_problems, order_problem
from linetwin.twin.sop.sop_model import ActionKind, Control, ErrorKind, Sop, SopStep

RULE = "sop-compliance"


@dataclass
class _Run:
    last: float  # time of its latest step
    done: set[str] = field(default_factory=set)
    locked: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Violation:
    """One reported step that broke its SOP: the judged event and the error kind."""

    event: ComplianceEvent
    kind: ErrorKind
    sop: Sop
    step: SopStep


class ComplianceChecker:
    """Runs of the project's SOPs per station, judged step by step."""

    def __init__(self, sops: Sequence[Sop]) -> None:
        self.sops = {s.id: s for s in sops}
        self._runs: dict[tuple[str, str], _Run] = {}
        self.checked = 0  # reported steps judged
        self.unknown = 0  # reported steps of no known SOP or step

    def reset(self) -> None:
        self._runs.clear()

    def check(self, events: Iterable[object], history: SignalHistory | None = None) -> list[Violation]:
        """Judge the compliance events among ``events`` (other items are skipped)."""
        out: list[Violation] = []
        for event in events:
            if isinstance(event, ComplianceEvent):
                out += self._judge(event, history)
        return out

    def _judge(self, event: ComplianceEvent, history: SignalHistory | None) -> list[Violation]:
        sop = self.sops.get(event.sop_id)
        step = sop.reported(event.step) if sop is not None else None
        if step is None:
            self.unknown += 1
            return []
        self.checked += 1
        run = self._run_for(event, sop, step)
        unreported = {s.id for s in sop.steps if s.reported_as is None}
        problems = [p for p in [order_problem(sop, step, run.done | unreported)] if p]
        elsewhere = event.station if sop.station and event.station != sop.station else None
        problems += hazard_problems(sop, step, run.locked, elsewhere)
        if step.action is ActionKind.VERIFY and history is not None and step.station == event.station:
            problems += _condition_problem(step, event.time, history)
        run.done.add(step.id)
        if step.action is ActionKind.CONTROL and step.control is Control.LOCKOUT:
            run.locked |= {h.station for h in sop.hazards} | {event.station}  # its own or this one
        elif step.action is ActionKind.CONTROL and step.control is Control.RELEASE:
            run.locked.clear()
        return [Violation(dataclasses.replace(event, ok=False, reason=_reason(message, event)), kind, sop, step)
                for kind, message in problems]

    def _run_for(self, event: ComplianceEvent, sop: Sop, step: SopStep) -> _Run:
        key = (event.station, sop.id)
        run = self._runs.get(key)
        reported = {s.id for s in sop.steps if s.reported_as is not None}
        if run is None or step.id in run.done or reported <= run.done or event.time - run.last > sop.run_gap_s:
            run = self._runs[key] = _Run(event.time)
        run.last = event.time
        return run


def _condition_problem(step: SopStep, at: float, history: SignalHistory) -> list[tuple[ErrorKind, str]]:
    """The verify step's condition over ``[at - duration, at]`` on the trend history."""
    signal = step.signal or ""
    if signal not in history.index:
        return []
    times, values = history.window(signal, since=at - max(step.duration_s, 0.0) - 1e-6)
    values = values[times <= at + 1e-6]
    values = values[~_nan(values)]
    if not len(values):
        return []  # nothing seen (just after a seek or a gap): no verdict
    bad = [v for v in values.tolist() if not step.in_range(v)]
    if not bad:
        return []
    worst = max(bad, key=lambda v: abs(v - _centre(step)))
    return [(ErrorKind.CONDITION, f"{step.title} while {signal} read {worst:.4g}, outside "
             f"{step.range_text()}")]


def _nan(values):
    return values != values


def _centre(step: SopStep) -> float:
    if step.low is not None and step.high is not None:
        return (step.low + step.high) / 2.0
    return step.low if step.low is not None else (step.high or 0.0)


def _reason(message: str, event: ComplianceEvent) -> str:
    """'<what broke>, <station>, <HH:MM:SS UTC>' as an operator reads it."""
    clock = datetime.fromtimestamp(event.time, timezone.utc).strftime("%H:%M:%S") if math.isfinite(
        event.time) else "?"
    who = f" by {event.operator}" if event.operator else ""
    return f"{message}{who}, {event.station}, {clock} UTC"


def raise_violation(book: AlertBook, violation: Violation) -> list[AlertChange]:
    """The violation as an alert on its station: raised and at once cleared (it is an
    event, not a lasting condition), so it stays listed until someone acknowledges it.
    Each violation is an alert of its own (its time is in the key): every one names
    who and when in the record, none is folded into an earlier one."""
    event, sop, step = violation.event, violation.sop, violation.step
    key = f"{RULE}:{sop.id}:{event.station}:{step.id}:{violation.kind.value}@{event.time:.3f}"
    severity = Severity.ALARM if violation.kind in (ErrorKind.HAZARD, ErrorKind.OUT_OF_ORDER) else Severity.WARNING
    raised = book.raise_or_update(
        key, asset_id=event.station, signal_id=None, rule=RULE, severity=severity,
        message=f"{sop.id}: {event.reason}", value=float("nan"), limit=None, at=event.time,
        details={"step": float(sop.number(step.id))})
    cleared = book.clear(key, event.time)
    return [raised] + ([cleared] if cleared is not None else [])
