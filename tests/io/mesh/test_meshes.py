"""Mesh loading: every format, parts and transforms, and every kind of bad file.

All mesh files are made here with trimesh (or by hand for broken ones) in tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh
from trimesh.exchange.dae import export_collada

from linetwin.io.mesh.meshes import PLACEHOLDER_SIZE, load_asset_geometry, load_line_geometry
from linetwin.twin.model import Asset, AssetLevel, Project, Transform

from tests.io.conftest import DEMO_DIR, station, tall_box, two_part_scene, write

BOX_MIN, BOX_MAX = np.array([-0.5, -1.0, 0.0]), np.array([0.5, 1.0, 3.0])


def assert_bounds(geometry, low, high):
    got_low, got_high = geometry.bounds()
    np.testing.assert_allclose(got_low, low, atol=1e-9)
    np.testing.assert_allclose(got_high, high, atol=1e-9)


# -- good files --------------------------------------------------------------------


@pytest.mark.parametrize("file_type", ["stl", "stl_ascii", "obj", "ply", "off"])
def test_single_mesh_formats(tmp_path, mesh_cache, file_type):
    suffix = "stl" if file_type == "stl_ascii" else file_type
    path = write(tmp_path / f"box.{suffix}", tall_box().export(file_type=file_type))
    if file_type == "stl_ascii":
        assert path.read_bytes().startswith(b"solid")
    geometry = load_asset_geometry(station(path), mesh_cache)
    assert not geometry.placeholder and geometry.problem is None
    [part] = geometry.parts
    assert part.name == "box" and part.faces.shape == (12, 3) and part.faces.dtype == np.int64
    assert part.vertices.dtype == np.float64
    assert_bounds(geometry, BOX_MIN, BOX_MAX)


def export_scene(tmp_path: Path, file_type: str) -> Path:
    scene = two_part_scene()
    if file_type == "gltf":  # a .gltf and its external .bin buffers
        for name, data in scene.export(file_type="gltf").items():
            write(tmp_path / ("scene.gltf" if name.endswith(".gltf") else name), data)
        return tmp_path / "scene.gltf"
    if file_type == "dae":  # trimesh's COLLADA export takes meshes, not a scene
        return write(tmp_path / "scene.dae", export_collada(scene.dump()))
    return write(tmp_path / f"scene.{file_type}", scene.export(file_type=file_type))


@pytest.mark.parametrize("file_type", ["glb", "gltf", "3mf", "dae"])
def test_multi_part_formats_keep_parts_and_node_transforms(tmp_path, mesh_cache, file_type):
    path = export_scene(tmp_path, file_type)
    geometry = load_asset_geometry(station(path), mesh_cache)
    assert not geometry.placeholder, geometry.problem
    assert len(geometry.parts) == 2
    if file_type != "dae":  # trimesh's COLLADA export names nodes with random ids
        assert {p.name for p in geometry.parts} == {"body", "head"}
    head = max(geometry.parts, key=lambda p: p.vertices[:, 2].min())
    np.testing.assert_allclose(head.vertices.min(axis=0), [-0.25, -0.25, 3.75], atol=1e-6)
    np.testing.assert_allclose(head.vertices.max(axis=0), [0.25, 0.25, 4.25], atol=1e-6)
    assert_bounds(geometry, BOX_MIN, [0.5, 1.0, 4.25])


def test_glb_round_trip_stays_z_up(tmp_path, mesh_cache):
    """trimesh neither converts Z-up to glTF's Y-up on export nor back on import."""
    path = write(tmp_path / "tall.glb", tall_box().export(file_type="glb"))
    geometry = load_asset_geometry(station(path), mesh_cache)
    low, high = geometry.bounds()
    assert high[2] - low[2] == pytest.approx(3.0) and low[2] == pytest.approx(0.0)


def test_assets_share_parts_read_back_from_the_disk_cache(tmp_path, mesh_cache):
    shared = write(tmp_path / "conveyor.stl", binary_stl())
    assets = tuple(Asset(f"c{i}", f"C{i}", AssetLevel.ASSET, mesh=shared,
                         transform=Transform(position=(2.0 * i, 0.0, 0.0))) for i in range(3))
    project = Project("p", tmp_path / "line.toml", assets, ())
    load_line_geometry(project, cache=mesh_cache)  # parses and stores
    again = load_line_geometry(project, cache=mesh_cache)  # reads the stored parse
    assert len({id(g.local_parts) for g in again.values()}) == 1
    assert [g.bounds()[0][0] for g in again.values()] == pytest.approx([-0.5, 1.5, 3.5])


def test_asset_transform_scales_rotates_then_moves(tmp_path, mesh_cache):
    path = write(tmp_path / "box.stl", tall_box().export(file_type="stl"))
    transform = Transform(position=(10.0, 5.0, 1.0), rotation=(0.0, 0.0, 90.0), scale=(2.0, 2.0, 2.0))
    geometry = load_asset_geometry(station(path, transform=transform), mesh_cache)
    # 2 x 4 x 6 after scaling; turned 90 degrees about Z it is 4 wide in x, 2 in y.
    assert_bounds(geometry, [8.0, 4.0, 1.0], [12.0, 6.0, 7.0])


def test_millimetre_file_is_scaled_to_metres(tmp_path, mesh_cache):
    path = write(tmp_path / "box_mm.stl", tall_box(scale=1000.0).export(file_type="stl"))
    assert_bounds(load_asset_geometry(station(path, units="mm"), mesh_cache), BOX_MIN, BOX_MAX)
    # the same bytes read as metres are a thousand times larger: the units are in the cache key
    assert load_asset_geometry(station(path, units="m"), mesh_cache).bounds()[1][2] == pytest.approx(3000)


# -- bad files ---------------------------------------------------------------------

ASCII_PLY = """ply
format ascii 1.0
element vertex 3
property float x
property float y
property float z
element face 1
property list uchar int vertex_indices
end_header
0 0 {z}
1 0 0
0 1 0
3 0 1 {c}
"""


def random_bytes(n: int = 2000) -> bytes:
    return np.random.default_rng(7).bytes(n)


def binary_stl() -> bytes:
    return tall_box().export(file_type="stl")


BAD_MESHES = {
    "missing": ("gone.glb", None, "file not found"),
    "empty": ("heat_sealer.glb", b"", "file is empty"),
    "empty stl": ("part.stl", b"", "file is empty"),
    "truncated binary stl": ("cut.stl", binary_stl()[:300], "header says 12 triangles (684 bytes) but the file has 300 bytes"),
    "stl shorter than header": ("stub.stl", binary_stl()[:50], "too short for a binary STL"),
    "stl with zero triangles": ("zero.stl", binary_stl()[:80] + b"\0\0\0\0", "no geometry found"),
    "ascii stl no facets": ("blank.stl", "solid blank\nendsolid blank\n", "ASCII STL with no facets"),
    "random stl": ("noise.stl", random_bytes(), "not a valid STL"),
    "random glb": ("noise.glb", random_bytes(), "not a glTF binary file: it does not start with the GLB magic 'glTF'"),
    "truncated glb": ("cut.glb", None, "bytes but the file has"),
    "random obj": ("noise.obj", random_bytes(), "no geometry found"),
    "random ply": ("noise.ply", random_bytes(), "cannot read as PLY"),
    "random off": ("noise.off", random_bytes(), "cannot read as OFF"),
    "random 3mf": ("noise.3mf", random_bytes(), "not a 3MF file: a 3MF is a ZIP package"),
    "random dae": ("noise.dae", random_bytes(), "cannot read as COLLADA"),
    "random gltf": ("noise.gltf", random_bytes(), "not a glTF file: not valid JSON"),
    "gltf without its buffer": ("model.gltf", None, "a file it refers to is missing: gltf_buffer_"),
    "nan vertex": ("nan.ply", ASCII_PLY.format(z="nan", c=2), "1 of 3 vertices are NaN or infinite"),
    "inf vertex": ("inf.obj", "v 0 0 inf\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "NaN or infinite"),
    "face index too big": ("far.ply", ASCII_PLY.format(z=0, c=7), "face indices run from 0 to 7, outside the 3 vertices"),
    "negative face index": ("neg.ply", ASCII_PLY.format(z=0, c=-1), "face indices run from -1 to 1"),
    "obj face out of range": ("far.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n", "line 4: face refers to vertex 9, but the file defines only 3 vertices"),
    "obj face index 0": ("zero.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", "line 4: face refers to vertex 0; OBJ vertex numbers start at 1"),
    "truncated ascii stl": ("cut.stl", None, "ASCII STL ends inside facet 7 (no endsolid): the file is truncated"),
    "point cloud ply": ("cloud.ply", None, "contains no triangles, only 10 points"),
    "point cloud obj": ("points.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n", "contains no triangles"),
    "unsupported format": ("station.iges", "START", "unsupported mesh format '.iges'"),
    "folder": ("folder.stl", None, "is a folder"),
}  # fmt: skip


def make_bad_mesh(folder: Path, name: str, data) -> Path:
    path = folder / name
    if data is not None:
        return write(path, data)
    if name == "cut.stl":  # an ASCII STL cut inside its seventh facet
        text = tall_box().export(file_type="stl_ascii")
        starts = [i for i in range(len(text)) if text.startswith("facet normal", i)]
        return write(path, text[: starts[6] + 40])
    if name == "cut.glb":
        glb = two_part_scene().export(file_type="glb")
        return write(path, glb[: len(glb) // 2])
    if name == "cloud.ply":
        cloud = trimesh.PointCloud(np.random.default_rng(1).random((10, 3)))
        return write(path, cloud.export(file_type="ply"))
    if name == "model.gltf":
        for file_name, content in two_part_scene().export(file_type="gltf").items():
            if not file_name.endswith(".bin"):
                write(folder / file_name, content)
        return path
    if name == "folder.stl":
        path.mkdir(parents=True)
    return path  # "missing": nothing written


@pytest.mark.parametrize("case", BAD_MESHES.values(), ids=BAD_MESHES.keys())
def test_bad_mesh_gives_placed_placeholder_with_message(tmp_path, mesh_cache, capfd, case):
    name, data, fragment = case
    path = make_bad_mesh(tmp_path / "meshes", name, data)
    transform = Transform(position=(3.0, -1.0, 0.5), scale=(1000.0, 1000.0, 1000.0))
    geometry = load_asset_geometry(station(path, transform=transform), mesh_cache, base=tmp_path)
    assert geometry.placeholder and geometry.asset_id == "station"
    assert geometry.problem.startswith(f"asset 'station': meshes/{name}: "), geometry.problem
    assert fragment in geometry.problem, geometry.problem
    # a box of the placeholder size standing at the asset's position (not scaled by it)
    h = PLACEHOLDER_SIZE / 2
    assert_bounds(geometry, [3.0 - h, -1.0 - h, 0.5], [3.0 + h, -1.0 + h, 0.5 + PLACEHOLDER_SIZE])
    assert capfd.readouterr().err == ""  # no traceback or log noise on the console


def test_problem_shows_full_path_without_base(tmp_path):
    geometry = load_asset_geometry(station(tmp_path / "gone.stl"))
    assert geometry.problem == f"asset 'station': {tmp_path / 'gone.stl'}: file not found"


def test_asset_without_mesh_gets_placeholder():
    geometry = load_asset_geometry(station(None))
    assert geometry.placeholder and "has no mesh" in geometry.problem


def test_unexpected_error_inside_trimesh_becomes_message(tmp_path, monkeypatch):
    path = write(tmp_path / "box.stl", binary_stl())

    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trimesh, "load_scene", explode)
    geometry = load_asset_geometry(station(path), base=tmp_path)
    assert geometry.placeholder
    assert geometry.problem == (
        "asset 'station': box.stl: cannot read as STL: "
        "maximum recursion depth exceeded (RecursionError)"
    )


# -- a whole line ------------------------------------------------------------------


def test_line_geometry_covers_meshed_assets_and_reports_progress(tmp_path, monkeypatch):
    shared = write(tmp_path / "meshes" / "conveyor.stl", binary_stl())
    assets = (
        Asset("line", "Line", AssetLevel.SYSTEM),
        Asset("in", "In", AssetLevel.ASSET, parent="line", mesh=shared),
        Asset("out", "Out", AssetLevel.ASSET, parent="line", mesh=shared,
              transform=Transform(position=(5.0, 0.0, 0.0))),
        Asset("bad", "Bad", AssetLevel.ASSET, parent="line", mesh=tmp_path / "meshes" / "gone.stl"),
    )  # fmt: skip
    project = Project("p", tmp_path / "line.toml", assets, ())
    parses = []
    real_load_scene = trimesh.load_scene
    monkeypatch.setattr(trimesh, "load_scene", lambda *a, **k: parses.append(1) or real_load_scene(*a, **k))
    calls = []
    geometries = load_line_geometry(project, progress=lambda *args: calls.append(args))
    assert list(geometries) == ["in", "out", "bad"]
    assert calls == [(1, 3, "in"), (2, 3, "out"), (3, 3, "bad")]
    assert len(parses) == 1  # both conveyors share one parse
    # ... and one copy of it: each asset places the same parts by its own matrix
    assert geometries["in"].local_parts is geometries["out"].local_parts
    assert not np.array_equal(geometries["in"].matrix, geometries["out"].matrix)
    assert geometries["out"].bounds()[0][0] == pytest.approx(4.5)
    assert geometries["bad"].problem == "asset 'bad': meshes/gone.stl: file not found"


DEMO_MESHES = sorted((DEMO_DIR / "meshes").glob("*.glb"))


@pytest.mark.skipif(not DEMO_MESHES, reason="demo meshes not generated yet")
def test_demo_line_meshes_load_standing_on_the_floor(demo_project_path, mesh_cache):
    from linetwin.io.project.project_file import load_project

    project = load_project(demo_project_path)
    geometries = {asset_id: g for asset_id, g in load_line_geometry(project, mesh_cache).items()
                  if project.asset(asset_id).level.value == "asset"}  # stations; components sit on them
    assert len(geometries) == 7
    for asset_id, geometry in geometries.items():
        assert not geometry.placeholder, geometry.problem
        assert len(geometry.parts) > 1, asset_id
        low, high = geometry.bounds()
        assert low[2] == pytest.approx(0.0, abs=1e-6), asset_id
        assert 0.5 < high[2] < 4.0, asset_id  # Z up: a station is about a person's height
