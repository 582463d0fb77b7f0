"""A recorded history opened for replay: the data, the twin pipeline and the cursor.

No Qt and no geometry here: the window adds the meshes (as for a live
session), the headless ``replay`` and ``report`` commands use it as it is. The
store stays open read-only (other readers may share the file) until
:meth:`ReplaySession.close`.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from linetwin.io.history.history_schema import SCHEMA_VERSION
from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.history.replay_load import load_replay
from linetwin.twin.clock import ReplayClock
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.replay.cursor import ReplayCursor
from linetwin.twin.replay.replay_data import ReplayData


class ReplaySession:
    """``history`` opened for ``project``; ``start``/``end`` limit the range loaded.

    Raises ``HistoryStoreError`` (the file cannot be opened) or
    ``ReplayLoadError`` (nothing recorded in the range), each naming the file.
    ``warmup_s``: see :class:`ReplayCursor` (None: a far seek replays from the start).
    ``writable``: keep the store open for writing (bookmarks, notes) when the file
    allows it; otherwise it stays read-only and ``read_only_reason`` says why.
    """

    def __init__(self, project: Project, history: str | Path, start: float | None = None,
                 end: float | None = None, warmup_s: float | None = 1800.0,
                 writable: bool = False) -> None:
        self.project = project
        self.store = HistoryStore(history, read_only=True)
        try:
            self.data: ReplayData = load_replay(self.store, project, start, end)
        except BaseException:
            self.store.close()
            raise
        self.read_only_reason: str | None = f"{self.store.path}: opened read-only"
        if writable:
            self.store, self.read_only_reason = _reopen_writable(self.store)
        self.clock = ReplayClock()
        self.pipeline = TwinPipeline(project, self.clock, default_endpoint=recorded_endpoint(
            self.data, project))
        self.cursor = ReplayCursor(self.data, self.pipeline, warmup_s)

    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "ReplaySession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reopen_writable(store: HistoryStore) -> tuple[HistoryStore, str | None]:
    """The same file opened for writing, or the read-only store and why not.

    Checked first read-only (a real history with something to replay), so a
    writable open never creates or converts a file; an older schema stays as
    it is (writing would upgrade the investigated file).
    """
    path = store.path
    if store.schema_version < SCHEMA_VERSION:
        return store, (f"{path}: written by an older LineTwin (history schema {store.schema_version}); "
                       "left read-only so it is not upgraded")
    if not os.access(path, os.W_OK):
        return store, f"{path}: the file is not writable"
    store.close()
    try:
        return HistoryStore(path), None
    except HistoryStoreError as exc:  # locked by a recorder, a read-only folder
        return HistoryStore(path, read_only=True), str(exc)


def recorded_endpoint(data: ReplayData, project: Project) -> str:
    """The server the project's own signals were recorded from.

    A recording of the simulator names a loopback port chosen at run time, not
    the project's endpoint; a lost link in the history must still make exactly
    those signals stale. The project's endpoint if the history names it, else
    the endpoint most connection events name that is no event source of the project.
    """
    named = Counter(c.endpoint for c in data.connections)
    own = project.source.endpoint
    if own in named or not named:
        return own
    sources = {s.endpoint for s in project.event_sources}
    candidates = [(n, e) for e, n in named.items() if e not in sources]
    return max(candidates)[1] if candidates else own
