"""Station labels: name and current status, always on top and never occluded."""

from __future__ import annotations

import numpy as np
import pyvista as pv


class StationLabels:
    """One billboard label per asset, rebuilt only when a text changes."""

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray],
                 names: dict[str, str]) -> None:
        self.plotter = plotter
        self.anchors = anchors
        self.names = names
        self.status: dict[str, str] = {a: "" for a in anchors}
        self.selected: str | None = None
        self._draw()

    def set_status(self, texts: dict[str, str]) -> None:
        changed = {a: t for a, t in texts.items() if a in self.status and self.status[a] != t}
        if changed:
            self.status.update(changed)
            self._draw()

    def emphasize(self, asset_id: str | None) -> None:
        if asset_id != self.selected:
            self.selected = asset_id
            self._draw()

    def text(self, asset_id: str) -> str:
        status = self.status.get(asset_id, "")
        name = self.names.get(asset_id, asset_id)
        return f"{name}\n{status}" if status else name

    def _draw(self) -> None:
        plain = [a for a in self.anchors if a != self.selected]
        self._add("labels", plain, font_size=13, text_color="#1B1F24",
                  background_color="white")
        chosen = [self.selected] if self.selected in self.anchors else []
        self._add("label-selected", chosen, font_size=15, text_color="white",
                  background_color="#1F3BFF")

    def _add(self, name: str, ids: list[str], **style) -> None:
        if not ids:
            self.plotter.remove_actor(f"{name}-labels", render=False)
            return
        points = np.array([self.anchors[a] for a in ids], dtype=float)
        # The text's own background (not the placer's shape, which ignores
        # justification) keeps two centred lines readable over any geometry.
        actor = self.plotter.add_point_labels(
            points, [self.text(a) for a in ids], name=name, always_visible=True,
            show_points=False, shape=None, bold=True, render=False, reset_camera=False,
            pickable=False, justification_horizontal="center", justification_vertical="bottom",
            background_opacity=0.85, **style,
        )
        # VTK's placer silently drops a label that would overlap another; a station
        # must never lose its label, so place all (heights are staggered instead).
        actor.GetMapper().PlaceAllLabelsOn()
