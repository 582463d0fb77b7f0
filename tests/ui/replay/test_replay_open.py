"""Bookmarks reopened as they were and kept in the file; opening histories, good and bad."""

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMessageBox

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.replay_load import load_bookmarks
from linetwin.scene.camera import CameraPose
from linetwin.ui.qt.replay import replay_app


def _pose(window) -> np.ndarray:
    pose = window.scene.current_pose()
    return np.array([pose.position, pose.focal_point, pose.view_up])


def test_a_bookmark_reopens_camera_selection_and_range_and_stays_in_the_file(
        qtbot, replay_window, history, monkeypatch):
    window, cursor, data = replay_window, replay_window.session.cursor, replay_window.session.data
    window.bridge.seek(data.start + 200.0)
    window.bridge.finish()
    window.selection.select("sealer")
    window.scene.set_pose(CameraPose((3.0, -6.0, 4.0), (1.0, 0.5, 0.5), (0.0, 0.0, 1.0)))
    marked = _pose(window)
    bookmark_id = window.bookmarks.add(note="heater sagging")
    assert window.bookmarks.list.count() == 1
    assert window.timeline.bookmarks == [(data.start + 170.0, data.start + 230.0)]
    window.selection.select("filler")
    window.view3d.fit_line()
    window.bridge.seek(data.start + 400.0)
    window.bridge.finish()
    item = window.bookmarks.list.item(0)
    window.bookmarks.list.itemDoubleClicked.emit(item)
    window.bridge.finish()
    assert window.selection.asset_id == "sealer" and window.scene.selected == "sealer"
    assert np.allclose(_pose(window), marked)
    assert cursor.loop == (data.start + 170.0, data.start + 230.0)
    assert cursor.position == data.start + 170.0
    window.close()  # the session's store closes with the window
    with HistoryStore(history[1], read_only=True) as store:
        [row] = load_bookmarks(store)
    assert row["bookmark_id"] == bookmark_id and row["note"] == "heater sagging"
    assert row["selection"] == "sealer" and np.allclose(row["camera"]["position"], marked[0])


def test_deleting_a_bookmark_asks_first(replay_window, monkeypatch):
    panel = replay_window.bookmarks
    bookmark_id = panel.add(note="to delete")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *args: answers.pop(0))
    assert not panel.delete(bookmark_id) and panel.list.count() == 1
    assert panel.delete(bookmark_id) and panel.list.count() == 0
    assert load_bookmarks(replay_window.session.store) == []


@pytest.fixture
def warnings_shown(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    return shown


@pytest.mark.parametrize("content", [b"time,value\n1,2\n", b""])
def test_a_file_that_is_no_history_is_named_in_a_message(tmp_path, history, geometries,
                                                          warnings_shown, content):
    path = tmp_path / "export.duckdb"
    path.write_bytes(content)
    assert replay_app.open_replay(history[0], path, geometries) is None
    [message] = warnings_shown
    assert str(path) in message and "Cannot replay" in message


def test_a_history_with_nothing_recorded_is_named_in_a_message(tmp_path, history, geometries,
                                                               warnings_shown):
    path = tmp_path / "empty.duckdb"
    HistoryStore(path).close()
    assert replay_app.open_replay(history[0], path, geometries) is None
    [message] = warnings_shown
    assert str(path) in message and "nothing recorded" in message


def test_open_replay_shows_a_window_and_drops_open_another(qtbot, history, geometries, warnings_shown):
    project, path = history
    window = replay_app.open_replay(project, path, geometries)
    try:
        assert window is not None and window.isVisible() and window in replay_app._open_windows
        assert window.session.store.read_only is False
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path.parent / "missing.duckdb"))])
        # What Qt hands the 3D view's event filter when a file is dragged over and dropped
        # (a synthetic drop is not routed under Xvfb); taken there, not read as a mesh.
        enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        assert window._drops.eventFilter(window.plotter, enter) and enter.isAccepted()
        drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                          Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        assert window._drops.eventFilter(window.plotter, drop)
        [message] = warnings_shown
        assert "missing.duckdb" in message and "no such history file" in message
        assert window.isVisible()  # a failed open keeps the replay that is shown
    finally:
        replay_app.close_all()
    assert replay_app._open_windows == []


def test_the_live_window_opens_a_history_in_replay_mode(qtbot, demo_window, history):
    _project, path = history
    demo_window.open_history_path(str(path))
    try:
        [replay] = replay_app._open_windows
        assert replay.windowTitle().startswith("REPLAY — line.duckdb")
        assert replay.session.project is demo_window.session.project
        assert replay.geometries is demo_window.session.geometries
    finally:
        replay_app.close_all()
