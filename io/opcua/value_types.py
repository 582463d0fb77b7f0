"""What type of value each subscribed node has, and which signals cannot use it.

At bind time (every new session) the live client reads the DataType of its
nodes, walks custom types up to the standard type they derive from, and reads
the names of enumerations. Every data change is then turned into a
:class:`~linetwin.twin.updates.ValueUpdate` with its own type
(:func:`typed_value`): a DateTime stays a time, a String a text, an
enumeration a code with its name, instead of a silent NaN.

A signal whose rules need a number (limits, trend, Nelson, FPY counters, an
analog colour rule, a state code) bound to a String or DateTime node is
refused with a message naming the signal, the node and its type
(:func:`type_refusal`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from asyncua import Client, ua

from linetwin.io.opcua.ua_values import enum_values, is_builtin, plain, read_many, text
from linetwin.twin.model import AnalogColorRule, Project, Signal, SignalKind
from linetwin.twin.updates import ValueType

READS_PER_REQUEST = 1000
TEXT_MAX = 1000  # characters kept of a long text, array or structure

_BUILTIN_TYPES: dict[int, ValueType] = {
    1: ValueType.BOOLEAN,
    **{i: ValueType.NUMBER for i in range(2, 12)},  # SByte .. Double
    12: ValueType.TEXT,  # String
    13: ValueType.DATETIME,
    21: ValueType.TEXT,  # LocalizedText
    26: ValueType.NUMBER, 27: ValueType.NUMBER, 28: ValueType.NUMBER,  # Number, Integer, UInteger
    29: ValueType.ENUM,
}


@dataclass(frozen=True)
class NodeType:
    """The value type of one node, as bound: ``name`` is its DataType's name."""

    value_type: ValueType
    name: str
    enum_names: dict[int, str] | None = None


def typed_value(val: Any, node_type: NodeType | None = None) -> tuple[float, str | None, ValueType]:
    """(number for the rules or NaN, text or None, type) of a value asyncua decoded."""
    if val is None:
        return math.nan, None, node_type.value_type if node_type else ValueType.NUMBER
    if isinstance(val, bool):
        return (1.0 if val else 0.0), None, ValueType.BOOLEAN
    if isinstance(val, (int, float)):
        if node_type is not None and node_type.value_type is ValueType.ENUM:
            names = node_type.enum_names or {}
            return float(val), names.get(int(val)), ValueType.ENUM
        return float(val), None, ValueType.NUMBER
    if isinstance(val, datetime):
        stamp = val.replace(tzinfo=timezone.utc) if val.tzinfo is None else val.astimezone(timezone.utc)
        return stamp.timestamp(), stamp.isoformat(timespec="milliseconds"), ValueType.DATETIME
    if isinstance(val, (str, ua.LocalizedText)):
        return math.nan, text(val)[:TEXT_MAX], ValueType.TEXT
    return math.nan, _shown(val), ValueType.TEXT  # arrays, byte strings, structures


def _shown(val: Any) -> str:
    if isinstance(val, (bytes, bytearray)):
        return val.hex()[:TEXT_MAX]
    return str(val)[:TEXT_MAX]


def numeric_uses(project: Project, signal: Signal) -> list[str]:
    """What in ``project`` needs ``signal`` to be a number (empty: nothing)."""
    uses = []
    if signal.kind is SignalKind.STATE:
        uses.append("a state code")
    if signal.kind is SignalKind.COUNTER:
        uses.append("a counter")
    if signal.limits.low is not None or signal.limits.high is not None:
        uses.append("limits")
    if signal.alerts is not None and signal.alerts.trend:
        uses.append("a trend rule")
    if signal.alerts is not None and signal.alerts.nelson:
        uses.append("Nelson rules")
    if any(isinstance(r, AnalogColorRule) and r.signal == signal.id for r in project.rules):
        uses.append("an analog colour rule")
    return uses


def type_refusal(project: Project, signal: Signal, node_type: NodeType) -> str | None:
    """Why ``signal`` cannot be bound to a node of ``node_type``; None if it can."""
    if node_type.value_type.numeric:
        return None
    uses = numeric_uses(project, signal)
    if not uses:
        return None
    return (f"signal {signal.id}: node {signal.node} holds {node_type.name} values, but the signal's "
            f"{' and '.join(uses)} need numbers; bind a numeric node or remove that from the project")


async def read_node_types(client: Client, node_ids: list[ua.NodeId]) -> dict[ua.NodeId, NodeType]:
    """The value type of each node whose DataType could be read."""
    type_ids: dict[ua.NodeId, ua.NodeId] = {}
    for start in range(0, len(node_ids), READS_PER_REQUEST):
        chunk = node_ids[start:start + READS_PER_REQUEST]
        for nid, dv in zip(chunk, await read_many(client, chunk, ua.AttributeIds.DataType)):
            value = dv.Value.Value if dv.Value is not None else None
            if dv.StatusCode.is_good() and isinstance(value, ua.NodeId):
                type_ids[nid] = value
    types = {t: await _describe_type(client, t) for t in set(type_ids.values())}
    return {nid: types[t] for nid, t in type_ids.items()}


async def _describe_type(client: Client, type_id: ua.NodeId) -> NodeType:
    base = await _builtin_base(client, type_id)
    value_type = _BUILTIN_TYPES.get(base.Identifier, ValueType.TEXT) if base is not None else ValueType.TEXT
    name = await _type_name(client, type_id)
    if value_type is not ValueType.ENUM or base == type_id:
        return NodeType(value_type, name)
    return NodeType(value_type, name, await _enum_names(client, type_id))


async def _builtin_base(client: Client, type_id: ua.NodeId) -> ua.NodeId | None:
    current: ua.NodeId | None = type_id
    for _ in range(12):  # type hierarchies are shallow; guard against loops
        if current is None or is_builtin(current):
            return current
        supers = await client.get_node(current).get_references(
            ua.ObjectIds.HasSubtype, ua.BrowseDirection.Inverse, ua.NodeClass.DataType, False)
        current = plain(supers[0].NodeId) if supers else None
    return None


async def _type_name(client: Client, type_id: ua.NodeId) -> str:
    if type_id.NamespaceIndex == 0 and isinstance(type_id.Identifier, int):
        known = ua.ObjectIdNames.get(type_id.Identifier)
        if known:
            return known
    (dv,) = await read_many(client, [type_id], ua.AttributeIds.BrowseName)
    name = dv.Value.Value if dv.Value is not None else None
    return name.Name if isinstance(name, ua.QualifiedName) else type_id.to_string()


async def _enum_names(client: Client, type_id: ua.NodeId) -> dict[int, str] | None:
    """An enumeration's names from its DataType's EnumStrings or EnumValues property,
    else from its DataTypeDefinition (OPC UA 1.04 servers may offer only that)."""
    refs = await client.get_node(type_id).get_references(ua.ObjectIds.HasProperty, ua.BrowseDirection.Forward)
    wanted = {r.BrowseName.Name: plain(r.NodeId) for r in refs if r.BrowseName.Name in ("EnumStrings", "EnumValues")}
    if not wanted:
        (dv,) = await read_many(client, [type_id], ua.AttributeIds.DataTypeDefinition)
        definition = dv.Value.Value if dv.Value is not None else None
        if isinstance(definition, ua.EnumDefinition) and definition.Fields:
            return {int(f.Value): f.Name for f in definition.Fields}
        return None
    names = list(wanted)
    values = await read_many(client, [wanted[n] for n in names], ua.AttributeIds.Value)
    found = {n: (dv.Value.Value if dv.Value is not None else None) for n, dv in zip(names, values)}
    return enum_values(found.get("EnumStrings"), found.get("EnumValues"))
