"""What a live session's subscription delivers, as items on the client's queue.

:class:`UaSession` is what one connection of the live client holds; one
asyncua handler serves its subscription: data changes become
:class:`ValueUpdate` items, OPC UA event notifications of the project's
``[[event_sources]]`` become :class:`InspectionEvent`, :class:`ComplianceEvent`
and :class:`Lot` items (their ``Time`` is the source time), and a subscription
that goes bad marks the session lost.

Events are subscribed with an EventFilter built from the event type (every
field of the type and its supertypes, ``OfType`` where clause) on the notifier
the project names (the Server object by default), with a large server-side
queue: each event is one occurrence, none may be dropped in a burst.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from asyncua import Client, ua
from asyncua.common.events import get_filter_from_event_type

from linetwin.io.opcua.node_ids import parse_node_id, resolve_namespace
from linetwin.io.opcua.ua_subscription import posix
from linetwin.io.opcua.value_types import NodeType, typed_value
from linetwin.twin.model import EVENT_FIELDS, EventKind, EventSource, Signal
from linetwin.twin.production.events import (
    ComplianceEvent,
    InspectionEvent,
    InspectionResult,
    Lot,
    ProductionEvent,
    Severity,
)
from linetwin.twin.updates import ValueUpdate

EVENT_QUEUE_SIZE = 10_000  # events the server keeps per source between two publishes
REQUIRED = {EventKind.INSPECTION: ("unit_id", "result"), EventKind.COMPLIANCE: ("step",),
            EventKind.LOT: ("lot",)}
# Result words of real inspection systems -> ours.
RESULT_WORDS = {
    "pass": InspectionResult.PASS, "ok": InspectionResult.PASS, "good": InspectionResult.PASS,
    "fail": InspectionResult.FAIL, "nok": InspectionResult.FAIL, "reject": InspectionResult.FAIL,
    "scrap": InspectionResult.FAIL, "rework": InspectionResult.REWORK,
}
_NULL_YEAR = 1601  # OPC UA's null DateTime: "no value" (e.g. a lot that has not ended)

_log = logging.getLogger(__name__)


class Sink(Protocol):
    def put(self, item: object) -> None: ...


@dataclass
class UaSession:
    """One connection attempt of the live client that got as far as a subscription."""

    client: Client
    lost: asyncio.Event
    reason: list[str]  # why it was lost, filled by callbacks
    by_handle: dict[int, list[str]]  # monitored item client handle -> signal ids
    namespaces: list[str] = field(default_factory=list)
    nodes: dict[ua.NodeId, list[Signal]] = field(default_factory=dict)  # what to monitor
    node_types: dict[ua.NodeId, NodeType] = field(default_factory=dict)
    types: dict[int, NodeType] = field(default_factory=dict)  # client handle -> its node's value type
    subscription: Any = None
    handler: SubscriptionHandler | None = None


class SubscriptionHandler:
    """asyncua subscription handler of one session; ``mappers`` (monitored item
    id -> :class:`EventMapper`) is filled as events are subscribed."""

    def __init__(self, sink: Sink, session: UaSession) -> None:
        self._sink = sink
        self._session = session
        self.mappers: dict[int, EventMapper] = {}

    def datachange_notification(self, node: Any, val: Any, data: Any) -> None:
        item = data.monitored_item
        signal_ids = self._session.by_handle.get(item.ClientHandle, ())
        received = time.time()
        dv = item.Value
        status = dv.StatusCode.value if dv is not None and dv.StatusCode is not None else 0
        source = posix(dv.SourceTimestamp) if dv is not None else None
        if source is None and dv is not None:
            source = posix(dv.ServerTimestamp)
        value, text, value_type = typed_value(val, self._session.types.get(item.ClientHandle))
        for signal_id in signal_ids:
            self._sink.put(ValueUpdate(signal_id, value, source or received, received, status, text,
                                       value_type))

    def event_notification(self, event: Any) -> None:
        mapper = self.mappers.get(getattr(event, "server_handle", None))
        if mapper is None:
            return
        fields = {_field_name(clause): variant.Value
                  for clause, variant in zip(event.select_clauses, event.event_fields)}
        item = mapper.item(fields, time.time())
        if item is not None:
            self._sink.put(item)

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        if not status.Status.is_good():  # subscription gone: BadTimeout, BadShutdown ...
            self._session.reason.append(f"subscription status {status.Status.name}")
            self._session.lost.set()


async def subscribe_event_sources(client: Client, subscription: Any, handler: SubscriptionHandler,
                                  sources: list[EventSource], namespaces: list[str]) -> dict[str, str]:
    """Subscribe to each source's events; returns source -> why it cannot be served, or
    which fields its mapping names that the event type lacks (subscribed all the same)."""
    problems: dict[str, str] = {}
    for index, source in enumerate(sources):
        name = f"event_sources[{index}] ({source.kind.value}, {source.event_type})"
        try:
            notifier = client.get_node(resolve_namespace(parse_node_id(source.notifier), namespaces))
            etype = await _event_type(client, source.event_type, namespaces)
            evfilter = await get_filter_from_event_type([etype])
            offered = {_field_name(c) for c in evfilter.SelectClauses}
            missing = [source.fields[f] for f in REQUIRED[source.kind] if source.fields[f] not in offered]
            if missing:
                raise LookupError(f"the event type has no field {', '.join(map(repr, missing))}")
            handle = await subscription.subscribe_events(notifier, etype, evfilter,
                                                         queuesize=EVENT_QUEUE_SIZE)
        except (LookupError, ValueError, ua.UaError) as exc:
            problems[name] = f"{name}: {exc}"
            _log.warning("%s", problems[name])
            continue
        handler.mappers[handle] = EventMapper(source)
        absent = [f"{theirs!r} ({ours})" for ours, theirs in _named_fields(source) if theirs not in offered]
        if absent:  # subscribed: the rest of the mapping still holds
            problems[name] = f"{name}: the event type has no field {', '.join(absent)}; left empty"
            _log.warning("%s", problems[name])
    return problems


def _named_fields(source: EventSource) -> list[tuple[str, str]]:
    """The fields a project named itself: measured values, and fields mapped to
    another name than our default (a vendor's type need not carry our defaults)."""
    defaults = EVENT_FIELDS[source.kind]
    named = [(ours, theirs) for ours, theirs in source.fields.items() if theirs != defaults.get(ours)]
    return named + list(source.measured.items())


async def _event_type(client: Client, text: str, namespaces: list[str]) -> Any:
    """The event type node: by node id, or the subtype of BaseEventType with that browse name."""
    if "=" in text:
        return client.get_node(resolve_namespace(parse_node_id(text), namespaces))
    level = [client.get_node(ua.ObjectIds.BaseEventType)]
    while level:  # breadth first: custom types mostly sit right under BaseEventType
        below = []
        for node in level:
            for child in await node.get_children_descriptions(refs=ua.ObjectIds.HasSubtype):
                if child.BrowseName.Name == text:
                    return client.get_node(child.NodeId)
                below.append(client.get_node(child.NodeId))
        level = below
    raise LookupError(f"the server has no event type named {text!r}")


def _field_name(clause: ua.SimpleAttributeOperand) -> str:
    return clause.BrowsePath[-1].Name if clause.BrowsePath else clause.AttributeId.name


class EventMapper:
    """One event source's notifications -> production items, by its field mapping."""

    def __init__(self, source: EventSource) -> None:
        self.source = source
        self._warned: set[str] = set()

    def item(self, fields: Mapping[str, Any], received: float) -> ProductionEvent | None:
        """The production item of one notification; None (warned once) if it cannot be one."""
        get = {ours: self._translated(ours, fields.get(theirs)) for ours, theirs in self.source.fields.items()}
        when = _posix(get.get("time")) or received
        try:
            if self.source.kind is EventKind.INSPECTION:
                return self._inspection(get, fields, when)
            if self.source.kind is EventKind.COMPLIANCE:
                return self._compliance(get, when)
            start = _posix(get.get("start"))
            return Lot(_text(get["lot"]), _text(get.get("sku")), start if start is not None else when,
                       _posix(get.get("end")) or math.nan)
        except ValueError as exc:
            self._warn(str(exc))
            return None

    def _inspection(self, get: Mapping[str, Any], fields: Mapping[str, Any], when: float) -> InspectionEvent:
        word = _text(get["result"]).strip().lower()
        if word not in RESULT_WORDS:
            raise ValueError(f"inspection result {get['result']!r} is not one of {', '.join(RESULT_WORDS)}")
        severity = _text(get.get("severity")).strip().lower()
        if severity and severity not in Severity._value2member_map_:
            self._warn(f"severity {severity!r} is not minor, major or critical (read as none)")
            severity = ""
        measured = {ours: float(fields[theirs]) for ours, theirs in self.source.measured.items()
                    if isinstance(fields.get(theirs), (int, float)) and math.isfinite(fields[theirs])}
        return InspectionEvent(when, _text(get["unit_id"]), _text(get.get("lot")), _text(get.get("sku")),
                               self._station(get), RESULT_WORDS[word], _text(get.get("defect_type")) or None,
                               Severity(severity) if severity else None, measured)

    def _compliance(self, get: Mapping[str, Any], when: float) -> ComplianceEvent:
        ok, reason = _step_ok(get.get("ok")), _text(get.get("reason"))
        if ok is None:  # never read an answer we do not understand as "kept the rules"
            self._warn(f"ok value {get.get('ok')!r} is not true or false (read as a violation)")
            ok, reason = False, reason or f"the line's answer {get.get('ok')!r} is not understood"
        return ComplianceEvent(when, self._station(get), _text(get.get("operator")), _text(get.get("role")),
                               _text(get.get("sop_id")), _text(get["step"]), _text(get.get("action")),
                               ok, reason)

    def _translated(self, ours: str, value: Any) -> Any:
        """``value`` in our words where the source gives a word for it (words are casefolded)."""
        words = self.source.words.get(ours)
        if not words or value is None:
            return value
        return words.get(_text(value).strip().casefold(), value)

    def _station(self, get: Mapping[str, Any]) -> str:
        return _text(get.get("station")) or self.source.station or ""

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            _log.warning("%s events: %s (such events are dropped)", self.source.event_type, message)


def _step_ok(value: Any) -> bool | None:
    """True/False from a Boolean, a number or a word; None when it is none of them.
    No field at all means the source does not report it: the step counts as kept."""
    if value is None or isinstance(value, bool):
        return value is not False
    if isinstance(value, (int, float)):
        return value != 0
    word = _text(value).strip().lower()
    if word in ("true", "1", "yes", "ok", "pass", "passed"):
        return True
    if word in ("false", "0", "no", "nok", "fail", "failed", "violation"):
        return False
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.Text or "" if isinstance(value, ua.LocalizedText) else str(value)


def _posix(value: Any) -> float | None:
    """POSIX seconds of an event's DateTime; None for a missing or null one."""
    if not isinstance(value, datetime) or value.year <= _NULL_YEAR:
        return None
    return posix(value)
