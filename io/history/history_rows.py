"""What the recorder accepts, turned into the history store's columns.

The recorder takes the items a tick produces, as they are: the
:class:`ValueUpdate` and :class:`ConnectionChange` items of the live queue, the
production events (:class:`InspectionEvent`, :class:`ComplianceEvent`,
:class:`Lot`) and alerts. Alerts are duck-typed (:class:`AlertRecord`; the twin's
``linetwin.twin.alerts.alerts.Alert`` fits, and so does an ``AlertChange`` holding one)
and so are explicit acknowledgements (:class:`AckRecord`). An alert that
carries ``acknowledged_by`` / ``acknowledged_at`` also yields its ack row, once.

Samples are the hot path: their columns are built with one list comprehension
per attribute (measured ~2.7 M rows/s, far above what DuckDB inserts).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Protocol, runtime_checkable

import numpy as np

from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, Lot
from linetwin.twin.updates import ConnectionChange, ValueType, ValueUpdate, quality_codes


@runtime_checkable
class AlertRecord(Protocol):
    """An alert as the recorder needs it (``linetwin.twin.alerts.alerts.Alert`` fits).

    Optional, read when present: ``key``, ``state``, ``worst``, ``updated_at``,
    ``count``, ``details``, ``acknowledged_by``, ``acknowledged_at``, ``comment``.
    Times are POSIX seconds (or aware/UTC ``datetime``).
    """

    id: Any
    asset_id: str | None
    signal_id: str | None
    rule: str
    severity: Any
    message: str
    value: float
    limit: float | None
    raised_at: float
    cleared_at: float | None


@runtime_checkable
class AckRecord(Protocol):
    """One acknowledgement of an alert."""

    alert_id: Any
    user: str
    comment: str
    at: float


Tick = tuple[float, Sequence[Any]]  # (time the items were submitted, items)


class RowBuilder:
    """Sorts submitted items into table columns, for one store transaction.

    ``acked`` remembers the acks already written, so an acknowledged alert
    updated or cleared later does not add its ack again.
    """

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.acked: set[tuple[str, float]] = set()
        self.ignored = 0  # items of no known kind, counted rather than failing a batch

    def build(self, ticks: Iterable[Tick]) -> dict[str, dict[str, Any]]:
        samples: list[ValueUpdate] = []
        connections: list[tuple[float, ConnectionChange]] = []
        events: dict[type, list[Any]] = {InspectionEvent: [], ComplianceEvent: [], Lot: []}
        alerts: list[Any] = []
        acks: list[tuple[str, str, str, float]] = []
        for stamp, items in ticks:
            for item in items:
                kind = type(item)
                if kind is ValueUpdate:
                    samples.append(item)
                elif kind is ConnectionChange:
                    connections.append((stamp, item))
                elif kind in events:
                    events[kind].append(item)
                elif isinstance(item, ValueUpdate):  # a subclass: off the fast path
                    samples.append(item)
                else:
                    self._sort_other(item, alerts, acks)
        tables = {"signal_samples": sample_columns(samples)}
        if connections:
            tables["connection_events"] = self._connection_columns(connections)
        for kind, table, columns_of in ((InspectionEvent, "inspection_events", self._inspection_columns),
                                        (ComplianceEvent, "compliance_events", self._compliance_columns),
                                        (Lot, "lots", self._lot_columns)):
            if events[kind]:
                tables[table] = columns_of(events[kind])
        if alerts:
            tables["alerts"] = self._alert_columns(alerts)
        if acks:
            tables["alert_acks"] = self._ack_columns(acks)
        return tables

    def _sort_other(self, item: Any, alerts: list[Any], acks: list[tuple[str, str, str, float]]) -> None:
        alert = getattr(item, "alert", item)  # an AlertChange carries the new Alert
        if hasattr(alert, "raised_at") and hasattr(alert, "rule"):
            alerts.append(alert)
            user, at = getattr(alert, "acknowledged_by", None), getattr(alert, "acknowledged_at", None)
            if user is not None and at is not None:
                acks.append((str(alert.id), user, getattr(alert, "comment", "") or "", epoch(at)))
        elif hasattr(item, "alert_id") and hasattr(item, "user"):
            acks.append((str(item.alert_id), item.user, item.comment or "", epoch(item.at)))
        else:
            self.ignored += 1

    def _connection_columns(self, changes: list[tuple[float, ConnectionChange]]) -> dict[str, list]:
        """The change's own time; the submit stamp only where the source gave none (NaN)."""
        return {
            "session_id": [self.session_id] * len(changes),
            "endpoint": [c.endpoint for _, c in changes],
            "state": [label(c.state) for _, c in changes],
            "message": [c.message for _, c in changes],
            "time": [c.time if c.time == c.time else stamp for stamp, c in changes],
        }

    def _inspection_columns(self, events: list[InspectionEvent]) -> dict[str, list]:
        return {
            "session_id": [self.session_id] * len(events),
            "time": [e.time for e in events],
            "unit_id": [e.unit_id for e in events],
            "lot": [e.lot for e in events],
            "sku": [e.sku for e in events],
            "station": [e.station for e in events],
            "result": [label(e.result) for e in events],
            "defect_type": [e.defect_type for e in events],
            "severity": [label(e.severity) for e in events],
            "measured": [_json(dict(e.measured)) for e in events],
        }

    def _compliance_columns(self, events: list[ComplianceEvent]) -> dict[str, list]:
        return {
            "session_id": [self.session_id] * len(events),
            "time": [e.time for e in events],
            "station": [e.station for e in events],
            "operator": [e.operator for e in events],
            "role": [e.role for e in events],
            "sop_id": [e.sop_id for e in events],
            "step": [e.step for e in events],
            "action": [e.action for e in events],
            "ok": [bool(e.ok) for e in events],
            "reason": [e.reason for e in events],
        }

    def _lot_columns(self, lots: list[Lot]) -> dict[str, list]:
        """One row per lot: its end (a later item of the same lot) replaces the open row."""
        return {
            "session_id": [self.session_id] * len(lots),
            "lot_id": [lot.lot_id for lot in lots],
            "sku": [lot.sku for lot in lots],
            "start": [lot.start for lot in lots],
            "end": [lot.end for lot in lots],  # NaN -> NULL: still running
        }

    def _alert_columns(self, alerts: list[Any]) -> dict[str, list]:
        def opt(name: str, default: Any = None) -> list[Any]:
            return [getattr(a, name, default) for a in alerts]

        return {
            "session_id": [self.session_id] * len(alerts),
            "alert_id": [str(a.id) for a in alerts],
            "key": opt("key"),
            "asset_id": [a.asset_id for a in alerts],
            "signal_id": [a.signal_id for a in alerts],
            "rule": [label(a.rule) for a in alerts],
            "severity": [label(a.severity) for a in alerts],
            "state": [label(s) for s in opt("state")],
            "message": [a.message for a in alerts],
            "value": [number(a.value) for a in alerts],
            "worst": [number(v) for v in opt("worst")],
            "limit_value": [number(a.limit) for a in alerts],
            "raised_at": [epoch(a.raised_at) for a in alerts],
            "updated_at": [epoch(v) for v in opt("updated_at")],
            "cleared_at": [epoch(a.cleared_at) for a in alerts],
            "count": [1 if v is None else int(v) for v in opt("count", 1)],
            "details": [_json(d) for d in opt("details")],
        }

    def _ack_columns(self, acks: list[tuple[str, str, str, float]]) -> dict[str, list]:
        fresh = []
        for alert_id, user, comment, at in acks:
            if (alert_id, at) not in self.acked:
                self.acked.add((alert_id, at))
                fresh.append((alert_id, user, comment, at))
        return {
            "session_id": [self.session_id] * len(fresh),
            "alert_id": [a[0] for a in fresh],
            "user": [a[1] for a in fresh],
            "comment": [a[2] for a in fresh],
            "acked_at": [a[3] for a in fresh],
        }


def sample_columns(samples: Sequence[ValueUpdate]) -> dict[str, np.ndarray]:
    """``signal_samples`` columns of a list of updates."""
    codes = np.array([u.status_code for u in samples], dtype=np.uint32)
    try:
        values = np.array([u.value for u in samples], dtype=np.float64)
    except (TypeError, ValueError):  # a value that is no number: stored as NULL, not fatal
        values = np.array([number(u.value) for u in samples], dtype=np.float64)
    return {
        "signal_id": np.array([u.signal_id for u in samples], dtype=object),
        "value": values,
        "source_time": np.array([u.source_time for u in samples], dtype=np.float64),
        "receive_time": np.array([u.receive_time for u in samples], dtype=np.float64),
        "status_code": codes,
        "quality": quality_codes(codes),
        "value_text": np.array([u.text for u in samples], dtype=object),
        "value_type": np.array([None if u.value_type is ValueType.NUMBER else u.value_type.value
                                for u in samples], dtype=object),
    }


def sample_updates(cols: Mapping[str, np.ndarray]) -> list[ValueUpdate]:
    """``HistoryStore.samples`` columns back as ValueUpdates, each with its type, for replay."""
    kinds = {None: ValueType.NUMBER, **{t.value: t for t in ValueType}}
    return [ValueUpdate(str(sid), float(value), float(source), float(receive), int(code),
                        None if text is None else str(text), kinds.get(kind, ValueType.TEXT))
            for sid, value, source, receive, code, text, kind in zip(
                cols["signal_id"], cols["value"], cols["source_time"], cols["receive_time"],
                cols["status_code"], cols["value_text"], cols["value_type"])]


def epoch(stamp: Any) -> float | None:
    """POSIX seconds of a float or a ``datetime`` (naive means UTC); None stays None."""
    if stamp is None:
        return None
    if isinstance(stamp, datetime):
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return stamp.timestamp()
    return float(stamp)


def number(value: Any) -> float:
    """``value`` as a float; NaN (stored as NULL) for None or anything not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def label(value: Any) -> str | None:
    """Text for an enum member (its string value, else its name in lower case) or anything."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return value.value if isinstance(value.value, str) else value.name.lower()
    return str(value)


def _json(details: Any) -> str | None:
    """Valid JSON for DuckDB's JSON type: NaN and infinities become null."""
    if details is None:
        return None
    return json.dumps(finite_json(details), sort_keys=True, default=str, allow_nan=False)


def finite_json(value: Any) -> Any:
    """``value`` with every NaN or infinite float as None, for strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    return value
