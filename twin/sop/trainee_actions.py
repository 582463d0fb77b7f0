"""What a trainee does on the virtual line, as values (and as the JSON of a script).

The window makes these from clicks; ``linetwin train --script ACTIONS.json``
reads a JSON list of objects, one per action, e.g.::

    [{"do": "control", "target": "sealer", "control": "stop"},
     {"do": "set", "signal": "sealer.seal_temperature", "value": 185},
     {"do": "verify", "step": "verify_temperature"},
     {"do": "pick", "target": "sealer.seal_head"},
     {"do": "enter", "signal": "sealer.seal_pressure", "value": "reading"},
     {"do": "answer", "choice": "Lock out the labeler"},
     {"do": "acknowledge"}, {"do": "hint"}, {"do": "wait", "seconds": 5}]

``"value": "reading"`` in an ``enter`` action reads the gauge (the twin's value
then), as the expert does. A ``verify`` action starts watching its condition;
a script then waits until the step completes or times out.

Pure: the standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from linetwin.twin.sop.sop_model import ActionKind, Control, Sop

KINDS = ("acknowledge", "pick", "set", "control", "verify", "enter", "answer", "hint", "wait")
READING = "reading"


class ActionError(ValueError):
    """A script action that cannot be understood; the message names its position."""


@dataclass(frozen=True)
class TraineeAction:
    """One thing the trainee did. ``kind`` is one of :data:`KINDS`; the other fields
    are those the kind needs (``value`` None in an ``enter``: read the gauge)."""

    kind: str
    target: str = ""  # pick, control
    control: Control | None = None
    signal: str = ""  # set, enter
    value: float | None = None  # set, enter
    choice: str = ""  # answer
    step: str = ""  # verify, acknowledge, answer, hint: the step meant ("" = the current one)
    seconds: float = 0.0  # wait

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"do": self.kind}
        for name in ("target", "signal", "choice", "step"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.control is not None:
            out["control"] = self.control.value
        if self.kind == "enter" and self.value is None:
            out["value"] = READING
        elif self.value is not None:
            out["value"] = self.value
        if self.kind == "wait":
            out["seconds"] = self.seconds
        return out

    def describe(self) -> str:
        """Short words for the session log (``control stop sealer``)."""
        if self.kind == "control":
            return f"control {self.control.value if self.control else '?'} {self.target}"
        if self.kind in ("set", "enter"):
            shown = "the reading" if self.value is None else f"{self.value:g}"
            return f"{self.kind} {self.signal} = {shown}"
        if self.kind == "pick":
            return f"pick {self.target}"
        if self.kind == "answer":
            return f"answer {self.choice!r}"
        if self.kind == "wait":
            return f"wait {self.seconds:g} s"
        return f"{self.kind} {self.step}".strip()


def parse_actions(data: Any) -> list[TraineeAction]:
    """Actions from a decoded JSON script. Raises :class:`ActionError` naming the
    position (1-based) and the field of the first bad action."""
    if not isinstance(data, list):
        raise ActionError("a script is a JSON list of actions, e.g. [{\"do\": \"acknowledge\"}]")
    return [_parse_one(item, i + 1) for i, item in enumerate(data)]


def _parse_one(item: Any, number: int) -> TraineeAction:
    where = f"action {number}"
    if not isinstance(item, dict):
        raise ActionError(f"{where}: expected an object like {{\"do\": \"pick\", ...}}, got {item!r}")
    kind = item.get("do")
    if kind not in KINDS:
        raise ActionError(f"{where}: \"do\" must be one of {', '.join(KINDS)}, got {kind!r}")
    unknown = set(item) - {"do", "target", "control", "signal", "value", "choice", "step", "seconds"}
    if unknown:
        raise ActionError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    fields: dict[str, Any] = {"kind": kind, "step": _text(item, "step", where, required=False)}
    if kind in ("pick", "control"):
        fields["target"] = _text(item, "target", where)
    if kind == "control":
        try:
            fields["control"] = Control(item.get("control"))
        except ValueError:
            raise ActionError(f"{where}: \"control\" must be one of "
                              f"{', '.join(c.value for c in Control)}, got {item.get('control')!r}") from None
    if kind in ("set", "enter"):
        fields["signal"] = _text(item, "signal", where)
        fields["value"] = _number(item, "value", where, reading_ok=kind == "enter")
    if kind == "answer":
        fields["choice"] = _text(item, "choice", where)
    if kind == "wait":
        seconds = _number(item, "seconds", where)
        if seconds is None or seconds < 0:
            raise ActionError(f"{where}: \"seconds\" must be a number >= 0")
        fields["seconds"] = seconds
    return TraineeAction(**fields)


def _text(item: dict, name: str, where: str, required: bool = True) -> str:
    value = item.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ActionError(f"{where}: \"{name}\" must be a non-empty text")
    return value.strip()


def _number(item: dict, name: str, where: str, reading_ok: bool = False) -> float | None:
    value = item.get(name)
    if reading_ok and value == READING:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        extra = f' or "{READING}"' if reading_ok else ""
        raise ActionError(f"{where}: \"{name}\" must be a finite number{extra}, got {value!r}")
    return float(value)


def reference_actions(sop: Sop) -> list[TraineeAction]:
    """The expert's run of ``sop``: per step, in file order, the action that completes
    it; lockouts and releases are steps of the SOP like any other."""
    out: list[TraineeAction] = []
    for step in sop.steps:
        kind = step.action
        if kind is ActionKind.ACKNOWLEDGE:
            out.append(TraineeAction("acknowledge", step=step.id))
        elif kind is ActionKind.PICK:
            out.append(TraineeAction("pick", target=step.target))
        elif kind is ActionKind.SET:
            value = step.value if step.value is not None else _middle(step.low, step.high)
            out.append(TraineeAction("set", signal=step.signal or "", value=value))
        elif kind is ActionKind.CONTROL:
            out.append(TraineeAction("control", target=step.target, control=step.control))
        elif kind is ActionKind.VERIFY:
            out.append(TraineeAction("verify", step=step.id))
        elif kind is ActionKind.ENTER:
            out.append(TraineeAction("enter", signal=step.signal or "", value=None))
        elif kind is ActionKind.QUIZ:
            out.append(TraineeAction("answer", choice=step.answer, step=step.id))
    return out


def _middle(low: float | None, high: float | None) -> float:
    if low is not None and high is not None:
        return (low + high) / 2.0
    return low if low is not None else (high if high is not None else 0.0)
