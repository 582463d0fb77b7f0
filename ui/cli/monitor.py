"""``linetwin monitor``: the live path with no window, one JSON object per line.

Prints every value change, connection change and alert event (the project's
own alert rules run on every value), then a summary. It reads whatever server the project's
bindings point at, so it doubles as a quick check of a real installation.
"""

from __future__ import annotations

import json
import math
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TextIO

from linetwin.io.opcua.connection_options import headless_reason
from linetwin.io.history.history_rows import finite_json
from linetwin.io.opcua.opcua_client import STOPPED, LiveClient
from linetwin.io.opcua.security import ConnectionSettings
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.model import Project
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueType, ValueUpdate

POLL_S = 0.05


def iso(t: float) -> str:
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
    return {"type": "connection", "endpoint": change.endpoint,
            "state": change.state.name.lower(), "message": change.message, "time": iso(time.time())}


class Monitor:
    """Drains a live client's queue and writes JSON lines to ``out``.

    ``on_values`` (optional) receives each batch of value updates and returns
    extra records to print, e.g. alert events from an alert engine.
    """

    def __init__(self, project: Project, endpoint: str, out: TextIO = sys.stdout,
                 on_values: Callable[[list[ValueUpdate]], list[dict]] | None = None,
                 settings: ConnectionSettings | None = None) -> None:
        self.updates: queue.SimpleQueue = queue.SimpleQueue()
        self.client = LiveClient(project, self.updates, endpoint=endpoint, settings=settings)
        self.out, self.on_values = out, on_values
        self.counts = {"value": 0, "connection": 0, "alert": 0}
        self.signals_seen: set[str] = set()
        self.stop_requested = threading.Event()
        self.connected = False  # ever, during this run
        self.reported: set[str] = set()  # signals whose binding problem was printed
        self.last_failure = ""  # why the latest attempt failed or the link was lost

    def run(self, duration: float | None) -> int:
        started = time.monotonic()
        self.client.start()
        try:
            while not self.stop_requested.is_set():
                if duration is not None and time.monotonic() - started >= duration:
                    break
                self._drain()
                if self.client.problem is not None:  # nobody here can accept or retype
                    break
                self.stop_requested.wait(POLL_S)
        finally:
            self.client.stop()
            self._drain()
        self._emit({"type": "summary", "duration_s": round(time.monotonic() - started, 3),
                    "values": self.counts["value"], "signals_seen": len(self.signals_seen),
                    "connection_changes": self.counts["connection"],
                    "alerts": self.counts["alert"]})
        if self.client.problem is not None:
            print(f"linetwin monitor: {headless_reason(self.client.problem, self.client.trust)}", file=sys.stderr)
            return 1
        if not self.connected:
            reason = self.last_failure or f"no answer from {self.client.endpoint}"
            print(f"linetwin monitor: never connected: {reason}", file=sys.stderr)
            return 1
        return 0

    def _drain(self) -> None:
        values = []
        while True:
            try:
                item = self.updates.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, ValueUpdate):
                values.append(item)
                self.signals_seen.add(item.signal_id)
                self._emit(value_record(item))
            else:
                self._saw_connection(item)
                self._emit(connection_record(item))
                values.append(item)  # in order: the alert hook restarts windows on a lost link
        for signal_id, message in list(self.client.signal_problems.items()):
            if signal_id not in self.reported:  # e.g. limits on a String node: refused at bind time
                self.reported.add(signal_id)
                self._emit({"type": "signal_problem", "signal": signal_id, "message": message})
                print(f"linetwin monitor: {message}", file=sys.stderr)
        if values and self.on_values is not None:
            for record in self.on_values(values):
                self._emit(record)

    def _saw_connection(self, change: ConnectionChange) -> None:
        if change.state is ConnectionState.CONNECTED:
            self.connected = True
        elif change.state in (ConnectionState.DISCONNECTED, ConnectionState.LOST) and change.message != STOPPED:
            self.last_failure = change.message

    def _emit(self, record: dict) -> None:
        kind = record["type"]
        if kind in self.counts:
            self.counts[kind] += 1
        # Strict JSON: a NaN or infinity anywhere (an alert's value) becomes null.
        self.out.write(json.dumps(finite_json(record), ensure_ascii=False, allow_nan=False) + "\n")
        self.out.flush()


def alert_record(change) -> dict:
    """One alert change (raised, updated, cleared, acknowledged) as a JSON-able dict."""
    a = change.alert
    return {"type": "alert", "change": change.kind.value, "id": a.id, "asset": a.asset_id,
            "signal": a.signal_id, "rule": a.rule, "severity": a.severity.value,
            "state": a.lifecycle, "value": a.value if a.value == a.value else None,
            "limit": a.limit, "message": a.message, "time": iso(a.updated_at
                                                               if a.updated_at == a.updated_at
                                                               else a.raised_at)}


def alert_records(project: Project, endpoint: str | None = None) -> Callable[[list], list[dict]]:
    """An ``on_values`` hook running the project's alert rules on every value; a
    connection change among them (lost link to ``endpoint``) breaks their windows."""
    engine, endpoint = AlertEngine(project), endpoint or project.source.endpoint

    def hook(items: list) -> list[dict]:
        changes, batch = [], []
        for item in items:
            if isinstance(item, ValueUpdate):
                batch.append(item)
                continue
            changes += engine.process(batch) + engine.connection_changed(item, endpoint)
            batch = []
        return [alert_record(c) for c in changes + engine.process(batch)]

    return hook


def run_monitor_cli(project: Project, endpoint: str | None, duration: float | None,
                    on_values=None, settings: ConnectionSettings | None = None) -> int:
    """Run until ``duration`` elapses or Ctrl+C / SIGTERM; always ends with a summary."""
    monitor = Monitor(project, endpoint or project.source.endpoint,
                      on_values=on_values or alert_records(project, endpoint), settings=settings)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: monitor.stop_requested.set())
    try:
        return monitor.run(duration)
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        return 0
