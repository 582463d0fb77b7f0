"""A vendor's event source, written by someone else, read as our production events.

``tests/io/node_opcua/vision_line_server.js`` is a node-opcua server with its own
event types and words (VisionCheckEventType with SerialNumber, BatchId, Verdict
"OK"/"NOK"/"REWORK", FailureCode, a numeric Criticality; OperatorActionEventType
with Badge, StepNo, Passed ...), raised by station objects, not the Server
object. A project file maps them onto ours; a LiveClient must deliver exactly
the vendor's known sequence as InspectionEvent and ComplianceEvent items.
"""

from __future__ import annotations

import queue
from datetime import datetime, timezone

import pytest

from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.project.project_file import load_project
from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, InspectionResult, Lot, Severity
from tests.io.conftest_opcua import QueueReader
from tests.io.node_opcua_server import NodeOpcuaServer

pytestmark = pytest.mark.timeout(120)

# What the vendor's line raises, stated here on its own (not read from the server script).
START = datetime(2026, 6, 14, 2, 14, tzinfo=timezone.utc).timestamp()
DEFECTS = {  # unit -> result, our defect type (from the failure code), severity (from criticality), seal width
    4: (InspectionResult.FAIL, "seal_gap", Severity.CRITICAL, 3.1),
    11: (InspectionResult.REWORK, "contamination", Severity.MAJOR, 4.9),
    17: (InspectionResult.FAIL, "seal_gap", Severity.CRITICAL, 2.8),
}
CHANGEOVER = "WI-SEAL-CHG-03"

PROJECT = """\
[project]
name = "ACME vision line"

[source]
endpoint = "{endpoint}"

[[assets]]
id = "line"
name = "Pouch line"
level = "system"

[[assets]]
id = "vision"
name = "Vision check"
level = "asset"
parent = "line"

[[assets]]
id = "sealer"
name = "Sealer"
level = "asset"
parent = "line"

[[event_sources]]
kind = "inspection"
event_type = "VisionCheckEventType"
notifier = "nsu=urn:acme:visionline;s=Line.Vision"
station = "vision"
fields = {{ unit_id = "{unit_id}", lot = "BatchId", sku = "Article", result = "Verdict", \
defect_type = "FailureCode", severity = "Criticality" }}
measured = {{ seal_width = "SealWidth" }}

[event_sources.words]
severity = {{ 0 = "", 1 = "minor", 2 = "major", 3 = "critical" }}
defect_type = {{ "E-SW-LOW" = "seal_gap", "E-FOREIGN" = "contamination" }}

[[event_sources]]
kind = "compliance"
event_type = "OperatorActionEventType"
notifier = "nsu=urn:acme:visionline;s=Line.Sealer"
station = "sealer"
fields = {{ operator = "{operator}", role = "Role", sop_id = "Procedure", step = "StepNo", action = "Activity", \
ok = "Passed", reason = "Remark" }}
"""


def expected_inspections() -> list[InspectionEvent]:
    units = []
    for n in range(1, 21):
        result, defect, severity, width = DEFECTS.get(n, (InspectionResult.PASS, None, None, 5.0 + n / 100))
        units.append(InspectionEvent(START + 3.0 * (n - 1), f"SN-26165-{n:04d}", "B-0614-A" if n <= 10 else "B-0614-B",
                                     "PCH-250-ALU", "vision", result, defect, severity, {"seal_width": width}))
    return units


def expected_steps(operator: str | None = None) -> list[ComplianceEvent]:
    def step(seconds, badge, role, number, action, ok=True, reason=""):
        return ComplianceEvent(START + seconds, "sealer", badge if operator is None else operator, role, CHANGEOVER,
                               number, action, ok, reason)
    return [step(70, "B-1043", "Setter", "1", "Lock out seal head"),
            step(85, "B-1043", "Setter", "2", "Change sealing jaws"),
            step(100, "B-1043", "Setter", "4", "Release seal head", False, "Step 3 (verify jaw gap) not confirmed"),
            step(110, "B-2210", "Shift lead", "3", "Verify jaw gap", True, "late confirmation")]


@pytest.fixture(scope="module")
def vision_line(tmp_path_factory):
    with NodeOpcuaServer(tmp_path_factory.mktemp("vision-line"), "vision_line_server.js") as server:
        yield server


def project_file(tmp_path, endpoint: str, unit_id: str = "SerialNumber", operator: str = "Badge"):
    path = tmp_path / "acme.toml"
    path.write_text(PROJECT.format(endpoint=endpoint, unit_id=unit_id, operator=operator), encoding="utf-8")
    return load_project(path)  # the real loader: schema, consistency, defaults filled in


def receive(project, endpoint: str, done) -> tuple[list, LiveClient]:
    """Everything a LiveClient delivers until ``done(items, client)``, then one more second (nothing extra)."""
    updates: queue.SimpleQueue = queue.SimpleQueue()
    client, reader = LiveClient(project, updates, endpoint=endpoint), QueueReader(updates)
    client.start()
    try:
        assert reader.wait_for(lambda: done(reader.items, client), 30.0), f"got only {reader.items}"
        reader.wait_for(lambda: False, 1.0)
    finally:
        client.stop()
    return reader.items, client


def of(items: list, kind: type) -> list:
    return [i for i in items if isinstance(i, kind)]


def test_a_vendors_inspection_and_operator_events_arrive_as_ours(vision_line, tmp_path):
    project = project_file(tmp_path, vision_line.endpoint)
    items, client = receive(project, vision_line.endpoint,
                            lambda items, c: len(of(items, InspectionEvent)) >= 20 and len(of(items, ComplianceEvent)) >= 4)
    assert client.event_problems == {}
    assert of(items, InspectionEvent) == expected_inspections()  # every unit once, in order, nothing else
    assert of(items, ComplianceEvent) == expected_steps()
    assert not of(items, Lot)  # this line announces no lots: they are the units' batch ids
    defects = [e for e in of(items, InspectionEvent) if e.defective]
    assert [(e.unit_id, e.lot) for e in defects] == [
        ("SN-26165-0004", "B-0614-A"), ("SN-26165-0011", "B-0614-B"), ("SN-26165-0017", "B-0614-B")]


def test_a_mapping_naming_fields_the_vendor_lacks_is_reported_by_source(vision_line, tmp_path):
    # "SerialNo" (required: unit id) refuses the inspection source; "BadgeNo" (optional)
    # is reported, and the operator steps still arrive, without an operator.
    project = project_file(tmp_path, vision_line.endpoint, unit_id="SerialNo", operator="BadgeNo")
    items, client = receive(project, vision_line.endpoint, lambda items, c: len(of(items, ComplianceEvent)) >= 4)
    refused = client.event_problems["event_sources[0] (inspection, VisionCheckEventType)"]
    assert "'SerialNo'" in refused
    absent = client.event_problems["event_sources[1] (compliance, OperatorActionEventType)"]
    assert "'BadgeNo' (operator)" in absent and "left empty" in absent
    assert len(client.event_problems) == 2
    assert not of(items, InspectionEvent)
    assert of(items, ComplianceEvent) == expected_steps(operator="")
