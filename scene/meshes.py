"""Turn twin geometry (numpy arrays) into PyVista meshes."""

from __future__ import annotations

import numpy as np
import pyvista as pv

from linetwin.twin.geometry import AssetGeometry

COMPONENT_ARRAY = "component"


def asset_polydata(geometry: AssetGeometry) -> pv.PolyData:
    """All parts of an asset in one mesh; cell array ``component`` numbers the parts.

    One mesh per asset keeps the actor count (and so frame time) down, while the
    component array still lets a part be addressed by name.
    """
    vertices, faces, component = [], [], []
    offset = 0
    for index, part in enumerate(geometry.parts):
        vertices.append(part.vertices)
        faces.append(part.faces + offset)
        component.append(np.full(len(part.faces), index, dtype=np.int32))
        offset += len(part.vertices)
    tris = np.vstack(faces)
    cells = np.hstack([np.full((len(tris), 1), 3, dtype=np.int64), tris]).ravel()
    mesh = pv.PolyData(np.vstack(vertices).astype(np.float64), cells)
    mesh.cell_data[COMPONENT_ARRAY] = np.concatenate(component)
    # Split normals at sharp edges: boxes stay crisp, cylinders stay smooth.
    return mesh.compute_normals(split_vertices=True, feature_angle=40.0, auto_orient_normals=False)


def component_names(geometry: AssetGeometry) -> list[str]:
    return [part.name for part in geometry.parts]
