"""Station labels: name and current status, always on top and never hidden.

The label actors are built once; a status change only rewrites strings in the
label array. Re-creating the actor per change cost ~200 ms per tick on a
1,000-station line (pyvista rescans every actor when one is replaced).

Decluttering: stations in a row stand closer than their labels are wide, and
labels drawn where they stand pile up and hide each other's state. Before each
render after the camera or a text changed, every label's box is computed in
display pixels (the anchor's projection plus the text's real size) and
:func:`declutter` lifts labels until no box overlaps another; the label moves
by that many pixels along the screen's up direction and a thin leader line
joins it to its station.
"""

from __future__ import annotations

import numba
import numpy as np
import pyvista as pv
import vtkmodules.vtkRenderingFreeType  # noqa: F401 - registers the text renderer used below
from vtkmodules.vtkCommonCore import vtkStringArray
from vtkmodules.vtkRenderingCore import vtkTextRenderer

TEXT_ARRAY = "text"
LABEL_MARGIN_PX = 5.0  # the label background's padding (vtkLabelPlacementMapper's margin)
LABEL_GAP_PX = 2.0  # clear space kept between two label boxes
LEADER_COLOR = "#5B6470"


def declutter(anchors: np.ndarray, sizes: np.ndarray, gap: float = LABEL_GAP_PX) -> np.ndarray:
    """Upward lifts (pixels) that keep every label box clear of every other.

    Parameters
    ----------
    anchors : (n, 2) display positions of the labels' bottom centres
    sizes : (n, 2) width and height of each label box, padding included

    Labels are placed from the bottom of the screen up; each rises just above
    the boxes it would overlap until it overlaps none, so a row of stations
    gets a staircase of labels and isolated stations keep theirs in place.
    """
    anchors = np.ascontiguousarray(anchors, dtype=np.float64).reshape(-1, 2)
    sizes = np.ascontiguousarray(sizes, dtype=np.float64).reshape(-1, 2)
    order = np.lexsort((anchors[:, 0], anchors[:, 1])).astype(np.int64)
    return _lifts(order, anchors, sizes, float(gap))


@numba.njit(cache=True)
def _lifts(order, anchors, sizes, gap):  # pragma: no cover - compiled; tested via declutter
    # numba: a crowded line of 1,000 labels takes ~25,000 passes of the inner
    # loop, 0.2 s in numpy calls and a few milliseconds compiled.
    n = len(order)
    lifts = np.zeros(n)
    x0s, x1s, y0s, tops = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for k in range(n):
        i = order[k]
        half, height = sizes[i, 0] / 2.0, sizes[i, 1]
        left, right = anchors[i, 0] - half, anchors[i, 0] + half
        y = anchors[i, 1]
        moved = True
        while moved:  # every pass ends higher (top + gap on both sides of the test)
            moved = False
            for j in range(k):
                if x0s[j] < right + gap and x1s[j] > left - gap and y0s[j] < y + height + gap \
                        and tops[j] > y:
                    y = tops[j]
                    moved = True
        lifts[i] = y - anchors[i, 1]
        x0s[k], x1s[k], y0s[k], tops[k] = left, right, y, y + height + gap
    return lifts


class StationLabels:
    """One billboard label per asset plus an emphasized copy for the selected one,
    laid out so that no two overlap (see :func:`declutter`)."""

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray],
                 names: dict[str, str], quiet: frozenset[str] = frozenset()) -> None:
        self.plotter = plotter
        self.anchors = anchors
        self.names = names
        # Parts of a station (a seal head, an isolator) are labelled only while
        # selected: eight more labels around the stations would bury theirs.
        self.quiet = quiet
        self.order = list(anchors)
        self.row = {a: i for i, a in enumerate(self.order)}
        self.status: dict[str, str] = {a: "" for a in anchors}
        self.selected: str | None = None
        self._anchor_points = np.array([anchors[a] for a in self.order], dtype=float).reshape(-1, 3)
        self.text_properties = {}  # label set name -> its vtkTextProperty (for measuring)
        self._plain = self._label_set(
            "labels", self._anchor_points, [self._plain_text(a) for a in self.order], font_size=13,
            text_color="#1B1F24", background_color="white")
        self._chosen = self._label_set("label-selected", np.zeros((1, 3)), [""], font_size=15,
                                       text_color="white", background_color="#1F3BFF")
        self.leaders = pv.PolyData()
        self.leader_actor = pv.Actor(mapper=pv.DataSetMapper(self.leaders))
        self.leader_actor.prop.color = LEADER_COLOR
        self.leader_actor.prop.line_width = 1.2
        self.leader_actor.prop.lighting = False
        self.leader_actor.SetPickable(False)
        plotter.renderer.AddActor(self.leader_actor)  # empty until a label is lifted
        self._layout = _Layout(self)
        plotter.renderer.AddObserver("StartEvent", lambda *_: self._layout.update())

    def set_status(self, texts: dict[str, str]) -> None:
        changed = [a for a, t in texts.items() if a in self.status and self.status[a] != t]
        for asset_id in changed:
            self.status[asset_id] = texts[asset_id]
            self._write(asset_id)
        if changed:
            _touch(self._plain)
            self._layout.rows_changed([self.row[a] for a in changed])

    def emphasize(self, asset_id: str | None) -> None:
        if asset_id == self.selected:
            return
        previous, self.selected = self.selected, asset_id if asset_id in self.anchors else None
        if previous is not None:
            self._write(previous)
        if self.selected is not None:
            self._write(self.selected)
            self._chosen.points[0] = self._plain.points[self.row[self.selected]]
        _text_array(self._chosen).SetValue(0, self.text(self.selected) if self.selected else "")
        _touch(self._plain)
        _touch(self._chosen)
        self._layout.rows_changed([self.row[a] for a in (previous, self.selected) if a is not None])

    def text(self, asset_id: str) -> str:
        status = self.status.get(asset_id, "")
        name = self.names.get(asset_id, asset_id)
        return f"{name}\n{status}" if status else name

    def shown_text(self, asset_id: str) -> str:
        """What the plain label of ``asset_id`` reads now (empty while emphasized)."""
        return _text_array(self._plain).GetValue(self.row[asset_id])

    def label_position(self, asset_id: str) -> np.ndarray:
        """Where the label of ``asset_id`` stands now (its anchor, or lifted above it)."""
        return np.array(self._plain.points[self.row[asset_id]])

    def label_boxes(self) -> dict[str, tuple[float, float, float, float]]:
        """Display-pixel box (x0, y0, x1, y1) of every label shown, background included.

        Computed from what is drawn: each label's point projected now, and its
        text measured by VTK's own text renderer with the label's font.
        """
        return self._layout.boxes()

    def _write(self, asset_id: str) -> None:
        # The selected station shows only its emphasized copy, never two labels.
        text = "" if asset_id == self.selected else self._plain_text(asset_id)
        _text_array(self._plain).SetValue(self.row[asset_id], text)
        if asset_id == self.selected:
            _text_array(self._chosen).SetValue(0, self.text(asset_id))

    def _plain_text(self, asset_id: str) -> str:
        return "" if asset_id in self.quiet else self.text(asset_id)

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
        # must never lose its label, so place all (the layout keeps them apart).
        actor.GetMapper().PlaceAllLabelsOn()
        self.text_properties[name] = actor.GetMapper().GetInputAlgorithm().GetTextProperty()
        return cloud


class _Layout:
    """Moves the labels of a :class:`StationLabels` apart before a render, when
    the camera, the window or a label's size changed since the last layout."""

    def __init__(self, labels: StationLabels) -> None:
        self.labels = labels
        self._view = None
        self._sizes: dict[tuple[str, bool], tuple[float, float]] = {}  # by text
        self._renderer = vtkTextRenderer()
        self._dirty = True
        self._shapes: list[tuple] = [()] * len(labels.order)
        self.row_sizes = self._box_sizes()

    def rows_changed(self, rows: list[int]) -> None:
        """Re-measure these labels; lay out again only if one changed size.

        A label whose lines kept their lengths keeps its size: the usual live
        update, a new value of the same digits ("185.2 °C" -> "185.3 °C"), then
        costs neither a measurement nor a layout (digits have one advance width).
        """
        shapes = [self._shape(row) for row in rows]
        rows = [row for row, shape in zip(rows, shapes) if shape != self._shapes[row]]
        if not rows:
            return
        before = self.row_sizes[rows].copy()
        self.row_sizes[rows] = self._box_sizes(rows)
        if len(self._sizes) > 50_000:  # analog values make many strings: keep the cache bounded
            self._sizes.clear()
        if not np.array_equal(before, self.row_sizes[rows]):
            self._dirty = True

    def update(self) -> None:
        view = self._view_signature()
        if view is None or not self.labels.order or (view == self._view and not self._dirty):
            return
        self._view, self._dirty = view, False
        self.relayout()

    def relayout(self) -> None:
        labels = self.labels
        anchors = labels._anchor_points
        display, in_front = self._project(anchors)
        sizes = self.row_sizes
        shown = in_front & (sizes[:, 0] > 0)
        lifts = np.zeros(len(anchors))
        bottoms = display - [0.0, LABEL_MARGIN_PX]  # the box starts a margin below the text
        lifts[shown] = declutter(bottoms[shown], sizes[shown])
        points = anchors + np.outer(lifts * self._metres_per_pixel(anchors), self._screen_up())
        if len(points):
            labels._plain.points = points
            _touch(labels._plain)
        if labels.selected is not None:
            labels._chosen.points[0] = points[labels.row[labels.selected]]
            _touch(labels._chosen)
        self._draw_leaders(anchors, points, lifts > 0.5)

    def boxes(self) -> dict[str, tuple[float, float, float, float]]:
        labels = self.labels
        display, in_front = self._project(np.asarray(labels._plain.points))
        sizes = self.row_sizes
        result = {}
        for asset_id, row in labels.row.items():
            if in_front[row] and sizes[row, 0] > 0:
                x, y = display[row]
                w, h = sizes[row]
                result[asset_id] = (x - w / 2, y - LABEL_MARGIN_PX, x + w / 2,
                                    y - LABEL_MARGIN_PX + h)
        return result

    # -- helpers ------------------------------------------------------------------
    def _view_signature(self):
        renderer = self.labels.plotter.renderer
        size = tuple(renderer.GetSize())
        if size[0] < 2 or size[1] < 2:
            return None
        cam = renderer.GetActiveCamera()
        return (cam.GetPosition(), cam.GetFocalPoint(), cam.GetViewUp(), cam.GetViewAngle(),
                cam.GetParallelProjection(), cam.GetParallelScale(), size)

    def _project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Display pixels of world ``points`` and whether each lies in front of the camera."""
        renderer = self.labels.plotter.renderer
        w, h = renderer.GetSize()
        cam = renderer.GetActiveCamera()
        matrix = cam.GetCompositeProjectionTransformMatrix(renderer.GetTiledAspectRatio(), -1, 1)
        m = np.array([[matrix.GetElement(r, c) for c in range(4)] for r in range(4)])
        clip = np.c_[points, np.ones(len(points))] @ m.T
        in_front = clip[:, 3] > 1e-9
        ndc = clip[:, :2] / np.where(in_front, clip[:, 3], 1.0)[:, None]
        x0, y0 = renderer.GetOrigin()
        return np.c_[x0 + (ndc[:, 0] + 1) * w / 2, y0 + (ndc[:, 1] + 1) * h / 2], in_front

    def _box_sizes(self, rows: list[int] | None = None) -> np.ndarray:
        """Box sizes of the labels in ``rows`` (default: all), zero where empty."""
        labels = self.labels
        rows = range(len(labels.order)) if rows is None else rows
        sizes = np.zeros((len(rows), 2))
        for k, row in enumerate(rows):
            text, chosen = self._text(row)
            self._shapes[row] = self._shape(row)
            if text:
                sizes[k] = self._size(text, chosen)
        return sizes

    def _text(self, row: int) -> tuple[str, bool]:
        """The text label ``row`` shows and whether it is the emphasized copy."""
        labels = self.labels
        asset_id = labels.order[row]
        chosen = asset_id == labels.selected
        return (labels.text(asset_id) if chosen else labels.shown_text(asset_id)), chosen

    def _shape(self, row: int) -> tuple:
        # From the plain dicts, not the VTK string array: this runs per live update.
        labels = self.labels
        asset_id = labels.order[row]
        chosen = asset_id == labels.selected
        return (chosen, len(labels.names.get(asset_id, asset_id)), len(labels.status[asset_id]))

    def _size(self, text: str, chosen: bool) -> tuple[float, float]:
        key = (text, chosen)
        if key not in self._sizes:
            prop = self.labels.text_properties["label-selected" if chosen else "labels"]
            bbox = [0, 0, 0, 0]
            dpi = self.labels.plotter.render_window.GetDPI()
            self._renderer.GetBoundingBox(prop, text, bbox, dpi)
            self._sizes[key] = (bbox[1] - bbox[0] + 1 + 2 * LABEL_MARGIN_PX,
                                bbox[3] - bbox[2] + 1 + 2 * LABEL_MARGIN_PX)
        return self._sizes[key]

    def _screen_up(self) -> np.ndarray:
        cam = self.labels.plotter.renderer.GetActiveCamera()
        up = np.array(cam.GetViewUp())
        forward = np.array(cam.GetDirectionOfProjection())
        up = up - up.dot(forward) * forward
        return up / (np.linalg.norm(up) or 1.0)

    def _metres_per_pixel(self, points: np.ndarray) -> np.ndarray:
        renderer = self.labels.plotter.renderer
        cam = renderer.GetActiveCamera()
        height = renderer.GetSize()[1]
        if cam.GetParallelProjection():
            return np.full(len(points), 2 * cam.GetParallelScale() / height)
        depth = (points - np.array(cam.GetPosition())) @ np.array(cam.GetDirectionOfProjection())
        return 2 * np.maximum(depth, 0.0) * np.tan(np.radians(cam.GetViewAngle()) / 2) / height

    def _draw_leaders(self, anchors: np.ndarray, points: np.ndarray, lifted: np.ndarray) -> None:
        count = int(lifted.sum())
        leaders = pv.PolyData()
        if count:
            ends = np.empty((2 * count, 3))
            ends[0::2], ends[1::2] = anchors[lifted], points[lifted]
            leaders = pv.PolyData(ends, lines=np.c_[np.full(count, 2),
                                                    np.arange(0, 2 * count, 2),
                                                    np.arange(1, 2 * count, 2)].ravel())
        self.labels.leaders.copy_from(leaders)


def _text_array(cloud: pv.PolyData) -> vtkStringArray:
    return cloud.GetPointData().GetAbstractArray(TEXT_ARRAY)


def _touch(cloud: pv.PolyData) -> None:
    _text_array(cloud).Modified()
    cloud.Modified()
