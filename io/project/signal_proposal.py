"""A project signal proposed for an OPC UA node, and how it is guessed.

Pure functions with no server and no asyncua: :class:`SignalProposal` is what
:meth:`~linetwin.io.opcua.address_space.AddressSpaceBrowser.suggest_signal` returns
and what :func:`~linetwin.io.project.project_edit.add_signal` accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FLOATS = {"Float", "Double"}
_INTEGERS = {"SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Integer", "UInteger"}
_STATE_WORDS = {"state", "status", "mode", "step", "phase", "defect", "code", "alarm", "fault"}
_COUNT_WORDS = ("count", "total")


@dataclass(frozen=True)
class SignalProposal:
    """A project signal for a node, as the panel proposes it (the user may edit it)."""

    id: str
    asset: str
    node: str
    kind: str  # "state", "analog" or "counter"
    unit: str = ""
    states: dict[str, int] | None = None
    data_type: str = ""
    reason: str = ""  # why this kind was guessed, to show next to it
    bound_as: str | None = None  # id of a signal already binding this node to this asset

    def to_fields(self) -> dict[str, Any]:
        """The keys of the ``[[signals]]`` table to write (defaults left out)."""
        fields: dict[str, Any] = {"id": self.id, "asset": self.asset, "node": self.node, "kind": self.kind}
        if self.unit:
            fields["unit"] = self.unit
        if self.states:
            fields["states"] = dict(self.states)
        return fields


def guess_kind(
    data_type: str, browse_name: str, enum_values: dict[int, str] | None = None
) -> tuple[str, dict[str, int] | None, str] | None:
    """``(kind, states, reason)`` for a variable, or None if it cannot be a signal.

    ``data_type`` is the standard type the variable's type derives from.
    """
    words = set(snake_case(browse_name).split("_"))
    if data_type == "Boolean":
        return "state", {"false": 0, "true": 1}, "Boolean: two states"
    if data_type == "Enumeration" or (enum_values and data_type in _INTEGERS):
        return "state", _states_of(enum_values), "enumeration: one state per value"
    if data_type in _INTEGERS:
        if any(word.startswith(_COUNT_WORDS) for word in words):
            return "counter", None, "integer named like a count"
        if words & _STATE_WORDS:
            return "state", None, "integer named like a state code"
        return "analog", None, "integer: taken as a process value (change it if it is a state or count)"
    if data_type in _FLOATS or data_type == "Number":
        return "analog", None, f"{data_type}: a process value"
    return None


def snake_case(name: str) -> str:
    """``"SealTemperature"`` -> ``"seal_temperature"``, ``"HMIValue 2"`` -> ``"hmi_value_2"``."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


def free_signal_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``... whichever is not taken."""
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}_{n}", n + 1
    return candidate


def _states_of(enum_values: dict[int, str] | None) -> dict[str, int] | None:
    states: dict[str, int] = {}
    for code, label in sorted((enum_values or {}).items()):
        name = snake_case(label) or f"state_{code}"
        states[free_signal_id(name, set(states))] = code
    return states or None
