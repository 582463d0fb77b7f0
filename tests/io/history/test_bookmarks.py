"""Bookmarks written into a history: added, edited, deleted, read back; a replay opened writable."""

import pytest

from linetwin.io.history.bookmarks import add_bookmark, delete_bookmark, save_bookmark
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.replay_load import load_bookmarks
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions import replay_session
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT
from tests.io.history.replay_history import record_history

CAMERA = {"position": [1.0, 2.0, 3.0], "focal_point": [0.0, 0.0, 0.0], "view_up": [0.0, 0.0, 1.0]}


def test_add_edit_delete_round_trip(tmp_path):
    with HistoryStore(tmp_path / "h.duckdb") as store:
        first = add_bookmark(store, 10.0, 70.0, CAMERA, "sealer", "seal gaps start", "ana", 5.0)
        second = add_bookmark(store, 5.0, 6.0, None, None, "", "bo", 6.0)
        assert (first, second) == (1, 2)
        rows = load_bookmarks(store)
        assert [r["bookmark_id"] for r in rows] == [2, 1]  # by start
        assert rows[1]["camera"] == CAMERA and rows[1]["selection"] == "sealer"
        save_bookmark(store, {**rows[1], "note": "first seal-gap cluster"})
        assert [r["note"] for r in load_bookmarks(store)] == ["", "first seal-gap cluster"]
        assert delete_bookmark(store, 2) and not delete_bookmark(store, 2)
        assert [r["bookmark_id"] for r in load_bookmarks(store)] == [1]


def test_bad_bookmarks_and_deletes_are_refused(tmp_path):
    with HistoryStore(tmp_path / "h.duckdb") as store:
        with pytest.raises(ValueError, match="start <= end"):
            add_bookmark(store, 10.0, 5.0, None, None, "", "ana")
        with pytest.raises(ValueError, match="camera holds"):
            add_bookmark(store, 1.0, 5.0, {"position": [0, 0, 1]}, None, "", "ana")
        with pytest.raises(ValueError, match="deleted by"):
            store.delete("signal_samples", {"signal_id": "x"})


def test_replay_session_writable_and_read_only(tmp_path, monkeypatch):
    project = load_project(DEMO_PROJECT)
    path = tmp_path / "line.duckdb"
    record_history(project, path, 60.0)
    with ReplaySession(project, path) as session:
        assert session.store.read_only and "read-only" in session.read_only_reason
    with ReplaySession(project, path, writable=True) as session:
        assert session.read_only_reason is None
        add_bookmark(session.store, session.data.start, session.data.end, None, None, "all", "ana")
    # A file the user may not write (chmod does not stop root, who runs CI here).
    monkeypatch.setattr(replay_session.os, "access", lambda *_args: False)
    with ReplaySession(project, path, writable=True) as session:
        assert session.store.read_only and "not writable" in session.read_only_reason
        assert [b["note"] for b in session.data.bookmarks] == ["all"]
