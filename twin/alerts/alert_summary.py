"""Per-station summaries of listed alerts, for badges and the inspector."""

from __future__ import annotations

from linetwin.twin.alerts.alerts import Alert, AlertBook, Severity

_RANK = {Severity.WARNING: 1, Severity.ALARM: 2}


def station_badges(book: AlertBook) -> dict[str, tuple[int, str]]:
    """``{asset_id: (listed alerts, worst severity value)}`` for stations with alerts."""
    worst: dict[str, Alert] = {}
    counts: dict[str, int] = {}
    for alert in book.active():
        counts[alert.asset_id] = counts.get(alert.asset_id, 0) + 1
        best = worst.get(alert.asset_id)
        if best is None or _RANK.get(alert.severity, 0) > _RANK.get(best.severity, 0):
            worst[alert.asset_id] = alert
    return {a: (counts[a], worst[a].severity.value) for a in counts}
