"""Station labels: name and current status, always on top and never occluded.

The label actors are built once; a status change only rewrites strings in the
label array. Re-creating the actor per change cost ~200 ms per tick on a
1,000-station line (pyvista rescans every actor when one is replaced).
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkStringArray

TEXT_ARRAY = "text"


class StationLabels:
    """One billboard label per asset plus an emphasized copy for the selected one."""

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray],
                 names: dict[str, str]) -> None:
        self.plotter = plotter
        self.anchors = anchors
        self.names = names
        self.order = list(anchors)
        self.row = {a: i for i, a in enumerate(self.order)}
        self.status: dict[str, str] = {a: "" for a in anchors}
        self.selected: str | None = None
        self._plain = self._label_set(
            "labels", np.array([anchors[a] for a in self.order]).reshape(-1, 3),
            [self.text(a) for a in self.order], font_size=13, text_color="#1B1F24",
            background_color="white")
        self._chosen = self._label_set("label-selected", np.zeros((1, 3)), [""], font_size=15,
                                       text_color="white", background_color="#1F3BFF")

    def set_status(self, texts: dict[str, str]) -> None:
        changed = [a for a, t in texts.items() if a in self.status and self.status[a] != t]
        for asset_id in changed:
            self.status[asset_id] = texts[asset_id]
            self._write(asset_id)
        if changed:
            _touch(self._plain)

    def emphasize(self, asset_id: str | None) -> None:
        if asset_id == self.selected:
            return
        previous, self.selected = self.selected, asset_id if asset_id in self.anchors else None
        if previous is not None:
            self._write(previous)
        if self.selected is not None:
            self._write(self.selected)
            self._chosen.points[0] = self.anchors[self.selected]
        _text_array(self._chosen).SetValue(0, self.text(self.selected) if self.selected else "")
        _touch(self._plain)
        _touch(self._chosen)

    def text(self, asset_id: str) -> str:
        status = self.status.get(asset_id, "")
        name = self.names.get(asset_id, asset_id)
        return f"{name}\n{status}" if status else name

    def shown_text(self, asset_id: str) -> str:
        """What the plain label of ``asset_id`` reads now (empty while emphasized)."""
        return _text_array(self._plain).GetValue(self.row[asset_id])

    def _write(self, asset_id: str) -> None:
        # The selected station shows only its emphasized copy, never two labels.
        text = "" if asset_id == self.selected else self.text(asset_id)
        _text_array(self._plain).SetValue(self.row[asset_id], text)
        if asset_id == self.selected:
            _text_array(self._chosen).SetValue(0, self.text(asset_id))

    def _label_set(self, name: str, points: np.ndarray, texts: list[str], **style) -> pv.PolyData:
        cloud = pv.PolyData(points.astype(float))
        array = vtkStringArray()
        array.SetName(TEXT_ARRAY)
        for text in texts:
            array.InsertNextValue(text)
        cloud.GetPointData().AddArray(array)
        if cloud.n_points == 0:
            return cloud
        # The text's own background (not the placer's shape, which ignores
        # justification) keeps two centred lines readable over any geometry.
        actor = self.plotter.add_point_labels(
            cloud, TEXT_ARRAY, name=name, always_visible=True, show_points=False, shape=None,
            bold=True, render=False, reset_camera=False, pickable=False,
            justification_horizontal="center", justification_vertical="bottom",
            background_opacity=0.85, **style)
        # VTK's placer silently drops a label that would overlap another; a station
        # must never lose its label, so place all (heights are staggered instead).
        actor.GetMapper().PlaceAllLabelsOn()
        return cloud


def _text_array(cloud: pv.PolyData) -> vtkStringArray:
    return cloud.GetPointData().GetAbstractArray(TEXT_ARRAY)


def _touch(cloud: pv.PolyData) -> None:
    _text_array(cloud).Modified()
    cloud.Modified()
