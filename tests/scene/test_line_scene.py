"""Off-screen scene tests: what is drawn matches the rules (no display needed)."""

import numpy as np
import pytest
import pyvista as pv

from linetwin.scene.line_scene import LineScene
from linetwin.scene.render import render_line, state_from_values
from linetwin.twin.colors import ColorEngine
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate

from tests.scene.pixels import asset_pixels, dominant_color, saturation

STATIONS = ["infeed", "filler", "sealer", "inspection", "labeler", "packer", "outfeed"]
STATES = ["running", "blocked", "fault", "starved", "maintenance", "idle", "running"]


@pytest.fixture
def scene(demo_line):
    project, geometries = demo_line
    plotter = pv.Plotter(off_screen=True, window_size=(1200, 700))
    yield LineScene(plotter, project, geometries)
    plotter.close()


def _render(scene) -> np.ndarray:
    scene.plotter.render()
    return scene.plotter.screenshot(return_img=True)


def test_each_station_is_drawn_in_its_rule_color(scene):
    project = scene.project
    values = {f"{s}.state": project.states[st] for s, st in zip(STATIONS, STATES)}
    engine = ColorEngine(project)
    state = state_from_values(project, values)
    scene.apply(engine.appearances(state))
    image = _render(scene)
    palette = {name: engine.appearance(state, s).color for s, name in zip(STATIONS, STATES)}
    for station, expected in zip(STATIONS, STATES):
        pixels = asset_pixels(scene, image, station)
        assert len(pixels) > 50, f"{station} is barely visible"
        assert dominant_color(pixels, palette) == expected, station


def test_a_state_change_recolors_only_that_station(scene):
    project = scene.project
    engine, state = ColorEngine(project), TwinState(project)
    state.apply([ValueUpdate(f"{s}.state", 1, 1.0, 1.0) for s in STATIONS])
    scene.apply(engine.appearances(state))
    changed = state.apply([ValueUpdate("sealer.state", project.states["fault"], 2.0, 2.0)])
    assert engine.assets_affected_by(state, changed) == ["sealer"]
    scene.apply(engine.appearances(state, ["sealer"]))
    image = _render(scene)
    palette = {"running": engine.appearance(state, "infeed").color,
               "fault": engine.appearance(state, "sealer").color}
    assert dominant_color(asset_pixels(scene, image, "sealer"), palette) == "fault"
    assert dominant_color(asset_pixels(scene, image, "filler"), palette) == "running"


def test_no_data_and_bad_quality_are_grey_not_a_state_color(scene):
    project = scene.project
    engine, state = ColorEngine(project), TwinState(project)
    state.apply([ValueUpdate("filler.state", 1, 1.0, 1.0, 0x80000000)])  # Bad
    scene.apply(engine.appearances(state))
    image = _render(scene)
    for station in ("filler", "sealer"):  # bad quality, and never received
        pixels = asset_pixels(scene, image, station)
        assert np.median([saturation(p) for p in pixels]) < 0.2, station
    assert scene.actors["filler"].prop.show_edges  # bad: edged, unlike no data
    assert scene.actors["sealer"].prop.opacity < 1.0  # no data: ghosted


def test_pick_and_selection_highlight(scene):
    image_before = _render(scene)
    scene.select("sealer")
    image = _render(scene)
    assert scene.selected == "sealer"
    assert _strong_blue(image) > _strong_blue(image_before) + 200
    scene.select(None)
    assert scene.selected is None


def _strong_blue(image: np.ndarray) -> int:
    """Pixels of the selection blue (anti-aliased, so only its dominance is checked)."""
    rgb = image[..., :3].astype(int)
    return int(((rgb[..., 2] - np.maximum(rgb[..., 0], rgb[..., 1])) > 80).sum())


def test_fly_to_ends_close_to_the_asset(scene):
    path = scene.fly_to("labeler", frames=10)
    assert len(path) == 10
    end = np.array(path[-1].focal_point)
    assert np.allclose(end, scene.meshes["labeler"].center, atol=1e-6)
    start_distance = np.linalg.norm(np.subtract(scene.current_pose().position, end))
    assert np.linalg.norm(np.subtract(path[-1].position, end)) < start_distance


def test_render_writes_png_without_display(demo_line, tmp_path):
    project, geometries = demo_line
    out = render_line(project, geometries, {"sealer.state": 4}, tmp_path / "line.png",
                      size=(640, 360))
    image = pv.read(out)
    assert image.dimensions[:2] == (640, 360)


def test_components_are_addressable_by_name(scene):
    names = scene.components["sealer"]
    assert len(names) > 3 and len(set(names)) == len(names)
    part = scene.component_mesh("sealer", names[0])
    assert 0 < part.n_cells < scene.meshes["sealer"].n_cells
    scene.highlight_component("sealer", names[0])
    assert "component-highlight" in scene.plotter.renderer.actors
    scene.highlight_component(None)
    assert "component-highlight" not in scene.plotter.renderer.actors
    with pytest.raises(KeyError):
        scene.component_mesh("sealer", "no-such-part")


def test_alert_badges_appear_and_go(scene):
    from linetwin.scene.badges import BadgeCounts

    scene.badges.show({"sealer": BadgeCounts(alarms=2), "filler": BadgeCounts(warnings=1)})
    actors = scene.plotter.renderer.actors
    assert "badges-alarm-labels" in actors and "badges-warning-labels" in actors
    scene.badges.show({"filler": BadgeCounts(warnings=1)})
    assert "badges-alarm-labels" not in scene.plotter.renderer.actors
    scene.badges.show({})
    assert "badges-warning-labels" not in scene.plotter.renderer.actors
