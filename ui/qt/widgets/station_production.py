"""The production of the selected station, in the inspector.

Units and defects counted, the last defect, the defects of the last hour by
type, the lot the line is running, and the last operator step and violation,
all from the pipeline's :class:`~linetwin.twin.production.station_log.ProductionLog`.
Ages and the "last hour" are judged against the pipeline's clock, so a replay
shows what the line showed at the cursor.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from linetwin.twin.clock import Clock
from linetwin.twin.production.events import ComplianceEvent, InspectionEvent
from linetwin.twin.production.station_log import ProductionLog
from linetwin.ui.qt.formatting import format_age, format_clock

MUTED = "#6B7280"
VIOLATION_COLOR = "#B42318"


def _when(t: float, now: float) -> str:
    """Local clock time and, when the clock says, how long ago: "02:14:05 (3 min ago)"."""
    age = now - t
    return format_clock(t) + (f" ({format_age(age)} ago)" if age == age else "")


def _defect_line(event: InspectionEvent, now: float) -> str:
    kind = html.escape(event.defect_type or "unspecified")
    severity = f", {event.severity.value}" if event.severity is not None else ""
    return (f"Last defect: {kind} ({event.result.value}{severity}) on unit "
            f"{html.escape(event.unit_id)}, lot {html.escape(event.lot)}, {_when(event.time, now)}")


def _step_text(event: ComplianceEvent, now: float) -> str:
    who = html.escape(f"{event.operator} ({event.role})" if event.role else event.operator)
    return (f"{html.escape(event.sop_id)} step {html.escape(event.step)}: "
            f"{html.escape(event.action)} by {who}, {_when(event.time, now)}")


def _step_line(title: str, event: ComplianceEvent, now: float) -> str:
    """An operator step; a violation in red with what was wrong."""
    line = f"{title}: {_step_text(event, now)}"
    if event.ok:
        return line
    return (f"<span style='color:{VIOLATION_COLOR}'>{line} — violation: "
            f"{html.escape(event.reason or 'no reason given')}</span>")


def _window_text(seconds: float) -> str:
    return "hour" if seconds == 3600 else f"{seconds / 60:g} min"


class StationProductionView(QLabel):
    """Rich text summary of one station's production; :meth:`refresh` re-reads the log.

    Hidden while the station has nothing to show (no unit, no operator step,
    no running lot): most stations of a line inspect nothing.
    """

    def __init__(self, production: ProductionLog, clock: Clock, parent=None) -> None:
        super().__init__(parent)
        self.production, self.clock = production, clock
        self.station_id: str | None = None
        self.setObjectName("stationProduction")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setVisible(False)

    def show_station(self, station_id: str | None) -> None:
        self.station_id = station_id
        self.refresh()

    def refresh(self) -> None:
        lines = self.lines() if self.station_id is not None else []
        text = "<br>".join(lines)
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(lines))

    def lines(self) -> list[str]:
        """The summary, one rich-text line each (empty: nothing to show)."""
        now = self.clock.now()
        station = self.production.stations.get(self.station_id)
        lines = [self._lot_line()] if self.production.current_lot is not None else []
        if station is not None and station.units:
            rate = 100.0 * station.defects / station.units
            lines.append(f"{station.units:,} units inspected, {station.defects:,} "
                         f"defective ({rate:.1f} %)")
        if station is not None and station.last_defect is not None:
            lines.append(_defect_line(station.last_defect, now))
        if station is not None and station.units:
            lines.append(self._recent_line(now))
        if station is not None and station.last_step is not None:
            lines.append(_step_line("Last operator step", station.last_step, now))
        if station is not None and station.last_violation not in (None, station.last_step):
            lines.append(_step_line("Last violation", station.last_violation, now))
        if lines:
            lines.insert(0, "<b>Production</b>")
        return lines

    def _lot_line(self) -> str:
        lot = self.production.current_lot
        since = (f"since {format_clock(lot.start)}" if lot.start == lot.start
                 else "start not seen: named by its units")
        return (f"Lot {html.escape(lot.lot_id)} (SKU {html.escape(lot.sku)}) "
                f"<span style='color:{MUTED}'>{since}</span>")

    def _recent_line(self, now: float) -> str:
        by_type = self.production.defects_by_type(self.station_id, now) if now == now else {}
        window = _window_text(self.production.window_s)
        if not by_type:
            return f"<span style='color:{MUTED}'>No defects in the last {window}</span>"
        counts = ", ".join(f"{html.escape(kind)} {n}" for kind, n in by_type.items())
        return f"Defects in the last {window}: {counts}"
