"""``words`` of an ``[[event_sources]]`` table: a real line's values in our words
(verdict "NIO" -> fail, criticality 3 -> critical, failure code -> our defect type)."""

from __future__ import annotations

import pytest

from linetwin.io.opcua.ua_events import EventMapper
from linetwin.io.project.project_file import ProjectFileError, load_project
from linetwin.twin.model import EVENT_FIELDS, EventKind, EventSource
from linetwin.twin.production.events import InspectionResult, Severity

from tests.io.conftest import MINIMAL_PROJECT, line_of

SOURCE = """
[[event_sources]]
kind = "inspection"
event_type = "PruefErgebnisType"
station = "sealer"
fields = { unit_id = "Seriennummer", result = "Ergebnis", defect_type = "Fehlercode", severity = "Klasse" }

[event_sources.words]
result = { IO = "pass", NIO = "fail", NA = "rework" }
severity = { 0 = "", 1 = "minor", 3 = "critical" }
defect_type = { F-SN-01 = "seal_gap" }
"""


def test_words_load_casefolded(write_project):
    (source,) = load_project(write_project(MINIMAL_PROJECT + SOURCE)).event_sources
    assert source.words == {"result": {"io": "pass", "nio": "fail", "na": "rework"},
                            "severity": {"0": "", "1": "minor", "3": "critical"},
                            "defect_type": {"f-sn-01": "seal_gap"}}


BAD = {
    "not our result": ('NA = "rework"', 'NA = "repair"', "NA =",
                       ["words.result.NA: Input should be 'pass', 'fail' or 'rework', got 'repair'"]),
    "not our severity": ('3 = "critical"', '3 = "high"', "3 =", ["words.severity.3", "'minor', 'major' or 'critical', got 'high'"]),
    "a time has no words": ('defect_type = { F-SN-01', 'time = { F-SN-01', "time = {", ["unknown key 'time'"]),
    "not our field": ('defect_type = { F-SN-01', 'defect = { F-SN-01', "defect = {",
                      ["unknown key 'defect' (did you mean 'defect_type'?)"]),
    "another kind's field": ('defect_type = { F-SN-01', 'operator = { F-SN-01', "[event_sources.words]",
                             ["'operator' is not a field of inspection events; words translate unit_id"]),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_words_are_named_by_file_line_and_key(write_project, case):
    old, new, needle, fragments = case
    text = MINIMAL_PROJECT + SOURCE.replace(old, new)
    path = write_project(text)
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    [problem] = caught.value.problems
    assert problem.file == path and "event source 'PruefErgebnisType'" in problem.message
    assert problem.line == line_of(text, needle), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)


VENDOR = EventSource(
    EventKind.INSPECTION, "PruefErgebnisType", station="sealer",
    fields={**EVENT_FIELDS[EventKind.INSPECTION], "unit_id": "Sn", "result": "Ergebnis", "severity": "Klasse",
            "defect_type": "Fehlercode"},
    words={"result": {"io": "pass", "nio": "fail"}, "severity": {"0": "", "2": "major"},
           "defect_type": {"f-sn-01": "seal_gap"}})


def test_a_vendors_words_become_ours_and_other_values_pass_through():
    mapper = EventMapper(VENDOR)
    bad = mapper.item({"Sn": "7", "Ergebnis": " nio", "Klasse": 2, "Fehlercode": "F-SN-01"}, received=1.0)
    assert (bad.result, bad.severity, bad.defect_type) == (InspectionResult.FAIL, Severity.MAJOR, "seal_gap")
    good = mapper.item({"Sn": "8", "Ergebnis": "IO", "Klasse": 0, "Fehlercode": ""}, received=1.0)
    assert (good.result, good.severity, good.defect_type) == (InspectionResult.PASS, None, None)
    # A word the source does not translate is read as it is: "REWORK" is one of ours already.
    other = mapper.item({"Sn": "9", "Ergebnis": "REWORK", "Klasse": 0, "Fehlercode": "F-XX-99"}, received=1.0)
    assert (other.result, other.defect_type) == (InspectionResult.REWORK, "F-XX-99")


def test_an_operators_yes_and_no_become_ok_and_violation():
    steps = EventMapper(EventSource(EventKind.COMPLIANCE, "T", fields=EVENT_FIELDS[EventKind.COMPLIANCE],
                                    words={"ok": {"j": "true", "n": "false"}}))
    assert steps.item({"Step": "verify", "Ok": "N"}, 0.0).ok is False
    assert steps.item({"Step": "verify", "Ok": "J"}, 0.0).ok is True


def test_an_answer_nobody_translated_is_a_violation_not_a_kept_rule(caplog):
    steps = EventMapper(EventSource(EventKind.COMPLIANCE, "T", fields=EVENT_FIELDS[EventKind.COMPLIANCE]))
    step = steps.item({"Step": "verify", "Ok": "N"}, 0.0)
    assert step.ok is False and "'N' is not understood" in step.reason
    assert "not true or false" in caplog.text
    assert steps.item({"Step": "verify", "Ok": True}, 0.0).ok is True
    assert steps.item({"Step": "verify", "Ok": 0}, 0.0).ok is False
    assert steps.item({"Step": "verify", "Ok": "passed"}, 0.0).ok is True
    assert steps.item({"Step": "verify"}, 0.0).ok is True  # the source reports no answer at all
