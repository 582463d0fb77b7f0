"""A large line opens at once as coarse boxes, its meshes arrive with progress
(n of N) and can be cancelled; picking works on boxes and full meshes alike."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

import linetwin.io.mesh.line_loader as line_loader
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.live_session import LiveSession
from linetwin.twin.colors import AssetAppearance, Look
from linetwin.ui.qt.main_window import MainWindow

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "scale" / "line.py"
ASSETS = 200  # benchmarks/scale/line.py --size small


@pytest.fixture(scope="module")
def scale_project(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("scale_line_generator_ui", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    try:
        size = module.Size(assets=ASSETS, distinct=20, distinct_many=20, glb_triangles=2_000)
        return module.write_scale_line(tmp_path_factory.mktemp("scale"), size)["line"]
    finally:
        del sys.modules[spec.name]


@pytest.fixture
def open_window(qtbot, scale_project, tmp_path):
    windows = []

    def opened() -> MainWindow:
        session = LiveSession(load_project(scale_project), mesh_cache=MeshCache(tmp_path),
                              defer_meshes=True)
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield opened
    for window in windows:
        window.close()


def _picked_at_centre(window, asset_id: str) -> str | None:
    scene = window.scene
    window.plotter.render()
    x, y = scene.to_display(scene.asset_center(asset_id))
    return scene.pick(x, y)


def _looks_full(scene, asset_id: str) -> bool:
    return scene.shape_of[asset_id].mesh.n_cells > 12  # a box has 12 triangles


def test_the_line_opens_as_boxes_then_every_mesh_arrives(qtbot, open_window):
    window = open_window()
    scene = window.scene
    assert scene.pending == set(scene.actors) and len(scene.actors) == ASSETS
    assert window.mesh_loading.loader.total == ASSETS
    first = next(iter(scene.actors))
    assert _picked_at_centre(window, first) == first  # a coarse box picks as its asset
    said, seen = [], []
    label = window.mesh_loading.label
    set_text = label.setText
    label.setText = lambda text: (said.append(text), set_text(text))
    window.mesh_loading.finished.connect(seen.append)
    window.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=120_000)
    assert seen == [True]
    assert said[0].startswith(f"Meshes 0 of {ASSETS} (")
    assert said[-2].startswith(f"Meshes {ASSETS} of {ASSETS} (")
    assert said[-1].startswith(f"{ASSETS} meshes loaded in ")
    assert window.mesh_loading.bar.value() == ASSETS
    assert not scene.pending and all(_looks_full(scene, a) for a in scene.actors)
    assert not window.session.mesh_problems
    assert _picked_at_centre(window, first) == first
    assert window.tree.items[first].childCount() == len(scene.components[first])
    assert not window.tree.items[first].isExpanded()  # 200 machines, not 200 part leaves
    assert window.tree.items[first].parent().isExpanded()


def test_cancel_midway_keeps_a_consistent_window(qtbot, open_window, monkeypatch):
    gate, calls = threading.Event(), []
    real = line_loader.load_asset_mesh

    def slow_after_ten(*args, **kwargs):  # the worker waits until the test has pressed Cancel
        calls.append(1)
        if len(calls) > 10:
            gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(line_loader, "load_asset_mesh", slow_after_ten)
    window = open_window()
    scene, loading = window.scene, window.mesh_loading
    done: list[bool] = []
    loading.finished.connect(done.append)
    window.start()
    qtbot.waitUntil(lambda: loading.swapped >= 10, timeout=60_000)
    qtbot.mouseClick(loading.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    assert done == [False]
    loaded = {a for a in scene.actors if a not in scene.pending}
    assert 10 <= len(loaded) <= 11 and len(scene.pending) == ASSETS - len(loaded)
    assert all(_looks_full(scene, a) for a in loaded)
    assert not any(_looks_full(scene, a) for a in scene.pending)
    problems = window.session.mesh_problems
    assert set(problems) == scene.pending
    assert all("loading was cancelled" in p for p in problems.values())
    boxed, full = sorted(scene.pending)[0], sorted(loaded)[0]
    assert window.tree.items[boxed].text(0).endswith("⚠")
    assert window.mesh_warning.full_text().startswith(f"⚠ {len(scene.pending)} mesh(es) not loaded")
    assert loading.label.text().startswith(f"Mesh loading cancelled: {len(loaded)} of {ASSETS} loaded")
    assert _picked_at_centre(window, boxed) == boxed
    assert _picked_at_centre(window, full) == full
    # A box still shows its asset's state colour, like a full mesh.
    scene.apply([AssetAppearance(boxed, (200, 30, 30), Look.LIVE, "fault")])
    color = np.array(scene.actors[boxed].GetProperty().GetColor()) * 255
    assert np.allclose(color, (200, 30, 30), atol=1)
    assert window.isVisible()
    # File > Reload project (F5) reopens it the same way, so the cancelled meshes load again.
    reload = next(a for a in window.findChildren(QAction) if a.text() == "&Reload project")
    assert reload.shortcut().toString() == "F5"
    with qtbot.waitSignal(window.reload_requested, timeout=5000):
        reload.trigger()


def test_find_asset_137_by_typing_it(qtbot, open_window):
    """On a long line one types a number: the tree keeps the matches, Enter selects
    and flies to the first; Escape brings every asset back."""
    window = open_window()
    finder, tree = window.finder, window.tree
    flown = []
    finder._fly_to = flown.append
    ctrl_f = next(a for a in window.actions() if a.shortcut().toString() == "Ctrl+F")
    window._assets_dock.close()
    ctrl_f.trigger()  # brings a closed Assets panel back
    assert window._assets_dock.isVisible()
    qtbot.keyClicks(finder.field, "137")
    qtbot.waitUntil(lambda: finder.count.isVisible(), timeout=2_000)  # after the typing pause
    shown = [a for a, item in tree.items.items() if not item.isHidden()]
    assert "m0137" in shown and "m0001" not in shown
    assert all("137" in a or "137" in tree.items[a].text(0) or tree.items[a].childCount()
               for a in shown)
    assert finder.count.text() == "1 asset matches"
    qtbot.keyClick(finder.field, Qt.Key.Key_Return)
    assert window.selection.asset_id == "m0137" and flown == ["m0137"]
    qtbot.keyClick(finder, Qt.Key.Key_Escape)
    assert finder.field.text() == "" and not finder.count.isVisible()
    assert not any(item.isHidden() for item in tree.items.values())


def test_find_asset_says_when_nothing_matches(qtbot, open_window):
    window = open_window()
    window.finder.field.setText("no such machine")
    assert window.finder.apply() == []
    assert window.finder.count.text() == "0 assets match"
    assert all(item.isHidden() for item in window.tree.items.values())
