"""Alert badges: a tag above each station that has listed alerts.

A badge counts only what it says: "ALARM" counts active alarms, "WARNING"
active warnings, and an alert whose condition has gone but that nobody has
acknowledged yet is counted as "CLEARED" in a grey look of its own, so it can
never be read as an active alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkTextRenderer

from linetwin.scene.labels import text_box_size

from linetwin.twin.alerts.alerts import Alert, Severity

# kind -> (background, text colour); "cleared" is a pale outline-like tag.
BADGE_STYLES = {"alarm": ("#B42318", "white"), "warning": ("#E69F00", "#1B1F24"),
                "cleared": ("#EEF0F3", "#4B5563")}


@dataclass(frozen=True)
class BadgeCounts:
    """Listed alerts of one station, by what they mean now."""

    alarms: int = 0  # active alarms
    warnings: int = 0  # active warnings
    cleared: int = 0  # condition gone, not yet acknowledged

    @property
    def kind(self) -> str:
        """The badge's look: the most urgent thing it counts."""
        if self.alarms:
            return "alarm"
        return "warning" if self.warnings else "cleared"

    @property
    def text(self) -> str:
        """``"! 1 ALARM"``, ``"! 2 ALARMS\n+1 WARNING"``, ``"1 CLEARED"``...

        One count per line: neighbouring stations are a badge's width apart, and
        a one-line "! 2 ALARMS +1 WARNING" ran into the next station's badge.
        """
        parts = [_count(n, word) for n, word in ((self.alarms, "ALARM"),
                                                 (self.warnings, "WARNING"),
                                                 (self.cleared, "CLEARED")) if n]
        head = ("! " if self.alarms or self.warnings else "") + parts[0]
        return "\n+".join([head, *parts[1:]])


def _count(n: int, word: str) -> str:
    plural = "S" if n > 1 and word != "CLEARED" else ""
    return f"{n} {word}{plural}"


def badge_counts(alerts: Iterable[Alert]) -> dict[str, BadgeCounts]:
    """Per station, its listed alerts counted as active alarms, active warnings
    and cleared-unacknowledged (an acknowledged cleared alert is not listed)."""
    tallies: dict[str, list[int]] = {}
    for alert in alerts:
        if not alert.listed:
            continue
        tally = tallies.setdefault(alert.asset_id, [0, 0, 0])
        if not alert.active:
            tally[2] += 1
        elif alert.severity is Severity.ALARM:
            tally[0] += 1
        else:
            tally[1] += 1
    return {a: BadgeCounts(*t) for a, t in tallies.items()}


class AlertBadges:
    """Draws ``{asset_id: BadgeCounts}``; redraws only on change."""

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray]) -> None:
        self.plotter = plotter
        self.anchors = anchors
        self.shown: dict[str, BadgeCounts] = {}
        self.sizes: dict[str, tuple[float, float]] = {}  # asset id -> its badge's box, pixels
        self._measure = vtkTextRenderer()
        # Told the badges after each change (the scene raises alarmed labels' priority).
        self.on_change: Callable[[dict[str, BadgeCounts]], None] | None = None

    def show(self, badges: dict[str, BadgeCounts]) -> None:
        badges = {a: b for a, b in badges.items() if a in self.anchors}
        if badges == self.shown:
            return
        self.shown = dict(badges)
        self.sizes = {}
        for kind, (background, text_color) in BADGE_STYLES.items():
            ids = [a for a, b in badges.items() if b.kind == kind]
            name = f"badges-{kind}"
            if not ids:
                self.plotter.remove_actor(f"{name}-labels", render=False)
                continue
            actor = self.plotter.add_point_labels(
                np.array([self.anchors[a] for a in ids]), [badges[a].text for a in ids],
                name=name, always_visible=True, show_points=False, shape=None,
                bold=kind != "cleared", font_size=13, text_color=text_color,
                background_color=background, background_opacity=1.0,
                justification_horizontal="center", justification_vertical="bottom",
                render=False, reset_camera=False, pickable=False)
            actor.GetMapper().PlaceAllLabelsOn()  # a badge must never be dropped
            prop = actor.GetMapper().GetInputAlgorithm().GetTextProperty()
            dpi = self.plotter.render_window.GetDPI()
            for asset_id in ids:
                text = badges[asset_id].text
                self.sizes[asset_id] = text_box_size(self._measure, prop, text, dpi)
        if self.on_change is not None:
            self.on_change(self.shown)

    def text(self, asset_id: str) -> str | None:
        """The badge text shown over ``asset_id`` (None: no badge)."""
        badge = self.shown.get(asset_id)
        return None if badge is None else badge.text
