"""Triangle geometry of an asset, as plain numpy arrays.

The io layer fills these from mesh files; the scene layer turns them into
PyVista meshes. Keeping them numpy-only lets both sides stay independent.

An asset's parts stay in the mesh file's own frame (``local_parts``, the same
tuple for every asset that uses one file) and ``matrix`` places them in the
line: a line of 2,000 assets over 20 files holds 20 meshes, not 2,000 copies,
and the scene draws each file once, placed per actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

IDENTITY = np.eye(4)
IDENTITY.setflags(write=False)


@dataclass(frozen=True)
class MeshPart:
    """One named component of an asset's mesh, in the asset's own frame (metres)."""

    name: str
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64, indices into ``vertices``

    @cached_property
    def extent(self) -> tuple[np.ndarray, np.ndarray]:
        """(min, max) corner of ``vertices``, worked out once per part (parts are
        shared by every asset that uses their file)."""
        return self.vertices.min(axis=0), self.vertices.max(axis=0)


@dataclass(frozen=True, eq=False)
class AssetGeometry:
    """The parts of one asset and where they stand in line coordinates.

    ``local_parts`` are in the mesh file's frame and may be shared with other
    assets (never modify them); ``matrix`` (4x4) takes them into the line.
    ``placeholder`` is set when the mesh could not be loaded; ``problem`` then
    says why, naming the asset and file, so the UI can show it. ``pending`` marks
    the coarse stand-in drawn while the real mesh is still being read (it is
    coloured like the asset, unlike a placeholder).
    """

    asset_id: str
    local_parts: tuple[MeshPart, ...]
    matrix: np.ndarray = field(default_factory=lambda: IDENTITY)
    placeholder: bool = False
    problem: str | None = None
    pending: bool = False
    lod_parts: tuple[MeshPart, ...] | None = None  # simplified ``local_parts`` (far views)

    @cached_property
    def parts(self) -> tuple[MeshPart, ...]:
        """The parts placed in line coordinates: a copy made on first use, for
        the few callers that need world vertices (the scene does not)."""
        if self.matrix is IDENTITY:
            return self.local_parts
        return tuple(MeshPart(p.name, transform_points(self.matrix, p.vertices), p.faces)
                     for p in self.local_parts)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Axis-aligned (min, max) corners over all parts, in line coordinates."""
        return self._bounds

    @cached_property
    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        # Exact, as the placed vertices would give, without keeping them: for an
        # axis-aligned turn (0/90/180 degrees) the local box's corners suffice.
        # Runs once per asset at start-up (2,000 on a large line): few numpy calls.
        parts = self.local_parts
        if len(parts) == 1:
            low, high = parts[0].extent
        else:
            low = np.min([p.extent[0] for p in parts], axis=0)
            high = np.max([p.extent[1] for p in parts], axis=0)
        if _axis_aligned(self.matrix):
            points = np.stack([low, high])[_CORNERS, _XYZ]  # the box's 8 corners
            placed = transform_points(self.matrix, points)
            return placed.min(axis=0), placed.max(axis=0)
        return _extent(transform_points(self.matrix, p.vertices) for p in parts)


_CORNERS = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)])  # low/high per axis
_XYZ = np.arange(3)


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(n, 3) points through a 4x4 affine matrix."""
    return points @ matrix[:3, :3].T + matrix[:3, 3]


def _extent(arrays) -> tuple[np.ndarray, np.ndarray]:
    lows, highs = zip(*((a.min(axis=0), a.max(axis=0)) for a in arrays))
    return np.min(lows, axis=0), np.max(highs, axis=0)


def _axis_aligned(matrix: np.ndarray) -> bool:
    return bool((np.count_nonzero(np.abs(matrix[:3, :3]) > 1e-12, axis=1) == 1).all())


def placeholder_box(asset_id: str, size: float, problem: str) -> AssetGeometry:
    """A cube standing on the floor at the origin, used where a mesh failed to load."""
    h = size / 2.0
    corners = np.array(
        [[x, y, z] for z in (0.0, size) for y in (-h, h) for x in (-h, h)], dtype=np.float64
    )
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    faces = np.array(
        [tri for a, b, c, d in quads for tri in ((a, b, c), (a, c, d))], dtype=np.int64
    )
    part = MeshPart(name="placeholder", vertices=corners, faces=faces)
    return AssetGeometry(asset_id, (part,), placeholder=True, problem=problem)


def rotation_matrix(degrees_xyz: tuple[float, float, float]) -> np.ndarray:
    """Rotation about X, then Y, then Z (angles in degrees), as a 3x3 matrix."""
    rx, ry, rz = np.radians(degrees_xyz)
    cx, sx, cy, sy, cz, sz = np.cos(rx), np.sin(rx), np.cos(ry), np.sin(ry), np.cos(rz), np.sin(rz)
    mx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    my = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    mz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return mz @ my @ mx


def place(
    vertices: np.ndarray,
    position: tuple[float, float, float],
    rotation: tuple[float, float, float],
    scale: tuple[float, float, float],
) -> np.ndarray:
    """Apply scale, rotation, then translation to an (n, 3) vertex array."""
    return transform_points(placement_matrix(position, rotation, scale), vertices)


def placement_matrix(
    position: tuple[float, float, float],
    rotation: tuple[float, float, float],
    scale: tuple[float, float, float],
) -> np.ndarray:
    """The 4x4 matrix of :func:`place`: scale, then rotation, then translation."""
    matrix = np.eye(4)
    matrix[:3, :3] = rotation_matrix(rotation) * np.asarray(scale, dtype=np.float64)
    matrix[:3, 3] = position
    return matrix
