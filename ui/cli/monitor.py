"""``linetwin monitor``: the live path with no window, one JSON object per line.

Reads every server the project's bindings point at (:class:`LiveFeed`: one
client per endpoint) and drives the one :class:`TwinPipeline` the GUI drives
too, so the alerts printed here are the alerts the window raises on the same
data. Prints every value, connection change, alert change and production event
(inspection, compliance, lot), then a summary. Doubles as a quick check of a
real installation.
"""

from __future__ import annotations

import json
import math
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Protocol, TextIO

from linetwin.io.history.history_rows import finite_json
from linetwin.io.opcua.connection.connection_options import headless_reason
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import TrustStore, pki_folder
from linetwin.io.sessions.live_feed import LiveFeed
from linetwin.twin.alerts.alerts import AlertChange
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TickResult, TwinPipeline
from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, Lot
from linetwin.twin.updates import ConnectionChange, ValueType, ValueUpdate
from linetwin.ui.cli.links import LinkWatch

POLL_S = 0.05


class Feed(Protocol):
    """Where a command's items come from: a :class:`LiveFeed`, or a queue in a test."""

    def drain(self, limit: int | None = None) -> list: ...


def iso(t: float | None) -> str | None:
    if t is None or not math.isfinite(t):
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds")


def value_record(update: ValueUpdate) -> dict:
    """One value as JSON: its own type (number, boolean, text, ISO 8601 time, enumeration
    name with its code); ``null`` where there is none (a Bad reading)."""
    record = {"type": "value", "signal": update.signal_id, "value": json_value(update),
              "value_type": update.value_type.value,
              "source_time": iso(update.source_time), "receive_time": iso(update.receive_time),
              "quality": update.quality.name.lower(), "status": f"0x{update.status_code:08X}"}
    if update.value_type is ValueType.ENUM and math.isfinite(update.value):
        record["code"] = int(update.value)
    return record


def json_value(update: ValueUpdate) -> bool | int | float | str | None:
    kind = update.value_type
    if kind in (ValueType.TEXT, ValueType.DATETIME, ValueType.ENUM) and update.text is not None:
        return update.text
    if not math.isfinite(update.value):
        return None
    if kind is ValueType.BOOLEAN:
        return bool(update.value)
    return update.value


def connection_record(change: ConnectionChange) -> dict:
    """A link change at its own time (the wall clock only where the source gave none)."""
    at = change.time if change.time == change.time else time.time()
    return {"type": "connection", "endpoint": change.endpoint,
            "state": change.state.name.lower(), "message": change.message, "time": iso(at)}


def alert_record(change: AlertChange) -> dict:
    """One alert change (raised, updated, cleared, acknowledged) as a JSON-able dict."""
    a = change.alert
    return {"type": "alert", "change": change.kind.value, "id": a.id, "key": a.key,
            "asset": a.asset_id, "signal": a.signal_id, "rule": a.rule, "severity": a.severity.value,
            "state": a.lifecycle, "value": a.value if a.value == a.value else None,
            "limit": a.limit, "message": a.message,
            "time": iso(a.updated_at if a.updated_at == a.updated_at else a.raised_at),
            "raised_at": iso(a.raised_at), "cleared_at": iso(a.cleared_at)}


def inspection_record(event: InspectionEvent) -> dict:
    return {"type": "inspection", "time": iso(event.time), "unit": event.unit_id, "lot": event.lot,
            "sku": event.sku, "station": event.station, "result": event.result.value,
            "defect_type": event.defect_type,
            "severity": event.severity.value if event.severity is not None else None,
            "measured": dict(event.measured)}


def compliance_record(event: ComplianceEvent) -> dict:
    return {"type": "compliance", "time": iso(event.time), "station": event.station,
            "operator": event.operator, "role": event.role, "sop": event.sop_id, "step": event.step,
            "action": event.action, "ok": event.ok, "reason": event.reason}


def lot_record(lot: Lot) -> dict:
    return {"type": "lot", "change": "started" if lot.open else "ended", "time": iso(lot.time),
            "lot": lot.lot_id, "sku": lot.sku, "start": iso(lot.start), "end": iso(lot.end)}


_RECORDS = {InspectionEvent: inspection_record, ComplianceEvent: compliance_record, Lot: lot_record}


class Monitor:
    """Drains ``feed`` through ``pipeline`` each poll and writes JSON lines to ``out``.

    ``feed`` defaults to a :class:`LiveFeed` of ``project`` (every endpoint);
    ``pipeline`` to a fresh :class:`TwinPipeline` on the wall clock. A test
    passes any object with ``drain()`` and calls :meth:`poll` itself.
    """

    def __init__(self, project: Project, endpoint: str | None = None, out: TextIO = sys.stdout,
                 settings: ConnectionSettings | None = None, feed: Feed | None = None,
                 pipeline: TwinPipeline | None = None, simulate: bool = False,
                 seed: int = 1, scenario: str = "normal", speed: float = 1.0) -> None:
        self.feed = feed if feed is not None else LiveFeed(
            project, endpoint, simulate=simulate, seed=seed, scenario=scenario, speed=speed,
            settings=settings,
            trust=TrustStore(pki_folder()))
        self.pipeline = pipeline if pipeline is not None else TwinPipeline(
            project, default_endpoint=getattr(self.feed, "endpoint", None))
        self.out = out
        self.counts = {"value": 0, "connection": 0, "alert": 0, "inspection": 0, "compliance": 0, "lot": 0}
        self.signals_seen: set[str] = set()
        self.stop_requested = threading.Event()
        self.links = LinkWatch()
        self.reported: set[str] = set()  # signals whose binding problem was printed

    def poll(self) -> TickResult | None:
        """One batch: everything waiting, stepped and printed in arrival order, then its alerts."""
        items = self.feed.drain()
        if not items:
            return None
        result = self.pipeline.step(items)
        for item in items:
            kind = type(item)
            if kind is ValueUpdate:
                self.signals_seen.add(item.signal_id)
                self._emit(value_record(item))
            elif kind is ConnectionChange:
                self.links.saw(item)
                self._emit(connection_record(item))
            elif kind in _RECORDS:
                self._emit(_RECORDS[kind](item))
        for change in result.alerts:
            self._emit(alert_record(change))
        return result

    def run(self, duration: float | None) -> int:
        started = time.monotonic()
        try:
            self.feed.start()
            self.pipeline.default_endpoint = self.feed.endpoint  # the simulator's port is known now
            while not self.stop_requested.is_set():
                since = self.feed.running_since  # a held simulator: once it moves
                if duration is not None and since is not None and time.monotonic() - since >= duration:
                    break
                self.poll()
                self._report_signal_problems()
                if self.feed.refused() is not None:  # nobody here can accept or retype
                    break
                self.stop_requested.wait(POLL_S)
        finally:
            self.feed.stop()
            self.poll()  # the final "disconnected" of each link
        self._emit({"type": "summary", "duration_s": round(time.monotonic() - started, 3),
                    "values": self.counts["value"], "signals_seen": len(self.signals_seen),
                    "connection_changes": self.counts["connection"], "alerts": self.counts["alert"],
                    "inspections": self.counts["inspection"], "compliance_events": self.counts["compliance"],
                    "lot_changes": self.counts["lot"]})
        return self._exit_code()

    def _exit_code(self) -> int:
        refused = self.feed.refused()
        if refused is not None:
            print(f"linetwin monitor: {headless_reason(refused.problem, refused.trust)}", file=sys.stderr)
            return 1
        missing = self.links.never_connected(self.feed.endpoints)
        for _endpoint, reason in missing:
            print(f"linetwin monitor: never connected: {reason}", file=sys.stderr)
        return 1 if missing else 0

    def _report_signal_problems(self) -> None:
        for signal_id, message in self.feed.signal_problems().items():
            if signal_id not in self.reported:  # e.g. limits on a String node: refused at bind time
                self.reported.add(signal_id)
                self._emit({"type": "signal_problem", "signal": signal_id, "message": message})
                print(f"linetwin monitor: {message}", file=sys.stderr)

    def _emit(self, record: dict) -> None:
        kind = record["type"]
        if kind in self.counts:
            self.counts[kind] += 1
        # Strict JSON: a NaN or infinity anywhere (an alert's value) becomes null.
        self.out.write(json.dumps(finite_json(record), ensure_ascii=False, allow_nan=False) + "\n")
        self.out.flush()


def run_monitor_cli(project: Project, endpoint: str | None, duration: float | None,
                    settings: ConnectionSettings | None = None, simulate: bool = False,
                    seed: int = 1, scenario: str = "normal", speed: float = 1.0) -> int:
    """Run until ``duration`` elapses or Ctrl+C / SIGTERM; always ends with a summary."""
    monitor = Monitor(project, endpoint, settings=None if simulate else settings, simulate=simulate,
                      seed=seed, scenario=scenario, speed=speed)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: monitor.stop_requested.set())
    try:
        return monitor.run(duration)
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        return 0
