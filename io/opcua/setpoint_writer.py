"""A guarded setpoint write over OPC UA (DESIGN section 9): the only way LineTwin writes.

:func:`write_guarded` reads the old value, writes the new one with the node's
own data type, reads it back, then watches the guards (conditions the change's
proposal named, e.g. "seal temperature stays 180..192") for ``watch_s``. If the
read-back differs or a guard breaks, it writes the old value back and reads
that back too. Every step is recorded with its time in the outcome's
``steps``, from which the audit trail is built; nothing raises: a refused or
failed write is an outcome with ``ok`` False and a ``reason`` for the user.

Approval, limits and audit live above this module: it writes what it is asked.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

from asyncua import Client, ua

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import TrustStore
from linetwin.io.opcua.setpoint_session import (
    SetpointError,
    connection_settings,
    data_type_of,
    open_session,
    read_numbers,
    resolve,
    stored,
    write_number,
)

__all__ = ["Guard", "SetpointError", "WriteOutcome", "WriteRequest", "WriteStep", "read_value",
           "read_value_blocking", "write_guarded", "write_guarded_blocking"]


@dataclass(frozen=True)
class Guard:
    """A condition the line must keep after the write: ``low <= value <= high`` and Good."""

    signal_id: str
    node_id: str
    low: float
    high: float


@dataclass(frozen=True)
class WriteRequest:
    node_id: str
    value: float
    guards: tuple[Guard, ...] = ()
    watch_s: float = 60.0  # how long the guards are watched after the read-back
    tolerance: float = 1e-6  # read-back may differ by this much (after the node's type rounds)


@dataclass(frozen=True)
class WriteStep:
    time: float  # POSIX seconds
    what: str  # read-old, write, read-back, guard-broken, rollback, rollback-read-back, done
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteOutcome:
    old: float | None
    written: bool
    read_back: float | None
    rolled_back: bool
    ok: bool
    reason: str | None
    steps: tuple[WriteStep, ...]


class _Trail:
    """The steps so far and what the outcome will say."""

    def __init__(self) -> None:
        self.steps: list[WriteStep] = []
        self.old: float | None = None
        self.written = False
        self.read_back: float | None = None
        self.rolled_back = False
        self.variant: ua.VariantType | None = None  # the written node's type, for a rollback

    def add(self, what: str, **details: Any) -> None:
        self.steps.append(WriteStep(time.time(), what, details))

    def outcome(self, reason: str | None) -> WriteOutcome:
        self.add("done", ok=reason is None, reason=reason)
        return WriteOutcome(self.old, self.written, self.read_back, self.rolled_back,
                            reason is None, reason, tuple(self.steps))


async def write_guarded(endpoint: str, settings: ConnectionSettings | None, trust: TrustStore | None,
                        request: WriteRequest, poll_s: float = 0.5) -> WriteOutcome:
    """Write ``request.value`` to ``request.node_id`` at ``endpoint``, guarded as the
    module says. ``settings`` None: no security, anonymous (as the live client)."""
    trail = _Trail()
    if not math.isfinite(request.value):
        return trail.outcome(f"{request.value} is not a value to write to {request.node_id}")
    try:
        async with open_session(connection_settings(endpoint, settings), trust) as client:
            reason = await _write_and_watch(client, request, trail, poll_s)
    except SetpointError as error:
        reason = str(error)
    except (ua.UaError, OSError, asyncio.TimeoutError, ConnectionError) as error:
        reason = f"the connection failed during the write: {error or type(error).__name__}"
        if trail.written and not trail.rolled_back:
            reason = await _roll_back_anew(endpoint, settings, trust, request, trail, reason)
    return trail.outcome(reason)


async def _roll_back_anew(endpoint: str, settings: ConnectionSettings | None, trust: TrustStore | None,
                          request: WriteRequest, trail: _Trail, reason: str) -> str:
    """The session died after the write: roll back over a new one, if the server answers."""
    try:
        async with open_session(connection_settings(endpoint, settings), trust) as client:
            node_id = await resolve(client, request.node_id)
            return await _roll_back(client, request, node_id, trail, reason)
    except (SetpointError, ua.UaError, OSError, asyncio.TimeoutError, ConnectionError) as error:
        return f"{reason}; the old value could not be written back ({error}): check the line"


async def _write_and_watch(client: Client, request: WriteRequest, trail: _Trail, poll_s: float) -> str | None:
    node_id = await resolve(client, request.node_id)
    guard_ids = [await resolve(client, g.node_id) for g in request.guards]
    (old,) = await read_numbers(client, [node_id])
    trail.add("read-old", node=request.node_id, value=old.value, status=old.status,
              type=old.variant.name if old.variant is not None else None)
    if old.value is None:
        return f"cannot read {request.node_id}: {old.status if old.status != 'Good' else 'not a number'}"
    trail.old = old.value
    variant = trail.variant = await data_type_of(client, node_id, old)
    value = stored(request.value, variant)
    status = await write_number(client, node_id, value, variant)
    trail.add("write", node=request.node_id, value=value, type=variant.name, status=status)
    if status != "Good":
        return f"the server refused to write {request.node_id}: {status}{_HINTS.get(status, '')}"
    trail.written = True
    (back,) = await read_numbers(client, [node_id])
    trail.read_back = back.value
    equal = back.value is not None and abs(back.value - value) <= request.tolerance
    trail.add("read-back", node=request.node_id, value=back.value, status=back.status, expected=value, equal=equal)
    reason = None if equal else (f"read-back of {request.node_id} is {_shown(back)}, not the "
                                 f"{value:g} written")
    if reason is None:
        reason = await _watch(client, request, guard_ids, trail, poll_s)
    if reason is not None:
        reason = await _roll_back(client, request, node_id, trail, reason)
    return reason


_HINTS = {
    "BadUserAccessDenied": " (the node is read-only, or this user may not write it)",
    "BadNotWritable": " (the node is read-only)",
    "BadTypeMismatch": " (the server expects another data type)",
    "BadOutOfRange": " (the server's own range refuses the value)",
    "BadNodeIdUnknown": " (no such node on this server)",
}


async def _watch(client: Client, request: WriteRequest, guard_ids: list[ua.NodeId], trail: _Trail,
                 poll_s: float) -> str | None:
    """Read the guards every ``poll_s`` until ``watch_s`` is over; why one broke, or None."""
    if not request.guards:
        return None
    loop = asyncio.get_running_loop()
    end = loop.time() + request.watch_s
    while True:
        readings = await read_numbers(client, guard_ids)
        for guard, reading in zip(request.guards, readings):
            if reading.value is None or not guard.low <= reading.value <= guard.high:
                trail.add("guard-broken", signal=guard.signal_id, node=guard.node_id, value=reading.value,
                          status=reading.status, low=guard.low, high=guard.high)
                return f"guard {guard.signal_id} broken: {_shown(reading)}, not in {guard.low:g}..{guard.high:g}"
        left = end - loop.time()
        if left <= 0:
            return None
        await asyncio.sleep(min(poll_s, left))


async def _roll_back(client: Client, request: WriteRequest, node_id: ua.NodeId, trail: _Trail,
                     reason: str) -> str:
    assert trail.old is not None and trail.variant is not None  # set before anything was written
    old = stored(trail.old, trail.variant)
    status = await write_number(client, node_id, old, trail.variant)
    trail.add("rollback", node=request.node_id, value=old, status=status)
    if status != "Good":
        return f"{reason}; rolling back to {old:g} was refused ({status}): check the line"
    trail.rolled_back = True
    (back,) = await read_numbers(client, [node_id])
    equal = back.value is not None and abs(back.value - old) <= request.tolerance
    trail.add("rollback-read-back", node=request.node_id, value=back.value, status=back.status,
              expected=old, equal=equal)
    if not equal:
        return f"{reason}; rolled back, but the read-back is {_shown(back)}, not the old {old:g}: check the line"
    return f"{reason}; rolled back to {old:g}"


def _shown(reading: Any) -> str:
    return f"{reading.value:g}" if reading.value is not None else reading.status


async def read_value(endpoint: str, settings: ConnectionSettings | None, trust: TrustStore | None,
                     node_id: str) -> float:
    """The current value of ``node_id`` (a dry run's "now"); ``SetpointError`` saying why not."""
    async with open_session(connection_settings(endpoint, settings), trust) as client:
        (reading,) = await read_numbers(client, [await resolve(client, node_id)])
    if reading.value is None:
        raise SetpointError(f"cannot read {node_id}: "
                            f"{reading.status if reading.status != 'Good' else 'not a number'}")
    return reading.value


def write_guarded_blocking(endpoint: str, settings: ConnectionSettings | None, trust: TrustStore | None,
                           request: WriteRequest, poll_s: float = 0.5) -> WriteOutcome:
    """:func:`write_guarded` from plain (non-async) code, on its own event loop thread."""
    return _blocking(write_guarded(endpoint, settings, trust, request, poll_s))


def read_value_blocking(endpoint: str, settings: ConnectionSettings | None, trust: TrustStore | None,
                        node_id: str) -> float:
    """:func:`read_value` from plain code; ``SetpointError`` saying why not."""
    return _blocking(read_value(endpoint, settings, trust, node_id))


def _blocking(coro: Any) -> Any:
    thread = AsyncioThread(name="linetwin-setpoint")
    thread.start()
    try:
        return thread.submit(coro).result()
    finally:
        thread.stop()
