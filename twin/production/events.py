"""Production events: what happened to units, lots and operator steps.

Pure value types (builtins only) so they cross threads like value updates and
flow through :class:`~linetwin.twin.pipeline.TwinPipeline` in the same
batches, live and in replay. Times are source times, POSIX seconds (UTC).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class InspectionResult(str, Enum):
    PASS = "pass"
    FAIL = "fail"  # scrapped: a defect that cannot be reworked
    REWORK = "rework"  # a defect sent back for rework


class Severity(str, Enum):
    """How bad a defect is for the customer (a common three-level scale)."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class InspectionEvent:
    """One unit inspected at one station.

    ``defect_type`` and ``severity`` are None for a unit that passed;
    ``measured`` holds the values the inspection took (e.g. seal width).
    """

    time: float
    unit_id: str
    lot: str
    sku: str
    station: str
    result: InspectionResult
    defect_type: str | None = None
    severity: Severity | None = None
    measured: Mapping[str, float] = field(default_factory=dict)

    @property
    def defective(self) -> bool:
        return self.result is not InspectionResult.PASS


@dataclass(frozen=True, slots=True)
class ComplianceEvent:
    """One operator step of a procedure, as the line saw it.

    ``ok`` False is a violation and ``reason`` says what was wrong
    (e.g. "seal head engaged before verification").
    """

    time: float
    station: str
    operator: str
    role: str
    sop_id: str
    step: str
    action: str
    ok: bool = True
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Lot:
    """A lot of one SKU. ``end`` NaN: the lot is still running.

    As a pipeline item it reports a lot change: a Lot with no end started at
    ``start``; one with an end finished then.
    """

    lot_id: str
    sku: str
    start: float
    end: float = math.nan

    @property
    def open(self) -> bool:
        return math.isnan(self.end)

    @property
    def time(self) -> float:
        """When this change happened: the start of an open lot, else its end."""
        return self.start if self.open else self.end


ProductionEvent = InspectionEvent | ComplianceEvent | Lot
PRODUCTION_TYPES = (InspectionEvent, ComplianceEvent, Lot)
