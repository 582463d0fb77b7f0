"""Camera poses and fly-to paths, as plain numbers (no rendering here)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The operator's usual view: from the front-left, above the line.
LINE_VIEW_DIRECTION = np.array([-0.45, -1.0, 0.62])


@dataclass(frozen=True)
class CameraPose:
    position: tuple[float, float, float]
    focal_point: tuple[float, float, float]
    view_up: tuple[float, float, float] = (0.0, 0.0, 1.0)


def pose_looking_at(bounds: tuple[float, ...], direction=LINE_VIEW_DIRECTION,
                    view_angle_deg: float = 30.0, margin: float = 1.15,
                    min_radius: float = 0.25) -> CameraPose:
    """A pose that frames ``bounds`` (xmin, xmax, ymin, ymax, zmin, zmax) from ``direction``,
    or a sphere of ``min_radius`` around their centre when they are smaller."""
    lo = np.array(bounds[0::2], dtype=float)
    hi = np.array(bounds[1::2], dtype=float)
    center = (lo + hi) / 2.0
    radius = max(np.linalg.norm(hi - lo) / 2.0, min_radius)
    distance = margin * radius / np.sin(np.radians(view_angle_deg) / 2.0)
    unit = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    return CameraPose(tuple(center + unit * distance), tuple(center))


def fly_path(start: CameraPose, end: CameraPose, frames: int) -> list[CameraPose]:
    """Poses from ``start`` to ``end`` with ease-in-out, ending exactly on ``end``."""
    s = np.linspace(0.0, 1.0, max(frames, 1) + 1)[1:]
    eased = s * s * (3.0 - 2.0 * s)  # smoothstep: no jerk at either end
    p0, p1 = np.array(start.position), np.array(end.position)
    f0, f1 = np.array(start.focal_point), np.array(end.focal_point)
    return [
        CameraPose(tuple(p0 + (p1 - p0) * t), tuple(f0 + (f1 - f0) * t), end.view_up)
        for t in eased
    ]
