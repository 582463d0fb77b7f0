"""The simplified copy of a large mesh: fewer triangles, the same silhouette, no
hole, made once and kept in the mesh cache."""

from __future__ import annotations

import numpy as np
import pyvista as pv

import linetwin.io.mesh.mesh_lod as mesh_lod
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.mesh_lod import boundary_edges, joined, lod_parts, simplified
from linetwin.io.mesh import meshes
from linetwin.io.mesh.meshes import read_mesh
from linetwin.twin.geometry import MeshPart


def _part(mesh: pv.PolyData, name: str = "body") -> MeshPart:
    mesh = mesh.triangulate()
    return MeshPart(name, np.asarray(mesh.points, dtype=np.float64),
                    mesh.faces.reshape(-1, 4)[:, 1:].astype(np.int64))


def _loose(part: MeshPart) -> MeshPart:
    """As STL stores it: three corners of its own per triangle."""
    vertices = part.vertices[part.faces.ravel()]
    return MeshPart(part.name, vertices, np.arange(len(vertices)).reshape(-1, 3))


def _diagonal(vertices: np.ndarray) -> float:
    return float(np.linalg.norm(vertices.max(axis=0) - vertices.min(axis=0)))


def _assert_same_silhouette(full: MeshPart, simple: MeshPart) -> None:
    tolerance = 0.02 * _diagonal(full.vertices)
    assert np.allclose(simple.vertices.min(axis=0), full.vertices.min(axis=0), atol=tolerance)
    assert np.allclose(simple.vertices.max(axis=0), full.vertices.max(axis=0), atol=tolerance)


def test_a_closed_mesh_keeps_its_bounds_and_stays_closed():
    full = _part(pv.Sphere(radius=0.7, theta_resolution=60, phi_resolution=60))
    simple = simplified(full)
    assert len(simple.faces) < 0.35 * len(full.faces)
    _assert_same_silhouette(full, simple)
    assert boundary_edges(full.faces) == 0 and boundary_edges(simple.faces) == 0


def test_stl_triangles_are_joined_before_simplifying_so_no_gap_opens():
    full = _loose(_part(pv.Cylinder(resolution=80, capping=True).triangulate().subdivide(2)))
    assert boundary_edges(full.faces) == 3 * len(full.faces)  # every edge loose
    simple = simplified(full)
    assert len(simple.faces) < 0.35 * len(full.faces)
    _assert_same_silhouette(full, simple)
    assert boundary_edges(joined(full.vertices, full.faces)[1]) == 0
    assert boundary_edges(simple.faces) == 0


def test_a_simplification_that_would_open_a_hole_is_not_used(monkeypatch):
    full = _part(pv.Sphere(theta_resolution=40, phi_resolution=40))
    half = _part(pv.Sphere(theta_resolution=20, phi_resolution=20, end_phi=90))

    monkeypatch.setattr(mesh_lod, "decimate", lambda *_: (half.vertices, half.faces))
    assert simplified(full) is full


def test_small_meshes_get_no_simplified_copy():
    assert lod_parts([_part(pv.Cube())]) is None
    big = _part(pv.Sphere(theta_resolution=40, phi_resolution=40))
    assert lod_parts([big]) is not None


def test_the_simplified_copy_is_cached_with_the_mesh(tmp_path, monkeypatch):
    path = tmp_path / "ball.stl"
    pv.Sphere(theta_resolution=50, phi_resolution=50).save(path)
    cache = MeshCache(tmp_path / "cache")
    first = read_mesh(path, cache=cache)
    assert first.lod is not None and len(first.lod) == len(first.parts)

    def never(*_args):
        raise AssertionError("simplified again instead of read from the cache")

    monkeypatch.setattr(meshes, "lod_parts", never)
    cached = read_mesh(path, cache=cache)
    assert cached.lod is not None
    assert [len(p.faces) for p in cached.lod] == [len(p.faces) for p in first.lod]
    assert np.array_equal(cached.lod[0].vertices, first.lod[0].vertices)
