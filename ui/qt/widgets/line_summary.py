"""What the inspector shows before anything is selected: the line at a glance.

Stations by state, listed alerts, connections and update rate, refreshed by the
window's status timer.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from linetwin.scene.badges import badge_counts
from linetwin.twin.alerts.alerts import AlertBook
from linetwin.twin.colors import ColorEngine, Look
from linetwin.twin.model import Project, SignalKind
from linetwin.twin.state import TwinState

LOOK_NAMES = {Look.NO_DATA: "no data", Look.STALE: "stale", Look.BAD_QUALITY: "bad quality"}


def stations_by_state(project: Project, state: TwinState, engine: ColorEngine) -> Counter:
    """How many stations (assets coloured by a state) show each state or look."""
    counts: Counter = Counter()
    for asset in project.assets:
        if asset.color_by is None or project.signal(asset.color_by).kind is not SignalKind.STATE:
            continue
        appearance = engine.appearance(state, asset.id)
        counts[LOOK_NAMES.get(appearance.look, appearance.label)] += 1
    return counts


def alert_totals(book: AlertBook) -> str:
    counts = badge_counts(book.active()).values()
    alarms = sum(c.alarms for c in counts)
    warnings = sum(c.warnings for c in counts)
    cleared = sum(c.cleared for c in counts)
    if not (alarms or warnings or cleared):
        return "none"
    parts = [f"{alarms} alarm{'s' * (alarms != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    text = ", ".join(parts) + " active"
    return text + (f"; {cleared} cleared, to acknowledge" if cleared else "")


class LineSummary(QLabel):
    """The line's summary; ``connection`` and ``rate`` are read on :meth:`refresh`."""

    def __init__(self, project: Project, state: TwinState, book: AlertBook,
                 connection: Callable[[], str] = lambda: "",
                 rate: Callable[[], float] = lambda: 0.0, parent=None) -> None:
        super().__init__(parent)
        self.project, self.state, self.book = project, state, book
        self.engine = ColorEngine(project)
        self.connection, self.rate = connection, rate
        self.setObjectName("lineSummary")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.refresh()

    def refresh(self) -> None:
        states = stations_by_state(self.project, self.state, self.engine)
        by_state = " · ".join(f"{n} {name}" for name, n in states.most_common()) or "none"
        rows = [("Stations", by_state), ("Alerts", alert_totals(self.book)),
                ("Connection", self.connection() or "—"),
                ("Updates", f"{self.rate():.0f} values/s")]
        body = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                       for k, v in rows)
        self.setText(f"<p><b>{html.escape(self.project.name)}</b></p><table>{body}</table>"
                     "<p style='color:#6B7280'>Select a station in the 3D view or the tree "
                     "to see its values, trend and alerts.</p>")
