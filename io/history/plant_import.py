"""``linetwin history import``: a plant's own inspection/defect export into a history.

The export (CSV, Parquet, JSON lines; read by :mod:`.plant_read`) is checked
row by row (:mod:`.import_rows`). A bad row is never dropped silently: with
any bad row nothing is imported unless ``skip_bad``, and either way the
:class:`ImportReport` lists each one with where it is and why.

Idempotent: each import is remembered in the ``imports`` table by the file's
SHA-256, so the same content imported again adds nothing and says when it was
imported; a row the history already holds (same station, unit id and time)
is skipped, not duplicated. Imported rows get a session of their own (endpoint
``import:<file name>``), and an audit entry records the file's hash and the counts.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from linetwin.io.history.history_rows import finite_json
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.import_rows import FIELDS, REQUIRED, BadRow, GoodRow, RowChecker
from linetwin.io.history.plant_read import PlantRows, export_format, normalise, read_plant_file
from linetwin.twin.model import Project


class ImportUsageError(ValueError):
    """A bad option (``--map``, ``--tz``): the message says which and why."""


class ImportFileError(Exception):
    """The export cannot be imported as a whole (unreadable, a required column
    missing); the message names the file."""


@dataclass
class ImportReport:
    """What an import did, for the command's report."""

    file: Path
    sha256: str
    convention: str = ""  # how the bad rows' places are counted
    rows: int = 0  # data rows read
    imported: int = 0
    already: int = 0  # rows the history held already
    bad: list[BadRow] = field(default_factory=list)
    skip_bad: bool = False
    previous: dict[str, Any] | None = None  # the earlier import of the same content
    session_id: int | None = None
    measured: list[str] = field(default_factory=list)  # columns kept as measured values

    @property
    def ok(self) -> bool:
        return not self.bad

    def lines(self) -> list[str]:
        name = self.file.name
        if self.previous is not None:
            when = datetime.fromtimestamp(self.previous["imported_at"], timezone.utc)
            return [f"{name}: already imported (import {self.previous['import_id']}, "
                    f"{when.isoformat(timespec='seconds')}, {self.previous['rows']} rows): nothing added"]
        out = [f"{name}: {self.rows} rows read, {self.imported} imported, {self.already} already in "
               f"the history, {len(self.bad)} bad"]
        if self.bad:
            out.append(f"bad rows ({self.convention}):")
            out += [f"  {bad}" for bad in self.bad]
            out.append("the bad rows were skipped, the others imported" if self.skip_bad else
                       "nothing imported: fix the bad rows, or import the others with --skip-bad")
        return out


def parse_maps(specs: Iterable[str]) -> dict[str, str]:
    """``COLUMN=FIELD`` options -> {normalised column: field}."""
    maps: dict[str, str] = {}
    for spec in specs:
        column, sep, target = spec.partition("=")
        target = target.strip().lower()
        if not sep or not column.strip() or not target:
            raise ImportUsageError(f"--map {spec!r}: expected COLUMN=FIELD, e.g. --map \"Serial No=unit_id\"")
        if target not in FIELDS:
            raise ImportUsageError(f"--map {spec!r}: unknown field {target!r}; fields: {', '.join(FIELDS)}")
        maps[normalise(column)] = target
    return maps


def check_zone(tz: str | None) -> None:
    if tz is None:
        return
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportUsageError(f"--tz {tz!r}: not an IANA time zone (e.g. Europe/Berlin, UTC)") from None


def import_events(store: HistoryStore, project: Project, path: str | Path, maps: Sequence[str] = (),
                  tz: str | None = None, skip_bad: bool = False, user: str | None = None,
                  now: float | None = None) -> ImportReport:
    """Import the inspection events of the export at ``path`` into ``store``.

    Raises ImportUsageError for a bad ``maps``/``tz``, ImportFileError (or
    HistoryStoreError) when the file or the history cannot be used at all.
    """
    path = Path(path)
    columns_of = parse_maps(maps)
    check_zone(tz)
    export_format(path)
    now = time.time() if now is None else float(now)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    report = ImportReport(path, digest, skip_bad=skip_bad)
    previous = store.fetch_dicts("SELECT * FROM imports WHERE sha256 = ? ORDER BY import_id LIMIT 1", [digest])
    if previous:
        report.previous = previous[0]
        return report
    plant = read_plant_file(path)
    fields = _fields(plant, columns_of)
    report.convention, report.rows = plant.convention, len(plant.rows)
    report.measured = [c for c in plant.columns if c not in fields.values()]
    checker = RowChecker(project, fields, report.measured, tz, now, _present(store, plant, fields))
    good: list[GoodRow] = []
    for where, row in plant.rows:
        checked = checker.check(where, row)
        if isinstance(checked, BadRow):
            report.bad.append(checked)
        elif checked is not None:
            good.append(checked)
    report.already = checker.already
    if report.bad and not skip_bad:
        return report
    _store(store, project, report, good, now)
    # Audit names a LineTwin user (DESIGN 9); without one the entry says it is not attributed.
    store.append_audit(user or f"unattributed (os login {_login()})", "history-import", {
        "file": path.name, "sha256": digest, "rows": report.rows, "imported": report.imported,
        "already_present": report.already, "bad": len(report.bad), "bad_skipped": bool(report.bad),
        "session_id": report.session_id}, at=now)
    return report


def _fields(plant: PlantRows, columns_of: dict[str, str]) -> dict[str, str]:
    """field -> the export's column: a column named as a field, or as ``--map`` says."""
    unknown = [c for c in columns_of if c not in plant.columns]
    if unknown:
        raise ImportFileError(f"{plant.path}: --map names column(s) {', '.join(unknown)} that the file "
                              f"does not have; its columns: {', '.join(plant.columns)}")
    fields = {c: c for c in plant.columns if c in FIELDS and c not in columns_of}
    fields.update({target: column for column, target in columns_of.items()})
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise ImportFileError(f"{plant.path}: no column for {', '.join(missing)}; its columns: "
                              f"{', '.join(plant.columns)} (name one with --map COLUMN=FIELD)")
    return fields


def _present(store: HistoryStore, plant: PlantRows, fields: dict[str, str]) -> dict[tuple[str, str], set[float]]:
    """(station, unit id) -> times, for the units of the file the history already holds."""
    units = sorted({str(row.get(fields["unit_id"])).strip() for _, row in plant.rows
                    if row.get(fields["unit_id"]) is not None})
    if not units:
        return {}
    present: dict[tuple[str, str], set[float]] = {}
    for row in store.fetch_dicts("SELECT station, unit_id, time FROM inspection_events "  # a hash join
                                 "WHERE unit_id IN (SELECT unnest(?::VARCHAR[]))", [units]):
        present.setdefault((row["station"], row["unit_id"]), set()).add(row["time"])
    return present


def _store(store: HistoryStore, project: Project, report: ImportReport, good: list[GoodRow], now: float) -> None:
    """A session for the import, then its rows and the import's row in one transaction."""
    name = report.file.name
    path = str(project.path) if project.path is not None else None
    report.session_id = sid = store.begin_session(project.name, path, f"import:{name}", started_at=now)
    import_id = int(store.fetch_numpy("SELECT coalesce(max(import_id), 0) + 1 AS n FROM imports")["n"][0])
    tables = {"imports": {"import_id": [import_id], "file": [name], "sha256": [report.sha256],
                          "rows": [len(good)], "skipped": [report.rows - len(good)],
                          "session_id": [report.session_id], "imported_at": [now]}}
    if good:
        tables["inspection_events"] = {
            "session_id": [sid] * len(good), "time": [r.time for r in good],
            "unit_id": [r.unit_id for r in good], "lot": [r.lot for r in good],
            "sku": [r.sku for r in good], "station": [r.station for r in good],
            "result": [r.result for r in good], "defect_type": [r.defect_type for r in good],
            "severity": [r.severity for r in good],
            "measured": [json.dumps(finite_json(r.measured), sort_keys=True) if r.measured else None
                         for r in good]}
    store.write(tables)
    store.end_session(sid, stopped_at=now)
    report.imported = len(good)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container with an unnamed uid)
        return "unknown"
