"""Which station labels to show, and where, in display pixels (no VTK here).

A line of 2,000 assets cannot show 2,000 labels: they would cover the whole
picture. Every layout (only after the camera, the window, a text's size or a
priority changed) does, over all labels at once in numpy:

1. project every anchor with one matrix product and drop those behind the
   camera or off the viewport;
2. order the rest by priority: selected, hovered, alarmed, otherwise urgent
   (a non-running state, a doubtful reading, a warning), then by how large the
   asset is on screen (near before far; a label shown last time gets a bonus,
   so a small camera move does not make labels swap and flicker);
3. place them in that order (:func:`place`, compiled): each stays at its anchor
   or is lifted just above the labels it would overlap, at most a few label
   heights; one that cannot be placed so is left out, and placing stops at a
   budget that grows with the viewport's area. Far views crowd many anchors
   into little space, so they show fewer labels. The selected and hovered
   labels are always placed, however high they must go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

LABEL_GAP_PX = 2.0  # clear space kept between two label boxes
BUDGET_AREA_PX = 18_000.0  # one label per this much viewport area (1600x900: 80 labels)
MIN_BUDGET = 8
MAX_LIFT_LABELS = 4.0  # a label may rise this many of its own heights above its anchor
MIN_ASSET_PX = 6.0  # a plain asset smaller than this on screen gets no label
KEEP_BONUS = 1.5  # on-screen size factor for labels placed in the previous layout

# Priority tiers, most important first (see :func:`priority_order`).
SELECTED, HOVERED, ALARMED, URGENT, PLAIN = range(5)


@dataclass(frozen=True)
class Viewport:
    """The renderer's viewport in display pixels and its world-to-clip matrix."""

    x0: float
    y0: float
    width: float
    height: float
    matrix: np.ndarray  # 4x4, world -> clip (VTK's composite projection)


def project(points: np.ndarray, view: Viewport) -> tuple[np.ndarray, np.ndarray]:
    """Display pixels of world ``points`` (n, 3) and whether each is in front of the camera."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    clip = points @ view.matrix[:3, :3].T + view.matrix[:3, 3]
    w = points @ view.matrix[3, :3] + view.matrix[3, 3]
    in_front = w > 1e-9
    ndc = clip[:, :2] / np.where(in_front, w, 1.0)[:, None]
    display = np.empty((len(points), 2))
    display[:, 0] = view.x0 + (ndc[:, 0] + 1.0) * view.width / 2.0
    display[:, 1] = view.y0 + (ndc[:, 1] + 1.0) * view.height / 2.0
    return display, in_front


def budget(view: Viewport) -> int:
    """How many labels a view of this size may show."""
    return max(MIN_BUDGET, int(view.width * view.height / BUDGET_AREA_PX))


def priority_order(candidates: np.ndarray, tiers: np.ndarray, screen_px: np.ndarray,
                   kept: np.ndarray) -> np.ndarray:
    """Rows of ``candidates`` (a mask) in placing order: by tier, then larger on screen first.

    ``screen_px`` is each asset's size on screen, ``kept`` marks the labels
    placed by the previous layout (they win a near tie, which keeps the
    picture steady while the camera moves). Plain assets smaller than
    :data:`MIN_ASSET_PX` are left out: far away, only what matters is labelled.
    """
    wanted = candidates & ((tiers < PLAIN) | (screen_px >= MIN_ASSET_PX))
    rows = np.flatnonzero(wanted)
    size = screen_px[rows] * np.where(kept[rows], KEEP_BONUS, 1.0)
    return rows[np.lexsort((rows, -size, tiers[rows]))]


def place(order: np.ndarray, anchors: np.ndarray, sizes: np.ndarray, forced: int,
          limit: int, max_lift: float = MAX_LIFT_LABELS, gap: float = LABEL_GAP_PX,
          obstacles: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Upward lifts (pixels) and a placed mask for labels taken in ``order``.

    Parameters
    ----------
    order : rows to try, most important first
    anchors : (n, 2) display positions of the label boxes' bottom centres
    sizes : (n, 2) width and height of each label box, padding included
    forced : the first ``forced`` rows of ``order`` are placed whatever the lift
    limit : at most this many labels are placed (forced ones included)
    max_lift : other labels rise at most this many of their own heights
    obstacles : (k, 4) boxes (x0, y0, x1, y1) already taken (alert badges)
    """
    anchors = np.ascontiguousarray(anchors, dtype=np.float64).reshape(-1, 2)
    sizes = np.ascontiguousarray(sizes, dtype=np.float64).reshape(-1, 2)
    order = np.ascontiguousarray(order, dtype=np.int64)
    taken = np.zeros((0, 4)) if obstacles is None else np.asarray(obstacles, dtype=np.float64)
    return _place(order, anchors, sizes, int(forced), int(limit), float(max_lift), float(gap),
                  np.ascontiguousarray(taken.reshape(-1, 4)))


def declutter(anchors: np.ndarray, sizes: np.ndarray, gap: float = LABEL_GAP_PX) -> np.ndarray:
    """Lifts that keep every label clear of every other, none left out.

    Labels are placed from the bottom of the screen up; each rises just above
    the boxes it would overlap, so a row of stations gets a staircase of labels
    and isolated stations keep theirs in place.
    """
    anchors = np.asarray(anchors, dtype=np.float64).reshape(-1, 2)
    order = np.lexsort((anchors[:, 0], anchors[:, 1]))
    lifts, _ = place(order, anchors, sizes, len(order), len(order), np.inf, gap)
    return lifts


@numba.njit(cache=True)
def _place(order, anchors, sizes, forced, limit, max_lift, gap, taken):  # pragma: no cover
    # Compiled: a crowded view tries 2,000 labels against up to a hundred placed
    # boxes, several passes each; a millisecond here, a quarter second in numpy.
    n = len(anchors)
    lifts = np.zeros(n)
    placed = np.zeros(n, dtype=np.bool_)
    m = min(len(order), n) + len(taken)
    x0s, x1s, y0s, tops = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    for j in range(len(taken)):
        x0s[j], y0s[j], x1s[j], tops[j] = taken[j, 0], taken[j, 1], taken[j, 2], taken[j, 3] + gap
    count = len(taken)
    for k in range(len(order)):
        if count - len(taken) >= limit:
            break
        i = order[k]
        half, height = sizes[i, 0] / 2.0, sizes[i, 1]
        left, right = anchors[i, 0] - half, anchors[i, 0] + half
        y = anchors[i, 1]
        ceiling = np.inf if k < forced else y + max_lift * height
        moved = True
        while moved and y <= ceiling:  # every pass ends higher (top + gap on both sides)
            moved = False
            for j in range(count):
                if x0s[j] < right + gap and x1s[j] > left - gap and y0s[j] < y + height + gap \
                        and tops[j] > y:
                    y = tops[j]
                    moved = True
        if y > ceiling:
            continue
        lifts[i] = y - anchors[i, 1]
        placed[i] = True
        x0s[count], x1s[count], y0s[count], tops[count] = left, right, y, y + height + gap
        count += 1
    return lifts, placed
