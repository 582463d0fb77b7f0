"""Asset actors: a shared mesh placed by a matrix, and outlines that follow it.

Every asset's actor draws its mesh file's shared mapper (see
:mod:`linetwin.scene.meshes`) through its own user matrix and has its own
property, so colours stay per asset. Actors are plain VTK: a pyvista ``Actor``
with its ``Property`` costs ~0.5 ms to make (theme lookups), a minute's worth
of a 2,000-asset line's start; ``AssetActor.prop`` still gives pyvista's view
of the property to the few callers that want it.
"""

from __future__ import annotations

import pyvista as pv
from vtkmodules.vtkFiltersHybrid import vtkPolyDataSilhouette
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkProperty

from linetwin.scene.meshes import SHARP_EDGE_DEG, SharedShape


class AssetActor(vtkActor):
    """The actor of asset ``asset_id`` (set after construction; picking reads it)."""

    asset_id: str = ""

    @property
    def prop(self) -> pv.Property:
        """pyvista's view of this actor's property, made on first use.

        The actor gets the new ``pv.Property`` (a copy of what it had): fetch
        it again rather than keeping an older ``GetProperty()``.
        """
        current = self.GetProperty()
        if not isinstance(current, pv.Property):
            wrapped = pv.Property()
            wrapped.DeepCopy(current)
            self.SetProperty(wrapped)
            self._pv_property = wrapped  # keeps the Python subclass alive
            current = wrapped
        return current


def asset_actor(asset_id: str, shape: SharedShape, matrix, look: vtkProperty) -> AssetActor:
    """An actor drawing ``shape`` placed by ``matrix`` (vtkMatrix4x4), styled as ``look``."""
    actor = AssetActor()
    actor.asset_id = asset_id
    actor.SetMapper(shape.mapper)
    actor.SetUserMatrix(matrix)
    prop = vtkProperty()
    prop.DeepCopy(look)
    actor.SetProperty(prop)
    return actor


def default_look(color: str = "#C8C8C8") -> pv.Property:
    """The property new asset actors copy: pyvista's theme defaults (lighting,
    interpolation) plus a little shine, in neutral grey until a state arrives."""
    look = pv.Property(color=color)
    look.specular, look.specular_power = 0.25, 20.0
    return look


def outline_actor(shape: SharedShape, of: vtkActor, camera, color, line_width: float) -> vtkActor:
    """The silhouette of ``of`` as seen from ``camera``, placed where ``of`` stands.

    The silhouette filter works on the shared mesh in its own frame and takes
    the camera into that frame through ``of``'s matrix.
    """
    silhouette = vtkPolyDataSilhouette()
    silhouette.SetInputData(shape.mesh)
    silhouette.SetCamera(camera)
    silhouette.SetProp3D(of)
    # The outer contour and the sharp edges (where the shading splits the
    # normals): a box keeps its corners, and a faceted roller is not drawn
    # over facet by facet as with every non-coplanar edge (0 degrees).
    silhouette.SetEnableFeatureAngle(True)
    silhouette.SetFeatureAngle(SHARP_EDGE_DEG)
    mapper = vtkPolyDataMapper()
    mapper.SetInputConnection(silhouette.GetOutputPort())
    mapper.ScalarVisibilityOff()
    actor = pv.Actor(mapper=mapper)
    actor.SetUserMatrix(of.GetUserMatrix())
    actor.prop.color = color
    actor.prop.line_width = line_width
    actor.SetPickable(False)
    return actor
