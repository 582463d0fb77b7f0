"""Headless rendering of the line to a PNG (no display needed: VTK uses EGL/OSMesa)."""

from __future__ import annotations

import time
from pathlib import Path

import pyvista as pv

from linetwin.scene.line_scene import LineScene
from linetwin.twin.colors import ColorEngine
from linetwin.twin.geometry import AssetGeometry
from linetwin.twin.model import Project
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate


def state_from_values(project: Project, values: dict[str, float]) -> TwinState:
    """A twin state holding ``values`` as Good readings taken now."""
    state = TwinState(project)
    now = time.time()
    state.apply(ValueUpdate(sid, float(v), now, now) for sid, v in values.items())
    return state


def render_line(project: Project, geometries: dict[str, AssetGeometry],
                values: dict[str, float], out: Path, size: tuple[int, int] = (1600, 900),
                select: str | None = None) -> Path:
    """Write a PNG of the whole line colored by ``values`` (empty: the no-data look)."""
    plotter = pv.Plotter(off_screen=True, window_size=size)
    try:
        scene = LineScene(plotter, project, geometries)
        state = state_from_values(project, values)
        scene.apply(ColorEngine(project).appearances(state))
        if select:
            scene.select(select)
        plotter.screenshot(str(out))
    finally:
        plotter.close()
    return out
