"""Units, lots and operator steps of the simulated line (issue 7, section 2).

The line model (:mod:`linetwin.twin.sim.simulation`) tells this model what
happened: each pack inspected (with its defect code from the process model),
each long stop, the clock. From that it makes what a quality team sees:

- an :class:`InspectionEvent` per pack at the inspection station, with a unit
  id (``U00000001`` ...), the running lot and SKU, the result and severity of
  its defect type, and the process values it was made under. A pass is one
  ``good_count`` increment, a defect one ``reject_count`` and one
  ``inspection.defects.<type>`` increment, so events and counters agree;
- a lot change every ``units_per_lot`` units (:class:`Lot` items: the closed
  lot, then the new open one), ids like ``2026-12-02-A``, a SKU drawn per lot;
- :class:`ComplianceEvent` steps of two procedures: the sealer changeover at
  the start of a run and when a new lot has another SKU, and clearing a stop long enough to need a lockout
  (the ``jam`` scenario's, a long breakdown). At ``violation_rate`` a procedure
  goes wrong as it does on real lines: its verification step is skipped, or
  two steps are done in the wrong order; the step that broke the rule has
  ``ok=False`` and says why.

Times are simulated seconds; :meth:`ProductionModel.take` shifts them onto the
caller's clock. Its random draws come from a generator of its own, so the line's
values for a seed are the same with or without production events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from linetwin.twin.production.events import (
    ComplianceEvent,
    InspectionEvent,
    InspectionResult,
    Lot,
    ProductionEvent,
    Severity,
)

PASS, FAIL, REWORK = InspectionResult.PASS, InspectionResult.FAIL, InspectionResult.REWORK
# What each defect type means for the pack: a bad seal or a contaminated pack is
# scrapped, a crooked label or a misplaced pack can be reworked.
DEFECT_OUTCOMES: dict[str, tuple[InspectionResult, Severity]] = {
    "seal_gap": (FAIL, Severity.CRITICAL),
    "wrinkle": (REWORK, Severity.MAJOR),
    "contamination": (FAIL, Severity.CRITICAL),
    "misalignment": (REWORK, Severity.MINOR),
    "label_skew": (REWORK, Severity.MINOR),
}
LOCKOUT_MIN_S = 30.0  # a stop this long is cleared under lockout, with its procedure
CHANGEOVER_MARKS_S = (2.0, 25.0, 45.0)  # heat up, verify, engage: after the lot starts


@dataclass(frozen=True)
class ProductionConfig:
    """How the simulated line makes units, lots and procedures."""

    units_per_lot: int = 500
    skus: tuple[str, ...] = ("PCH-250-ORIG", "PCH-250-LITE", "PCH-500-ORIG")
    first_day: str = "2026-12-02"  # the date in the first lot ids (simulated time 0)
    violation_rate: float = 0.08  # share of procedures that break a rule

    def __post_init__(self) -> None:
        if self.units_per_lot < 1:
            raise ValueError(f"units_per_lot must be >= 1, got {self.units_per_lot}")
        if not self.skus:
            raise ValueError("skus must name at least one SKU")
        if not 0.0 <= self.violation_rate <= 1.0:
            raise ValueError(f"violation_rate must be within 0..1, got {self.violation_rate}")
        dt.date.fromisoformat(self.first_day)  # ValueError names the bad date


@dataclass(frozen=True)
class Step:
    """One step of a procedure: its name, what the operator does, and the rule that
    a step done too early breaks."""

    name: str
    action: str
    must_follow: str | None = None  # this step before that one is a violation


@dataclass(frozen=True)
class Procedure:
    sop_id: str
    steps: tuple[Step, ...]
    verify: str  # the verification step that can be skipped
    role: str


CLEAR_STOP = Procedure("SOP-LOTO-07", (
    Step("lockout", "energy isolated and locked out"),
    Step("clear", "jammed packs removed", must_follow="lockout"),
    Step("verify", "guards closed and sensors checked"),
    Step("release", "lockout released, station restarted", must_follow="verify"),
), verify="verify", role="operator")
CHANGEOVER = Procedure("SOP-SEAL-03", (
    Step("heat_up", "seal head set to the new SKU's temperature"),
    Step("verify_temperature", "seal temperature verified in window", must_follow="heat_up"),
    Step("engage_seal_head", "seal head engaged", must_follow="verify_temperature"),
), verify="verify_temperature", role="technician")
OPERATORS = {"operator": ("op-114", "op-207", "op-352"), "technician": ("tech-031", "tech-045")}
_MEASURED = ("sealer.seal_temperature", "sealer.dwell_time", "sealer.seal_pressure",
             "filler.fill_weight", "labeler.label_offset")


class ProductionModel:
    """Units, lots and operator steps; fed by the line model, drained by :meth:`take`."""

    def __init__(self, seed: int, config: ProductionConfig | None = None,
                 defect_names: tuple[str, ...] = tuple(DEFECT_OUTCOMES)) -> None:
        self.config = config or ProductionConfig()
        self._rng = np.random.Generator(np.random.PCG64([seed, 0x10751]))
        self._defect_names = defect_names
        self._events: list[ProductionEvent] = []
        self._due: list[tuple[float, int, ComplianceEvent]] = []  # steps not yet done
        self._order = 0  # tie-break for steps due at the same instant
        self.units = 0
        self.procedures = 0
        self.violations = 0
        self._lot_index = 0
        self._in_lot = 0
        self.lot = self._open_lot(0.0, self._rng.choice(len(self.config.skus)))
        # A run starts as a changeover does: the sealer is set up for the first SKU.
        self._schedule(CHANGEOVER, "sealer", list(CHANGEOVER_MARKS_S))

    # -- fed by the line model ---------------------------------------------------------

    def inspected(self, t: float, station: str, codes: np.ndarray, process: Mapping[str, float]) -> None:
        """Packs inspected at ``t``: one code per pack, 0 pass, else a defect code."""
        measured = {k.split(".", 1)[1]: float(v) for k, v in process.items() if k in _MEASURED}
        for code in codes:
            self.units += 1
            self._in_lot += 1
            if code:
                defect = self._defect_names[int(code) - 1]
                result, severity = DEFECT_OUTCOMES.get(defect, (FAIL, Severity.MAJOR))
            else:
                defect, result, severity = None, PASS, None
            self._events.append(InspectionEvent(t, f"U{self.units:08d}", self.lot.lot_id, self.lot.sku,
                                                station, result, defect, severity, measured))
            if self._in_lot >= self.config.units_per_lot:
                self._change_lot(t)

    def stop_started(self, t: float, station: str, duration_s: float) -> None:
        """A station went down for ``duration_s``; a long stop is cleared under lockout."""
        if duration_s >= LOCKOUT_MIN_S:
            marks = (3.0, 0.35 * duration_s, 0.75 * duration_s, duration_s - 1.0)
            self._schedule(CLEAR_STOP, station, [t + m for m in marks])

    def advance(self, t: float) -> None:
        """Steps due by ``t`` are done now, in time order."""
        while self._due and self._due[0][0] <= t:
            self._events.append(heapq.heappop(self._due)[2])

    def take(self, epoch: float = 0.0) -> list[ProductionEvent]:
        """Events since the last call, in order, times shifted by ``epoch`` seconds."""
        events, self._events = self._events, []
        if epoch:
            events = [_shifted(e, epoch) for e in events]
        return events

    # -- lots ----------------------------------------------------------------------------

    def _open_lot(self, t: float, sku_index: int) -> Lot:
        day = dt.date.fromisoformat(self.config.first_day) + dt.timedelta(seconds=t)
        lot = Lot(f"{day.isoformat()}-{_letters(self._lot_index)}", self.config.skus[sku_index], t)
        self._lot_index += 1
        self._in_lot = 0
        self._events.append(lot)
        return lot

    def _change_lot(self, t: float) -> None:
        closed = dataclasses.replace(self.lot, end=t)
        self._events.append(closed)
        if dt.timedelta(seconds=closed.start).days != dt.timedelta(seconds=t).days:
            self._lot_index = 0  # a new day starts its letters again at A
        self.lot = self._open_lot(t, self._rng.choice(len(self.config.skus)))
        if self.lot.sku != closed.sku:
            self._schedule(CHANGEOVER, "sealer", [t + m for m in CHANGEOVER_MARKS_S])

    # -- procedures --------------------------------------------------------------------

    def _schedule(self, procedure: Procedure, station: str, times: list[float]) -> None:
        """Queue the steps of one run of ``procedure``, maybe with a violation."""
        rng, names = self._rng, [s.name for s in procedure.steps]
        operators = OPERATORS[procedure.role]
        operator = operators[int(rng.integers(len(operators)))]
        self.procedures += 1
        order = list(range(len(names)))
        if rng.random() < self.config.violation_rate:
            self.violations += 1
            if rng.random() < 0.5:  # verification skipped
                order.remove(names.index(procedure.verify))
            else:  # a step done before the one it must follow
                pairs = [i for i in range(len(names) - 1) if procedure.steps[i + 1].must_follow == names[i]]
                i = pairs[int(rng.integers(len(pairs)))]
                order[i], order[i + 1] = order[i + 1], order[i]
        skipped = procedure.verify not in [names[i] for i in order]
        done: set[str] = set()
        for when, index in zip(times, order):
            step = procedure.steps[index]
            reason = _broken_rule(step, done, procedure.verify if skipped else None)
            done.add(step.name)
            event = ComplianceEvent(when, station, operator, procedure.role, procedure.sop_id, step.name,
                                    step.action, ok=not reason, reason=reason)
            self._order += 1
            heapq.heappush(self._due, (when, self._order, event))


def _broken_rule(step: Step, done: set[str], skipped: str | None) -> str:
    """Why doing ``step`` now breaks its procedure ('' if it does not)."""
    if step.must_follow is None or step.must_follow in done:
        return ""
    if step.must_follow == skipped:
        return f"verification skipped: {step.name} without {skipped}"
    return f"wrong order: {step.name} before {step.must_follow}"


def _letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: lot letters within a day."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _shifted(event: ProductionEvent, epoch: float) -> ProductionEvent:
    if isinstance(event, Lot):
        end = event.end if math.isnan(event.end) else event.end + epoch
        return dataclasses.replace(event, start=event.start + epoch, end=end)
    return dataclasses.replace(event, time=event.time + epoch)
