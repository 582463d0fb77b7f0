"""CSV and xAPI exports of training records, the xAPI statements checked against
the rules of the xAPI 1.0.3 specification (Data, section 2.4)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from linetwin.io.training import records as training
from linetwin.io.training.record_csv import COLUMNS, csv_text, write_csv
from linetwin.io.training.xapi import iso_duration, iso_timestamp, statements
from linetwin.twin.sop.sop_model import ErrorKind
from tests.io.training.made_results import START, add_users, made_result

SIGNED_AT = START + 3600.0
# ISO 8601 durations as xAPI uses them (section 4.6): PnYnMnDTnHnMnS, any part optional
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                  "authority", "version", "attachments"}


@pytest.fixture
def found(tmp_path):
    """A signed pass, an unsigned pass and a failed session, oldest first."""
    add_users(("Ana Lima", "trainer"))
    path = tmp_path / "records.duckdb"
    signed = training.store_record(path, made_result(), "operator", 365)
    training.sign(path, signed, "Ana Lima", "good", now=SIGNED_AT)
    training.store_record(path, made_result(trainee="Cy Diaz", sop="labeler jam:v", started_at=START + 1,
                                            errors=()), "technician", 180)
    training.store_record(path, made_result(passed=False, score=40.0, started_at=START + 2,
                                            errors=((ErrorKind.HAZARD, 2), (ErrorKind.HAZARD, 5))),
                          "operator", 365)
    return training.records(path)


def test_csv_has_one_row_per_record_with_errors_by_kind_and_status(found, tmp_path):
    out = write_csv(found, tmp_path / "records.csv", now=SIGNED_AT + 60)
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == 4  # header and three records, RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    signed, unsigned, failed = rows
    assert signed["record_id"] == found[0].record_id and signed["trainee"] == "Bo Chen"
    assert (signed["sop"], signed["version"], signed["date"]) == ("sealer-changeover", "1.2", "2026-05-28T20:26:40Z")
    assert (signed["passed"], signed["score"], signed["duration_s"]) == ("true", "85.0", "196.5")
    assert (signed["errors_out_of_range"], signed["errors_wrong_component"], signed["errors_hazard"]) == ("1", "1", "0")
    assert (signed["signed_by"], signed["signed_at"], signed["expires_at"]) == (
        "Ana Lima", "2026-05-28T21:26:40Z", "2027-05-28T21:26:40Z")
    assert signed["status"] == "valid until 2027-05-28"
    assert (unsigned["signed_by"], unsigned["expires_at"], unsigned["status"]) == ("", "", "not signed")
    assert (failed["passed"], failed["errors_hazard"], failed["status"]) == ("false", "2", "failed")


def test_csv_of_no_records_is_the_header_alone():
    assert csv_text([], now=START) == ",".join(COLUMNS) + "\r\n"


def _is_iri(text: str) -> bool:
    parts = urlsplit(text)
    return bool(parts.scheme) and " " not in text and bool(parts.netloc or parts.path)


def _check_agent(agent: dict) -> None:
    assert agent["objectType"] == "Agent"
    # exactly one inverse functional identifier; ours is an account
    assert {"mbox", "mbox_sha1sum", "openid", "account"} & set(agent) == {"account"}
    assert set(agent["account"]) == {"homePage", "name"} and _is_iri(agent["account"]["homePage"])


def _check_statement(s: dict) -> None:
    assert set(s) <= STATEMENT_KEYS and {"actor", "verb", "object"} <= set(s)
    assert uuid.UUID(s["id"]).version == 5 and s["version"] == "1.0.3"
    _check_agent(s["actor"])
    assert _is_iri(s["verb"]["id"]) and s["verb"]["display"] == {"en-US": s["verb"]["id"].rsplit("/", 1)[1]}
    assert s["object"]["objectType"] == "Activity" and _is_iri(s["object"]["id"])
    assert _is_iri(s["object"]["definition"]["type"]) and "en-US" in s["object"]["definition"]["name"]
    result = s["result"]
    assert isinstance(result["success"], bool) and result["completion"] is True
    assert DURATION.match(result["duration"]), result["duration"]
    if "score" in result:
        score = result["score"]
        assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
    context = s["context"]
    assert uuid.UUID(context["registration"])
    assert all(_is_iri(key) for key in context["extensions"])
    assert all(_is_iri(key) for key in result.get("extensions", {}))
    assert datetime.fromisoformat(s["timestamp"].replace("Z", "+00:00")).tzinfo is not None


def test_xapi_statements_follow_the_specification(found):
    made = statements(found)
    for statement in made:
        _check_statement(statement)
    assert len({s["id"] for s in made}) == len(made)  # ids unique
    assert statements(found) == made  # and the same on every export: an LRS keeps them once


def test_xapi_says_passed_or_failed_with_score_and_one_completed_per_step(found):
    made = statements(found)
    signed = [s for s in made if s["context"]["extensions"]["urn:linetwin:xapi:record-id"] == found[0].record_id]
    main, *steps = signed
    assert main["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert main["actor"]["name"] == main["actor"]["account"]["name"] == "Bo Chen"
    assert main["actor"]["account"]["homePage"] == "urn:linetwin"
    assert main["object"]["id"] == "urn:linetwin:sop:sealer-changeover:1.2"
    assert main["result"]["score"] == {"scaled": 0.85, "raw": 85.0, "min": 0, "max": 100}
    assert main["result"]["duration"] == "PT196.5S" and main["result"]["success"] is True
    assert main["result"]["extensions"]["urn:linetwin:xapi:errors-by-kind"] == {"out_of_range": 1,
                                                                                "wrong_component": 1}
    assert main["timestamp"] == iso_timestamp(found[0].ended_at)
    ext = main["context"]["extensions"]
    assert ext["urn:linetwin:xapi:record-hash"] == found[0].record_hash
    assert ext["urn:linetwin:xapi:signature-hash"] == found[0].signature_hash
    assert main["context"]["instructor"]["name"] == "Ana Lima"
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in steps] == ["completed"] * 6
    assert [s["result"]["success"] for s in steps] == [True, False, False, True, True, True]
    assert steps[0]["object"]["id"] == "urn:linetwin:sop:sealer-changeover:1.2:step:s1"
    assert steps[0]["result"]["duration"] == "PT20.25S"
    assert all(s["context"]["contextActivities"]["parent"][0]["id"] == main["object"]["id"] for s in steps)
    assert {s["context"]["registration"] for s in signed} == {main["context"]["registration"]}


def test_xapi_of_unsigned_and_failed_records(found):
    made = statements(found)
    unsigned = next(s for s in made if s["actor"]["name"] == "Cy Diaz")
    assert "instructor" not in unsigned["context"]
    assert "urn:linetwin:xapi:signature-hash" not in unsigned["context"]["extensions"]
    # an SOP id with a space and a colon stays one IRI segment
    assert unsigned["object"]["id"] == "urn:linetwin:sop:labeler%20jam%3Av:1.2"
    failed = [s for s in made if s["context"]["extensions"]["urn:linetwin:xapi:record-id"] == found[2].record_id]
    assert failed[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert failed[0]["result"]["success"] is False and failed[0]["result"]["score"]["scaled"] == 0.4


@pytest.mark.parametrize("seconds, text", [(123.4, "PT123.4S"), (0.0, "PT0S"), (60.0, "PT60S"),
                                           (20.256, "PT20.26S"), (-1.0, "PT0S")])
def test_iso_durations(seconds, text):
    assert iso_duration(seconds) == text and DURATION.match(text)
