"""Small asyncua helpers: batched attribute reads and plain values out of them.

Split from :mod:`linetwin.io.opcua.address_space`, which browses with them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from asyncua import Client, ua
from asyncua.ua.status_codes import code_to_name_doc


def is_builtin(type_id: ua.NodeId) -> bool:
    """Standard built-in data types (Boolean=1 ... Enumeration=29) end the walk up."""
    return type_id.NamespaceIndex == 0 and isinstance(type_id.Identifier, int) and 1 <= type_id.Identifier <= 29


def plain(node_id: ua.NodeId) -> ua.NodeId:
    """An ExpandedNodeId from a browse result as a plain NodeId (compares, hashes, prints alike)."""
    return ua.NodeId(node_id.Identifier, node_id.NamespaceIndex, node_id.NodeIdType)


def value(dv: ua.DataValue) -> Any:
    return dv.Value.Value if dv.Value is not None else None


async def read_attributes(client: Client, nid: ua.NodeId, attrs: tuple) -> list[ua.DataValue]:
    params = ua.ReadParameters()
    for attr in attrs:
        params.NodesToRead.append(ua.ReadValueId(NodeId=nid, AttributeId=attr))
    return await client.uaclient.read(params)


async def read_many(client: Client, nids: list[ua.NodeId], attr: ua.AttributeIds) -> list[ua.DataValue]:
    if not nids:
        return []
    params = ua.ReadParameters()
    for nid in nids:
        params.NodesToRead.append(ua.ReadValueId(NodeId=nid, AttributeId=attr))
    return await client.uaclient.read(params)


def utc(stamp: datetime | None) -> datetime | None:
    if stamp is None:
        return None
    return stamp.replace(tzinfo=timezone.utc) if stamp.tzinfo is None else stamp.astimezone(timezone.utc)


def text(value: Any) -> str:
    if isinstance(value, ua.LocalizedText):
        return value.Text or ""
    return "" if value is None else str(value)


def unit(info: Any) -> str:
    if info is None:
        return ""
    return text(getattr(info, "DisplayName", None)) or text(getattr(info, "Description", None))


def range(value: Any) -> tuple[float, float] | None:
    low, high = getattr(value, "Low", None), getattr(value, "High", None)
    return (float(low), float(high)) if low is not None and high is not None else None


def enum_values(strings: Any, values: Any) -> dict[int, str] | None:
    if isinstance(values, list) and values:
        return {int(v.Value): text(v.DisplayName) for v in values if hasattr(v, "Value")}
    if isinstance(strings, list) and strings:
        return {i: text(s) for i, s in enumerate(strings)}
    return None


def status_name(code: int) -> str:
    """``0x80740000`` -> ``BadTypeMismatch``; the hex code for one OPC UA does not define."""
    known = code_to_name_doc.get(int(code) & 0xFFFF0000)  # the low 16 bits are info flags
    return known[0] if known else f"0x{int(code):08X}"


def describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer (timed out)"
    if isinstance(exc, ua.UaStatusCodeError):
        return f"{type(exc).__name__}: {exc}"
    return str(exc) or type(exc).__name__
