"""The twin at one instant of a replay, as one JSON-ready dict (``replay --at --json``).

Everything comes from the pipeline the cursor drove to that instant, so it is
what the window shows then: each signal's last reading at or before the
instant (by source time) with its quality and stale flag as live would judge
them, each asset's state and colour, the alerts listed then, and the defect
counts per station and type in the window ``(t - window, t]``. "alerts" holds
the alerts whose condition held at the instant (a cleared alert still waiting
for its acknowledgement is listed in the window, but not here).

Signals with no sample at or before the instant are left out (nothing was
known of them yet).
"""

from __future__ import annotations

import math
from typing import Any

from linetwin.twin.alerts.alerts import Alert
from linetwin.twin.colors import Look
from linetwin.twin.replay.cursor import ReplayCursor
from linetwin.twin.replay.instants import format_instant
from linetwin.twin.updates import Quality

_QUALITY = {Quality.GOOD: "good", Quality.UNCERTAIN: "uncertain", Quality.BAD: "bad"}
_LOOK_STATE = {Look.NO_DATA: "no data", Look.STALE: "stale", Look.STRUCTURE: "structure"}


def twin_at(cursor: ReplayCursor, window_s: float = 3600.0) -> dict[str, Any]:
    """The twin where ``cursor`` stands, in the ``replay --json`` shape."""
    t = cursor.position
    pipeline = cursor.pipeline
    return {
        "time": format_instant(t),
        "signals": _signals(pipeline, t),
        "assets": _assets(pipeline),
        "alerts": [alert_dict(a) for a in pipeline.alerts.book.active() if a.active],
        "defects": cursor.windows.defect_dict(t - window_s, t),
        "window_s": window_s,
    }


def _signals(pipeline, t: float) -> dict[str, dict[str, Any]]:
    out = {}
    for signal_id in pipeline.state.signal_ids:
        reading = pipeline.state.reading(signal_id, t)
        if reading.quality is Quality.NO_DATA:
            continue
        entry = {"value": _number(reading.value), "quality": _QUALITY[reading.quality],
                 "stale": bool(reading.stale), "source_time": format_instant(reading.source_time)}
        if reading.text is not None:
            entry["text"] = reading.text
        out[signal_id] = entry
    return out


def _assets(pipeline) -> dict[str, dict[str, str]]:
    out = {}
    for look in pipeline.appearances():
        if look.look is Look.LIVE:
            state = look.label
        elif look.look is Look.BAD_QUALITY:
            state = look.label  # "bad" or "uncertain"
        else:
            state = _LOOK_STATE[look.look]
        out[look.asset_id] = {"state": state, "color": "#%02x%02x%02x" % look.color}
    return out


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id, "rule": alert.rule, "key": alert.key, "asset": alert.asset_id,
        "signal": alert.signal_id, "severity": alert.severity.value, "state": alert.state.value,
        "message": alert.message, "value": _number(alert.value),
        "raised_at": format_instant(alert.raised_at),
        "acknowledged_by": alert.acknowledged_by,
    }


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else value
