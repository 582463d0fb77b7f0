"""Turn twin geometry (numpy arrays) into VTK meshes, one per distinct mesh file.

Assets that share a mesh file share its ``local_parts`` tuple (see
:mod:`linetwin.io.mesh.meshes`); :class:`SharedShapes` turns each such tuple
into one polydata, with normals, and one mapper, made once however many assets
use it. Each asset's actor places the shared mesh with its own matrix.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkRenderingCore import vtkPolyDataMapper

from linetwin.twin.geometry import AssetGeometry, MeshPart

COMPONENT_ARRAY = "component"
SHARP_EDGE_DEG = 40.0  # faces meeting at a sharper angle show an edge (shading, outline)


def shape_polydata(parts: tuple[MeshPart, ...]) -> pv.PolyData:
    """All ``parts`` in one mesh; cell array ``component`` numbers the parts.

    One mesh per asset keeps the actor count (and so frame time) down, while the
    component array still lets a part be addressed by name.
    """
    vertices, faces, component = [], [], []
    offset = 0
    for index, part in enumerate(parts):
        vertices.append(part.vertices)
        faces.append(part.faces + offset)
        component.append(np.full(len(part.faces), index, dtype=np.int32))
        offset += len(part.vertices)
    # float32 points: the asset's own frame spans metres, far inside float32's
    # precision, and VTK draws float32 anyway (a 1.3 M-triangle part held a
    # float64 copy beside its vertex buffer).
    mesh = pv.PolyData.from_regular_faces(np.vstack(vertices).astype(np.float32),
                                          np.vstack(faces))
    mesh.cell_data[COMPONENT_ARRAY] = np.concatenate(component)
    # Split normals at sharp edges: boxes stay crisp, cylinders stay smooth.
    # No cell normals: the point normals shade, and picking reads the cells.
    return mesh.compute_normals(split_vertices=True, feature_angle=SHARP_EDGE_DEG,
                                auto_orient_normals=False, cell_normals=False)


class SharedShape:
    """One mesh file's parts as drawn: mapper, polydata and part names, made once.

    The full polydata is built on first use (:attr:`mesh`): a line of 500
    distinct machines seen from afar draws only their simplified copies, and
    building 500 full meshes with normals cost a second before its first frame.
    The mapper exists from the start (actors hold it); it gets its input then.
    """

    def __init__(self, parts: tuple[MeshPart, ...], lod_parts: tuple[MeshPart, ...] | None) -> None:
        self.parts = parts  # kept so the id it is looked up by stays taken
        self.names = tuple(p.name for p in parts)
        self.lod_parts = lod_parts  # simplified parts, for far views
        self.mapper = vtkPolyDataMapper()
        self.mapper.ScalarVisibilityOff()
        self._mesh: pv.PolyData | None = None
        self._lod: vtkPolyDataMapper | None = None
        if lod_parts is None:  # always drawn full: nothing to wait for
            _ = self.mesh

    @property
    def mesh(self) -> pv.PolyData:
        """The full mesh in the shape's own frame, built (and given to the mapper) on first use."""
        if self._mesh is None:
            self._mesh = shape_polydata(self.parts)
            self.mapper.SetInputData(self._mesh)
        return self._mesh

    @property
    def lod_mapper(self) -> vtkPolyDataMapper | None:
        """The simplified mesh's mapper, made on first use (None if there is none):
        a line seen only from close by never pays for it."""
        if self.lod_parts is None:
            return None
        if self._lod is None:
            self._lod = _mapper(shape_polydata(self.lod_parts))
        return self._lod

    def draws_simplified(self, actor) -> bool:
        return self._lod is not None and actor.GetMapper() is self._lod


class SharedShapes:
    """:class:`SharedShape` per distinct ``local_parts`` tuple (by identity)."""

    def __init__(self) -> None:
        self._shapes: dict[int, SharedShape] = {}

    def __len__(self) -> int:
        return len(self._shapes)

    def of(self, geometry: AssetGeometry) -> SharedShape:
        parts = geometry.local_parts
        shape = self._shapes.get(id(parts))
        if shape is None:
            shape = self._shapes[id(parts)] = SharedShape(parts, geometry.lod_parts)
        return shape


def _mapper(mesh: pv.PolyData) -> vtkPolyDataMapper:
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(mesh)
    mapper.ScalarVisibilityOff()
    return mapper


def vtk_matrix(matrix: np.ndarray) -> vtkMatrix4x4:
    out = vtkMatrix4x4()
    out.DeepCopy(np.asarray(matrix, dtype=np.float64).ravel().tolist())
    return out


def placed_polydata(mesh: pv.PolyData, matrix: np.ndarray) -> pv.PolyData:
    """A copy of ``mesh`` in line coordinates (for callers that need world points)."""
    return mesh.transform(np.asarray(matrix, dtype=np.float64), inplace=False)


def placeholder_lines(geometry: AssetGeometry) -> pv.PolyData:
    """The outline of a placeholder box with a cross on each face, as lines, in
    the box's own frame (its actor carries the asset's matrix).

    Each face of the box is two triangles in one plane: its outline is the four
    edges the two do not share, its cross the shared diagonal plus the other.
    """
    segments = []
    for part in geometry.local_parts:
        normals = np.cross(part.vertices[part.faces[:, 1]] - part.vertices[part.faces[:, 0]],
                           part.vertices[part.faces[:, 2]] - part.vertices[part.faces[:, 0]])
        lengths = np.linalg.norm(normals, axis=1, keepdims=True)
        keys = np.round(normals / np.where(lengths > 0, lengths, 1.0), 6)
        planes: dict[tuple, list[np.ndarray]] = {}
        for key, face in zip(map(tuple, keys), part.faces):
            planes.setdefault(key, []).append(face)
        for faces in planes.values():
            corners = np.unique(np.concatenate(faces))
            edges = {tuple(sorted((f[i], f[(i + 1) % 3]))) for f in faces for i in range(3)}
            if len(faces) == 2 and len(corners) == 4:  # a quad: add the other diagonal
                edges.add(tuple(sorted(set(faces[0]) ^ set(faces[1]))))
            segments += [part.vertices[[a, b]] for a, b in edges]
    points = np.vstack(segments) if segments else np.zeros((0, 3))
    lines = np.hstack([[2, 2 * i, 2 * i + 1] for i in range(len(segments))]).astype(np.int64) \
        if segments else np.zeros(0, dtype=np.int64)
    return pv.PolyData(points, lines=lines)
