"""``[[event_sources]]`` in a project file, and how an event's fields become our items."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import pytest
from asyncua import ua

from linetwin.io.opcua.ua_events import EventMapper
from linetwin.io.project.project_file import Problem, ProjectFileError, load_project
from linetwin.twin.model import EVENT_FIELDS, SERVER_OBJECT, EventKind, EventSource
from linetwin.twin.production.events import ComplianceEvent, InspectionResult, Lot, Severity

from tests.io.conftest import MINIMAL_PROJECT, line_of

SOURCES = """
[[event_sources]]
kind = "inspection"
event_type = "QualityCheckType"
notifier = "ns=3;s=Line1.Vision"
endpoint = "opc.tcp://10.0.0.7:4840/"
station = "sealer"
fields = { unit_id = "Serial", lot = "Batch", result = "Verdict" }
measured = { seal_width = "SealWidthMm" }

[[event_sources]]
kind = "compliance"
event_type = "ns=3;i=5001"
"""


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    return caught.value.problems


def test_sources_load_with_our_defaults_filled_in(write_project):
    project = load_project(write_project(MINIMAL_PROJECT + SOURCES))
    vision, steps = project.event_sources
    assert vision == EventSource(
        EventKind.INSPECTION, "QualityCheckType", "ns=3;s=Line1.Vision", "opc.tcp://10.0.0.7:4840/",
        {**EVENT_FIELDS[EventKind.INSPECTION], "unit_id": "Serial", "lot": "Batch", "result": "Verdict"},
        {"seal_width": "SealWidthMm"}, "sealer")
    assert steps.notifier == SERVER_OBJECT and steps.fields == EVENT_FIELDS[EventKind.COMPLIANCE]


def test_the_demo_maps_the_simulators_three_event_types(demo_project_path):
    sources = load_project(demo_project_path).event_sources
    assert [(s.kind, s.event_type) for s in sources] == [
        (EventKind.INSPECTION, "InspectionEventType"), (EventKind.COMPLIANCE, "ComplianceEventType"),
        (EventKind.LOT, "LotChangeEventType")]


BAD = {
    "unknown field": ('unit_id = "Serial"', 'unit = "Serial"', "fields",
                      ["event source 'QualityCheckType'", "'unit' is not a field of inspection events", "unit_id"]),
    "unknown kind": ('kind = "compliance"', 'kind = "alarm"', 'kind = "alarm"',
                     ["event source 'ns=3;i=5001'", "'inspection', 'compliance' or 'lot'"]),
    "bad notifier": ('notifier = "ns=3;s=Line1.Vision"', 'notifier = "Line1.Vision"', "notifier",
                     ["notifier", "is not an OPC UA node id"]),
    "bad type id": ('event_type = "ns=3;i=5001"', 'event_type = "ns=3;x=5001"', 'event_type = "ns=3;x=5001"',
                    ["event_type", "is not an OPC UA node id"]),
    "measured on steps": ('event_type = "ns=3;i=5001"', 'event_type = "ns=3;i=5001"\nmeasured = { a = "B" }',
                          "measured = { a", ["only inspection events carry measured values"]),
    "misspelt key": ('station = "sealer"', 'staton = "sealer"', "staton", ["unknown key 'staton'",
                                                                           "did you mean 'station'"]),
    "unknown station": ('station = "sealer"', 'station = "vision"', 'station = "vision"',
                        ["station 'vision' is not an asset"]),
    "twice": ('event_type = "ns=3;i=5001"', 'event_type = "QualityCheckType"\nnotifier = "ns=3;s=Line1.Vision"\n'
              'endpoint = "opc.tcp://10.0.0.7:4840/"', ('event_type = "QualityCheckType"', 1),
              ["given twice (first by event_sources[0])"]),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_event_sources_name_the_file_line_and_key(write_project, case):
    old, new, needle, fragments = case
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 0)
    assert SOURCES.count(old) == 1
    text = MINIMAL_PROJECT + SOURCES.replace(old, new)
    path = write_project(text)
    [problem] = problems_of(path)
    assert problem.file == path
    assert problem.line == line_of(text, needle, occurrence), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)


# -- an event's fields -> our items ----------------------------------------------------

WHEN = datetime(2026, 12, 2, 8, 30, tzinfo=timezone.utc)
REAL_LINE = EventSource(
    EventKind.INSPECTION, "QualityCheckType", station="sealer", measured={"seal_width": "SealWidthMm"},
    fields={**EVENT_FIELDS[EventKind.INSPECTION], "unit_id": "Serial", "result": "Verdict", "severity": "Class"})


@pytest.mark.parametrize("verdict, result", [("OK", InspectionResult.PASS), ("NOK", InspectionResult.FAIL),
                                             ("Rework", InspectionResult.REWORK)])
def test_a_real_lines_inspection_words_map_to_ours(verdict, result):
    item = EventMapper(REAL_LINE).item(
        {"Time": WHEN, "Serial": 4711, "Verdict": verdict, "Class": "MAJOR", "SealWidthMm": 7.5,
         "LotId": "B-17", "DefectType": ""}, received=0.0)
    assert item.time == WHEN.timestamp() and item.unit_id == "4711" and item.result is result
    assert item.station == "sealer"  # the event names none: the source's station
    assert item.severity is Severity.MAJOR and item.defect_type is None
    assert item.measured == {"seal_width": 7.5} and item.lot == "B-17"


def test_an_event_that_cannot_be_read_is_dropped_and_odd_values_are_softened(caplog):
    mapper = EventMapper(REAL_LINE)
    assert mapper.item({"Serial": "1", "Verdict": "maybe"}, received=5.0) is None
    assert "'maybe'" in caplog.text
    item = mapper.item({"Serial": "2", "Verdict": "pass", "Class": "severe", "SealWidthMm": math.nan}, 5.0)
    assert item.time == 5.0 and item.severity is None and item.measured == {}  # no Time: arrival


def test_compliance_and_lot_fields():
    steps = EventMapper(EventSource(EventKind.COMPLIANCE, "T", fields=EVENT_FIELDS[EventKind.COMPLIANCE]))
    step = steps.item({"Time": WHEN, "Station": "sealer", "Operator": "op-1", "Step": "verify", "Ok": False,
                       "Reason": "skipped", "Action": ua.LocalizedText("checked")}, 0.0)
    assert step == ComplianceEvent(WHEN.timestamp(), "sealer", "op-1", "", "", "verify", "checked", False, "skipped")
    lots = EventMapper(EventSource(EventKind.LOT, "T", fields=EVENT_FIELDS[EventKind.LOT]))
    null = datetime(1601, 1, 1, tzinfo=timezone.utc)
    started = lots.item({"Time": WHEN, "LotId": "L1", "Sku": "S", "LotStart": WHEN, "LotEnd": null}, 0.0)
    assert started.lot_id == "L1" and started.open and started.start == WHEN.timestamp()
    ended = lots.item({"Time": WHEN, "LotId": "L1", "Sku": "S", "LotEnd": WHEN}, 0.0)
    assert ended == Lot("L1", "S", WHEN.timestamp(), WHEN.timestamp())
