"""A training window on the demo line, a trainee and a trainer in a users file
of the test's own, and a record store in the test's own data folder."""

from __future__ import annotations

import pytest

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.training.identities import add_user
from linetwin.twin.sop.training_run import TrainingRun
from linetwin.ui.qt.training.training_window import TrainingWindow
from tests.twin.sop.sops import demo_project
from tests.ui.conftest import record_message_boxes

TRAINEE, TRAINER = "Tina Trainee", "Ana Lima"
EPOCH = 1_790_000_000.0


@pytest.fixture
def users(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))
    add_user(TRAINEE, "operator")
    add_user(TRAINER, "trainer")
    return tmp_path


@pytest.fixture(scope="module")
def project():
    return demo_project()


@pytest.fixture
def geometries(project, shared_mesh_cache):
    return load_line_geometry(project, cache=shared_mesh_cache)


def demo_sop(project, sop_id: str):
    return next(s for s in project.sops if s.id == sop_id)


@pytest.fixture
def sop(project):
    """The demo's sealer changeover: acknowledge, control, set, verify, pick, enter, quiz."""
    return demo_sop(project, "SOP-SEAL-03")


@pytest.fixture
def window(qtbot, users, project, sop, geometries):
    run = TrainingRun(project, sop, TRAINEE, seed=3, epoch=EPOCH)
    window = TrainingWindow(run, geometries, "operator", history=users / "records.duckdb")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.start()
    window.timer.stop()  # the tests advance the line themselves: tick(elapsed_s)
    yield window
    window.close_without_asking()


@pytest.fixture(autouse=True)
def said(monkeypatch):
    """Message boxes of the training window, recorded instead of shown."""
    return record_message_boxes(monkeypatch)
