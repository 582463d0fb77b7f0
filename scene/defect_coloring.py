"""Replay's defect colourings of the line: density in a window, and A-vs-B deltas.

The investigator's view of "where do the defects come from": each station
coloured by how many defects it found in the window ending at the cursor (or
per 1,000 units it inspected: a station that inspects more is not simply
redder), with a colour bar and a count badge over each station. Compare mode
colours the difference between two windows or two lots on a diverging map
(blue: fewer in A, red: more in A) with signed badges.

A station that inspected no unit has no density: it is drawn in the
ghosted look without a badge, never as "0 defects". The state colouring comes back
with :meth:`DefectColoring.clear` (the scene forgets what it had applied, so
the next full ``LineScene.apply`` restyles every asset).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkLookupTable
from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor

from linetwin.scene.legend import NO_DATA_OPACITY
from linetwin.scene.line_scene import LineScene
from linetwin.twin.colors import AssetAppearance
from linetwin.twin.palette import NO_DATA_COLOR, colormap_rgb
from linetwin.twin.replay.defect_windows import DefectWindows
from linetwin.twin.replay.replay_data import ReplayData

# ColorBrewer YlOrRd (sequential): pale yellow for few defects, dark red for many.
DENSITY_STOPS = np.array([(255, 255, 204), (255, 237, 160), (254, 217, 118), (254, 178, 76),
                          (253, 141, 60), (252, 78, 42), (227, 26, 28), (189, 0, 38),
                          (128, 0, 38)], dtype=np.float64)
DIVERGING_MAP = "coolwarm"  # twin.palette: blue below zero, red above
# Inspected nothing: no density at all. Ghosted as live shows "no data", so it
# is never read as a zero (a zero delta is pale grey on the diverging map).
NO_UNITS_COLOR, NO_UNITS_OPACITY = NO_DATA_COLOR, NO_DATA_OPACITY
BADGE_LIFT = 0.6  # metres above the station label (alert badges sit at 1.0)
BADGE_STYLE = {"background_color": "#1B1F24", "text_color": "white"}
BAR_NAME, BADGES_NAME = "defect-colorbar", "defect-counts"


@dataclass(frozen=True)
class StationFigures:
    """Defects found and units inspected per station (in ``stations`` order)."""

    stations: tuple[str, ...]
    defects: np.ndarray  # int64
    inspected: np.ndarray  # int64

    def values(self, per_thousand: bool) -> np.ndarray:
        """Defects, or defects per 1,000 units inspected; NaN where nothing was inspected."""
        d = self.defects.astype(np.float64)
        if per_thousand:
            d = 1000.0 * d / np.maximum(self.inspected, 1)
        return np.where(self.inspected > 0, d, np.nan)


def window_figures(windows: DefectWindows, lo: float, hi: float) -> StationFigures:
    """Per station, in ``(lo, hi]``: a few binary searches (prefix counts)."""
    return StationFigures(tuple(windows.stations), windows.defect_counts(lo, hi).sum(axis=1),
                          windows.yields(lo, hi).inspected)


def lot_figures(data: ReplayData, lot: str) -> StationFigures:
    """Per station, every unit of ``lot`` in the loaded range (KeyError naming an unknown lot)."""
    if lot not in data.lots:
        raise KeyError(f"lot {lot!r} is not in the loaded history")
    c, n = data.inspections, len(data.stations)
    mine = c.lot == data.lots.index(lot)
    stations = c.station[mine].astype(np.int64)
    defective = c.defect[mine] >= 0
    return StationFigures(tuple(data.stations), np.bincount(stations[defective], minlength=n),
                          np.bincount(stations, minlength=n))


def deltas(a: StationFigures, b: StationFigures, per_thousand: bool) -> np.ndarray:
    """``A - B`` per station; NaN where either side inspected nothing (no comparison)."""
    return a.values(per_thousand) - b.values(per_thousand)


def density_rgb(fractions: np.ndarray) -> np.ndarray:
    """Colours of ``fractions`` (0..1) on the sequential map, as (n, 3) uint8."""
    t = np.clip(np.nan_to_num(np.asarray(fractions, dtype=np.float64)), 0.0, 1.0)
    stops = np.linspace(0.0, 1.0, len(DENSITY_STOPS))
    return np.rint(np.stack([np.interp(t, stops, DENSITY_STOPS[:, k]) for k in range(3)],
                            axis=-1)).astype(np.uint8)


class DefectColoring:
    """Draws a density or delta colouring over ``scene``'s station actors.

    ``shown`` maps each coloured station to its (r, g, b) and badge text ("" for
    none), for tests and for a Qt legend that repeats it.
    """

    def __init__(self, plotter: pv.Plotter, scene: LineScene) -> None:
        self.plotter, self.scene = plotter, scene
        self.shown: dict[str, tuple[tuple[int, int, int], str]] = {}
        self.value_range: tuple[float, float] | None = None
        self.title = ""

    @property
    def active(self) -> bool:
        return bool(self.shown)

    def show_density(self, figures: StationFigures, per_thousand: bool = False, title: str = "") -> None:
        """Colour each station by its defects (or per 1,000 units) on the sequential map."""
        values = figures.values(per_thousand)
        top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 1.0)
        colors = density_rgb(values / top)
        texts = [_density_text(d, n, v, per_thousand) for d, n, v in
                 zip(figures.defects.tolist(), figures.inspected.tolist(), values.tolist())]
        unit = "defects / 1,000 units" if per_thousand else "defects"
        self._draw(figures.stations, values, colors, texts, (0.0, top),
                   title or unit, _table(density_rgb(np.linspace(0, 1, 256))), "%.0f")

    def show_delta(self, stations: tuple[str, ...], delta: np.ndarray, title: str = "A - B",
                   per_thousand: bool = False) -> None:
        """Colour each station by ``delta`` (A - B) on the diverging map, symmetric about 0."""
        delta = np.asarray(delta, dtype=np.float64)
        top = max(float(np.nanmax(np.abs(delta))) if np.isfinite(delta).any() else 0.0, 1.0)
        colors = colormap_rgb(DIVERGING_MAP, (delta / top + 1.0) / 2.0)
        texts = ["" if v != v else _signed(v, per_thousand) for v in delta.tolist()]
        self._draw(stations, delta, colors, texts, (-top, top), title,
                   _table(colormap_rgb(DIVERGING_MAP, np.linspace(0, 1, 256))), "%+.0f")

    def clear(self, appearances: list[AssetAppearance] | None = None) -> None:
        """Remove the colouring; with ``appearances`` (the pipeline's, all assets) the
        states are drawn again at once."""
        self.plotter.remove_actor(BAR_NAME, render=False)
        self.plotter.remove_actor(f"{BADGES_NAME}-labels", render=False)
        self.shown, self.value_range, self.title = {}, None, ""
        self.scene.forget_styles()
        if appearances is not None:
            self.scene.apply(appearances)

    # -- drawing ----------------------------------------------------------------------

    def _draw(self, stations, values, colors, texts, value_range, title, table, label_format) -> None:
        shown = {}
        for station, value, rgb, text in zip(stations, values.tolist(), colors.tolist(), texts):
            actor = self.scene.actors.get(station)
            if actor is None or station in self.scene.placeholders:
                continue
            rgb = tuple(rgb) if value == value else NO_UNITS_COLOR
            prop = actor.GetProperty()
            prop.SetColor(*(c / 255.0 for c in rgb))
            prop.SetOpacity(1.0 if value == value else NO_UNITS_OPACITY)
            prop.SetEdgeVisibility(False)
            shown[station] = (rgb, text)
        self.shown, self.value_range, self.title = shown, value_range, title
        self._draw_badges({s: t for s, (_, t) in shown.items() if t})
        self._draw_bar(table, value_range, title, label_format)

    def _draw_badges(self, texts: dict[str, str]) -> None:
        if not texts:
            self.plotter.remove_actor(f"{BADGES_NAME}-labels", render=False)
            return
        lift = np.array([0.0, 0.0, BADGE_LIFT])
        actor = self.plotter.add_point_labels(
            np.array([self.scene.label_anchor(s) + lift for s in texts]), list(texts.values()),
            name=BADGES_NAME, always_visible=True, show_points=False, shape=None, bold=True,
            font_size=13, background_opacity=0.9, justification_horizontal="center",
            justification_vertical="bottom", render=False, reset_camera=False, pickable=False,
            **BADGE_STYLE)
        actor.GetMapper().PlaceAllLabelsOn()  # a count must never be dropped

    def _draw_bar(self, table: vtkLookupTable, value_range, title: str, label_format: str) -> None:
        table.SetTableRange(*value_range)
        bar = vtkScalarBarActor()
        bar.SetLookupTable(table)
        bar.SetTitle(f"{title}\n(ghosted: no unit inspected)")
        bar.SetLabelFormat(label_format)
        bar.SetNumberOfLabels(5)
        bar.SetOrientationToHorizontal()
        bar.UnconstrainedFontSizeOn()
        for text in (bar.GetTitleTextProperty(), bar.GetLabelTextProperty()):
            text.SetColor(0.11, 0.12, 0.14)
            text.SetFontSize(14)
            text.ShadowOff()
            text.ItalicOff()
        bar.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
        bar.GetPositionCoordinate().SetValue(0.55, 0.03)
        bar.SetWidth(0.42)
        bar.SetHeight(0.13)
        self.plotter.add_actor(bar, name=BAR_NAME, reset_camera=False, pickable=False, render=False)


def _table(rgb: np.ndarray) -> vtkLookupTable:
    table = vtkLookupTable()
    table.SetNumberOfTableValues(len(rgb))
    for i, (r, g, b) in enumerate(rgb.tolist()):
        table.SetTableValue(i, r / 255.0, g / 255.0, b / 255.0, 1.0)
    table.Build()
    return table


def _density_text(defects: int, inspected: int, value: float, per_thousand: bool) -> str:
    if not inspected:
        return ""
    if per_thousand:
        return f"{value:.1f} per 1,000\n({defects} of {inspected})"
    return f"{defects} defect{'s' if defects != 1 else ''}\nof {inspected} units"


def _signed(value: float, per_thousand: bool) -> str:
    text = f"{value:+.1f}" if per_thousand else f"{value:+.0f}"
    return text.replace("-", "\u2212") + (" per 1,000" if per_thousand else "")
