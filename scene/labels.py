"""Station labels: name and current status, never overlapping, as many as the view holds.

Which labels are shown and where is decided in :mod:`linetwin.scene.label_layout`
(priorities, a budget per view, lifts that keep boxes apart); this module keeps
the texts and draws the chosen labels with VTK. A small line shows every label
(lifted into a staircase where stations stand close, a thin leader line back to
the station); a line of thousands shows the selected, hovered and urgent ones
and as many of the nearest others as fit without overlapping.

The layout runs before a render only after the camera, the window, a label's
size or a priority changed. A status change of the same length (a new value,
"185.2 °C" -> "185.3 °C") rewrites one string of the drawn set and costs no
layout: digits have one advance width.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyvista as pv
import vtkmodules.vtkRenderingFreeType  # noqa: F401 - registers the text renderer used below
from vtkmodules.vtkCommonCore import vtkStringArray
from vtkmodules.vtkRenderingCore import vtkTextRenderer

from linetwin.scene import label_layout as layout
from linetwin.scene.label_layout import declutter  # noqa: F401 - re-exported for callers

TEXT_ARRAY = "text"
LABEL_MARGIN_PX = 5.0  # the label background's padding (vtkLabelPlacementMapper's margin)
LEADER_COLOR = "#5B6470"
SCREEN_MARGIN_PX = 150.0  # anchors this far outside the viewport may still show a label
TRIED_PER_PLACED = 25  # labels measured and tried per label the budget allows (far ones too)


class StationLabels:
    """Labels of assets: a plain set and an emphasized copy for the selected one.

    Parameters
    ----------
    anchors : asset id -> world point the label's bottom centre stands on
    names : asset id -> display name
    quiet : assets labelled only while selected or hovered (parts of a station)
    extents : asset id -> world size (metres) that says how large it is on screen
    """

    def __init__(self, plotter: pv.Plotter, anchors: dict[str, np.ndarray],
                 names: dict[str, str], quiet: frozenset[str] = frozenset(),
                 extents: Mapping[str, float] | None = None) -> None:
        self.plotter = plotter
        self.anchors = anchors
        self.names = names
        self.quiet = quiet
        self.order = list(anchors)
        self.row = {a: i for i, a in enumerate(self.order)}
        self.status: dict[str, str] = {a: "" for a in anchors}
        self.selected: str | None = None
        self.hovered: str | None = None
        n = len(self.order)
        self._anchor_points = np.array([anchors[a] for a in self.order], dtype=float).reshape(-1, 3)
        self._extents = np.array([(extents or {}).get(a, 1.0) for a in self.order], dtype=float)
        self._quiet = np.array([a in quiet for a in self.order], dtype=bool)
        self._tiers = np.full(n, layout.PLAIN, dtype=np.int64)
        self._sizes = np.full((n, 2), np.nan)  # label box sizes, NaN until measured
        self._positions = self._anchor_points.copy()  # where each label stands now
        self._placed = np.zeros(n, dtype=bool)
        self._slot = np.full(n, -1, dtype=np.int64)  # row -> index in the drawn plain set
        self._obstacles = (np.zeros((0, 3)), np.zeros((0, 2)))  # see set_obstacles
        self.text_properties = {}  # label set name -> its vtkTextProperty (for measuring)
        self._plain = self._label_set("labels", font_size=13, text_color="#1B1F24",
                                      background_color="white")
        self._chosen = self._label_set("label-selected", font_size=15, text_color="white",
                                       background_color="#1F3BFF")
        self.leaders = pv.PolyData()
        self.leader_actor = pv.Actor(mapper=pv.DataSetMapper(self.leaders))
        self.leader_actor.prop.color = LEADER_COLOR
        self.leader_actor.prop.line_width = 1.2
        self.leader_actor.prop.lighting = False
        self.leader_actor.SetPickable(False)
        plotter.renderer.AddActor(self.leader_actor)  # empty until a label is lifted
        self._measure = _Measure(self)
        self._view = None
        self._dirty = True
        plotter.renderer.AddObserver("StartEvent", lambda *_: self.update())

    def move(self, anchors: Mapping[str, np.ndarray], extents: Mapping[str, float]) -> None:
        """New anchor points and sizes for some assets (a loaded mesh replaced its
        stand-in); laid out again at the next render."""
        ids = [a for a in anchors if a in self.row]
        if not ids:
            return
        rows = np.array([self.row[a] for a in ids])
        self._anchor_points[rows] = [anchors[a] for a in ids]
        self._extents[rows] = [extents.get(a, 1.0) for a in ids]
        self.anchors.update({a: anchors[a] for a in ids})
        self._dirty = True

    # -- what the labels say and which matter ---------------------------------------
    def set_status(self, texts: dict[str, str]) -> None:
        status, row_of = self.status, self.row
        changed = [a for a, t in texts.items() if a in row_of and status[a] != t]
        if not changed:
            return
        for asset_id in changed:
            before = len(status[asset_id])
            status[asset_id] = text = texts[asset_id]
            row = row_of[asset_id]
            if len(text) != before:  # a new size: measure again, lay out again
                self._sizes[row] = np.nan
                self._dirty = True
            elif self._slot[row] >= 0:
                _text_array(self._plain).SetValue(int(self._slot[row]), self._plain_text(asset_id))
            if asset_id == self.selected and self._placed[row]:  # else a blank stand-in
                _text_array(self._chosen).SetValue(0, self.text(asset_id))
        _touch(self._plain)
        _touch(self._chosen)

    def set_tiers(self, tiers: np.ndarray) -> None:
        """Priority tier of every label, in :attr:`order` (``label_layout.ALARMED``,
        ``URGENT`` or ``PLAIN``); a change lays the labels out again."""
        tiers = np.asarray(tiers, dtype=np.int64)
        if not np.array_equal(tiers, self._tiers):
            self._tiers = tiers.copy()
            self._dirty = True

    def emphasize(self, asset_id: str | None) -> None:
        """Show ``asset_id``'s label emphasized, whatever else the view holds."""
        asset_id = asset_id if asset_id in self.anchors else None
        if asset_id == self.selected:
            return
        for row in (self.row.get(self.selected), self.row.get(asset_id)):
            if row is not None:
                self._sizes[row] = np.nan  # the emphasized font is larger
        self.selected, self._dirty = asset_id, True  # drawn by the next layout

    def hover(self, asset_id: str | None) -> bool:
        """Show ``asset_id``'s label (the one under the cursor) even where the view
        is crowded; True if that changed what must be drawn."""
        asset_id = asset_id if asset_id in self.anchors else None
        if asset_id == self.hovered:
            return False
        for row in (self.row.get(self.hovered), self.row.get(asset_id)):
            if row is not None and self._quiet[row]:
                self._sizes[row] = np.nan  # a quiet part's label has text only while hovered
        self.hovered, self._dirty = asset_id, True
        return True

    def text(self, asset_id: str) -> str:
        status = self.status.get(asset_id, "")
        name = self.names.get(asset_id, asset_id)
        return f"{name}\n{status}" if status else name

    def shown_text(self, asset_id: str) -> str:
        """What the plain label of ``asset_id`` reads whenever it is placed (empty
        while emphasized, and for a quiet part unless hovered)."""
        return "" if asset_id == self.selected else self._plain_text(asset_id)

    # -- where the labels are ----------------------------------------------------
    def placed(self) -> set[str]:
        """Assets whose label the last layout placed (the emphasized one included)."""
        return {self.order[row] for row in np.flatnonzero(self._placed)}

    def label_position(self, asset_id: str) -> np.ndarray:
        """Where the label of ``asset_id`` stands now (its anchor, or lifted above it)."""
        return self._positions[self.row[asset_id]].copy()

    def label_boxes(self) -> dict[str, tuple[float, float, float, float]]:
        """Display-pixel box (x0, y0, x1, y1) of every label placed, background included.

        Computed from what is drawn: each label's point projected now, and its
        text measured by VTK's own text renderer with the label's font.
        """
        rows = np.flatnonzero(self._placed)
        display, _ = layout.project(self._positions[rows], self._viewport())
        boxes = {}
        for row, (x, y) in zip(rows, display):
            w, h = self._sizes[row]
            boxes[self.order[row]] = (x - w / 2, y - LABEL_MARGIN_PX, x + w / 2,
                                      y - LABEL_MARGIN_PX + h)
        return boxes

    # -- layout --------------------------------------------------------------------
    def update(self) -> None:
        """Lay out again if the view or a label changed since the last layout."""
        view = self._view_signature()
        if view is None or not self.order or (view == self._view and not self._dirty):
            return
        self._view, self._dirty = view, False
        self.relayout()

    def relayout(self) -> None:
        view = self._viewport()
        display, in_front = layout.project(self._anchor_points, view)
        m = SCREEN_MARGIN_PX
        x, y = display[:, 0], display[:, 1]
        inside = in_front & (x > view.x0 - m) & (x < view.x0 + view.width + m) \
            & (y > view.y0 - m) & (y < view.y0 + view.height + m)
        tiers = self._current_tiers()
        candidates = inside & (tiers <= layout.PLAIN) | (in_front & (tiers <= layout.HOVERED))
        screen_px = self._extents / np.maximum(self._metres_per_pixel(self._anchor_points), 1e-12)
        order = layout.priority_order(candidates, tiers, screen_px, self._placed)
        limit = max(layout.budget(view), int((tiers <= layout.HOVERED).sum()))
        order = order[:TRIED_PER_PLACED * limit]
        self._measure.rows(order)
        order = order[self._sizes[order, 0] > 0]  # nothing to show
        bottoms = display - [0.0, LABEL_MARGIN_PX]  # the box starts a margin below the text
        forced = int((tiers[order] <= layout.HOVERED).sum())
        # Few enough to show them all (a line of dozens): every label, however
        # high the staircase; otherwise a label rises only a few of its heights.
        max_lift = np.inf if len(order) <= limit else layout.MAX_LIFT_LABELS
        lifts, self._placed = layout.place(order, bottoms, self._sizes, forced, limit, max_lift,
                                           obstacles=self._obstacle_boxes(view))
        up = np.outer(lifts * self._metres_per_pixel(self._anchor_points), self._screen_up())
        self._positions = self._anchor_points + up
        self._draw(lifts)

    def set_obstacles(self, points: np.ndarray, sizes: np.ndarray) -> None:
        """Other bottom-centred text boxes no label may cover (the alert badges):
        world ``points`` (k, 3) and pixel box ``sizes`` (k, 2), padding included."""
        self._obstacles = (np.asarray(points, dtype=float).reshape(-1, 3),
                           np.asarray(sizes, dtype=float).reshape(-1, 2))
        self._dirty = True

    def _obstacle_boxes(self, view: layout.Viewport) -> np.ndarray:
        points, sizes = self._obstacles
        display, in_front = layout.project(points, view)
        display, sizes = display[in_front], sizes[in_front]
        x0, y0 = display[:, 0] - sizes[:, 0] / 2, display[:, 1] - LABEL_MARGIN_PX
        return np.c_[x0, y0, x0 + sizes[:, 0], y0 + sizes[:, 1]]

    def _current_tiers(self) -> np.ndarray:
        tiers = self._tiers.copy()
        tiers[self._quiet] = layout.PLAIN + 1  # never a candidate on their own
        for asset_id, tier in ((self.hovered, layout.HOVERED), (self.selected, layout.SELECTED)):
            if asset_id is not None:
                tiers[self.row[asset_id]] = tier
        return tiers

    def _draw(self, lifts: np.ndarray) -> None:
        chosen = self.row.get(self.selected, -1)
        rows = np.flatnonzero(self._placed & (np.arange(len(self.order)) != chosen))
        self._slot[:] = -1
        self._slot[rows] = np.arange(len(rows))
        _fill(self._plain, self._positions[rows], [self._plain_text(self.order[r]) for r in rows])
        if chosen >= 0 and self._placed[chosen]:
            _fill(self._chosen, self._positions[[chosen]], [self.text(self.selected)])
        else:
            _fill(self._chosen, np.zeros((0, 3)), [])
        self._draw_leaders(np.flatnonzero(self._placed & (lifts > 0.5)))

    def _plain_text(self, asset_id: str) -> str:
        if asset_id in self.quiet and asset_id != self.hovered:
            return ""
        return self.text(asset_id)

    def _label_set(self, name: str, **style) -> pv.PolyData:
        cloud = pv.PolyData()
        _fill(cloud, np.zeros((0, 3)), [])
        # The text's own background (not the placer's shape, which ignores
        # justification) keeps two centred lines readable over any geometry.
        actor = self.plotter.add_point_labels(
            cloud, TEXT_ARRAY, name=name, always_visible=True, show_points=False, shape=None,
            bold=True, render=False, reset_camera=False, pickable=False,
            justification_horizontal="center", justification_vertical="bottom",
            background_opacity=0.85, **style)
        # VTK's placer would silently drop labels it finds overlapping; the
        # layout has already chosen which to show and kept them apart.
        actor.GetMapper().PlaceAllLabelsOn()
        self.text_properties[name] = actor.GetMapper().GetInputAlgorithm().GetTextProperty()
        return cloud

    # -- view geometry -------------------------------------------------------------
    def _view_signature(self):
        renderer = self.plotter.renderer
        size = tuple(renderer.GetSize())
        if size[0] < 2 or size[1] < 2:
            return None
        cam = renderer.GetActiveCamera()
        return (cam.GetPosition(), cam.GetFocalPoint(), cam.GetViewUp(), cam.GetViewAngle(),
                cam.GetParallelProjection(), cam.GetParallelScale(), size)

    def _viewport(self) -> layout.Viewport:
        renderer = self.plotter.renderer
        w, h = renderer.GetSize()
        matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
            renderer.GetTiledAspectRatio(), -1, 1)
        m = np.array([matrix.GetElement(r, c) for r in range(4) for c in range(4)]).reshape(4, 4)
        x0, y0 = renderer.GetOrigin()
        return layout.Viewport(x0, y0, w, h, m)

    def _screen_up(self) -> np.ndarray:
        cam = self.plotter.renderer.GetActiveCamera()
        up = np.array(cam.GetViewUp())
        forward = np.array(cam.GetDirectionOfProjection())
        up = up - up.dot(forward) * forward
        return up / (np.linalg.norm(up) or 1.0)

    def _metres_per_pixel(self, points: np.ndarray) -> np.ndarray:
        renderer = self.plotter.renderer
        cam = renderer.GetActiveCamera()
        height = renderer.GetSize()[1]
        if cam.GetParallelProjection():
            return np.full(len(points), 2 * cam.GetParallelScale() / height)
        depth = (points - np.array(cam.GetPosition())) @ np.array(cam.GetDirectionOfProjection())
        return 2 * np.maximum(depth, 0.0) * np.tan(np.radians(cam.GetViewAngle()) / 2) / height

    def _draw_leaders(self, rows: np.ndarray) -> None:
        count = len(rows)
        leaders = pv.PolyData()
        if count:
            ends = np.empty((2 * count, 3))
            ends[0::2], ends[1::2] = self._anchor_points[rows], self._positions[rows]
            leaders = pv.PolyData(ends, lines=np.c_[np.full(count, 2),
                                                    np.arange(0, 2 * count, 2),
                                                    np.arange(1, 2 * count, 2)].ravel())
        self.leaders.copy_from(leaders)


class _Measure:
    """Label box sizes in display pixels, measured by VTK's text renderer with
    the label's own font; each distinct text once."""

    def __init__(self, labels: StationLabels) -> None:
        self.labels = labels
        self._renderer = vtkTextRenderer()
        self._sizes: dict[tuple[str, bool], tuple[float, float]] = {}

    def rows(self, rows: np.ndarray) -> None:
        """Fill in the sizes of ``rows`` not measured since their text changed."""
        labels = self.labels
        for row in rows[np.isnan(labels._sizes[rows, 0])]:
            asset_id = labels.order[row]
            chosen = asset_id == labels.selected
            text = labels.text(asset_id) if chosen else labels._plain_text(asset_id)
            labels._sizes[row] = self.size(text, chosen) if text else (0.0, 0.0)

    def size(self, text: str, chosen: bool) -> tuple[float, float]:
        key = (text, chosen)
        if key not in self._sizes:
            if len(self._sizes) > 50_000:  # analog values make many strings: stay bounded
                self._sizes.clear()
            labels = self.labels
            prop = labels.text_properties["label-selected" if chosen else "labels"]
            self._sizes[key] = text_box_size(self._renderer, prop, text,
                                             labels.plotter.render_window.GetDPI())
        return self._sizes[key]


def text_box_size(renderer: vtkTextRenderer, prop, text: str, dpi: int) -> tuple[float, float]:
    """Pixel width and height of a point label's box: the text as ``renderer``
    draws it with ``prop``, plus the background's padding."""
    bbox = [0, 0, 0, 0]
    renderer.GetBoundingBox(prop, text, bbox, dpi)
    pad = 1 + 2 * LABEL_MARGIN_PX
    return bbox[1] - bbox[0] + pad, bbox[3] - bbox[2] + pad


def _fill(cloud: pv.PolyData, points: np.ndarray, texts: list[str]) -> None:
    """Make ``cloud`` hold exactly these labels (one blank one if none: VTK's
    label hierarchy wants a point)."""
    if not texts:
        points, texts = np.zeros((1, 3)), [""]
    fresh = pv.PolyData(np.asarray(points, dtype=float))
    array = vtkStringArray()
    array.SetName(TEXT_ARRAY)
    array.SetNumberOfValues(len(texts))
    for k, text in enumerate(texts):
        array.SetValue(k, text)
    fresh.GetPointData().AddArray(array)
    cloud.ShallowCopy(fresh)
    cloud.Modified()


def _text_array(cloud: pv.PolyData) -> vtkStringArray:
    return cloud.GetPointData().GetAbstractArray(TEXT_ARRAY)


def _touch(cloud: pv.PolyData) -> None:
    _text_array(cloud).Modified()
    cloud.Modified()
