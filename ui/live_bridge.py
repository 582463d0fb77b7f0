"""The Qt side of the live path: drain the update queue on a GUI timer.

The OPC UA client thread only ever puts items on a queue; this timer, on the
GUI thread, takes everything waiting, applies it to the twin state in one
batch, recolors the affected assets and asks for a single render.
"""

from __future__ import annotations

import queue
import time
from collections import deque

import numpy as np

from PySide6.QtCore import QObject, QTimer, Signal

from linetwin.twin.colors import ColorEngine
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

TICK_MS = 33  # at most ~30 Hz: faster than the eye needs, cheap for the GUI thread
MAX_ITEMS_PER_TICK = 50_000  # a flood is spread over ticks instead of freezing one


class LiveBridge(QObject):
    """Moves updates from ``updates`` into ``state`` and the scene, once per tick."""

    connection_changed = Signal(object)  # ConnectionChange
    alerts_changed = Signal(list)  # AlertChange list of one tick

    def __init__(self, session, engine: ColorEngine, scene, render, parent=None) -> None:
        super().__init__(parent)
        self.session = session  # updates queue, twin state, history, endpoint map
        self.updates: queue.SimpleQueue = session.updates
        self.state: TwinState = session.state
        self.engine, self.scene, self.render = engine, scene, render
        self.taps: list = []  # callables given every drained item, e.g. the recorder
        self._arrivals: deque[tuple[float, int]] = deque()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.scene.apply(self.engine.appearances(self.state))
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        items = self._drain()
        for tap in self.taps:
            tap(items)
        changed, values, received = [], [], 0
        for item in items:
            if isinstance(item, ValueUpdate):
                values.append(item)
                continue
            # Apply what arrived before a connection change first: a value that
            # preceded a loss must not revive a signal the loss made stale.
            changed.append(self._apply_values(values))
            received += len(values)
            values = []
            changed.append(self._on_connection(item))
        changed.append(self._apply_values(values))
        received += len(values)
        changed.append(self.state.refresh_staleness())
        changed = np.unique(np.concatenate(changed))
        if len(changed):
            affected = self.engine.assets_affected_by(self.state, changed)
            if affected:
                self.scene.apply(self.engine.appearances(self.state, affected))
                self.render()
        self._count_rate(received)

    def _apply_values(self, values: list[ValueUpdate]) -> np.ndarray:
        if not values:
            return np.empty(0, dtype=np.int64)
        self.session.history.extend(values)
        changes = self.session.alerts.process(values)
        if changes:
            self.alerts_changed.emit(changes)
        return self.state.apply(values)

    def _on_connection(self, change: ConnectionChange) -> np.ndarray:
        """Report the change; returns the signals it made stale."""
        self.connection_changed.emit(change)
        self.session.alerts.connection_changed(change, self.session.endpoint)  # windows restart
        # A lost link makes every value it carried stale at once (not after the
        # staleness limit): the operator must never read an old value as live.
        if change.state in (ConnectionState.LOST, ConnectionState.DISCONNECTED):
            return self.state.set_link_down(self.session.signal_indices(change.endpoint))
        return np.empty(0, dtype=np.int64)

    def _drain(self) -> list:
        items = []
        for _ in range(MAX_ITEMS_PER_TICK):
            try:
                items.append(self.updates.get_nowait())
            except queue.Empty:
                break
        return items

    def _count_rate(self, count: int) -> None:
        now = time.monotonic()
        self._arrivals.append((now, count))
        while self._arrivals and now - self._arrivals[0][0] > 2.0:
            self._arrivals.popleft()

    def rate(self) -> float:
        """Values received per second over the last two seconds."""
        if not self._arrivals:
            return 0.0
        span = max(self._arrivals[-1][0] - self._arrivals[0][0], TICK_MS / 1000)
        return sum(c for _, c in self._arrivals) / span
