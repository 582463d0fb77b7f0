"""Headless frames of a replay: the line as the replay window shows it at one instant.

One off-screen plotter and scene are built once and redrawn per frame (a video
of thousands of frames must not rebuild the line each time). A frame shows
each asset's state colour and look from the replay's pipeline, the alert
badges listed at that instant, the legend, and an overlay that says it is a
replay and when ("REPLAY 2026-05-28T12:02:11.250+00:00"): a frame passed
around on its own must never be mistaken for a live view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyvista as pv

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.scene.badges import badge_counts
from linetwin.scene.camera import CameraPose
from linetwin.scene.legend import add_legend, legend_entries
from linetwin.scene.line_scene import LineScene
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.replay.instants import format_instant

OVERLAY_NAME = "replay-overlay"
OVERLAY_COLOR = "#7A1F9C"  # not a state colour: the overlay is never read as a state


class ReplayFrames:
    """Draws ``project`` from a replay's pipeline into images of ``size`` (width, height).

    ``overlay``: draw the "REPLAY <time>" text (off for pixel comparisons of
    the scene alone). ``problems``: the assets drawn as placeholders, why.
    Close it (or use ``with``) to free the plotter.
    """

    def __init__(self, project: Project, size: tuple[int, int] = (1280, 720), overlay: bool = True,
                 mesh_cache: MeshCache | None = None) -> None:
        geometries = load_line_geometry(project, cache=mesh_cache)
        self.problems = [g.problem or asset for asset, g in geometries.items() if g.placeholder]
        self.overlay = overlay
        self.plotter = pv.Plotter(off_screen=True, window_size=list(size))
        try:
            self.scene = LineScene(self.plotter, project, geometries)
            add_legend(self.plotter, legend_entries(project))
        except BaseException:
            self.plotter.close()
            raise
        self.home = self.scene.current_pose()

    def draw(self, pipeline: TwinPipeline, camera: dict[str, Any] | None = None,
             selection: str | None = None, label: str = "REPLAY") -> np.ndarray:
        """The frame of the instant ``pipeline``'s clock stands at, as an (h, w, 3) uint8 image.

        ``camera``: a bookmark's ``{"position", "focal_point", "view_up"}``
        (None: the whole line); ``selection``: the asset outlined.
        """
        self.scene.apply(pipeline.appearances())
        self.scene.badges.show(badge_counts(pipeline.alerts.book.active()))
        self.scene.set_pose(camera_pose(camera) if camera else self.home)
        if selection != self.scene.selected:
            self.scene.select(selection)
        if self.overlay:
            self.plotter.add_text(f"{label}  {format_instant(pipeline.clock.now())}",
                                  position="upper_left", font_size=12, color=OVERLAY_COLOR,
                                  name=OVERLAY_NAME, shadow=False)
        return np.asarray(self.plotter.screenshot(return_img=True))[:, :, :3]

    def save(self, image: np.ndarray, path: Path) -> Path:
        from PIL import Image  # Pillow comes with matplotlib

        Image.fromarray(image).save(path, format="PNG")
        return path

    def close(self) -> None:
        self.plotter.close()
        self.plotter.deep_clean()

    def __enter__(self) -> "ReplayFrames":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def camera_pose(camera: dict[str, Any]) -> CameraPose:
    """A bookmark's stored camera as a pose (view up defaults to +Z)."""
    return CameraPose(tuple(camera["position"]), tuple(camera["focal_point"]),
                      tuple(camera.get("view_up") or (0.0, 0.0, 1.0)))
