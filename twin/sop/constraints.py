"""The rules an SOP step is judged by, shared by training and compliance mode.

One place for "was it done in order", "was the energy locked out", "did the
twin show the condition", so a trainee on the simulator and an operator on the
real line are held to the same SOP in the same words.

Pure: numpy (through the twin state) and the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from linetwin.twin.model import AssetLevel, Project
from linetwin.twin.sop.sop_model import ErrorKind, Sop, SopStep
from linetwin.twin.state import TwinState
from linetwin.twin.updates import Quality


def order_problem(sop: Sop, step: SopStep, done: Collection[str]) -> tuple[ErrorKind, str] | None:
    """An out-of-order error if ``step`` is done before a step it must follow."""
    missing = [sop.step(p) for p in step.after if p not in done]
    if not missing:
        return None
    names = ", ".join(f"step {sop.number(p.id)} ({p.title})" for p in missing)
    return ErrorKind.OUT_OF_ORDER, f"{step.title} before {names}"


def hazard_problems(sop: Sop, step: SopStep, locked: Collection[str],
                    at_station: str | None = None) -> list[tuple[ErrorKind, str]]:
    """A hazard error per hazard of ``step`` whose station is not locked out.

    ``at_station``: the SOP runs on this station instead of the one it was
    written for (one lockout SOP for every machine): its hazards are there."""
    out = []
    for hazard in sop.hazards_of(step.id):
        station = at_station or hazard.station
        if station not in locked:
            text = f" ({hazard.text})" if hazard.text and at_station is None else ""
            out.append((ErrorKind.HAZARD, f"{step.title} without lockout of {station}{text}"))
    return out


def left_locked(sop: Sop, locked: Collection[str]) -> list[tuple[ErrorKind, str]]:
    """A hazard error per hazard station still locked out when the SOP ends."""
    stations = sorted({h.station for h in sop.hazards} & set(locked))
    return [(ErrorKind.HAZARD, f"lockout of {s} not released at the end of the SOP") for s in stations]


def reading(state: TwinState, signal_id: str) -> float:
    """The twin's value of ``signal_id`` when it is good and fresh, else NaN (a
    stale or bad value must never pass a check)."""
    i = state.index.get(signal_id)
    if i is None or state.stale[i] or int(state.qualities[i]) != int(Quality.GOOD):
        return math.nan
    return float(state.values[i])


def station_of(project: Project, asset_id: str) -> str:
    """The station (asset level) ``asset_id`` is or belongs to; the id itself when
    it is not in the project or above the station level."""
    try:
        asset = project.asset(asset_id)
    except KeyError:
        return asset_id
    seen = {asset.id}
    while asset.level is AssetLevel.COMPONENT and asset.parent and asset.parent not in seen:
        asset = project.asset(asset.parent)
        seen.add(asset.id)
    return asset.id
