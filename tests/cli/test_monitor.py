"""``monitor`` against real OPC UA servers: the built-in simulator and a plain one."""

import asyncio
import io
import json
import socket
import threading

import pytest
from asyncua import Server, ua

from linetwin.ui.cli.monitor import Monitor
from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.main import DEMO_PROJECT
from linetwin.twin.model import Asset, AssetLevel, Project, Signal, SignalKind


def _not_json(constant: str):
    raise ValueError(f"monitor printed {constant}, which strict JSON does not allow")


def _records(out: io.StringIO) -> list[dict]:
    """Every line parsed by a strict parser: a bare NaN or Infinity fails the test."""
    return [json.loads(line, parse_constant=_not_json) for line in out.getvalue().splitlines()]


def test_monitor_prints_json_lines_for_the_simulator():
    project = load_project(DEMO_PROJECT)
    server = SimulatorServer(project, port=0, seed=2)
    server.start_in_thread()
    try:
        out = io.StringIO()
        Monitor(project, server.endpoint, out=out).run(duration=3.0)
    finally:
        server.stop_thread()
    records = _records(out)
    kinds = {r["type"] for r in records}
    assert {"value", "connection", "summary"} <= kinds
    values = [r for r in records if r["type"] == "value"]
    assert {r["signal"] for r in values} == {s.id for s in project.signals}
    assert all(r["quality"] == "good" and r["source_time"].endswith("+00:00") for r in values)
    summary = records[-1]
    assert summary["type"] == "summary" and summary["values"] == len(values)
    assert summary["signals_seen"] == len(project.signals)


class _PlainServer:
    """A third-party style asyncua server with two variables, on its own thread."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}/plain/"
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _start(self):
        self.server = Server()
        await self.server.init()
        self.server.set_endpoint(self.endpoint)
        self.server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        ns = await self.server.register_namespace("urn:example:press")
        press = await self.server.nodes.objects.add_object(ua.NodeId("Press", ns), "Press")
        await press.add_variable(ua.NodeId("Press.Force", ns), "Force", 12.5)
        await press.add_variable(ua.NodeId("Press.Mode", ns), "Mode", ua.Variant(1, ua.VariantType.Int32))
        await self.server.start()

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        # getaddrinfo ran on the loop's default executor: end its worker thread too.
        asyncio.run_coroutine_threadsafe(self.loop.shutdown_default_executor(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def test_monitor_reads_any_server_the_bindings_point_at():
    with _PlainServer() as plain:
        project = Project(
            "press", None,
            (Asset("press", "Press", AssetLevel.ASSET, color_by="press.mode"),),
            (Signal("press.force", "press", "ns=2;s=Press.Force", SignalKind.ANALOG, "kN"),
             Signal("press.mode", "press", "ns=2;s=Press.Mode", SignalKind.STATE),
             Signal("press.ghost", "press", "ns=2;s=Press.Ghost", SignalKind.ANALOG)),
        )
        out = io.StringIO()
        Monitor(project, plain.endpoint, out=out).run(duration=2.5)
    values = {r["signal"]: r for r in _records(out) if r["type"] == "value"}
    assert values["press.force"]["value"] == pytest.approx(12.5)
    assert values["press.mode"]["value"] == 1 and values["press.mode"]["quality"] == "good"
    assert values["press.ghost"]["quality"] == "bad"  # no such node: said, not hidden


def test_monitor_prints_alerts_from_the_project_rules():
    project = load_project(DEMO_PROJECT)
    server = SimulatorServer(project, port=0, seed=2)
    server.start_in_thread()
    try:
        server.on_model(lambda sim: sim.force("sealer.seal_temperature", 168.0))
        out = io.StringIO()
        Monitor(project, server.endpoint, out=out).run(3.0)
    finally:
        server.stop_thread()
    records = _records(out)
    alerts = [r for r in records if r["type"] == "alert"]
    assert any(r["rule"] == "limit-low" and r["signal"] == "sealer.seal_temperature"
               and r["change"] == "raised" and r["limit"] == 175 for r in alerts)
    assert records[-1]["alerts"] == len(alerts)


def test_monitor_prints_production_events_and_links_at_their_own_time():
    from linetwin.twin.production.events import (
        ComplianceEvent, InspectionEvent, InspectionResult, Lot, Severity,
    )
    from linetwin.twin.updates import ConnectionChange, ConnectionState

    class Feed:  # no network: one batch, then nothing
        def __init__(self, items):
            self.batches = [items]

        def drain(self, limit=None):
            return self.batches.pop() if self.batches else []

    t0 = 1_780_000_000.0
    items = [ConnectionChange("opc.tcp://x", ConnectionState.LOST, "gone", t0),
             Lot("L-7", "PET-500", t0 + 1),
             InspectionEvent(t0 + 2, "U-1", "L-7", "PET-500", "inspection", InspectionResult.FAIL,
                             "seal gap", Severity.CRITICAL, {"gap_mm": float("nan")}),
             ComplianceEvent(t0 + 3, "sealer", "op-3", "operator", "SOP-JAM", "2", "clear jam",
                             ok=False, reason="guard opened before lockout")]
    out = io.StringIO()
    monitor = Monitor(load_project(DEMO_PROJECT), out=out, feed=Feed(items))
    assert monitor.poll() is not None and monitor.poll() is None
    link, lot, unit, step = _records(out)
    assert link["time"] == "2026-05-28T20:26:40.000+00:00" and link["state"] == "lost"
    assert (lot["type"], lot["change"], lot["lot"]) == ("lot", "started", "L-7")
    assert (unit["type"], unit["unit"], unit["result"], unit["severity"]) == \
        ("inspection", "U-1", "fail", "critical")
    assert unit["measured"] == {"gap_mm": None}
    assert (step["type"], step["ok"], step["reason"]) == ("compliance", False, "guard opened before lockout")
    assert monitor.counts["inspection"] == monitor.counts["compliance"] == monitor.counts["lot"] == 1
