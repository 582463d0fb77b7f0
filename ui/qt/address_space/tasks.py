"""Blocking calls off the GUI thread, results back on it (DESIGN section 3).

The address-space browser blocks its caller for up to a few seconds per call,
so the panel never calls it on the GUI thread: :class:`TaskRunner` runs each
call on its own small :class:`QThreadPool` and delivers the result (or the
exception) to a callback on the GUI thread through a queued Qt signal.

``cancel`` forgets pending callbacks: a result that arrives after a
refresh, or after the panel closed, is dropped instead of landing in a tree
that no longer holds its node.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

MAX_THREADS = 4  # browse + poll + bind at once; each call is bounded by the browser's timeout

Callback = Callable[[Any], None]


class _Emitter(QObject):
    """One per call, owned by the call, not by the runner: emitting on it stays
    safe even while the runner (and its panel) is being destroyed; Qt then
    simply has no receiver left."""

    finished = Signal(int, bool, object)  # task id, succeeded, result or exception


class _Call(QRunnable):
    """Runs ``work`` on a pool thread and reports through its own emitter."""

    def __init__(self, emitter: _Emitter, task_id: int, work: Callable[[], Any]) -> None:
        super().__init__()
        self._emitter, self._task_id, self._work = emitter, task_id, work

    def run(self) -> None:
        try:
            result, ok = self._work(), True
        except Exception as exc:  # noqa: BLE001 - handed to the caller's on_error
            result, ok = exc, False
        self._emitter.finished.emit(self._task_id, ok, result)


class TaskRunner(QObject):
    """Submit blocking callables; ``on_done(result)`` / ``on_error(exc)`` run on the GUI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = MAX_THREADS) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[str, Callback, Callback]] = {}

    def submit(self, work: Callable[[], Any], on_done: Callback, on_error: Callback,
               group: str = "") -> int:
        """Run ``work`` on the pool; ``group`` names what :meth:`cancel` may drop."""
        task_id = next(self._ids)
        self._pending[task_id] = (group, on_done, on_error)
        emitter = _Emitter()
        # Emitted on a pool thread, received on this object's (the GUI) thread: queued.
        emitter.finished.connect(self._deliver)
        self.pool.start(_Call(emitter, task_id, work))
        return task_id

    def is_pending(self, task_id: int | None) -> bool:
        return task_id in self._pending

    def cancel(self, group: str | None = None) -> None:
        """Drop the pending callbacks of ``group`` (``None``: all); the calls finish on their own."""
        for task_id in [t for t, (g, _, _) in self._pending.items() if group is None or g == group]:
            del self._pending[task_id]

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Wait for the running calls to end (tests, shutdown); True if they did."""
        return self.pool.waitForDone(timeout_ms)

    def _deliver(self, task_id: int, ok: bool, result: Any) -> None:
        callbacks = self._pending.pop(task_id, None)
        if callbacks is None:
            return
        _group, on_done, on_error = callbacks
        (on_done if ok else on_error)(result)
