"""Asset geometry: parts in the file's frame plus a placement matrix."""

import numpy as np
import pytest

from linetwin.twin.geometry import (
    AssetGeometry,
    MeshPart,
    place,
    placeholder_box,
    placement_matrix,
)

BOX = placeholder_box("box", 1.0, "").local_parts[0]  # 1 m cube on the floor at the origin
WEDGE = MeshPart("wedge", np.array([[0.0, 0, 0], [2, 0, 0], [0, 1, 0], [0, 0, 3]]),
                 np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]))


@pytest.mark.parametrize("rotation", [(0.0, 0.0, 0.0), (0.0, 0.0, 90.0), (0.0, 0.0, 180.0),
                                      (90.0, 0.0, 270.0), (0.0, 0.0, 30.0), (10.0, 20.0, 35.0)])
def test_placed_parts_and_bounds_match_placing_every_vertex(rotation):
    position, scale = (4.0, -2.0, 0.5), (2.0, 1.0, 0.5)
    geometry = AssetGeometry("a", (BOX, WEDGE), placement_matrix(position, rotation, scale))
    placed = [place(p.vertices, position, rotation, scale) for p in (BOX, WEDGE)]
    for part, expected in zip(geometry.parts, placed):
        np.testing.assert_allclose(part.vertices, expected, atol=1e-12)
    stacked = np.vstack(placed)
    low, high = geometry.bounds()
    np.testing.assert_allclose(low, stacked.min(axis=0), atol=1e-9)  # exact, not a loose box
    np.testing.assert_allclose(high, stacked.max(axis=0), atol=1e-9)


def test_parts_are_placed_once_and_never_change_the_shared_ones():
    shared = (WEDGE,)
    before = WEDGE.vertices.copy()
    a = AssetGeometry("a", shared, placement_matrix((1.0, 0.0, 0.0), (0.0, 0.0, 90.0), (1, 1, 1)))
    b = AssetGeometry("b", shared, placement_matrix((9.0, 0.0, 0.0), (0.0, 0.0, 0.0), (1, 1, 1)))
    assert a.parts is a.parts  # cached
    assert a.parts[0].faces is WEDGE.faces  # topology shared, only vertices placed
    assert a.bounds()[0][0] == pytest.approx(0.0) and b.bounds()[0][0] == pytest.approx(9.0)
    np.testing.assert_array_equal(WEDGE.vertices, before)


def test_without_a_matrix_the_parts_are_already_in_place():
    geometry = AssetGeometry("a", (WEDGE,))
    assert geometry.parts is geometry.local_parts
    np.testing.assert_allclose(geometry.bounds()[1], [2.0, 1.0, 3.0])
