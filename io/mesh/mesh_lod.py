"""A simplified copy of a large mesh, drawn for assets far from the camera.

Made once per mesh file content and kept in the mesh cache beside the full
parts (:mod:`linetwin.io.mesh.mesh_cache`). Each part is decimated on its own
with VTK's quadric decimation (volume preserving); fast-simplification is not
a dependency of LineTwin and VTK's filter needs nothing new. A simplified part
that would change what the user sees from afar is not used: if its bounds move
by more than a small fraction of the part's size, or it has open edges where
the full part had none (a hole), the full part stands in for it.
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkFiltersCore import vtkQuadricDecimation, vtkTriangleFilter

from linetwin.twin.geometry import MeshPart

LOD_MIN_TRIANGLES = 1_000  # smaller meshes draw fast enough as they are
PART_MIN_TRIANGLES = 200  # parts below this are kept whole (bolts, brackets)
KEEP = 0.25  # the simplified mesh keeps about this share of the triangles
BOUNDS_TOLERANCE = 0.02  # of the part's bounding-box diagonal


def lod_parts(parts) -> tuple[MeshPart, ...] | None:
    """The simplified parts of a mesh, or None when it is too small to need them."""
    if sum(len(p.faces) for p in parts) < LOD_MIN_TRIANGLES:
        return None
    return tuple(simplified(p) for p in parts)


def simplified(part: MeshPart, keep: float = KEEP) -> MeshPart:
    """``part`` with about ``keep`` of its triangles, or ``part`` itself when
    simplifying it would show (see the module doc)."""
    if len(part.faces) < PART_MIN_TRIANGLES:
        return part
    # STL repeats each corner per triangle: joined first, or decimation would
    # shrink loose triangles one by one and open gaps between them.
    joined_vertices, joined_faces = joined(part.vertices, part.faces)
    vertices, faces = decimate(joined_vertices, joined_faces, 1.0 - keep)
    if len(faces) == 0 or len(faces) >= len(part.faces):
        return part
    if not _same_silhouette(joined_vertices, joined_faces, vertices, faces):
        return part
    return MeshPart(part.name, vertices, faces)


def joined(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One vertex per distinct position (to a nanometre), faces renumbered,
    triangles that collapse to a line or point dropped."""
    unique, inverse = np.unique(np.round(vertices, 9), axis=0, return_inverse=True)
    faces = inverse.reshape(-1)[faces]
    keep = (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 0] != faces[:, 2])
    return unique.astype(np.float64), faces[keep].astype(np.int64)


def decimate(vertices: np.ndarray, faces: np.ndarray,
             reduction: float) -> tuple[np.ndarray, np.ndarray]:
    """(vertices, faces) after VTK's quadric decimation removing ``reduction`` of the triangles."""
    polydata = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.ascontiguousarray(vertices, dtype=np.float64), deep=True))
    polydata.SetPoints(points)
    cells = vtkCellArray()
    offsets = np.arange(0, 3 * len(faces) + 1, 3, dtype=np.int64)
    cells.SetData(numpy_to_vtkIdTypeArray(offsets, deep=True),
                  numpy_to_vtkIdTypeArray(np.ascontiguousarray(faces, dtype=np.int64).ravel(),
                                          deep=True))
    polydata.SetPolys(cells)
    decimation = vtkQuadricDecimation()
    decimation.SetInputData(polydata)
    decimation.SetTargetReduction(reduction)
    decimation.VolumePreservationOn()
    triangles = vtkTriangleFilter()  # decimation emits triangles; this also drops strays
    triangles.SetInputConnection(decimation.GetOutputPort())
    triangles.Update()
    out = triangles.GetOutput()
    if out.GetNumberOfPolys() == 0:
        return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
    out_vertices = vtk_to_numpy(out.GetPoints().GetData()).astype(np.float64)
    connectivity = vtk_to_numpy(out.GetPolys().GetConnectivityArray()).astype(np.int64)
    return out_vertices, connectivity.reshape(-1, 3)


def boundary_edges(faces: np.ndarray) -> int:
    """How many edges belong to one triangle only: the rims of holes and open ends."""
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    return int((counts == 1).sum())


def _same_silhouette(vertices, faces, new_vertices, new_faces) -> bool:
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    tolerance = BOUNDS_TOLERANCE * float(np.linalg.norm(high - low))
    if np.abs(new_vertices.min(axis=0) - low).max() > tolerance:
        return False
    if np.abs(new_vertices.max(axis=0) - high).max() > tolerance:
        return False
    # Open ends (a tube's rim) may stay; no new ones: no hole the full part lacks.
    return boundary_edges(new_faces) <= boundary_edges(faces)
