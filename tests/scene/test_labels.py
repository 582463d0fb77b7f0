"""Labels of stations that stand close together never overlap: boxes are
computed in display pixels after a real off-screen render."""

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.scene.labels import declutter
from linetwin.scene.line_scene import LineScene
from linetwin.twin.model import Asset, AssetLevel, Project, Transform

REAL_BOX = Path(__file__).resolve().parents[1] / "io" / "data" / "real" / "box.obj"  # 1 m cube
STATES = ["running", "blocked", "fault", "starved", "idle", "maintenance"]


@pytest.fixture(scope="module")
def row_of_stations(tmp_path_factory):
    """30 half-metre stations 0.7 m apart in a row (a real line has dozens)."""
    assets = tuple(
        Asset(f"s{i:02d}", f"Filling station {i:02d}", AssetLevel.ASSET, mesh=REAL_BOX,
              transform=Transform(position=(0.7 * i, 0.0, 0.25), scale=(0.5, 0.5, 0.5)))
        for i in range(30))
    project = Project("row", tmp_path_factory.mktemp("row") / "line.toml", assets, ())
    return project, load_line_geometry(project)


@pytest.fixture
def scene(row_of_stations):
    project, geometries = row_of_stations
    plotter = pv.Plotter(off_screen=True, window_size=(1200, 700))
    scene = LineScene(plotter, project, geometries)
    scene.labels.set_status({a.id: STATES[i % len(STATES)] for i, a in enumerate(project.assets)})
    yield scene
    plotter.close()


def draw(scene) -> np.ndarray:
    """Render now: off-screen, render() waits for a first screenshot, which then
    only grabs the last frame; so both, in this order."""
    scene.plotter.render()
    return scene.plotter.screenshot(return_img=True)


def overlapping_pairs(boxes: dict) -> list:
    return [(a, b) for (a, p), (b, q) in combinations(boxes.items(), 2)
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_thirty_close_labels_do_not_overlap(scene):
    draw(scene)
    boxes = scene.labels.label_boxes()
    assert len(boxes) == 30
    assert overlapping_pairs(boxes) == []
    # the boxes are where VTK projects each label's point (checked independently)
    for asset_id, (x0, y0, x1, _) in boxes.items():
        x, y = scene.to_display(scene.labels.label_position(asset_id))
        assert x == pytest.approx((x0 + x1) / 2, abs=1.0) and y == pytest.approx(y0 + 5, abs=1.0)
    assert scene.labels.leaders.n_lines > 0  # lifted labels point to their station


def test_the_same_labels_at_their_stations_would_overlap(scene):
    """What the layout prevents: boxes of the same size standing at the anchors."""
    draw(scene)
    boxes = scene.labels.label_boxes()
    at_anchors = {}
    for asset_id, (x0, y0, x1, y1) in boxes.items():
        x, y = scene.to_display(scene.labels.anchors[asset_id])
        at_anchors[asset_id] = (x - (x1 - x0) / 2, y - 5, x + (x1 - x0) / 2, y - 5 + y1 - y0)
    assert len(overlapping_pairs(at_anchors)) >= 20


def test_layout_follows_the_camera_and_the_selection(scene):
    draw(scene)
    scene.plotter.camera.azimuth = 35.0
    scene.plotter.camera.elevation = -10.0
    scene.select("s14")  # the emphasized label is larger
    draw(scene)
    boxes = scene.labels.label_boxes()
    assert len(boxes) == 30 and overlapping_pairs(boxes) == []
    assert draw(scene).shape[:2] == (700, 1200)


def test_declutter_lifts_only_what_collides():
    anchors = np.array([[100.0, 100.0], [110.0, 100.0], [400.0, 100.0], [115.0, 300.0]])
    sizes = np.array([[80.0, 30.0]] * 4)
    lifts = declutter(anchors, sizes, gap=2.0)
    assert lifts[0] == 0.0 and lifts[2] == 0.0  # first of the pair, and the loner
    assert lifts[1] == pytest.approx(32.0)  # just above the first
    assert lifts[3] == 0.0  # far above: untouched


def test_declutter_random_crowds_never_overlap():
    rng = np.random.default_rng(3)
    anchors = rng.uniform(0, 300, size=(200, 2))
    sizes = np.c_[rng.uniform(40, 120, 200), rng.uniform(15, 40, 200)]
    lifts = declutter(anchors, sizes, gap=1.0)
    boxes = {i: (x - w / 2, y + lift, x + w / 2, y + lift + h)
             for i, ((x, y), (w, h), lift) in enumerate(zip(anchors, sizes, lifts))}
    assert overlapping_pairs(boxes) == [] and (lifts >= 0).all()
