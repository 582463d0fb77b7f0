"""A what-if model fitted on a generated hour of the demo line (once per run),
LineTwin users of the test's own, and the live window with the what-if dock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from linetwin.io.training.identities import add_user
from linetwin.main import DEMO_PROJECT, main
from linetwin.twin.whatif.whatif_model import read_model
from linetwin.ui.qt.whatif.whatif_dock import SETTINGS_KEY
from tests.built_once import built_once
from tests.ui.conftest import record_message_boxes

ENGINEER, APPROVER = "Erin Engineer", "Abe Approver"


def _scenario() -> str:
    from linetwin.twin.sim import scenarios

    return "trials" if "trials" in getattr(scenarios, "SCENARIOS", {}) else "normal"


def _fit(folder) -> None:
    """``linetwin history generate --hours 1`` then ``linetwin whatif fit``: a real model."""
    history, model = folder / "h.duckdb", folder / "model.json"
    assert main(["history", "generate", str(DEMO_PROJECT), "--out", str(history), "--hours", "1",
                 "--scenario", _scenario()]) == 0
    assert main(["whatif", "fit", str(DEMO_PROJECT), "--history", str(history), "-o", str(model)]) == 0


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    """The model, fitted once for the whole run (the tests only read it)."""
    return built_once(tmp_path_factory, "ui-whatif-model", _fit) / "model.json"


@pytest.fixture(scope="session")
def model(model_path):
    return read_model(model_path)


@pytest.fixture
def users(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))
    add_user(ENGINEER, "engineer")
    add_user(APPROVER, "approver")
    return tmp_path


@pytest.fixture
def whatif_window(demo_window, model_path):
    """The live demo window with the model open in its (shown) what-if dock."""
    whatif = demo_window.whatif
    assert whatif.controller.open_model(model_path)
    yield demo_window, whatif
    QSettings().remove(SETTINGS_KEY)  # no later window reopens a model of a deleted folder


@pytest.fixture(autouse=True)
def said(monkeypatch):
    """Message boxes recorded instead of shown: (kind, title, text); a question answers Yes."""
    return record_message_boxes(monkeypatch)
