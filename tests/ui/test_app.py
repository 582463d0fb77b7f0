"""The GUI controller: opening projects, bad projects, reloading after a bind."""

import shutil

from PySide6.QtWidgets import QApplication, QMessageBox

from linetwin.io.project_edit import add_signal
from linetwin.main import DEMO_PROJECT
from linetwin.ui.app import GuiController


def _demo_copy(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_PROJECT.parent, folder)
    return folder / "line.toml"


def test_a_broken_project_is_reported_and_nothing_opens(qtbot, tmp_path, monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.detailedText()))
    broken = tmp_path / "broken.toml"
    broken.write_text("[project]\nname = 'x'\n[[assets]]\nid = 1\n")
    controller = GuiController(QApplication.instance())
    assert not controller.open(broken)
    assert controller.window is None
    assert shown and f"{broken}:4:" in shown[0]
    assert "Traceback" not in capsys.readouterr().err


def test_binding_a_signal_reopens_the_project_the_same_way(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = _demo_copy(tmp_path)
    controller = GuiController(QApplication.instance())
    assert controller.open(path, simulate=True)
    first = controller.window
    qtbot.addWidget(first)
    project = add_signal(path, {"id": "sealer.jaw_wear", "asset": "sealer",
                                "node": "ns=2;s=Sealer.JawWear", "kind": "analog"})
    first.address_space.project_changed.emit(project)
    second = controller.window
    qtbot.addWidget(second)
    assert second is not first
    assert "sealer.jaw_wear" in second.session.state.index
    assert second.session.server is not None  # still fed by the simulator
    assert first.session.server is None  # the old window stopped its threads
    second.close()
