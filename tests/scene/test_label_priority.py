"""A crowded line shows as many labels as fit, never overlapping, the ones that
matter first: selected, alarmed, non-running, then the nearest."""

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.scene import label_layout as layout
from linetwin.scene.badges import BadgeCounts
from linetwin.scene.line_scene import LineScene
from linetwin.twin.colors import AssetAppearance, Look
from linetwin.twin.model import Asset, AssetLevel, Project, Transform

REAL_BOX = Path(__file__).resolve().parents[1] / "io" / "data" / "real" / "box.obj"  # 1 m cube
RUNNING, FAULT = (0, 158, 115), (213, 94, 0)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """400 stations on a 20 x 20 grid, 0.8 m apart: far more labels than fit."""
    assets = tuple(
        Asset(f"m{i:03d}", f"Machine {i}", AssetLevel.ASSET, mesh=REAL_BOX,
              transform=Transform(position=(0.8 * (i % 20), 0.8 * (i // 20), 0.25),
                                  scale=(0.5, 0.5, 0.5)))
        for i in range(400))
    project = Project("grid", tmp_path_factory.mktemp("grid") / "line.toml", assets, ())
    return project, load_line_geometry(project)


@pytest.fixture
def scene(grid):
    project, geometries = grid
    plotter = pv.Plotter(off_screen=True, window_size=(1200, 700))
    scene = LineScene(plotter, project, geometries)
    scene.apply([AssetAppearance(a.id, RUNNING, Look.LIVE, "running") for a in project.assets])
    yield scene
    plotter.close()


def draw(scene) -> None:
    scene.plotter.render()
    scene.plotter.screenshot(return_img=True)


def overlapping_pairs(boxes: dict) -> list:
    return [(a, b) for (a, p), (b, q) in combinations(boxes.items(), 2)
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_crowded_line_places_a_budget_of_labels_none_overlapping(scene):
    draw(scene)
    boxes = scene.labels.label_boxes()
    assert 10 <= len(boxes) <= layout.budget(scene.labels._viewport()) < 400
    assert overlapping_pairs(boxes) == []
    scene.plotter.camera.azimuth = 50.0
    scene.plotter.camera.zoom(2.5)  # closer: other labels, still apart
    draw(scene)
    assert overlapping_pairs(scene.labels.label_boxes()) == []


def test_selected_label_is_always_placed(scene):
    draw(scene)
    hidden = sorted(set(scene.actors) - scene.labels.placed())
    assert hidden
    for asset_id in (hidden[0], hidden[-1]):
        scene.select(asset_id)
        draw(scene)
        boxes = scene.labels.label_boxes()
        assert asset_id in boxes and overlapping_pairs(boxes) == []
    scene.select(None)
    draw(scene)
    assert overlapping_pairs(scene.labels.label_boxes()) == []


def test_hovered_label_is_placed(scene):
    draw(scene)
    hidden = sorted(set(scene.actors) - scene.labels.placed())[0]
    assert scene.hover(hidden)
    draw(scene)
    assert hidden in scene.labels.placed()
    assert overlapping_pairs(scene.labels.label_boxes()) == []


def test_alarmed_and_faulted_labels_win_over_running_ones(scene):
    draw(scene)
    hidden = sorted(set(scene.actors) - scene.labels.placed())
    alarmed, faulted = hidden[0], hidden[-1]
    scene.badges.show({alarmed: BadgeCounts(alarms=1)})
    scene.apply([AssetAppearance(faulted, FAULT, Look.LIVE, "fault")])
    draw(scene)
    assert {alarmed, faulted} <= scene.labels.placed()
    assert overlapping_pairs(scene.labels.label_boxes()) == []


def test_an_urgent_label_takes_the_place_of_a_nearer_running_one():
    """Two labels on one spot, room for one: tier decides before on-screen size."""
    anchors = np.array([[100.0, 100.0], [104.0, 100.0]])
    sizes = np.array([[80.0, 30.0], [80.0, 30.0]])
    tiers = np.array([layout.PLAIN, layout.ALARMED])
    order = layout.priority_order(np.ones(2, bool), tiers, np.array([90.0, 20.0]),
                                  np.zeros(2, bool))
    assert order.tolist() == [1, 0]
    lifts, placed = layout.place(order, anchors, sizes, forced=0, limit=10, max_lift=0.5)
    assert placed.tolist() == [False, True] and lifts[1] == 0.0


def test_far_plain_assets_get_no_label_but_urgent_ones_do():
    tiers = np.array([layout.PLAIN, layout.PLAIN, layout.URGENT])
    screen_px = np.array([40.0, layout.MIN_ASSET_PX / 2, layout.MIN_ASSET_PX / 2])
    order = layout.priority_order(np.ones(3, bool), tiers, screen_px, np.zeros(3, bool))
    assert order.tolist() == [2, 0]


def test_labels_kept_from_the_last_layout_win_a_near_tie():
    tiers = np.full(2, layout.PLAIN)
    order = layout.priority_order(np.ones(2, bool), tiers, np.array([30.0, 25.0]),
                                  np.array([False, True]))
    assert order.tolist() == [1, 0]


def test_no_label_covers_an_alert_badge(scene):
    draw(scene)
    covered = sorted(scene.labels.placed())[:3]  # where labels stood without badges
    scene.badges.show({a: BadgeCounts(warnings=2) for a in covered})
    draw(scene)
    labels = scene.labels
    boxes = labels.label_boxes()
    assert overlapping_pairs(boxes) == []
    for asset_id in covered:
        (bx, by), w, h = scene.to_display(scene.badges.anchors[asset_id]), *scene.badges.sizes[
            asset_id]
        badge = (bx - w / 2, by - 5, bx + w / 2, by - 5 + h)
        assert overlapping_pairs({**boxes, "badge": badge}) == []
