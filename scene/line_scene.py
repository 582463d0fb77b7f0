"""The 3D line: one actor per asset, colored by the twin's rules.

Assets that share a mesh file share one polydata and one mapper (normals made
once); each asset's actor places it with the asset's matrix. Everything drawn
over an asset (selection outline, component highlight) carries the same
matrix, and positions (labels, badges, fit, fly-to) come from the geometry's
placed bounds, never from placed copies of the mesh.

Takes any ``pyvista.Plotter``: the Qt widget's plotter in the GUI, an
off-screen plotter for ``linetwin render`` and the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkCellPicker, vtkCoordinate

from linetwin.scene.asset_actors import AssetActor, asset_actor, default_look, outline_actor
from linetwin.scene.asset_styles import AssetStyles, urgent_states
from linetwin.scene.badges import AlertBadges
from linetwin.scene.camera import CameraPose, fly_path, pose_looking_at
from linetwin.scene.labels import StationLabels
from linetwin.scene.legend import (
    PLACEHOLDER_FILL,
    PLACEHOLDER_LINE,
    PLACEHOLDER_LINE_WIDTH,
    PLACEHOLDER_OPACITY,
)
from linetwin.scene.level_of_detail import LevelOfDetail
from linetwin.scene.meshes import (
    COMPONENT_ARRAY,
    SharedShape,
    SharedShapes,
    placed_polydata,
    placeholder_lines,
    vtk_matrix,
)
from linetwin.twin.colors import AssetAppearance
from linetwin.twin.geometry import AssetGeometry
from linetwin.twin.model import AssetLevel, Project

SELECTION_COLOR = "#1F3BFF"
BACKGROUND_BOTTOM = "#E9ECF1"
BACKGROUND_TOP = "#FFFFFF"
PART_CONTEXT_M = 0.6  # fly-to frames at least this radius (metres)


class LineScene:
    """Builds and updates the line in ``plotter``.

    Parameters
    ----------
    plotter : pyvista.Plotter
    project : Project
    geometries : dict of asset id to AssetGeometry (assets without a mesh are absent)
    """

    def __init__(self, plotter: pv.Plotter, project: Project,
                 geometries: dict[str, AssetGeometry]) -> None:
        self.plotter = plotter
        self.project = project
        self.shapes = SharedShapes()
        self.shape_of: dict[str, SharedShape] = {}  # asset id -> its (shared) mesh
        self.matrices: dict[str, np.ndarray] = {}  # asset id -> its 4x4 placement
        self._bounds: dict[str, tuple[float, ...]] = {}  # asset id -> placed bounds
        self.actors: dict[str, AssetActor] = {}
        self.placeholder_outlines: dict[str, pv.Actor] = {}
        self.components: dict[str, list[str]] = {}
        # Assets whose mesh could not be loaded: drawn as crossed wire boxes in a
        # look of their own, never in a state colour (their state is in the label).
        self.placeholders = {a for a, g in geometries.items() if g.placeholder}
        # Assets drawn as a coarse box until their mesh is loaded (see replace_geometries).
        self.pending = {a for a, g in geometries.items() if g.pending}
        self.selected: str | None = None
        self._silhouette = None
        self._part_highlight = None
        self._picker = vtkCellPicker()
        self._picker.SetTolerance(0.0005)
        self._picker.PickFromListOn()
        plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)
        # FXAA is cheap enough for the live view; off-screen VTK (EGL/OSMesa) only does SSAA.
        plotter.enable_anti_aliasing("ssaa" if getattr(plotter, "off_screen", False) else "fxaa")
        look = default_look()
        for asset_id, geometry in geometries.items():
            self._add_asset(asset_id, geometry, look)
        self._add_floor()
        anchors = {a: self.label_anchor(a) for a in self.actors}  # labels.py keeps them apart
        self.badges = AlertBadges(plotter, {a: p + np.array([0.0, 0.0, 1.0])
                                            for a, p in anchors.items()})
        self.labels = StationLabels(plotter, anchors, {a.id: a.name for a in project.assets},
                                    quiet=frozenset(a.id for a in project.assets
                                                    if a.level is AssetLevel.COMPONENT),
                                    extents={a: self._extent(a) for a in self.actors})
        self.styles = AssetStyles(list(self.actors.values()), self.placeholders,
                                  urgent_states(project))
        self.badges.on_change = self._badges_changed
        self.detail = LevelOfDetail(self)
        self.fit_line()

    # -- building ---------------------------------------------------------
    def _add_asset(self, asset_id: str, geometry: AssetGeometry, look) -> None:
        shape = self.shapes.of(geometry)
        actor = asset_actor(asset_id, shape, vtk_matrix(geometry.matrix), look)
        # Straight into the renderer: pyvista's add_mesh rescans every actor for
        # its name, which makes a line of 1,000 stations take most of a minute.
        self.plotter.renderer.AddActor(actor)
        self.shape_of[asset_id] = shape
        self.matrices[asset_id] = geometry.matrix
        low, high = geometry.bounds()
        self._bounds[asset_id] = (low[0], high[0], low[1], high[1], low[2], high[2])
        self.actors[asset_id] = actor
        if not geometry.pending:  # a stand-in has no parts worth naming
            self.components[asset_id] = list(shape.names)
        self._picker.AddPickList(actor)
        if geometry.placeholder:
            self._draw_placeholder(asset_id, actor, geometry)

    def replace_geometries(self, geometries: Iterable[AssetGeometry]) -> list[str]:
        """Draw these assets' loaded meshes in place of their coarse stand-ins.

        The actor stays (its colour, pick entry and label row): only its mapper,
        matrix and bounds change, so a swap costs no new VTK objects beyond the
        first of each mesh file. Returns the ids swapped."""
        swapped = []
        for geometry in geometries:
            asset_id = geometry.asset_id
            actor = self.actors.get(asset_id)
            if actor is None:
                continue
            shape = self.shapes.of(geometry)
            actor.SetMapper(shape.mapper)
            actor.SetUserMatrix(vtk_matrix(geometry.matrix))
            self.shape_of[asset_id], self.matrices[asset_id] = shape, geometry.matrix
            low, high = geometry.bounds()
            self._bounds[asset_id] = (low[0], high[0], low[1], high[1], low[2], high[2])
            self.components[asset_id] = list(shape.names)
            self.pending.discard(asset_id)
            if geometry.placeholder:
                self.placeholders.add(asset_id)
                self.styles.set_placeholder(asset_id)
                self._draw_placeholder(asset_id, actor, geometry)
            swapped.append(asset_id)
        if swapped:
            self.labels.move({a: self.label_anchor(a) for a in swapped},
                             {a: self._extent(a) for a in swapped})
            self.badges.anchors.update({a: self.label_anchor(a) + np.array([0.0, 0.0, 1.0])
                                        for a in swapped})
            if self.selected in swapped:  # the outline follows the new shape
                self.select(self.selected)
            self.detail.refresh(swapped)
            if not self.pending:
                self._add_floor()  # the full meshes may reach past the stand-ins' floor
        return swapped

    def _draw_placeholder(self, asset_id: str, actor: AssetActor, geometry: AssetGeometry) -> None:
        prop = actor.GetProperty()
        prop.SetColor(*(c / 255.0 for c in PLACEHOLDER_FILL))
        prop.SetOpacity(PLACEHOLDER_OPACITY)
        prop.SetEdgeVisibility(False)
        lines = pv.Actor(mapper=pv.DataSetMapper(placeholder_lines(geometry)))
        lines.mapper.scalar_visibility = False
        lines.prop.color = PLACEHOLDER_LINE
        lines.prop.line_width = PLACEHOLDER_LINE_WIDTH
        lines.prop.lighting = False
        lines.SetPickable(False)
        lines.SetUserMatrix(actor.GetUserMatrix())
        self.plotter.renderer.AddActor(lines)
        self.placeholder_outlines[asset_id] = lines

    def _add_floor(self) -> None:
        xmin, xmax, ymin, ymax, _, _ = self.line_bounds()
        pad = 1.5
        x0, x1 = np.floor(xmin - pad), np.ceil(xmax + pad)
        y0, y1 = np.floor(ymin - pad), np.ceil(ymax + pad)
        nx, ny = int(x1 - x0), int(y1 - y0)
        center = ((x0 + x1) / 2, (y0 + y1) / 2, 0.0)
        floor = pv.Plane(center=(center[0], center[1], -0.003), i_size=x1 - x0, j_size=y1 - y0)
        self.plotter.add_mesh(floor, color="#D9DDE3", name="floor", pickable=False,
                              ambient=0.3, diffuse=0.7, reset_camera=False, render=False)
        grid = pv.Plane(center=center, i_size=x1 - x0, j_size=y1 - y0,
                        i_resolution=nx, j_resolution=ny)
        self.plotter.add_mesh(grid, style="wireframe", color="#A7AEB8", line_width=1,
                              name="floor-grid", pickable=False, lighting=False,
                              reset_camera=False, render=False)

    # -- geometry queries ---------------------------------------------------
    @property
    def meshes(self) -> Mapping[str, pv.PolyData]:
        """Asset id -> its mesh placed in line coordinates, copied on each look-up
        (tests, exports); drawing never needs it: see :attr:`shape_of`."""
        return _PlacedMeshes(self)

    def line_bounds(self) -> tuple[float, ...]:
        if not self._bounds:
            return (-1.0, 1.0, -1.0, 1.0, 0.0, 1.0)
        b = np.array(list(self._bounds.values()))
        return (b[:, 0].min(), b[:, 1].max(), b[:, 2].min(), b[:, 3].max(),
                b[:, 4].min(), b[:, 5].max())

    def asset_bounds(self, asset_id: str) -> tuple[float, ...]:
        """(xmin, xmax, ymin, ymax, zmin, zmax) of the placed asset."""
        return self._bounds[asset_id]

    def asset_center(self, asset_id: str) -> np.ndarray:
        b = np.asarray(self._bounds[asset_id])
        return (b[0::2] + b[1::2]) / 2.0

    def label_anchor(self, asset_id: str, lift: float = 0.25) -> np.ndarray:
        """``lift`` metres above the asset's top, over its footprint centre."""
        b = self._bounds[asset_id]
        return np.array([(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, b[5] + lift])

    # -- appearance ---------------------------------------------------------
    def apply(self, appearances: Iterable[AssetAppearance]) -> None:
        """Show each asset's color and look; assets without a mesh are skipped.

        One numpy pass finds the assets whose color or look changed; only their
        actors are touched (see :class:`AssetStyles`)."""
        texts = self.styles.apply(appearances)
        self.labels.set_tiers(self.styles.tiers())
        self.labels.set_status(texts)

    def forget_styles(self) -> None:
        """Another colouring drew over the states (replay's defect density): the
        next :meth:`apply` restyles every asset it is given, changed or not."""
        self.styles.forget()

    def hover(self, asset_id: str | None) -> bool:
        """Show the label of the asset under the cursor however crowded the view
        (``None``: none); True if the view must be drawn again."""
        return self.labels.hover(asset_id)

    def _badges_changed(self, shown) -> None:
        """Alarmed labels go first, and no label may cover a badge."""
        self.styles.set_badges({a: b.kind for a, b in shown.items()})
        self.labels.set_tiers(self.styles.tiers())
        ids = list(shown)
        self.labels.set_obstacles(np.array([self.badges.anchors[a] for a in ids]).reshape(-1, 3),
                                  np.array([self.badges.sizes[a] for a in ids]).reshape(-1, 2))

    def _extent(self, asset_id: str) -> float:
        """The asset's size in metres: its bounding box's diagonal."""
        b = np.asarray(self._bounds[asset_id])
        return float(np.linalg.norm(b[1::2] - b[0::2])) or 1.0

    def select(self, asset_id: str | None) -> None:
        """Highlight ``asset_id`` with an outline (``None`` clears the selection)."""
        if self._silhouette is not None:
            self.plotter.remove_actor(self._silhouette, render=False)
            self._silhouette = None
        self._part_highlight = None
        self.selected = asset_id if asset_id in self.actors else None
        if self.selected is not None:
            self._silhouette = self.outline(self.selected, SELECTION_COLOR, 5.0)
        self.labels.emphasize(self.selected)

    def outline(self, asset_id: str, color, line_width: float) -> pv.Actor:
        """Add (and return) the silhouette of ``asset_id`` as the camera sees it."""
        actor = outline_actor(self.shape_of[asset_id], self.actors[asset_id],
                              self.plotter.renderer.GetActiveCamera(), color, line_width)
        self.plotter.add_actor(actor, reset_camera=False, pickable=False, render=False)
        return actor

    def component_mesh(self, asset_id: str, name: str) -> pv.PolyData:
        """The cells of one named component of an asset, in the asset's own frame
        (its actor's matrix places them; KeyError if unknown)."""
        index = self.components[asset_id].index(name) if name in self.components.get(
            asset_id, []) else None
        if index is None:
            raise KeyError(f"asset {asset_id!r} has no component {name!r}")
        mesh = self.shape_of[asset_id].mesh
        return mesh.extract_values(index, scalars=COMPONENT_ARRAY, preference="cell")

    def highlight_component(self, asset_id: str | None, name: str | None = None) -> None:
        """Draw one component over its asset in the selection color (``None`` clears)."""
        if self._part_highlight is not None:
            self.plotter.remove_actor(self._part_highlight, render=False)
            self._part_highlight = None
        if asset_id is not None and name is not None:
            self._part_highlight = self.plotter.add_mesh(
                self.component_mesh(asset_id, name), color=SELECTION_COLOR, pickable=False,
                name="component-highlight", reset_camera=False, render=False)
            self._part_highlight.SetUserMatrix(self.actors[asset_id].GetUserMatrix())

    # -- picking and camera -------------------------------------------------
    def pick(self, x: float, y: float) -> str | None:
        """The asset under display position (x, y) (VTK convention: origin bottom-left)."""
        if not self._picker.Pick(x, y, 0, self.plotter.renderer):
            return None
        picked = self._picker.GetActor()
        return picked.asset_id if isinstance(picked, AssetActor) else None

    def to_display(self, point) -> tuple[float, float]:
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToWorld()
        coordinate.SetValue(*map(float, point))
        x, y = coordinate.GetComputedDoubleDisplayValue(self.plotter.renderer)
        return x, y

    def current_pose(self) -> CameraPose:
        cam = self.plotter.camera
        return CameraPose(tuple(cam.position), tuple(cam.focal_point), tuple(cam.up))

    def set_pose(self, pose: CameraPose) -> None:
        cam = self.plotter.camera
        cam.position, cam.focal_point, cam.up = pose.position, pose.focal_point, pose.view_up
        self.plotter.renderer.ResetCameraClippingRange()

    def fit_line(self) -> None:
        self.set_pose(pose_looking_at(self.line_bounds(), margin=1.0))
        self._tighten(self.line_bounds())

    def _tighten(self, bounds, fill: float = 0.92) -> None:
        """Dolly so ``bounds`` just fill the view: a bounding sphere wastes most of
        the screen on a long, thin line."""
        corners = [(x, y, z) for x in bounds[0:2] for y in bounds[2:4] for z in bounds[4:6]]
        w, h = self.plotter.renderer.GetSize()
        if w < 2 or h < 2:  # not shown yet: keep the sphere fit, refit when visible
            return
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToWorld()
        cam = self.plotter.camera
        for _ in range(3):
            extent = 0.0
            for corner in corners:
                coordinate.SetValue(*map(float, corner))
                vx, vy = coordinate.GetComputedDoubleViewportValue(self.plotter.renderer)
                extent = max(extent, abs(2 * vx / w - 1), abs(2 * vy / h - 1))
            focal = np.array(cam.focal_point)
            offset = np.array(cam.position) - focal
            cam.position = tuple(focal + offset * (extent / fill))
        self.plotter.renderer.ResetCameraClippingRange()

    def fly_to(self, asset_id: str, frames: int = 24) -> list[CameraPose]:
        """Poses that glide from the current view to a close view of ``asset_id``."""
        # A part smaller than a hand (a controller, an isolator) is framed with a little
        # of its station around it: filling the view with it hides where it is.
        target = pose_looking_at(self._bounds[asset_id], margin=1.3, min_radius=PART_CONTEXT_M)
        return fly_path(self.current_pose(), target, frames)


class _PlacedMeshes(Mapping):
    """:attr:`LineScene.meshes`: membership and iteration are free, each look-up
    copies the shared mesh into line coordinates."""

    def __init__(self, scene: LineScene) -> None:
        self._scene = scene

    def __getitem__(self, asset_id: str) -> pv.PolyData:
        return placed_polydata(self._scene.shape_of[asset_id].mesh, self._scene.matrices[asset_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._scene.shape_of)

    def __len__(self) -> int:
        return len(self._scene.shape_of)
