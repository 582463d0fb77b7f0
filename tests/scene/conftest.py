import pytest

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from tests.leak_checks import no_leaked_vtk_objects  # noqa: F401 - autouse fixture


@pytest.fixture(scope="session")
def demo_line(tmp_path_factory):
    """The demo project and its geometry, loaded once (cache in a temp folder)."""
    project = load_project(DEMO_PROJECT)
    cache = MeshCache(tmp_path_factory.mktemp("mesh-cache"))
    return project, load_line_geometry(project, cache=cache)
