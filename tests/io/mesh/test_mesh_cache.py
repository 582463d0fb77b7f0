"""The parsed-mesh cache (split from test_meshes.py): hits skip trimesh entirely."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from linetwin.io.mesh import mesh_cache as mesh_cache_module
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.mesh_reader import read_file_contents
from linetwin.io.mesh.meshes import load_asset_geometry

from tests.io.conftest import station, tall_box, two_part_scene, write


@pytest.fixture
def glb(tmp_path):
    return write(tmp_path / "meshes" / "scene.glb", two_part_scene().export(file_type="glb"))


@pytest.fixture
def no_trimesh(monkeypatch):
    """Make any trimesh parse fail the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError("trimesh was called although the cache should have answered")

    def forbid():
        monkeypatch.setattr(trimesh, "load_scene", forbidden)
        monkeypatch.setattr(trimesh, "load", forbidden)

    return forbid


def parts_of(geometry):
    return [(p.name, p.vertices.tolist(), p.faces.tolist()) for p in geometry.parts]


def test_second_load_does_not_call_trimesh(tmp_path, glb, no_trimesh):
    folder = tmp_path / "cache"
    first = load_asset_geometry(station(glb), MeshCache(folder))
    assert len(list(folder.glob("*.npz"))) == 1
    no_trimesh()
    second = load_asset_geometry(station(glb), MeshCache(folder))  # a new session, same folder
    assert not second.placeholder, second.problem
    assert parts_of(second) == parts_of(first)
    assert second.parts[0].faces.dtype == np.int64


def test_cache_is_keyed_by_content_not_path(tmp_path, glb, mesh_cache, no_trimesh):
    load_asset_geometry(station(glb), mesh_cache)
    copy = write(tmp_path / "elsewhere" / "copy.glb", glb.read_bytes())
    no_trimesh()
    assert not load_asset_geometry(station(copy), mesh_cache).placeholder


def test_edited_file_misses_the_cache(tmp_path, mesh_cache):
    path = write(tmp_path / "box.stl", tall_box().export(file_type="stl"))
    load_asset_geometry(station(path), mesh_cache)
    write(path, tall_box(scale=2.0).export(file_type="stl"))
    assert load_asset_geometry(station(path), mesh_cache).bounds()[1][2] == pytest.approx(6.0)
    assert len(list(mesh_cache.folder.glob("*.npz"))) == 2


def test_corrupt_entry_is_ignored_and_rewritten(glb, mesh_cache):
    first = load_asset_geometry(station(glb), mesh_cache)
    [entry] = mesh_cache.folder.glob("*.npz")
    entry.write_bytes(b"PK\x03\x04 not really a zip")
    again = load_asset_geometry(station(glb), mesh_cache)
    assert parts_of(again) == parts_of(first)
    with np.load(entry) as data:  # rewritten as a valid entry
        assert list(data["names"]) == [p.name for p in first.parts]


def test_entry_with_inconsistent_arrays_is_a_miss(glb, mesh_cache):
    load_asset_geometry(station(glb), mesh_cache)
    [entry] = mesh_cache.folder.glob("*.npz")
    np.savez(entry, names=np.array(["x"]), vertices_0=np.zeros((3, 3)), faces_0=np.array([[0, 1, 9]]))
    geometry = load_asset_geometry(station(glb), mesh_cache)
    assert not geometry.placeholder and len(geometry.parts) == 2


def test_writes_leave_no_temporary_files(glb, mesh_cache):
    load_asset_geometry(station(glb), mesh_cache)
    assert [p.suffix for p in mesh_cache.folder.iterdir()] == [".npz"]


def test_unwritable_cache_only_costs_speed(tmp_path, glb):
    blocker = write(tmp_path / "not-a-folder", b"")
    geometry = load_asset_geometry(station(glb), MeshCache(blocker / "cache"))
    assert not geometry.placeholder


def test_broken_meshes_are_not_cached(tmp_path, mesh_cache):
    path = write(tmp_path / "noise.stl", b"\x01" * 300)
    assert load_asset_geometry(station(path), mesh_cache).placeholder
    assert not mesh_cache.folder.exists() or not list(mesh_cache.folder.iterdir())


def test_the_user_cache_folder_is_asked_for_explicitly(tmp_path, monkeypatch):
    monkeypatch.setattr(mesh_cache_module.platformdirs, "user_cache_dir", lambda app: str(tmp_path / app))
    assert mesh_cache_module.user_cache_folder() == tmp_path / "linetwin" / "meshes"
    with pytest.raises(TypeError):
        MeshCache()  # no silent default: tests must never fill the user's real cache


def test_key_covers_units_format_and_gltf_buffers(tmp_path):
    data = b"same bytes"
    keys = {MeshCache.key([data], ".stl", "m"), MeshCache.key([data], ".stl", "mm"),
            MeshCache.key([data], ".obj", "m")}  # fmt: skip
    assert len(keys) == 3
    for name, content in two_part_scene().export(file_type="gltf").items():
        write(tmp_path / name, content)
    gltf = tmp_path / "model.gltf"
    _, before = read_file_contents(gltf)
    [buffer, *_] = sorted(tmp_path.glob("*.bin"))
    buffer.write_bytes(buffer.read_bytes()[::-1])
    _, after = read_file_contents(gltf)
    assert len(before) > 1 and MeshCache.key(before, ".gltf", "m") != MeshCache.key(after, ".gltf", "m")
