"""Work the GUI thread must not wait for: predictions (a few hundred ms with the
coefficient draws) and the virtual trial (seconds).

Both run on one worker thread each (concurrent.futures); the result comes back
as a Qt signal, which Qt queues to the GUI thread. Predictions coalesce: while
one runs, only the latest request waits, so dragging a slider never builds a
backlog. A trial polls a cancel flag every simulated minute.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from linetwin.twin.whatif.changes import ProposedChange
from linetwin.twin.whatif.prediction import predict
from linetwin.twin.whatif.virtual_trial import TrialCancelled, run_virtual_trial
from linetwin.twin.whatif.whatif_model import WhatIfModel


class PredictionRunner(QObject):
    """``request(model, changes, now)``; ``ready(prediction)`` or ``failed(message)`` later."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whatif-predict")
        self._lock = threading.Lock()
        self._busy = False
        self._waiting: tuple | None = None

    def request(self, model: WhatIfModel, changes: list[ProposedChange], now: dict | None = None) -> None:
        with self._lock:
            if self._busy:
                self._waiting = (model, changes, now)
                return
            self._busy = True
        self._pool.submit(self._run, model, changes, now)

    @property
    def busy(self) -> bool:
        return self._busy

    def _run(self, model: WhatIfModel, changes: list[ProposedChange], now: dict | None) -> None:
        while True:
            try:
                self.ready.emit(predict(model, changes, now))
            except ValueError as exc:  # an unknown signal, no recent values: said, not raised
                self.failed.emit(str(exc))
            with self._lock:
                if self._waiting is None:
                    self._busy = False
                    return
                (model, changes, now), self._waiting = self._waiting, None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class TrialRunner(QObject):
    """Runs one virtual trial at a time: ``progress(int percent)``, then ``finished(outcome)``,
    ``cancelled(message)`` or ``failed(message)``."""

    progress = Signal(int)
    finished = Signal(object)
    cancelled = Signal(str)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whatif-trial")
        self._cancel = threading.Event()
        self.running = False

    def start(self, stations: list[str], start_values: dict[str, float], changes: list[ProposedChange],
              minutes: float, seed: int = 1) -> None:
        if self.running:
            return
        self.running = True
        self._cancel.clear()
        self._pool.submit(self._run, list(stations), dict(start_values), list(changes), minutes, seed)

    def cancel(self) -> None:
        self._cancel.set()

    def _run(self, stations, start_values, changes, minutes, seed) -> None:
        try:
            outcome = run_virtual_trial(stations, start_values, changes, minutes, seed=seed,
                                        progress=lambda f: self.progress.emit(int(round(100 * f))),
                                        cancelled=self._cancel.is_set)
        except TrialCancelled as exc:
            self.running = False
            self.cancelled.emit(str(exc))
        except ValueError as exc:
            self.running = False
            self.failed.emit(str(exc))
        else:
            self.running = False
            self.finished.emit(outcome)

    def shutdown(self) -> None:
        self._cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
