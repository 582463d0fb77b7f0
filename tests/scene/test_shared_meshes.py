"""A hundred assets over one mesh file: drawn from one mesh, still one asset each.

Assets sharing a file share one polydata and one mapper (normals made once)
and are placed by their actors' matrices; picking, per-asset colour, the
selection outline, the component highlight and label anchors all land where
each asset stands.
"""

import numpy as np
import pytest
import pyvista as pv

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.project.project_file import load_project
from linetwin.scene.line_scene import LineScene
from linetwin.scene.render import state_from_values
from linetwin.twin.colors import ColorEngine

from tests.io.conftest import two_part_scene
from tests.scene.pixels import asset_pixels, dominant_color

ROWS, COLUMNS, PITCH = 10, 10, 4.0  # metres between assets: each stands clear
HEADER = """\
[project]
name = "Shared meshes"

[source]
endpoint = "opc.tcp://127.0.0.1:4840/test/"

[states]
idle = 0
running = 1
fault = 4

[[visual_rules]]
id = "station-state"
kind = "state"

[visual_rules.colors]
idle = "#56B4E9"
running = "#009E73"
fault = "#D55E00"
"""


def asset_id(row: int, column: int) -> str:
    return f"a{row}{column}"


def project_text() -> str:
    blocks = [HEADER]
    for row in range(ROWS):
        for column in range(COLUMNS):
            a = asset_id(row, column)
            turn = 90.0 * ((row + column) % 4)  # turned four ways: matrices differ
            blocks.append(f"""
[[assets]]
id = "{a}"
name = "Asset {a}"
level = "asset"
mesh = "machine.glb"
position = [{column * PITCH}, {row * PITCH}, 0.0]
rotation = [0.0, 0.0, {turn}]
scale = 0.5
color_by = "{a}.state"

[[signals]]
id = "{a}.state"
asset = "{a}"
node = "ns=2;s={a}.State"
kind = "state"
""")
    return "".join(blocks)


@pytest.fixture(scope="module")
def shared_line(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared")
    (folder / "machine.glb").write_bytes(two_part_scene().export(file_type="glb"))
    (folder / "line.toml").write_text(project_text(), encoding="utf-8")
    project = load_project(folder / "line.toml")
    return project, load_line_geometry(project)


@pytest.fixture
def scene(shared_line, monkeypatch):
    project, geometries = shared_line
    normals = []
    compute_normals = pv.PolyData.compute_normals

    def counted(mesh, *args, **kwargs):
        normals.append(mesh.n_cells)
        return compute_normals(mesh, *args, **kwargs)

    monkeypatch.setattr(pv.PolyData, "compute_normals", counted)
    plotter = pv.Plotter(off_screen=True, window_size=(1200, 800))
    scene = LineScene(plotter, project, geometries)
    scene.normals_computed = len(normals)
    yield scene
    plotter.close()


def test_the_loaded_assets_share_one_parts_tuple(shared_line):
    _, geometries = shared_line
    assert len(geometries) == ROWS * COLUMNS
    assert len({id(g.local_parts) for g in geometries.values()}) == 1
    assert len({g.matrix.tobytes() for g in geometries.values()}) == ROWS * COLUMNS


def test_one_polydata_one_mapper_and_normals_once_for_a_hundred_assets(scene):
    assert len(scene.actors) == ROWS * COLUMNS
    assert len(scene.shapes) == 1 and scene.normals_computed == 1
    mappers = {actor.GetMapper() for actor in scene.actors.values()}
    assert len(mappers) == 1
    [mapper] = mappers
    assert mapper.GetInput() is scene.shape_of["a00"].mesh
    assert len({actor.GetProperty().__this__ for actor in scene.actors.values()}) == ROWS * COLUMNS


def test_each_actor_stands_where_its_asset_stands(scene, shared_line):
    _, geometries = shared_line
    for a in ("a00", "a37", "a99"):
        low, high = geometries[a].bounds()
        placed = np.vstack([p.vertices for p in geometries[a].parts])  # world copy, for reference
        np.testing.assert_allclose(low, placed.min(axis=0), atol=1e-9)
        np.testing.assert_allclose(high, placed.max(axis=0), atol=1e-9)
        np.testing.assert_allclose(scene.actors[a].GetBounds(), scene.asset_bounds(a), atol=1e-6)
        np.testing.assert_allclose(scene.meshes[a].bounds, scene.asset_bounds(a), atol=1e-6)
    anchor = scene.label_anchor("a37")
    np.testing.assert_allclose(anchor[:2], [7 * PITCH, 3 * PITCH], atol=1e-6)
    assert anchor[2] == pytest.approx(scene.asset_bounds("a37")[5] + 0.25)


def test_picking_finds_each_asset_on_the_shared_mesh(scene):
    scene.plotter.render()
    for a in ("a00", "a05", "a50", "a37", "a99"):
        x, y = scene.to_display(scene.asset_center(a))
        assert scene.pick(x, y) == a, a
        # The ray hits the shared mesh's cells: the cell id names a part of it.
        assert 0 <= scene._picker.GetCellId() < scene.shape_of[a].mesh.n_cells


def test_colours_stay_per_asset_on_a_shared_mapper(scene):
    project = scene.project
    values = {f"{a}.state": project.states["running"] for a in scene.actors}
    values["a37.state"] = project.states["fault"]
    engine = ColorEngine(project)
    state = state_from_values(project, values)
    scene.apply(engine.appearances(state))
    scene.plotter.render()
    image = scene.plotter.screenshot(return_img=True)
    palette = {"running": engine.appearance(state, "a36").color,
               "fault": engine.appearance(state, "a37").color}
    for a, expected in (("a37", "fault"), ("a36", "running"), ("a38", "running")):
        pixels = asset_pixels(scene, image, a, step=2)
        assert len(pixels) > 20, f"{a} is barely visible"
        assert dominant_color(pixels, palette) == expected, a


def test_outline_and_component_highlight_follow_the_asset(scene):
    scene.select("a37")
    outline = scene._silhouette
    assert outline.GetUserMatrix() is scene.actors["a37"].GetUserMatrix()
    scene.plotter.render_window.Render()  # the silhouette is made for the camera when drawn
    assert outline.GetMapper().GetInput().GetNumberOfCells() > 0
    inside = np.asarray(scene.asset_bounds("a37"))
    got = np.asarray(outline.GetBounds())
    assert (got[0::2] >= inside[0::2] - 1e-6).all() and (got[1::2] <= inside[1::2] + 1e-6).all()
    scene.highlight_component("a37", "head")
    head = np.asarray(scene.plotter.renderer.actors["component-highlight"].GetBounds())
    # The head (0.5 m cube at z = 4, scaled by 0.5) sits on top of a37, not at the origin.
    np.testing.assert_allclose((head[0] + head[1]) / 2, 7 * PITCH, atol=1e-6)
    np.testing.assert_allclose((head[2] + head[3]) / 2, 3 * PITCH, atol=1e-6)
    np.testing.assert_allclose(head[4:], [1.875, 2.125], atol=1e-6)
