import pytest

from linetwin.io.sessions.live_session import LiveSession
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.main import DEMO_PROJECT
from linetwin.ui.qt.main_window import MainWindow
from tests.leak_checks import no_leaked_vtk_objects  # noqa: F401 - autouse fixture


@pytest.fixture(scope="session")
def shared_mesh_cache(tmp_path_factory):
    """One mesh cache for the ui tests: the demo's meshes are parsed once, not per window."""
    return MeshCache(tmp_path_factory.mktemp("ui-mesh-cache"))


@pytest.fixture
def demo_window(qtbot, shared_mesh_cache):
    """The main window on the demo line, fed live by the built-in simulator."""
    session = LiveSession.open(DEMO_PROJECT, simulate=True, mesh_cache=shared_mesh_cache)
    session.start()  # as the app does: the simulator's endpoint is known from here on
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.start()
    yield window
    window.close()


def record_message_boxes(monkeypatch) -> list[tuple[str, str, str]]:
    """Message boxes recorded instead of shown (a modal box would wait for a click no
    test gives): (kind, title, text) each; a question answers Yes."""
    from PySide6.QtWidgets import QMessageBox

    boxes: list[tuple[str, str, str]] = []

    def recorder(kind, answer=QMessageBox.StandardButton.Ok):
        def box(_parent, title, text, *_args, **_kwargs):
            boxes.append((kind, title, text))
            return answer
        return staticmethod(box)

    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, recorder(kind))
    monkeypatch.setattr(QMessageBox, "question", recorder("question", QMessageBox.StandardButton.Yes))
    return boxes
