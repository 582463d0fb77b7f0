"""Recording into the history store on a thread of its own (issue 3, part 5).

Whoever drains the live queue (the GUI tick, the headless ``record`` loop)
hands each tick's items to :meth:`Recorder.submit`, which only appends them to
a list under a lock held for microseconds: the GUI never waits on the disk. The
writer thread turns what piled up into columns and commits it as one DuckDB
transaction at least every ``flush_interval`` (0.5 s), so a process killed
with SIGKILL loses at most the last ~0.5 s plus one write, and the file opens
(DuckDB replays its write-ahead log). If the writer falls behind, the pile
grows instead; :attr:`Recorder.backlog` tells how far behind it is.

``linetwin record`` is :func:`record_cli` in :mod:`linetwin.ui.cli.record`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from linetwin.io.history.history_rows import RowBuilder, Tick
from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.twin.model import Project

FLUSH_INTERVAL_S = 0.5
_ALERT_EVENTS = ("raised", "updated", "cleared", "acknowledged")

_log = logging.getLogger(__name__)


class Recorder:
    """Writes every submitted item into ``store``, as one recording session.

    Parameters
    ----------
    store : an open, writable history; the caller closes it after :meth:`stop`
    project : the project being recorded (named in the session row)
    endpoint : the server recorded from, for the session row
    flush_interval : longest time, in seconds, between two commits
    """

    def __init__(self, store: HistoryStore, project: Project, endpoint: str | None = None,
                 flush_interval: float = FLUSH_INTERVAL_S) -> None:
        self.store = store
        self.project = project
        self.endpoint = endpoint
        self.flush_interval = flush_interval
        self.session_id: int | None = None
        self._pending: list[Tick] = []
        self._lock = threading.Lock()  # guards _pending and the counters below
        self._written = threading.Condition(self._lock)
        self._submitted = self._committed = 0  # items, for backlog and flush()
        self._rows_written = self._samples_written = 0
        self._retry: tuple[dict[str, Any], int] | None = None  # built tables a failed write left
        self._error: str | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._rows: RowBuilder | None = None
        self._books: list[Any] = []
        self.dropped = 0  # items given up on (malformed; see error)

    # --- any thread -------------------------------------------------------------------

    def start(self, links: Iterable[Any] = ()) -> None:
        """Open a session in the store and start the writer thread.

        ``links``: the latest ConnectionChange of each endpoint when a recording
        starts on a link that is already up (the GUI's Record button). Without
        them the session's ``connection_events`` would begin only at the next
        change, and a recording of a steady link would hold none at all.
        """
        if self._thread is not None:
            return
        path = str(self.project.path) if self.project.path is not None else None
        self.session_id = self.store.begin_session(self.project.name, path, self.endpoint)
        self._rows = RowBuilder(self.session_id)
        self._thread = threading.Thread(target=self._run, name="linetwin-recorder", daemon=True)
        self._thread.start()
        self.submit(links)

    def submit(self, items: Iterable[Any]) -> None:
        """Queue a tick's items for writing; never blocks on the store.

        ``items``: ValueUpdate, ConnectionChange, production events
        (InspectionEvent, ComplianceEvent, Lot), alerts (AlertRecord, or an
        AlertChange), acks (AckRecord). Other objects are counted in
        :attr:`ignored` and skipped. Items submitted after :meth:`stop` are dropped.
        """
        batch = tuple(items)  # the caller may reuse its list
        if not batch or self._stopping:
            return
        stamp = time.time()  # the time of a ConnectionChange whose source gave none (NaN)
        with self._lock:
            self._pending.append((stamp, batch))
            self._submitted += len(batch)

    def submit_one(self, item: Any) -> None:
        self.submit((item,))

    def follow_alerts(self, book: Any) -> None:
        """Record every alert ``book`` (an ``AlertBook``) raises, updates, clears or acks."""
        for name in _ALERT_EVENTS:
            getattr(book, name).connect(self.submit_one)
        self._books.append(book)

    @property
    def backlog(self) -> int:
        """Items submitted but not yet committed (grows while the writer is behind)."""
        with self._lock:
            return self._submitted - self._committed

    @property
    def rows_written(self) -> int:
        """Rows committed so far, all tables."""
        return self._rows_written

    @property
    def samples_written(self) -> int:
        return self._samples_written

    @property
    def ignored(self) -> int:
        return self._rows.ignored if self._rows is not None else 0

    @property
    def error(self) -> str | None:
        """The last write error, or None once a later write succeeded."""
        return self._error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def flush(self, timeout: float = 5.0) -> bool:
        """Write everything submitted so far now; True once it is committed."""
        with self._lock:
            target = self._submitted
        self._wake.set()
        with self._written:
            return self._written.wait_for(lambda: self._committed >= target or not self.running, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is left, close the session and end the thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        for book in self._books:
            for name in _ALERT_EVENTS:
                getattr(book, name).disconnect(self.submit_one)
        self._books.clear()
        self._stopping = True
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            _log.warning("recorder still writing after %.1f s; the session is left open", timeout)
            return
        try:
            self.store.end_session(self.session_id)
        except HistoryStoreError as exc:
            self._error = str(exc)

    def __enter__(self) -> "Recorder":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- on the writer thread ----------------------------------------------------------

    def _run(self) -> None:
        next_flush = time.monotonic() + self.flush_interval
        while True:
            # Deadline-based, so a slow write does not stretch the commit period.
            self._wake.wait(max(next_flush - time.monotonic(), 0.0))
            self._wake.clear()
            next_flush = time.monotonic() + self.flush_interval
            stopping = self._stopping  # read before writing: items after it are still taken
            self._write_pending()
            if stopping:
                self._write_pending()  # what arrived during the last write
                return

    def _write_pending(self) -> None:
        if self._retry is not None and not self._write(*self._retry):
            return  # the store still fails: keep everything queued, try next interval
        with self._lock:
            ticks, self._pending = self._pending, []
        count = sum(len(items) for _, items in ticks)
        if count == 0:
            return
        assert self._rows is not None
        try:
            tables = self._rows.build(ticks)
        except Exception as exc:  # noqa: BLE001 - an item no column can hold: never writable
            self._drop(count, exc)
            return
        self._write(tables, count)

    def _write(self, tables: dict[str, Any], count: int) -> bool:
        try:
            rows = self.store.write(tables)
        except HistoryStoreError as exc:  # the file: disk full, gone... retry next interval
            if self._error is None:
                _log.error("recording: %s", exc)
            self._error, self._retry = str(exc), (tables, count)
            return False
        except Exception as exc:  # noqa: BLE001 - the data: retrying cannot help
            self._retry = None
            self._drop(count, exc)
            return True
        self._error, self._retry = None, None
        samples = len(tables["signal_samples"]["signal_id"]) if "signal_samples" in tables else 0
        with self._written:
            self._committed += count
            self._rows_written += rows
            self._samples_written += samples
            self._written.notify_all()
        return True

    def _drop(self, count: int, exc: Exception) -> None:
        """Give up on a batch, but keep the thread (and the recording) alive."""
        _log.exception("recording: dropped %d items that cannot be stored", count)
        with self._written:
            self._error = f"dropped {count} items that cannot be stored: {exc}"
            self.dropped += count
            self._committed += count  # out of the backlog: nothing will write them
            self._written.notify_all()

