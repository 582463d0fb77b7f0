"""Training records as xAPI 1.0.3 statements, for a learning record store (LRS).

Per record, the minimal set an LMS reports on:

- one statement ``<trainee> passed|failed <SOP version>``: verb
  ``http://adlnet.gov/expapi/verbs/passed`` or ``.../failed``; object the activity
  ``urn:linetwin:sop:<ID>:<version>`` (type assessment); result with
  ``success``, ``completion``, ``score`` (scaled 0..1, raw 0..100), ``duration``
  (ISO 8601, ``PT128.5S``) and the errors by kind as a result extension;
- one statement ``<trainee> completed <step>`` per step the trainee completed:
  object ``urn:linetwin:sop:<ID>:<version>:step:<step id>``, result ``success``
  (no error on the step) and ``duration``; the SOP activity is its parent.

Every statement of a record shares the context ``registration`` (one attempt)
and carries the record id, record hash and, once signed, the signature hash and
expiry as context extensions; the signing trainer is the context ``instructor``.
Statement ids are UUIDs derived from the record hash, so exporting a record
twice gives the same statements and an LRS keeps them once.

Errors are not statements of their own: an LRS cannot tell a step's mistake
from a separate interaction, and the counts per kind are what is reported on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from linetwin.io.training.records import TrainingRecord, iso_time

XAPI_VERSION = "1.0.3"
HOME_PAGE = "urn:linetwin"
VERBS = "http://adlnet.gov/expapi/verbs/"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
STEP_TYPE = "http://adlnet.gov/expapi/activities/interaction"
EXTENSION = "urn:linetwin:xapi:"  # + record-id, record-hash, ...
LANG = "en-US"


def statements(records: Sequence[TrainingRecord]) -> list[dict[str, Any]]:
    """The statements of ``records``, in record order (a JSON list for an LRS)."""
    out: list[dict[str, Any]] = []
    for record in records:
        out += record_statements(record)
    return out


def record_statements(record: TrainingRecord) -> list[dict[str, Any]]:
    result = record.result()
    activity = sop_activity(record)
    context = _context(record)
    verb = "passed" if record.passed else "failed"
    by_kind = result.errors_by_kind() if result is not None else {}
    main = _statement(record, "attempt", verb, activity, context, record.ended_at, {
        "success": record.passed, "completion": True,
        "score": {"scaled": round(record.score / 100.0, 4), "raw": round(record.score, 2),
                  "min": 0, "max": 100},
        "duration": iso_duration(record.duration_s),
        "extensions": {EXTENSION + "errors-by-kind": by_kind},
    })
    out = [main]
    for step in result.steps if result is not None else ():
        if not step.completed or step.time_s is None:
            continue
        step_context = dict(context, contextActivities={"parent": [{"objectType": "Activity",
                                                                    "id": activity["id"]}]})
        step_activity = {"objectType": "Activity", "id": f"{activity['id']}:step:{_segment(step.step_id)}",
                         "definition": {"name": {LANG: f"{step.step}. {step.title}"}, "type": STEP_TYPE}}
        out.append(_statement(record, f"step:{step.step_id}", "completed", step_activity, step_context,
                              step.completed_at, {"success": step.errors == 0, "completion": True,
                                                  "duration": iso_duration(step.time_s)}))
    return out


def sop_activity(record: TrainingRecord) -> dict[str, Any]:
    return {"objectType": "Activity",
            "id": f"urn:linetwin:sop:{_segment(record.sop_id)}:{_segment(record.sop_version)}",
            "definition": {"name": {LANG: f"{record.title} (v{record.sop_version})"},
                           "type": ASSESSMENT}}


def agent(name: str) -> dict[str, Any]:
    """A LineTwin user as an xAPI Agent: an account on this LineTwin, never an e-mail."""
    return {"objectType": "Agent", "name": name, "account": {"homePage": HOME_PAGE, "name": name}}


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration in seconds with xAPI's 0.01 s precision: ``PT128.5S``, ``PT0S``."""
    text = f"{max(seconds, 0.0):.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def iso_timestamp(t: float) -> str:
    """ISO 8601 UTC with milliseconds: ``2026-05-28T20:26:40.000Z``."""
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(record: TrainingRecord, part: str, verb: str, activity: dict[str, Any],
               context: dict[str, Any], at: float, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:linetwin:record:{record.record_hash}:{part}")),
        "version": XAPI_VERSION,
        "actor": agent(record.trainee),
        "verb": {"id": VERBS + verb, "display": {LANG: verb}},
        "object": activity,
        "result": result,
        "context": context,
        "timestamp": iso_timestamp(at),
    }


def _context(record: TrainingRecord) -> dict[str, Any]:
    extensions: dict[str, Any] = {EXTENSION + "record-id": record.record_id,
                                  EXTENSION + "record-hash": record.record_hash,
                                  EXTENSION + "mode": record.mode}
    context: dict[str, Any] = {
        "registration": str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:linetwin:record:{record.record_hash}")),
        "platform": "LineTwin", "language": LANG, "extensions": extensions,
    }
    if record.signed:
        context["instructor"] = agent(record.signed_by)
        extensions[EXTENSION + "signer-role"] = record.signer_role
        extensions[EXTENSION + "signed-at"] = iso_time(record.signed_at)
        extensions[EXTENSION + "signature-hash"] = record.signature_hash
        if record.expires_at is not None:
            extensions[EXTENSION + "expires-at"] = iso_time(record.expires_at)
    return context


def _segment(text: str) -> str:
    """An SOP or step id as one IRI segment: no spaces, no ':' to split on."""
    return quote(text, safe="-._~")
