"""Training records as CSV: one row per record, for a spreadsheet or an LMS import.

The columns are fixed whatever the records hold (one ``errors_<kind>`` column per
error kind the engine knows), so exports of different days line up. Times are
ISO 8601 UTC; a record without a sign-off leaves the sign-off columns empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from linetwin.io.training.records import TrainingRecord, iso_time
from linetwin.twin.sop.sop_model import ErrorKind

ERROR_COLUMNS = tuple(f"errors_{kind.value}" for kind in ErrorKind)
COLUMNS = ("record_id", "trainee", "trainee_role", "sop", "version", "title", "date", "passed",
           "score", "duration_s", "hints", *ERROR_COLUMNS, "signed_by", "signer_role", "signed_at",
           "expires_at", "status", "record_hash")


def csv_row(record: TrainingRecord, now: float) -> dict[str, object]:
    result = record.result()
    by_kind = result.errors_by_kind() if result is not None else {}
    row: dict[str, object] = {
        "record_id": record.record_id, "trainee": record.trainee, "trainee_role": record.trainee_role,
        "sop": record.sop_id, "version": record.sop_version, "title": record.title,
        "date": iso_time(record.started_at), "passed": str(record.passed).lower(),
        "score": f"{record.score:.1f}", "duration_s": f"{record.duration_s:.1f}",
        "hints": result.hints if result is not None else "",
        "signed_by": record.signed_by or "", "signer_role": record.signer_role or "",
        "signed_at": iso_time(record.signed_at), "expires_at": iso_time(record.expires_at),
        "status": record.status(now), "record_hash": record.record_hash,
    }
    for kind, column in zip(ErrorKind, ERROR_COLUMNS):
        row[column] = by_kind.get(kind.value, 0)
    return row


def csv_text(records: Sequence[TrainingRecord], now: float) -> str:
    """A header row and one row per record, ``\r\n`` line ends as RFC 4180."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for record in records:
        writer.writerow(csv_row(record, now))
    return buffer.getvalue()


def write_csv(records: Sequence[TrainingRecord], out: Path, now: float) -> Path:
    """Write ``records`` to ``out`` (UTF-8) as :func:`csv_text`."""
    Path(out).write_text(csv_text(records, now), encoding="utf-8", newline="")
    return Path(out)
