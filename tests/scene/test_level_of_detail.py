"""Far assets draw their simplified mesh, near ones their full mesh; picking and
colours do not care which."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.project.project_file import load_project
from linetwin.scene.camera import pose_looking_at
from linetwin.scene.line_scene import LineScene

ASSETS = 6
PITCH = 80.0  # metres apart: from next to one, the others are far


def _project_text() -> str:
    blocks = ['[project]\nname = "Far and near"\n']
    for k in range(ASSETS):
        blocks.append(f'\n[[assets]]\nid = "m{k}"\nname = "Machine {k}"\nlevel = "asset"\n'
                      f'mesh = "ball.stl"\nposition = [{k * PITCH}, 0.0, 0.0]\n')
    return "".join(blocks)


@pytest.fixture
def scene(tmp_path):
    pv.Sphere(radius=0.8, center=(0, 0, 0.8), theta_resolution=60,
              phi_resolution=60).save(tmp_path / "ball.stl")
    (tmp_path / "line.toml").write_text(_project_text(), encoding="utf-8")
    project = load_project(tmp_path / "line.toml")
    plotter = pv.Plotter(off_screen=True, window_size=(800, 600))
    scene = LineScene(plotter, project, load_line_geometry(project))
    yield scene
    plotter.close()


def _drawn_simplified(scene) -> set[str]:
    return {a for a, actor in scene.actors.items()
            if actor.GetMapper() is scene.shape_of[a].lod_mapper}


def _look_at(scene, asset_id: str) -> None:
    scene.set_pose(pose_looking_at(scene.asset_bounds(asset_id), margin=1.3))
    scene.plotter.render_window.Render()


def test_a_shared_mesh_has_one_simplified_mapper(scene):
    shape = scene.shape_of["m0"]
    assert shape.lod_mapper is not None
    assert {id(scene.shape_of[a].lod_mapper) for a in scene.actors} == {id(shape.lod_mapper)}
    assert shape.lod_mapper.GetInput().GetNumberOfCells() < 0.35 * shape.mesh.n_cells


def test_the_near_asset_is_full_and_the_far_ones_simplified(scene):
    _look_at(scene, "m0")
    assert _drawn_simplified(scene) == {f"m{k}" for k in range(1, ASSETS)}
    _look_at(scene, f"m{ASSETS - 1}")
    assert _drawn_simplified(scene) == {f"m{k}" for k in range(ASSETS - 1)}
    scene.fit_line()  # the whole line: every machine small on screen
    scene.plotter.render_window.Render()
    assert _drawn_simplified(scene) == set(scene.actors)


def test_simplified_assets_pick_and_colour_as_themselves(scene):
    scene.fit_line()
    scene.plotter.render_window.Render()
    far = "m3"
    assert far in _drawn_simplified(scene)
    x, y = scene.to_display(scene.asset_center(far))
    assert scene.pick(x, y) == far
    from linetwin.twin.colors import AssetAppearance, Look
    scene.apply([AssetAppearance(far, (0, 158, 115), Look.LIVE, "running")])
    color = np.array(scene.actors[far].GetProperty().GetColor()) * 255
    assert np.allclose(color, (0, 158, 115), atol=1)


def test_a_full_mesh_is_built_only_when_something_draws_it_full(scene):
    """Seen from afar, no full mesh is built (500 distinct machines built theirs
    for nothing); the first near view builds it and draws it."""
    scene.fit_line()
    scene.plotter.render_window.Render()
    shape = scene.shape_of["m0"]
    assert shape._mesh is None and shape.mapper.GetInput() is None
    _look_at(scene, "m0")
    assert scene.actors["m0"].GetMapper() is shape.mapper
    assert shape.mapper.GetInput() is not None and shape.mapper.GetInput().GetNumberOfCells() > 0
