"""The Qt side of the live path: drain the update queue on a GUI timer.

The OPC UA client threads only ever put items on a queue; this timer, on the
GUI thread, takes what is waiting, hands it to the
:class:`~linetwin.twin.pipeline.TwinPipeline` (the same object ``monitor``,
``record`` and replay drive), recolours the assets it reports and asks for a
single render. A tick spends at most ``TICK_BUDGET_S`` on the pipeline: a
burst is carried over to the next ticks instead of freezing the window.
"""

from __future__ import annotations

import queue
import time
from collections import deque

from PySide6.QtCore import QObject, QTimer, Signal

from linetwin.twin.pipeline import TickResult, TwinPipeline

TICK_MS = 33  # at most ~30 Hz: faster than the eye needs, cheap for the GUI thread
TICK_BUDGET_S = 0.025  # pipeline work per tick; the rest waits for the next tick
CHUNK_ITEMS = 500  # items stepped between two looks at the budget (~1-2 ms of work)
RENDER_SHARE = 0.5  # live renders take at most this share of the GUI thread's time


class LiveBridge(QObject):
    """Moves items from ``updates`` through ``pipeline`` into ``scene``, once per tick.

    ``taps`` get every item taken from the queue, in order (the recorder).
    """

    connection_changed = Signal(object)  # ConnectionChange
    alerts_changed = Signal(list)  # AlertChange list of one tick
    events_changed = Signal(list)  # production events of one tick
    stepped = Signal(object)  # the TickResult of a tick that changed something

    def __init__(self, pipeline: TwinPipeline, updates: queue.SimpleQueue, scene, render,
                 parent=None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self.updates = updates
        self.scene, self.render = scene, render
        self.taps: list = []
        self.links: dict = {}  # endpoint -> its latest ConnectionChange (a recorder starts with them)
        self._carry: deque = deque()  # taken from the queue, not yet stepped
        self._arrivals: deque[tuple[float, int, float]] = deque()  # (at, values, seconds since)
        self._last_tick: float | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        # A frame of a 2,000-asset line takes ~0.3 s in software GL: rendering
        # after every tick would leave no time for input or mesh loading. The
        # next live render waits as long as the last one took (a GPU's few ms:
        # every tick, as before); the last change is always drawn.
        self._render_after = 0.0  # time.monotonic() before which no live render
        self._render_timer = QTimer(self, singleShot=True)
        self._render_timer.timeout.connect(self._render_now)
        pipeline.reset_done.connect(self._on_reset)

    def start(self) -> None:
        self.scene.apply(self.pipeline.appearances())
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._render_timer.stop()

    @property
    def backlog(self) -> int:
        """Items taken from the queue and waiting for a later tick."""
        return len(self._carry)

    def tick(self) -> None:
        self._take()
        started = time.perf_counter()
        restyle: set[str] = set()
        values = 0
        while True:
            chunk = self._next_chunk()
            result = self._step(chunk)
            restyle.update(result.restyle)
            values += result.values
            if not self._carry or time.perf_counter() - started > TICK_BUDGET_S:
                break
        if restyle:
            self.scene.apply(self.pipeline.appearances(sorted(restyle)))
            self._request_render()
        self._count_rate(values)

    def _request_render(self) -> None:
        wait = self._render_after - time.monotonic()
        if wait <= 0:
            self._render_now()
        elif not self._render_timer.isActive():
            self._render_timer.start(int(wait * 1000) + 1)

    def _render_now(self) -> None:
        self._render_timer.stop()
        started = time.monotonic()
        self.render()
        took = time.monotonic() - started
        self._render_after = time.monotonic() + took * (1.0 / RENDER_SHARE - 1.0)

    def _step(self, items: list) -> TickResult:
        for tap in self.taps:
            tap(items)
        result = self.pipeline.step(items)
        for change in result.connections:
            self.links[change.endpoint] = change
            self.connection_changed.emit(change)
        if result.alerts:
            self.alerts_changed.emit(result.alerts)
        if result.events:
            self.events_changed.emit(result.events)
        if not result.empty:
            self.stepped.emit(result)
        return result

    def _take(self) -> None:
        get, carry = self.updates.get_nowait, self._carry
        while True:
            try:
                carry.append(get())
            except queue.Empty:
                return

    def _next_chunk(self) -> list:
        carry = self._carry
        return [carry.popleft() for _ in range(min(CHUNK_ITEMS, len(carry)))]

    def _on_reset(self, _at: float) -> None:
        self._carry.clear()  # items of before the reset must not land after it
        self.scene.apply(self.pipeline.appearances())
        self.render()

    def _count_rate(self, count: int, now: float | None = None) -> None:
        # Each tick's count came in since the tick before: after a stall of the
        # GUI thread, the values of the whole stall over its whole length (a
        # lone tick's count over one tick's time read 227,273 values/s).
        now = time.monotonic() if now is None else now
        since = now - (self._last_tick if self._last_tick is not None else now - TICK_MS / 1000)
        self._last_tick = now
        self._arrivals.append((now, count, since))
        while self._arrivals and now - self._arrivals[0][0] > 2.0:
            self._arrivals.popleft()

    def rate(self) -> float:
        """Values stepped per second over about the last two seconds."""
        span = sum(s for _, _, s in self._arrivals)
        return sum(c for _, c, _ in self._arrivals) / span if span > 0 else 0.0
