"""The OPC UA side of a guarded setpoint write: one short session, typed reads and writes.

Made only through :func:`~linetwin.io.opcua.connection.endpoints.new_client`
(the one connection factory), so a write goes over the same security as the
live client. Reads and writes go through the session's raw services so that a
refusal comes back as a status code to report, not as an exception to catch.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import struct
from collections.abc import AsyncIterator
from typing import Any

from asyncua import Client, ua

from linetwin.io.opcua.connection.endpoints import EndpointError, close_client, load_identity, new_client
from linetwin.io.opcua.connection.security import (
    ConnectionRefused,
    ConnectionSettings,
    classify_failure,
    redact_url,
    split_credentials,
)
from linetwin.io.opcua.connection.trust_store import TrustStore
from linetwin.io.opcua.node_ids import parse_node_id, resolve_namespace
from linetwin.io.opcua.ua_values import status_name

CONNECT_TIMEOUT_S = 3.0
REQUEST_TIMEOUT_S = 2.0

_INTEGERS = {
    ua.VariantType.SByte: (-(2**7), 2**7 - 1), ua.VariantType.Byte: (0, 2**8 - 1),
    ua.VariantType.Int16: (-(2**15), 2**15 - 1), ua.VariantType.UInt16: (0, 2**16 - 1),
    ua.VariantType.Int32: (-(2**31), 2**31 - 1), ua.VariantType.UInt32: (0, 2**32 - 1),
    ua.VariantType.Int64: (-(2**63), 2**63 - 1), ua.VariantType.UInt64: (0, 2**64 - 1),
}


class SetpointError(Exception):
    """A setpoint cannot be read or written; the message says why, for the user."""


@dataclasses.dataclass(frozen=True)
class Reading:
    """One node's value as read: ``value`` None when it is not a usable number."""

    value: float | None
    status: str  # "Good", or the status code's name
    variant: ua.VariantType | None


def connection_settings(endpoint: str, settings: ConnectionSettings | None) -> ConnectionSettings:
    """``settings`` for ``endpoint`` (credentials in the URL count), as the live client does."""
    url, user, password = split_credentials(endpoint)
    settings = settings or ConnectionSettings(url)
    return dataclasses.replace(settings, endpoint=url, username=settings.username or user,
                               password=settings.password if settings.password is not None else password)


@contextlib.asynccontextmanager
async def open_session(settings: ConnectionSettings, trust: TrustStore | None) -> AsyncIterator[Client]:
    """A connected client; ``SetpointError`` saying why when there is none."""
    url = redact_url(settings.endpoint)
    try:
        identity = load_identity(trust) if settings.secure and trust is not None else None
        client, validator = await new_client(settings.endpoint, settings, trust, identity,
                                             timeout=REQUEST_TIMEOUT_S)
    except (ConnectionRefused, EndpointError, OSError, ValueError, ua.UaError, asyncio.TimeoutError) as exc:
        raise SetpointError(f"cannot connect to {url}: {_failure(exc, settings)}") from None
    try:
        await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported, not raised
        await close_client(client, graceful=False)
        if validator is not None and validator.problem is not None:
            raise SetpointError(f"cannot connect to {url}: {validator.problem.message}") from None
        raise SetpointError(f"cannot connect to {url}: {_failure(exc, settings)}") from None
    try:
        yield client
    finally:
        await close_client(client, graceful=True)


def _failure(exc: BaseException, settings: ConnectionSettings) -> str:
    problem = classify_failure(exc, settings, None)
    if problem is not None:
        return problem.message
    if isinstance(exc, EndpointError):
        return exc.reason
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer from the server (timed out)"
    if isinstance(exc, ua.UaStatusCodeError):
        return status_name(exc.code)
    return str(exc) or type(exc).__name__


async def resolve(client: Client, node_text: str) -> ua.NodeId:
    """The server's node id for ``node_text`` (``nsu=`` resolved on this server)."""
    try:
        node_id = parse_node_id(node_text)
        if getattr(node_id, "NamespaceUri", None):
            node_id = resolve_namespace(node_id, await client.get_namespace_array())
        return node_id
    except ValueError as exc:
        raise SetpointError(str(exc)) from None
    except KeyError as exc:
        raise SetpointError(f"{node_text}: the server has no namespace {exc.args[0]!r}") from None


async def read_numbers(client: Client, node_ids: list[ua.NodeId]) -> list[Reading]:
    """The values of ``node_ids`` in one Read; a Bad or non-numeric one has value None."""
    params = ua.ReadParameters()
    params.NodesToRead = [ua.ReadValueId(NodeId=n, AttributeId=ua.AttributeIds.Value) for n in node_ids]
    params.TimestampsToReturn = ua.TimestampsToReturn.Neither
    return [_reading(dv) for dv in await client.uaclient.read(params)]


def _reading(dv: ua.DataValue) -> Reading:
    status = dv.StatusCode if dv.StatusCode is not None else ua.StatusCode()
    variant = dv.Value.VariantType if dv.Value is not None else None
    name = "Good" if status.is_good() else status_name(status.value)
    raw = dv.Value.Value if dv.Value is not None else None
    number = None
    if status.is_good() and isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
        number = float(raw)
    return Reading(number, name, variant)


async def data_type_of(client: Client, node_id: ua.NodeId, reading: Reading) -> ua.VariantType:
    """The type to write: the current value's variant, else the node's DataType."""
    if reading.variant not in (None, ua.VariantType.Null):
        return reading.variant
    try:
        return await client.get_node(node_id).read_data_type_as_variant_type()
    except (ua.UaError, ValueError, KeyError) as exc:
        raise SetpointError(f"{node_id.to_string()}: cannot read its data type ({exc})") from None


def stored(value: float, variant: ua.VariantType) -> Any:
    """``value`` as a ``variant`` node holds it; ``SetpointError`` if it cannot."""
    if variant == ua.VariantType.Double:
        return float(value)
    if variant == ua.VariantType.Float:
        return struct.unpack("<f", struct.pack("<f", value))[0]  # what a 32-bit float keeps
    if variant in _INTEGERS:
        low, high = _INTEGERS[variant]
        if value != int(value) or not low <= value <= high:
            raise SetpointError(f"{value:g} cannot be written to the {variant.name} node (whole numbers "
                                f"{low}..{high} only)")
        return int(value)
    raise SetpointError(f"the node holds a {variant.name}, not a number; LineTwin writes numeric setpoints only")


async def write_number(client: Client, node_id: ua.NodeId, value: Any, variant: ua.VariantType) -> str:
    """Write ``value`` as ``variant``; the status name ("Good" when written).

    Only the value is sent: no timestamps, which many servers refuse to take
    from a client (BadWriteNotSupported).
    """
    write = ua.WriteValue(NodeId=node_id, AttributeId=ua.AttributeIds.Value,
                          Value=ua.DataValue(ua.Variant(value, variant)))
    params = ua.WriteParameters()
    params.NodesToWrite = [write]
    status = (await client.uaclient.write(params))[0]
    return "Good" if status.is_good() else status_name(status.value)
