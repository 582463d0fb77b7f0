"""Checking the rows of a plant export before they become inspection events.

Every row is checked, and a bad one is never dropped silently: it becomes a
:class:`BadRow` naming where it is (the position the reader gave it, e.g.
"line 7 of plant.csv") and what is wrong. The checks: a required field missing
(time, unit_id, station, result; defect_type when the result is not pass), an
unknown station (the project's asset ids and names are known), a time that
cannot be read or lies outside 2000-01-01 .. now + 1 day, a result or severity
of no known spelling, and a unit id seen twice at one station.

Results: ``pass``, ``fail``, ``rework`` in any case, and these synonyms
(:data:`RESULT_SYNONYMS`): OK, good, passed, IO / i.O. (German *in Ordnung*)
-> pass; NOK, NG, bad, failed, reject(ed), scrap, NIO / n.i.O. -> fail;
rework(ed), repair -> rework.

Times (:func:`parse_time`): ISO 8601 with an offset or ``Z``; a time without
one is read in the ``--tz`` zone (IANA name) and is a bad row without it, as is
a local time that does not exist (clocks jump forward) or occurs twice (clocks
go back) there; or POSIX seconds (a plain number).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from linetwin.twin.model import AssetLevel, Project
from linetwin.twin.production.events import InspectionResult, Severity

FIELDS = ("time", "unit_id", "lot", "sku", "station", "result", "defect_type", "severity")
REQUIRED = ("time", "unit_id", "station", "result")
RESULT_SYNONYMS = {
    **dict.fromkeys(("pass", "ok", "good", "passed", "io", "i.o.", "i.o"), InspectionResult.PASS),
    **dict.fromkeys(("fail", "nok", "ng", "bad", "failed", "reject", "rejected", "scrap", "nio",
                     "n.i.o.", "n.i.o"), InspectionResult.FAIL),
    **dict.fromkeys(("rework", "reworked", "repair"), InspectionResult.REWORK),
}
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp()
FUTURE_SLACK_S = 86400.0  # a clock a little ahead is tolerated; a day ahead is a wrong time
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


class TimeProblem(ValueError):
    """A time cannot be read; the message says why, for the bad-row report."""


@dataclass(frozen=True)
class BadRow:
    where: str  # e.g. "line 7 of plant.csv"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class GoodRow:
    """One row that passed every check, as inspection_events columns."""

    where: str
    time: float
    unit_id: str
    lot: str | None
    sku: str | None
    station: str
    result: str
    defect_type: str | None
    severity: str | None
    measured: dict[str, float]


def stations(project: Project) -> list:
    """The assets a unit can be inspected at: machines and their parts, not the plant
    or a line (an event on "line1" is a mapping mistake, not a station)."""
    return [a for a in project.assets if a.level in (AssetLevel.ASSET, AssetLevel.COMPONENT)]


def station_names(project: Project) -> dict[str, str]:
    """Every spelling of a station a plant may use (asset id or name, any case) -> asset id."""
    names: dict[str, str] = {}
    for asset in stations(project):
        names.setdefault(asset.name.strip().lower(), asset.id)
    for asset in stations(project):
        names[asset.id.lower()] = asset.id  # an id wins over another asset's name
    return names


class RowChecker:
    """Checks rows one by one; remembers units seen, to find duplicates.

    ``fields`` maps a field name to the export's column; ``extra`` are the
    columns kept, where numeric, in ``measured``. ``present``: (station,
    unit_id) -> times already in the history.
    """

    def __init__(self, project: Project, fields: Mapping[str, str], extra: Iterable[str],
                 tz: str | None, now: float, present: Mapping[tuple[str, str], set[float]]) -> None:
        self.stations = station_names(project)
        self.known = ", ".join(a.id for a in stations(project))
        self.fields, self.extra = dict(fields), list(extra)
        self.zone = ZoneInfo(tz) if tz else None
        self.tz = tz
        self.latest = now + FUTURE_SLACK_S
        self.present = present
        self.seen: dict[tuple[str, str], str] = {}  # (station, unit) -> where first seen
        self.already = 0  # rows the history holds already (same station, unit and time)

    def check(self, where: str, row: Mapping[str, Any]) -> GoodRow | BadRow | None:
        """The row as a GoodRow, a BadRow saying why, or None: already in the history."""
        value = {name: _text(row.get(column)) for name, column in self.fields.items()}
        missing = [name for name in REQUIRED if not value.get(name)]
        if missing:
            return BadRow(where, f"missing {', '.join(missing)}")
        station = self.stations.get(value["station"].lower())
        if station is None:
            return BadRow(where, f"unknown station {value['station']!r} (known: {self.known})")
        result = RESULT_SYNONYMS.get(value["result"].lower())
        if result is None:
            return BadRow(where, f"result {value['result']!r} is not pass, fail or rework "
                          "(nor OK/NOK, good/bad, IO/NIO)")
        defect = value.get("defect_type") or None
        if result is not InspectionResult.PASS and defect is None:
            return BadRow(where, f"missing defect_type (required when the result is {result.value})")
        severity, problem = _severity(value.get("severity"))
        if problem:
            return BadRow(where, problem)
        try:
            at = self._time(row.get(self.fields["time"]))
        except TimeProblem as exc:
            return BadRow(where, f"time {value['time']!r}: {exc}")
        unit = value["unit_id"]
        key = (station, unit)
        if at in self.present.get(key, ()):
            self.already += 1
            return None
        if key in self.seen:
            return BadRow(where, f"duplicate unit id {unit!r} at station {station} (also on {self.seen[key]})")
        if key in self.present:
            return BadRow(where, f"duplicate unit id {unit!r} at station {station}: the history "
                          "already holds it at another time")
        self.seen[key] = where
        return GoodRow(where, at, unit, value.get("lot") or None, value.get("sku") or None, station,
                       result.value, defect,
                       severity, self._measured(row))

    def _time(self, raw: Any) -> float:
        at = parse_time(raw, self.zone, self.tz)
        if not EARLIEST <= at <= self.latest:
            stamp = datetime.fromtimestamp(at, timezone.utc).isoformat() if math.isfinite(at) else at
            raise TimeProblem(f"{stamp} is out of range (2000-01-01 .. a day from now)")
        return at

    def _measured(self, row: Mapping[str, Any]) -> dict[str, float]:
        out = {}
        for column in self.extra:
            number = as_number(row.get(column))
            if number is not None and math.isfinite(number):
                out[column] = number
        return out


def parse_time(raw: Any, zone: ZoneInfo | None, tz: str | None = None) -> float:
    """POSIX seconds of an exported time (see the module docstring); TimeProblem if unreadable."""
    if isinstance(raw, bool) or raw is None:
        raise TimeProblem("not a time")
    if isinstance(raw, (int, float)):
        return _finite(float(raw))
    if isinstance(raw, datetime):
        stamp = raw
    else:
        text = str(raw).strip()
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise TimeProblem("not a finite number")
        if _NUMBER.match(text):
            return _finite(float(text.replace(",", ".")))
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            raise TimeProblem("not ISO 8601 (e.g. 2026-03-29T01:59:30+01:00) nor POSIX seconds") from None
    if stamp.tzinfo is not None:
        return stamp.timestamp()
    if zone is None:
        raise TimeProblem("no offset and no --tz given: say which zone the plant's clock shows")
    return _local(stamp, zone, tz)


def _local(stamp: datetime, zone: ZoneInfo, tz: str | None) -> float:
    """A wall-clock time in ``zone``: refused where it does not exist or is ambiguous."""
    first, second = stamp.replace(tzinfo=zone, fold=0), stamp.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
        if back != stamp:
            raise TimeProblem(f"does not exist in {tz} (the clocks jump forward then)")
        raise TimeProblem(f"occurs twice in {tz} (the clocks go back then): write it with an offset")
    return first.timestamp()


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise TimeProblem("not a finite number")
    return value


def _severity(raw: str | None) -> tuple[str | None, str | None]:
    if not raw:
        return None, None
    try:
        return Severity(raw.lower()).value, None
    except ValueError:
        return None, f"severity {raw!r} is not minor, major or critical"


def as_number(raw: Any) -> float | None:
    """A measured value as a float: numbers, and text with a decimal point or comma."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip()
    return float(text.replace(",", ".")) if _NUMBER.match(text) else None


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return str(raw)  # a NaN time is out of range, not missing: the report says which
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()
