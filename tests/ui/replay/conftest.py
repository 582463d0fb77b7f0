"""A recorded history (8 simulated minutes, a lost link, a note) and the replay window on it."""

import shutil

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT
from linetwin.ui.qt.replay.replay_window import ReplayWindow
from tests.io.history.replay_history import record_history
from tests.twin.streams import T0

SECONDS = 480.0  # the recording's link is lost from 400 s to 430 s


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    project = load_project(DEMO_PROJECT)
    path = tmp_path_factory.mktemp("replay") / "line.duckdb"
    record_history(project, path, SECONDS)
    with HistoryStore(path) as store:
        store.add_annotation("seal temperature looks low", "ana", "sealer", at=T0 + 200.0, station="sealer")
    return project, path


@pytest.fixture
def history(recorded, tmp_path):
    """A copy of the recorded history each test may write to (bookmarks)."""
    project, source = recorded
    path = tmp_path / "line.duckdb"
    shutil.copy(source, path)
    return project, path


@pytest.fixture
def geometries(history, shared_mesh_cache):
    return load_line_geometry(history[0], cache=shared_mesh_cache)


@pytest.fixture
def replay_window(qtbot, history, geometries):
    project, path = history
    session = ReplaySession(project, path, writable=True)
    window = ReplayWindow(session, geometries)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.start()
    window.transport.set_speed(1.0)  # whatever an earlier test left in the settings
    window.bridge.finish()
    yield window
    window.close()
