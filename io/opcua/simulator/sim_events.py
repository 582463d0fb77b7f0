"""The simulator's production events, raised as OPC UA event notifications.

Why events and not a per-unit result variable: a unit inspected, an operator
step, a lot change each *happened once*. OPC UA events (Part 3 section 6.4,
Part 5 BaseEventType, Part 4 section 7.22 EventFilter) are made for that: each
occurrence is one notification with its own EventId and Time, and the server
queues every one for a subscribed client until it is published, so a burst of
units at high speed or a slow publish cycle loses none. A structure variable
holding "the last unit" is sampled: two units between two samples and one is
gone, and its source timestamp is the sampling instant, not the unit's. Events
are also what MES and quality systems subscribe to (ISA-95 / PackML style
production and quality events), so a real line's inspection system that raises
events maps onto the same client path (a project's ``[[event_sources]]``).

Three custom types derive from BaseEventType, in the simulator's namespace:
``InspectionEventType`` (UnitId, LotId, Sku, Station, Result, DefectType,
DefectSeverity and the measured values: SealTemperature, ...),
``ComplianceEventType`` (Station, Operator, Role, SopId, Step, Action, Ok,
Reason) and ``LotChangeEventType`` (LotId, Sku, LotStart, LotEnd; LotEnd is the
null DateTime while the lot runs). Each is raised with the Server object as
notifier (every client can subscribe there; Part 3 makes it the root of the
notifier tree) and the station's folder as SourceNode. Time is the simulated
instant of the occurrence, on the same clock as the values' SourceTimestamp.

The defect's severity is ``DefectSeverity``: BaseEventType's own ``Severity``
(1..1000, urgency) is set as well, higher for a critical defect or a violation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from asyncua import Server, ua

from linetwin.twin.model import EVENT_FIELDS, EventKind
from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, Lot, ProductionEvent

EVENT_TYPE_NAMES = {
    EventKind.INSPECTION: "InspectionEventType",
    EventKind.COMPLIANCE: "ComplianceEventType",
    EventKind.LOT: "LotChangeEventType",
}
# Measured values of an inspected unit -> their event fields.
MEASURED_FIELDS = {
    "seal_temperature": "SealTemperature",
    "dwell_time": "DwellTime",
    "seal_pressure": "SealPressure",
    "fill_weight": "FillWeight",
    "label_offset": "LabelOffset",
}
NULL_TIME = datetime(1601, 1, 1, tzinfo=timezone.utc)  # OPC UA's null DateTime (Part 6 5.2.2.5)
_URGENCY = {None: 100, "minor": 300, "major": 500, "critical": 800}
_VIOLATION_URGENCY = 700
_VARIANTS = {"ok": ua.VariantType.Boolean, "start": ua.VariantType.DateTime, "end": ua.VariantType.DateTime}


def _properties(kind: EventKind) -> list[tuple[str, ua.VariantType]]:
    """The custom properties of one event type (Time is BaseEventType's own)."""
    props = [(name, _VARIANTS.get(ours, ua.VariantType.String))
             for ours, name in EVENT_FIELDS[kind].items() if ours != "time"]
    if kind is EventKind.INSPECTION:
        props += [(name, ua.VariantType.Double) for name in MEASURED_FIELDS.values()]
    return props


class EventPublisher:
    """Raises the model's production events on a running asyncua server."""

    def __init__(self, generators: Mapping[EventKind, object], sources: Mapping[str, ua.NodeId]) -> None:
        self._generators = generators
        self._sources = sources  # station -> its folder node (SourceNode)
        self.raised = 0

    @classmethod
    async def create(cls, server: Server, namespace: int, sources: Mapping[str, ua.NodeId]) -> EventPublisher:
        """Add the three event types to ``server`` and an event generator for each."""
        generators = {}
        for kind, name in EVENT_TYPE_NAMES.items():
            etype = await server.create_custom_event_type(namespace, name, ua.ObjectIds.BaseEventType,
                                                          _properties(kind))
            generators[kind] = await server.get_event_generator(etype, ua.ObjectIds.Server)
        return cls(generators, dict(sources))

    async def publish(self, events: Iterable[ProductionEvent]) -> None:
        """Raise one notification per event, in order."""
        for event in events:
            if isinstance(event, InspectionEvent):
                await self._inspection(event)
            elif isinstance(event, ComplianceEvent):
                await self._compliance(event)
            elif isinstance(event, Lot):
                await self._lot(event)

    async def _inspection(self, e: InspectionEvent) -> None:
        severity = e.severity.value if e.severity is not None else None
        fields = {"unit_id": e.unit_id, "lot": e.lot, "sku": e.sku, "station": e.station,
                  "result": e.result.value, "defect_type": e.defect_type or "", "severity": severity or ""}
        extra = {MEASURED_FIELDS[k]: float(v) for k, v in e.measured.items() if k in MEASURED_FIELDS}
        text = f"{e.unit_id} {e.result.value}" + (f": {e.defect_type} ({severity})" if e.defect_type else "")
        await self._raise(EventKind.INSPECTION, e.time, e.station, fields, text, _URGENCY[severity], extra)

    async def _compliance(self, e: ComplianceEvent) -> None:
        fields = {"station": e.station, "operator": e.operator, "role": e.role, "sop_id": e.sop_id,
                  "step": e.step, "action": e.action, "ok": e.ok, "reason": e.reason}
        text = f"{e.sop_id} {e.step} by {e.operator}" + ("" if e.ok else f": {e.reason}")
        await self._raise(EventKind.COMPLIANCE, e.time, e.station, fields, text,
                          100 if e.ok else _VIOLATION_URGENCY)

    async def _lot(self, e: Lot) -> None:
        end = NULL_TIME if e.open else _utc(e.end)
        fields = {"lot": e.lot_id, "sku": e.sku, "start": _utc(e.start), "end": end}
        text = f"lot {e.lot_id} ({e.sku}) " + ("started" if e.open else "finished")
        await self._raise(EventKind.LOT, e.time, None, fields, text, 100)

    async def _raise(self, kind: EventKind, time: float, station: str | None, fields: Mapping[str, object],
                     message: str, urgency: int, extra: Mapping[str, float] | None = None) -> None:
        generator = self._generators[kind]
        event = generator.event  # type: ignore[attr-defined]
        names = EVENT_FIELDS[kind]
        for ours, value in fields.items():
            setattr(event, names[ours], value)
        for name in MEASURED_FIELDS.values() if kind is EventKind.INSPECTION else ():
            setattr(event, name, (extra or {}).get(name, float("nan")))
        source = self._sources.get(station or "", ua.NodeId(ua.ObjectIds.Server))
        event.SourceNode = source
        event.SourceName = station or "Server"
        event.Severity = urgency
        await generator.trigger(time_attr=_utc(time), message=message)  # type: ignore[attr-defined]
        self.raised += 1


def _utc(posix: float) -> datetime:
    return datetime.fromtimestamp(posix, timezone.utc)
