"""What each colour and look in the 3D line means, as plain data plus a VTK legend.

:func:`legend_entries` is the one list of meanings: the project's states in
their rule colours, the data looks (no data, stale, bad quality), the
placeholder of an asset whose mesh could not be loaded, and the alert badges.
The off-screen render draws it with :func:`add_legend`; the GUI builds its own
Qt legend from the same entries. The look constants here are the ones
:mod:`linetwin.scene.line_scene` draws with, so the legend cannot drift from the
scene.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingAnnotation import vtkLegendBoxActor

from linetwin.scene.badges import BADGE_STYLES
from linetwin.twin.model import Project, StateColorRule
from linetwin.twin.palette import (
    BAD_QUALITY_COLOR,
    NO_DATA_COLOR,
    OKABE_ITO_STATES,
    STALE_COLOR,
)

RGB = tuple[int, int, int]

# Surface styles of the data looks (colours are twin.palette's).
NO_DATA_OPACITY = 0.35
BAD_QUALITY_EDGE: RGB = (255, 217, 0)
STALE_EDGE: RGB = (89, 89, 89)

# A mesh that could not be loaded: a crossed wire box, translucent and without
# hue, so it is never read as a state (every state colour is saturated, and the
# data looks are solid or edged without the crosses).
PLACEHOLDER_FILL: RGB = (214, 217, 222)
PLACEHOLDER_OPACITY = 0.18
PLACEHOLDER_LINE: RGB = (47, 52, 59)
PLACEHOLDER_LINE_WIDTH = 2.5


@dataclass(frozen=True)
class LegendEntry:
    """One meaning: ``kind`` groups entries (state, data, mesh, badge)."""

    label: str
    kind: str
    color: RGB  # the fill (badges: the tag's background)
    edge: RGB | None = None  # drawn edges or lines, when the look has them
    opacity: float = 1.0
    text_color: RGB | None = None  # badges only


def legend_entries(project: Project | None = None) -> list[LegendEntry]:
    """Every colour and look the line can show, states first.

    With a project, its states in the colours its state rules give them (a rule
    bound to one signal is left out: its colours are not line-wide).
    """
    entries = [LegendEntry(name, "state", color) for name, color in _state_colors(project).items()]
    entries += [
        LegendEntry("no data", "data", NO_DATA_COLOR, opacity=NO_DATA_OPACITY),
        LegendEntry("stale", "data", STALE_COLOR, edge=STALE_EDGE),
        LegendEntry("bad quality", "data", BAD_QUALITY_COLOR, edge=BAD_QUALITY_EDGE),
        LegendEntry("no mesh (placeholder)", "mesh", PLACEHOLDER_FILL, edge=PLACEHOLDER_LINE,
                    opacity=PLACEHOLDER_OPACITY),
    ]
    entries += [
        LegendEntry(f"{kind} badge", "badge", _rgb(background), text_color=_rgb(text))
        for kind, (background, text) in BADGE_STYLES.items()
    ]
    return entries


def _state_colors(project: Project | None) -> dict[str, RGB]:
    if project is None:
        return dict(OKABE_ITO_STATES)
    colors = {name: OKABE_ITO_STATES[name] for name in project.states if name in OKABE_ITO_STATES}
    for rule in project.rules:
        if isinstance(rule, StateColorRule) and rule.signal is None:
            colors.update({n: tuple(c) for n, c in rule.colors.items() if n in project.states})
    return colors


def add_legend(plotter: pv.Plotter, entries: list[LegendEntry] | None = None) -> None:
    """Draw ``entries`` (default: :func:`legend_entries`) as a legend box in the
    lower right corner: a swatch of each fill and its meaning in words."""
    entries = legend_entries() if entries is None else entries
    legend = vtkLegendBoxActor()
    legend.SetNumberOfEntries(len(entries))
    for i, entry in enumerate(entries):
        # No entry colour (-1): the swatch keeps its own cell colours and the text
        # stays white; with an entry colour VTK paints the text in it too.
        # Leading spaces: VTK lays the text from the swatch's left edge plus a fixed
        # gap that a wide box does not widen, so the swatch covered the first letter.
        words = "   " + LOOK_WORDS.get(entry.label, entry.label)
        legend.SetEntry(i, _swatch(entry), words, [-1.0] * 3)
    text = legend.GetEntryTextProperty()
    text.SetColor(1.0, 1.0, 1.0)
    text.SetFontFamilyToArial()
    legend.UseBackgroundOn()
    legend.SetBackgroundColor(0.17, 0.18, 0.21)  # dark: the pale looks (stale, cleared) show
    legend.SetBackgroundOpacity(0.85)
    legend.BorderOff()
    height = min(0.038 * len(entries), 0.9)
    legend.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    legend.GetPositionCoordinate().SetValue(0.79, 0.02)
    legend.GetPosition2Coordinate().SetCoordinateSystemToNormalizedViewport()
    legend.GetPosition2Coordinate().SetValue(0.2, height)
    plotter.add_actor(legend, name="legend", reset_camera=False, pickable=False, render=False)


# How each look is drawn, for a legend that shows only a swatch of its fill.
LOOK_WORDS = {
    "no data": "no data (ghosted)",
    "stale": "stale (pale, dark edges)",
    "bad quality": "bad quality (dark, yellow edges)",
    "no mesh (placeholder)": "no mesh (crossed wire box)",
}


def _swatch(entry: LegendEntry) -> pv.PolyData:
    """A square of the entry's fill, framed in its edge colour when the look has edges."""
    corners = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)
    square = pv.PolyData(corners, faces=np.array([4, 0, 1, 2, 3]))
    colors = [entry.color]
    if entry.edge is not None:
        square.lines = np.array([5, 0, 1, 2, 3, 0])
        colors.append(entry.edge)
    # VTK orders cells as verts, lines, polys: the frame's colour comes first.
    square.cell_data["rgb"] = np.array(colors[::-1], dtype=np.uint8)
    return square


def _rgb(color: str) -> RGB:
    """A colour as VTK/pyvista names it ("white", "#B42318") -> (r, g, b)."""
    return tuple(pv.Color(color).int_rgb)
