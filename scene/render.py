"""Headless rendering of the line to a PNG (no display needed: VTK uses EGL/OSMesa).

The picture carries its legend (states, data looks, placeholder, badges), so a
PNG passed around on its own still says what its colours mean.
"""

from __future__ import annotations

from pathlib import Path

import pyvista as pv

from linetwin.scene.legend import add_legend, legend_entries
from linetwin.scene.line_scene import LineScene
from linetwin.twin.clock import Clock, LiveClock
from linetwin.twin.colors import ColorEngine
from linetwin.twin.geometry import AssetGeometry
from linetwin.twin.model import Project
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate


def state_from_values(project: Project, values: dict[str, float],
                      clock: Clock | None = None) -> TwinState:
    """A twin state holding ``values`` as Good readings taken at the clock's "now".

    The time only stamps the readings: a picture judges no staleness, so any
    clock draws the same colours (default: the wall clock).
    """
    state = TwinState(project)
    now = (clock or LiveClock()).now()
    state.apply(ValueUpdate(sid, float(v), now, now) for sid, v in values.items())
    return state


def render_line(project: Project, geometries: dict[str, AssetGeometry],
                values: dict[str, float], out: Path, size: tuple[int, int] = (1600, 900),
                select: str | None = None, legend: bool = True) -> Path:
    """Write a PNG of the whole line colored by ``values`` (empty: the no-data look).

    Assets whose mesh could not be loaded are drawn as placeholders (see
    :mod:`linetwin.scene.legend`); refusing them is the caller's decision.
    """
    plotter = pv.Plotter(off_screen=True, window_size=size)
    try:
        scene = LineScene(plotter, project, geometries)
        state = state_from_values(project, values)
        scene.apply(ColorEngine(project).appearances(state))
        if select:
            scene.select(select)
        if legend:
            add_legend(plotter, legend_entries(project))
        plotter.screenshot(str(out))
    finally:
        plotter.close()
    return out
