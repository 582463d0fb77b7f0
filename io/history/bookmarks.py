"""Bookmarks in a history: what an investigator marked, to reopen it as it was.

A bookmark is a time range with the camera, the selected asset, a note and its
author (the ``bookmarks`` table of schema 4). Rows are upserted by
``bookmark_id``; reading goes through
:func:`linetwin.io.history.replay_load.load_bookmarks` (camera parsed).
The store must be open for writing.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.replay_load import load_bookmarks

CAMERA_KEYS = ("position", "focal_point", "view_up")


def next_bookmark_id(store: HistoryStore) -> int:
    [row] = store.fetch_dicts("SELECT coalesce(max(bookmark_id), 0) + 1 AS next FROM bookmarks")
    return int(row["next"])


def add_bookmark(store: HistoryStore, start: float, end: float, camera: dict[str, Any] | None,
                 selection: str | None, note: str, author: str,
                 created_at: float | None = None) -> int:
    """Store a new bookmark; its id."""
    bookmark_id = next_bookmark_id(store)
    save_bookmark(store, {"bookmark_id": bookmark_id, "start": start, "end": end, "camera": camera,
                          "selection": selection, "note": note, "author": author,
                          "created_at": time.time() if created_at is None else created_at})
    return bookmark_id


def save_bookmark(store: HistoryStore, bookmark: dict[str, Any]) -> None:
    """Insert or replace the row of ``bookmark["bookmark_id"]`` (an edited note, a new range)."""
    start, end = float(bookmark["start"]), float(bookmark["end"])
    if not (math.isfinite(start) and math.isfinite(end)) or end < start:
        raise ValueError(f"a bookmark needs start <= end, not {start!r} .. {end!r}")
    camera = bookmark.get("camera")
    if camera is not None and set(camera) != set(CAMERA_KEYS):
        raise ValueError(f"a bookmark's camera holds {', '.join(CAMERA_KEYS)}, not {sorted(camera)}")
    store.write({"bookmarks": {
        "bookmark_id": [int(bookmark["bookmark_id"])], "start": [start], "end": [end],
        "camera": [None if camera is None else json.dumps({k: list(map(float, camera[k]))
                                                            for k in CAMERA_KEYS})],
        "selection": [bookmark.get("selection")], "note": [bookmark.get("note") or ""],
        "author": [bookmark.get("author") or ""], "created_at": [float(bookmark["created_at"])],
    }})


def delete_bookmark(store: HistoryStore, bookmark_id: int) -> bool:
    """Remove a bookmark; False if there was none of that id."""
    return store.delete("bookmarks", {"bookmark_id": int(bookmark_id)}) > 0


def bookmarks(store: HistoryStore) -> list[dict[str, Any]]:
    """Every bookmark by start (the reader replay uses)."""
    return load_bookmarks(store)
