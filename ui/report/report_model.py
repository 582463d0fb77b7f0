"""What an incident report holds, computed from a replay session over ``[start, end]``.

Everything is gathered here once, as plain values and PNG bytes, so the HTML
and the PDF writers only lay it out and both say exactly the same thing.
Times are UTC (ISO 8601 with offset) throughout.

Counts over the range come from the replay's prefix counts (the window
``(start, end]`` widened by one ulp so an event at ``start`` counts); alerts and
acknowledgements are those the recording stored; a bookmark's snapshot is the
frame the replay draws at the bookmark's start, with its camera and selection.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from linetwin.io.history.data_slice import slice_hash
from linetwin.io.history.incident_package import file_sha256
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.twin.replay.event_search import EventFilter
from linetwin.twin.replay.instants import format_instant
from linetwin.twin.replay.replay_data import RESULTS, SEVERITIES
from linetwin.twin.updates import ConnectionState
from linetwin.ui.report.charts import fpy_chart, pareto_chart

MAX_EVENT_ROWS = 500
SNAPSHOT_SIZE = (1200, 675)

# a bookmark -> its frame (see bookmark_snapshotter)
Snapshotter = Callable[[dict[str, Any]], np.ndarray]


@dataclass
class StationYield:
    station: str
    inspected: int
    passed: int

    @property
    def fpy(self) -> float:
        return self.passed / self.inspected if self.inspected else math.nan


@dataclass
class BookmarkShot:
    start: float
    end: float
    note: str
    author: str
    selection: str | None
    png: bytes


@dataclass
class ReportModel:
    project_name: str
    project_path: Path
    history_path: Path
    start: float
    end: float
    summary: list[tuple[str, str]]
    yields: list[StationYield]
    defects_by_type: list[tuple[str, int]]
    fpy_png: bytes
    pareto_png: bytes
    events: list[dict[str, Any]]
    events_left_out: int
    bookmarks: list[BookmarkShot]
    alerts: list[dict[str, Any]]
    annotations: list[dict[str, Any]]
    hashes: list[tuple[str, str, str]]  # (what, name, sha256)
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Incident report: {self.project_name}"

    @property
    def range_text(self) -> str:
        return f"{format_instant(self.start)} .. {format_instant(self.end)}"


def build_report(session: ReplaySession, project_path: Path, start: float, end: float,
                 snapshot: Snapshotter | None = None) -> ReportModel:
    """The report of ``[start, end]`` from ``session`` (loaded over at least that range).

    ``snapshot(bookmark)`` draws a bookmark's frame (the caller owns the
    plotter); None leaves the snapshots out (their notes stay).
    """
    data, windows = session.data, session.cursor.windows
    lo = math.nextafter(start, -math.inf)  # windows are (lo, hi]: count an event at start
    yields = windows.yields(lo, end)
    station_yields = [StationYield(s, int(yields.inspected[i]), int(yields.passed[i]))
                      for i, s in enumerate(data.stations) if yields.inspected[i]]
    pareto = windows.pareto(lo, end)
    alerts = _alerts(session, start, end)
    events, left_out = _events(session, start, end)
    return ReportModel(
        project_name=session.project.name, project_path=Path(project_path),
        history_path=session.path, start=start, end=end,
        summary=_summary(session, start, end, station_yields, pareto, len(alerts)),
        yields=station_yields, defects_by_type=pareto,
        fpy_png=fpy_chart(windows, start, end), pareto_png=pareto_chart(pareto),
        events=events, events_left_out=left_out,
        bookmarks=_bookmarks(session, start, end, snapshot), alerts=alerts,
        annotations=[a for a in data.annotations if start <= a["time"] <= end],
        hashes=_hashes(session, Path(project_path), start, end))


def _summary(session: ReplaySession, start: float, end: float, yields: list[StationYield],
             pareto: list[tuple[str, int]], alert_count: int) -> list[tuple[str, str]]:
    data = session.data
    c = data.inspections
    rows = (c.time >= start) & (c.time <= end)
    inspected = sum(y.inspected for y in yields)
    passed = sum(y.passed for y in yields)
    losses = [x for x in data.connections if start <= x.time <= end and x.state is ConnectionState.LOST]
    lots = [lot.lot_id for lot in data.lot_rows if lot.start <= end and not (lot.end < start)]
    hours = (end - start) / 3600.0
    return [
        ("Range (UTC)", f"{format_instant(start)} .. {format_instant(end)} ({hours:.2f} h)"),
        ("Units inspected", f"{len(np.unique(c.unit[rows])):,}"),
        ("Inspections", f"{inspected:,}"),
        ("Defects", f"{sum(n for _, n in pareto):,}"),
        ("First-pass yield, all stations", f"{passed / inspected:.1%}" if inspected else "n/a"),
        ("Alerts raised", f"{alert_count:,}"),
        ("Connection losses", f"{len(losses):,}"),
        ("Lots in range", ", ".join(lots) if lots else "none"),
    ]


def _events(session: ReplaySession, start: float, end: float) -> tuple[list[dict[str, Any]], int]:
    """Defective inspections in the range, oldest first, at most MAX_EVENT_ROWS."""
    data = session.data
    c = data.inspections
    rows = session.cursor.search.rows(EventFilter())
    rows = rows[(c.time[rows] >= start) & (c.time[rows] <= end)]
    shown = rows[:MAX_EVENT_ROWS]
    events = [{
        "time": format_instant(float(c.time[r])), "unit": c.unit[r],
        "lot": data.lots[c.lot[r]] if c.lot[r] >= 0 else "",
        "station": data.stations[c.station[r]], "result": RESULTS[c.result[r]].value,
        "defect": data.defect_types[c.defect[r]] if c.defect[r] >= 0 else "",
        "severity": SEVERITIES[c.severity[r]].value if c.severity[r] >= 0 else "",
    } for r in shown.tolist()]
    return events, len(rows) - len(shown)


def _alerts(session: ReplaySession, start: float, end: float) -> list[dict[str, Any]]:
    """Alerts raised in the range as recorded, each with its acknowledgements."""
    store = session.store
    acks: dict[tuple, list[dict[str, Any]]] = {}
    for ack in store.alert_acks():
        acks.setdefault((ack["session_id"], ack["alert_id"]), []).append(ack)
    alerts = store.alerts(start, math.nextafter(end, math.inf))
    for alert in alerts:
        alert["acks"] = acks.get((alert["session_id"], alert["alert_id"]), [])
    return alerts


def _bookmarks(session: ReplaySession, start: float, end: float,
               snapshot: Snapshotter | None) -> list[BookmarkShot]:
    shots = []
    for mark in session.data.bookmarks:
        if not (mark["start"] <= end and mark["end"] >= start):
            continue
        png = _png(snapshot(mark)) if snapshot is not None else b""
        shots.append(BookmarkShot(mark["start"], mark["end"], mark.get("note") or "",
                                  mark.get("author") or "", mark.get("selection"), png))
    return shots


def bookmark_snapshotter(session: ReplaySession, frames) -> Snapshotter:
    """Draw a bookmark with ``frames`` (a ReplayFrames): the twin at its start, its camera, selection."""
    def draw(mark: dict[str, Any]) -> np.ndarray:
        session.cursor.seek(mark["start"])
        return frames.draw(session.pipeline, camera=mark.get("camera"), selection=mark.get("selection"))
    return draw


def _hashes(session: ReplaySession, project_path: Path, start: float,
            end: float) -> list[tuple[str, str, str]]:
    hashes = [("project", project_path.name, file_sha256(project_path))]
    meshes = sorted({a.mesh for a in session.project.assets if a.mesh is not None})
    hashes += [("mesh", m.name, file_sha256(m) if m.is_file() else "missing") for m in meshes]
    # the SOPs operator steps were judged against (compliance alerts in the report)
    hashes += [("sop", f"{s.id} {s.version} ({s.path.name})", file_sha256(s.path))
               for s in session.project.sops if s.path is not None and s.path.is_file()]
    hashes.append(("data", f"{session.path.name}, rows of the range",
                   slice_hash(session.store, start, end)))
    hashes += [("model", f"what-if {row['version']} ({row['station']})", row["model_hash"])
               for row in _models(session)]
    return hashes


def _models(session: ReplaySession) -> list[dict]:
    """The what-if models fitted on this history (its registry); none in an older file."""
    if not session.store.has_column("whatif_models", "model_hash"):
        return []
    return session.store.fetch_dicts("SELECT version, station, model_hash FROM whatif_models ORDER BY created_at")


ALERT_COLUMNS = ("Raised", "Severity", "Asset", "Rule", "Message", "Cleared", "Acknowledged")


def alert_rows(model: ReportModel) -> list[tuple[str, ...]]:
    """The alert history as text rows of :data:`ALERT_COLUMNS` (HTML and PDF alike)."""
    rows = []
    for a in model.alerts:
        acks = "; ".join(f"{k['user']} at {format_instant(k['acked_at'])}"
                         + (f": {k['comment']}" if k.get("comment") else "") for k in a["acks"])
        cleared = format_instant(a["cleared_at"]) if a.get("cleared_at") is not None else "still active"
        rows.append((format_instant(a["raised_at"]), a.get("severity") or "", a.get("asset_id") or "",
                     a.get("rule") or "", a.get("message") or "", cleared, acks or "not acknowledged"))
    return rows


def _png(image: np.ndarray) -> bytes:
    from PIL import Image  # Pillow comes with matplotlib

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
