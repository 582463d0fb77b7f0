"""Far assets drawn simplified, near ones full: a mapper swap by size on screen.

Each asset whose mesh has a simplified copy (:mod:`linetwin.io.mesh.mesh_lod`)
draws it while the asset covers fewer than ``FULL_PX`` pixels on screen, and its
full mesh above that. The choice is made for all assets at once in numpy when
the camera moved (before each render, as the labels' layout), and VTK is
called only for the assets whose choice changed. Not a ``vtkLODProp3D``: that
picks levels by the frame's time budget, not by distance, so a near asset could
turn coarse while orbiting, and it would replace the plain per-asset actors
that picking, colouring and outlines rely on.
"""

from __future__ import annotations

import numpy as np

FULL_PX = 120.0  # an asset this large on screen or larger is drawn in full
HYSTERESIS = 1.15  # swap back only past FULL_PX * or / this: no flicker at the edge


class LevelOfDetail:
    """Keeps each asset's actor on the right mapper for the current view.

    ``scene`` is the :class:`~linetwin.scene.line_scene.LineScene`; call
    :meth:`refresh` after its geometry changed (a mesh replaced a stand-in).
    """

    def __init__(self, scene) -> None:
        self.scene = scene
        self._view = None
        self.refresh()
        scene.plotter.renderer.AddObserver("StartEvent", lambda *_: self.update())

    def refresh(self, asset_ids=None) -> None:
        """Take these assets' shapes and bounds again (None: all; a batch of
        loaded meshes costs its own size, not the line's); chosen anew at the
        next render."""
        scene = self.scene
        if asset_ids is None:
            self.ids = list(scene.actors)
            self.row = {a: i for i, a in enumerate(self.ids)}
            n = len(self.ids)
            self.centres, self.sizes = np.zeros((n, 3)), np.zeros(n)
            self.has_lod, self.simplified = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
            self.full_ready = np.zeros(n, dtype=bool)  # its full mesh is built
            asset_ids = self.ids
        rows = np.array([self.row[a] for a in asset_ids], dtype=np.int64)
        bounds = np.array([scene.asset_bounds(a) for a in asset_ids]).reshape(-1, 6)
        self.centres[rows] = (bounds[:, 0::2] + bounds[:, 1::2]) / 2.0
        self.sizes[rows] = np.linalg.norm(bounds[:, 1::2] - bounds[:, 0::2], axis=1)
        self.has_lod[rows] = [scene.shape_of[a].lod_parts is not None for a in asset_ids]
        self.simplified[rows] = [scene.shape_of[a].draws_simplified(scene.actors[a])
                                 for a in asset_ids]
        self.full_ready[rows] = False  # a new shape: checked again at the next choice
        self._view = None

    def update(self) -> None:
        if not self.has_lod.any():
            return
        renderer = self.scene.plotter.renderer
        camera = renderer.GetActiveCamera()
        view = (camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewAngle(),
                camera.GetParallelProjection(), camera.GetParallelScale(), renderer.GetSize())
        if view == self._view:
            return
        self._view = view
        pixels = self.pixels(camera, renderer.GetSize()[1])
        far = self.has_lod & np.where(self.simplified, pixels < FULL_PX * HYSTERESIS,
                                      pixels < FULL_PX / HYSTERESIS)
        # A full mesh is built on first use: make sure every one drawn full has it.
        for row in np.flatnonzero(self.has_lod & ~far & ~self.full_ready).tolist():
            _ = self.scene.shape_of[self.ids[row]].mesh
        self.full_ready |= self.has_lod & ~far
        for row in np.flatnonzero(far != self.simplified).tolist():
            asset_id = self.ids[row]
            shape = self.scene.shape_of[asset_id]
            self.scene.actors[asset_id].SetMapper(shape.lod_mapper if far[row] else shape.mapper)
        self.simplified = far

    def pixels(self, camera, height: int) -> np.ndarray:
        """Each asset's size on screen (its bounding-box diagonal), in pixels."""
        if camera.GetParallelProjection():
            metres_per_px = 2.0 * camera.GetParallelScale() / max(height, 1)
            return self.sizes / metres_per_px
        # Distance, not depth along the view: an asset behind the camera is far too.
        depth = np.maximum(np.linalg.norm(self.centres - np.array(camera.GetPosition()), axis=1),
                           1e-6)
        metres_per_px = 2.0 * depth * np.tan(np.radians(camera.GetViewAngle()) / 2.0) / max(height, 1)
        return self.sizes / metres_per_px
