"""Signal values from a JSON file, for ``linetwin render --state STATE.json``.

The file is one JSON object mapping signal ids to values::

    {"sealer.state": "fault", "sealer.seal_temperature": 198.4, "filler.state": 2}

State signals take a state name from their table (the signal's own, else the
project's) or its integer code; analog and counter signals take a number.
All problems are collected and raised together in one :class:`StateFileError`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from linetwin.twin.model import Project, Signal, SignalKind


class StateFileError(Exception):
    """A state file is unusable; ``messages`` lists each problem, naming file and key."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


def load_state_file(path: str | Path, project: Project) -> dict[str, float]:
    """Values by signal id; state names are turned into their codes.

    Raises
    ------
    StateFileError
        If the file cannot be read, is not a JSON object, or names an unknown
        signal or state, or gives a non-numeric value.
    """
    path = Path(path)
    document = _read_json(path)
    if not isinstance(document, dict):
        raise StateFileError(
            [f"{path}: expected a JSON object {{signal id: value}}, got {_json_type(document)}"]
        )
    signals = {signal.id: signal for signal in project.signals}
    values: dict[str, float] = {}
    problems: list[str] = []
    for key, raw in document.items():
        signal = signals.get(key)
        try:
            if signal is None:
                raise ValueError(f"not a signal of project '{project.name}'")
            values[key] = _value(signal, raw, project)
        except ValueError as error:
            problems.append(f"{path}: '{key}': {error}")
    if problems:
        raise StateFileError(problems)
    return values


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise StateFileError([f"{path}: state file not found"]) from None
    except UnicodeDecodeError:
        raise StateFileError([f"{path}: not UTF-8 text"]) from None
    except OSError as error:
        raise StateFileError([f"{path}: cannot read: {error.strerror or error}"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = f"{path}:{error.lineno}: not valid JSON: {error.msg} (column {error.colno})"
        raise StateFileError([message]) from None


def _value(signal: Signal, raw: Any, project: Project) -> float:
    if signal.kind is SignalKind.STATE:
        return float(_state_code(signal, raw, project))
    if not _is_number(raw):
        raise ValueError(f"{signal.kind.value} signal needs a number, got {raw!r}")
    if not math.isfinite(raw):
        raise ValueError(f"{signal.kind.value} signal needs a finite number, got {raw!r}")
    return float(raw)


def _state_code(signal: Signal, raw: Any, project: Project) -> int:
    table = signal.states or project.states
    known = ", ".join(f"{name} ({code})" for name, code in table.items())
    if isinstance(raw, str):
        if raw not in table:
            raise ValueError(f"'{raw}' is not a state of this signal (known: {known})")
        return table[raw]
    if _is_number(raw) and float(raw).is_integer():
        if int(raw) not in table.values():
            raise ValueError(f"{raw!r} is not a state code of this signal (known: {known})")
        return int(raw)
    raise ValueError(f"state signal needs a state name or integer code, got {raw!r}")


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but "true" is no process value.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
