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
3. place them in that order (:func:`place`): each stays at its anchor
   or is lifted just above the labels it would overlap, at most a few label
   heights; one that cannot be placed so is left out, and placing stops at a
   budget that grows with the viewport's area. Far views crowd many anchors
   into little space, so they show fewer labels. The selected and hovered
   labels are always placed, however high they must go.
"""

from __future__ import annotations

from dataclasses import dataclass

import math

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


def _place(order, anchors, sizes, forced, limit, max_lift, gap, taken):
    # Plain Python over a column index of the placed boxes: a label is checked
    # only against the boxes in the screen columns it spans (a handful), so
    # 2,000 tries cost milliseconds, with no compiler to load (numba cost a
    # render 125 MB and half a second before its first frame).
    lifts = np.zeros(len(anchors))
    placed = np.zeros(len(anchors), dtype=bool)
    columns = _Columns(gap)
    for x0, y0, x1, y1 in taken.tolist():
        columns.add(x0, x1, y0, y1 + gap)
    xs, ys = anchors[:, 0].tolist(), anchors[:, 1].tolist()
    widths, heights = sizes[:, 0].tolist(), sizes[:, 1].tolist()
    count = 0
    for k, i in enumerate(order.tolist()):
        if count >= limit:
            break
        left, right = xs[i] - widths[i] / 2.0, xs[i] + widths[i] / 2.0
        y = columns.lowest_free(left, right, ys[i], heights[i])
        if k >= forced and y > ys[i] + max_lift * heights[i]:
            continue
        lifts[i], placed[i] = y - ys[i], True
        columns.add(left, right, y, y + heights[i] + gap)
        count += 1
    return lifts, placed


class _Columns:
    """Placed boxes (x0, x1, y0, top) filed under every screen column they span."""

    WIDTH_PX = 64.0

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self.boxes: dict[int, list[tuple[float, float, float, float]]] = {}

    def _span(self, x0: float, x1: float) -> range:
        return range(math.floor(x0 / self.WIDTH_PX), math.floor(x1 / self.WIDTH_PX) + 1)

    def add(self, x0: float, x1: float, y0: float, top: float) -> None:
        box = (x0, x1, y0, top)
        for column in self._span(x0, x1):
            self.boxes.setdefault(column, []).append(box)

    def lowest_free(self, left: float, right: float, y: float, height: float) -> float:
        """The lowest bottom at or above ``y`` where a box from ``left`` to
        ``right``, ``height`` tall, keeps ``gap`` clear of every placed box."""
        gap = self.gap
        near = {b for c in self._span(left - gap, right + gap) for b in self.boxes.get(c, ())
                if b[0] < right + gap and b[1] > left - gap}
        for _, _, y0, top in sorted(near, key=lambda b: b[2]):
            if y0 >= y + height + gap:
                break  # this box and all later ones start above the label
            if top > y:
                y = top  # sweeping up by bottom edge: each box is passed once
        return y
