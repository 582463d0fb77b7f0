"""``linetwin train records | sign | users``: training records, sign-off and LineTwin users.

- ``records`` lists the records of a history store as a table, or exports them
  (``-o``: CSV, xAPI JSON statements or PDF certificates; the format from
  ``--format`` or the file's suffix). ``--record ID`` keeps one record.
- ``sign RECORD_ID --trainer NAME`` signs a record off; refused with the reason
  for a trainee signing their own record, a name that is not a trainer, an
  unknown, failed, tampered or already signed record.
- ``users list | add NAME --role ROLE | remove NAME``: the users a sign-off names.

Exit codes: 0 done, 1 bad input or a refused sign-off (the reason on stderr),
2 for a command line argparse refuses.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from linetwin.io.history.history_store import HistoryStoreError
from linetwin.io.training import identities
from linetwin.io.training import records as training
from linetwin.io.training.record_csv import csv_text
from linetwin.io.training.records import TrainingRecord, iso_time
from linetwin.io.training.xapi import statements

SUFFIX_FORMATS = {".csv": "csv", ".json": "xapi", ".pdf": "pdf", ".txt": "text"}


def run_train_action(args) -> int:
    action = {"records": _records, "sign": _sign, "users": _users}[args.train_action]
    try:
        return action(args)
    except (ValueError, HistoryStoreError) as exc:
        _say(args.train_action, str(exc))
        return 1
    except OSError as exc:  # an output file that cannot be written
        _say(args.train_action, f"{exc.filename or ''}: {exc.strerror or exc}")
        return 1


def _say(action: str, text: str) -> None:
    print(f"linetwin train {action}: {text}", file=sys.stderr, flush=True)


# --- records ---------------------------------------------------------------------------


def _records(args) -> int:
    path = args.history or training.default_store_path()
    fmt = args.format or (SUFFIX_FORMATS.get(args.output.suffix.lower(), "text") if args.output else "text")
    found = training.records(path, trainee=args.trainee, sop=args.sop, record_id=args.record)
    if args.record and not found:
        raise training.TrainingRecordError(f"{path}: no training record {args.record}{_filters(args)}")
    now = time.time()
    if fmt == "pdf":
        return _certificates(args, path, found, now)
    if fmt == "csv":
        text = csv_text(found, now)
    elif fmt == "xapi":
        text = json.dumps(statements(found), indent=2, ensure_ascii=False) + "\n"
    elif found:
        text = "\n".join(records_table(found, now)) + "\n"
    else:
        text = f"no training records{_filters(args)} in {path}\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.write_text(text, encoding="utf-8", newline="")
    _done(args.output, len(found), "record")
    return 0


def _certificates(args, path: Path, found: Sequence[TrainingRecord], now: float) -> int:
    if args.output is None:
        raise ValueError("a PDF certificate needs -o FILE.pdf")
    if not found:
        raise ValueError(f"{path}: no training records{_filters(args)} to print")
    from linetwin.ui.report.certificate import write_certificates  # reportlab only when asked

    write_certificates(found, args.output, now)
    _done(args.output, len(found), "certificate")
    return 0


def records_table(found: Sequence[TrainingRecord], now: float) -> list[str]:
    """One line per record, columns padded to line up."""
    header = ("RECORD", "TRAINEE", "SOP", "VERSION", "DATE", "RESULT", "SCORE", "TIME", "SIGNED BY", "STATUS")
    rows = [header] + [(r.record_id, r.trainee, r.sop_id, r.sop_version, iso_time(r.started_at),
                        "passed" if r.passed else "failed", f"{r.score:.1f}", f"{r.duration_s:.1f} s",
                        r.signed_by or "-", r.status(now)) for r in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _filters(args) -> str:
    parts = [f"{what} {value}" for what, value in (("of trainee", args.trainee), ("of SOP", args.sop))
             if value]
    return (" " + " and ".join(parts)) if parts else ""


def _done(out: Path, n: int, what: str) -> None:
    print(f"wrote {out} ({n} {what}{'' if n == 1 else 's'})")


# --- sign ------------------------------------------------------------------------------


def _sign(args) -> int:
    path = args.history or training.default_store_path()
    signed = training.sign(path, args.record, args.trainer, args.comment)
    print(f"{signed.record_id} signed by {signed.signed_by} ({signed.signer_role}) at "
          f"{iso_time(signed.signed_at)}: {signed.status(signed.signed_at)}")
    print(f"signature hash {signed.signature_hash}")
    return 0


# --- users -----------------------------------------------------------------------------


def _users(args) -> int:
    if args.users_action == "list":
        users = identities.load_users()
        if not users:
            print(f"no LineTwin users yet ({identities.users_path()}); add one with "
                  "`linetwin train users add NAME --role ROLE`")
        width = max((len(u.name) for u in users), default=0)
        for user in users:
            print(f"{user.name.ljust(width)}  {user.role}")
        return 0
    if args.users_action == "add":
        user = identities.add_user(args.name, args.role)
        print(f"added {user.name} ({user.role}) to {identities.users_path()}")
        return 0
    user = identities.remove_user(args.name)
    print(f"removed {user.name} ({user.role}) from {identities.users_path()}")
    return 0
