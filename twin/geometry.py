"""Triangle geometry of an asset, as plain numpy arrays.

The io layer fills these from mesh files; the scene layer turns them into
PyVista meshes. Keeping them numpy-only lets both sides stay independent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MeshPart:
    """One named component of an asset's mesh, in the asset's own frame (metres)."""

    name: str
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64, indices into ``vertices``


@dataclass(frozen=True)
class AssetGeometry:
    """The parts of one asset, already placed in line coordinates.

    ``placeholder`` is set when the mesh could not be loaded; ``problem`` then
    says why, naming the asset and file, so the UI can show it.
    """

    asset_id: str
    parts: tuple[MeshPart, ...]
    placeholder: bool = False
    problem: str | None = None

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Axis-aligned (min, max) corners over all parts."""
        stacked = np.vstack([p.vertices for p in self.parts])
        return stacked.min(axis=0), stacked.max(axis=0)


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
    return AssetGeometry(asset_id=asset_id, parts=(part,), placeholder=True, problem=problem)


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
    scaled = vertices * np.asarray(scale, dtype=np.float64)
    return scaled @ rotation_matrix(rotation).T + np.asarray(position, dtype=np.float64)
