"""Alert badges: a coloured tag above each station that has listed alerts."""

from __future__ import annotations

import numpy as np
import pyvista as pv

BADGE_COLORS = {"alarm": "#B42318", "warning": "#E69F00"}


class AlertBadges:
    """Draws ``{asset_id: (count, worst severity)}``; redraws only on change."""

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray]) -> None:
        self.plotter = plotter
        self.anchors = anchors
        self.shown: dict[str, tuple[int, str]] = {}

    def show(self, badges: dict[str, tuple[int, str]]) -> None:
        badges = {a: b for a, b in badges.items() if a in self.anchors}
        if badges == self.shown:
            return
        self.shown = dict(badges)
        for severity, color in BADGE_COLORS.items():
            ids = [a for a, (_, s) in badges.items() if s == severity]
            name = f"badges-{severity}"
            if not ids:
                self.plotter.remove_actor(f"{name}-labels", render=False)
                continue
            texts = [f"! {badges[a][0]} {severity.upper()}{'S' if badges[a][0] > 1 else ''}"
                     for a in ids]
            actor = self.plotter.add_point_labels(
                np.array([self.anchors[a] for a in ids]), texts, name=name,
                always_visible=True, show_points=False, shape=None, bold=True, font_size=13,
                text_color="white", background_color=color, background_opacity=1.0,
                justification_horizontal="center", justification_vertical="bottom",
                render=False, reset_camera=False, pickable=False)
            actor.GetMapper().PlaceAllLabelsOn()  # a badge must never be dropped
