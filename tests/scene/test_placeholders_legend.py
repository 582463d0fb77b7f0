"""A mesh that could not be loaded is drawn in a look of its own, and the legend
says what every colour and look means (off-screen, no display needed)."""

import dataclasses

import numpy as np
import pytest
import pyvista as pv

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.scene.legend import (
    PLACEHOLDER_LINE,
    PLACEHOLDER_OPACITY,
    add_legend,
    legend_entries,
)
from linetwin.scene.line_scene import LineScene
from linetwin.scene.render import render_line, state_from_values
from linetwin.twin.colors import ColorEngine
from linetwin.twin.palette import OKABE_ITO_STATES

from tests.scene.pixels import asset_pixels, saturation


@pytest.fixture(scope="module")
def broken_sealer(tmp_path_factory, demo_line):
    """The demo line with the sealer's real GLB cut in half on disk."""
    project, _ = demo_line
    folder = tmp_path_factory.mktemp("broken")
    sealer = next(a for a in project.assets if a.id == "sealer")
    cut = folder / sealer.mesh.name
    data = sealer.mesh.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assets = tuple(dataclasses.replace(a, mesh=cut) if a.id == "sealer" else a
                   for a in project.assets)
    project = dataclasses.replace(project, assets=assets)
    return project, load_line_geometry(project)


@pytest.fixture
def scene(broken_sealer):
    project, geometries = broken_sealer
    plotter = pv.Plotter(off_screen=True, window_size=(1200, 700))
    yield LineScene(plotter, project, geometries)
    plotter.close()


def test_placeholder_never_shows_a_state_colour(scene):
    project = scene.project
    values = {f"{s}.state": project.states["fault"] for s in ("sealer", "filler")}
    scene.apply(ColorEngine(project).appearances(state_from_values(project, values)))
    scene.plotter.render()
    image = scene.plotter.screenshot(return_img=True)
    assert scene.placeholders == {"sealer"}
    sealer = asset_pixels(scene, image, "sealer")
    filler = asset_pixels(scene, image, "filler")
    assert len(sealer) > 50 and len(filler) > 50
    assert np.median([saturation(p) for p in sealer]) < 0.15  # no hue: not a state
    assert np.median([saturation(p) for p in filler]) > 0.5  # a real asset in fault colour
    assert scene.actors["sealer"].prop.opacity == pytest.approx(PLACEHOLDER_OPACITY)
    assert scene.labels.shown_text("sealer").endswith("fault · no mesh")


def test_placeholder_has_a_crossed_outline_no_real_asset_has(scene):
    assert set(scene.placeholder_outlines) == {"sealer"}
    outline = scene.placeholder_outlines["sealer"]
    assert outline.mapper.dataset.n_lines == 36  # 6 faces x (4 edges + 2 diagonals)
    assert tuple(outline.prop.color.int_rgb) == PLACEHOLDER_LINE
    assert not outline.GetPickable()


def test_legend_entries_cover_states_looks_placeholder_and_badges(demo_line):
    project, _ = demo_line
    entries = legend_entries(project)
    kinds = {e.kind for e in entries}
    assert kinds == {"state", "data", "mesh", "badge"}
    labels = [e.label for e in entries]
    for needed in ("no data", "stale", "bad quality", "no mesh (placeholder)", "alarm badge",
                   "warning badge"):
        assert needed in labels
    states = {e.label: e.color for e in entries if e.kind == "state"}
    engine = ColorEngine(project)
    for name, color in states.items():  # the colours the scene really uses for them
        state = state_from_values(project, {"sealer.state": project.states[name]})
        assert engine.appearance(state, "sealer").color == color, name
    placeholder = next(e for e in entries if e.kind == "mesh")
    assert placeholder.color not in OKABE_ITO_STATES.values()


def test_legend_without_project_is_the_default_palette():
    states = [e for e in legend_entries() if e.kind == "state"]
    assert {e.label: e.color for e in states} == OKABE_ITO_STATES


def test_render_carries_the_legend(broken_sealer, tmp_path):
    from PIL import Image

    project, geometries = broken_sealer

    def pixels_in_lower_right(path, rgb) -> int:
        image = np.asarray(Image.open(path).convert("RGB")).astype(int)
        height, width, _ = image.shape
        corner = image[height // 2 :, width // 2 :].reshape(-1, 3)
        return int((np.abs(corner - np.array(rgb)).sum(axis=1) < 30).sum())

    # no values: every asset is in the no-data look, so only the legend shows state colours
    plain = render_line(project, geometries, {}, tmp_path / "plain.png", size=(800, 450),
                        legend=False)
    shown = render_line(project, geometries, {}, tmp_path / "legend.png", size=(800, 450))
    for name, rgb in OKABE_ITO_STATES.items():
        assert pixels_in_lower_right(plain, rgb) == 0, name
        assert pixels_in_lower_right(shown, rgb) >= 4, name  # its swatch


def test_add_legend_names_its_actor():
    plotter = pv.Plotter(off_screen=True, window_size=(300, 200))
    try:
        add_legend(plotter)
        assert "legend" in plotter.renderer.actors
    finally:
        plotter.close()
