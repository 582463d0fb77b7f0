"""The Qt side of replay: play and seek a history on a GUI timer, within a budget per tick.

The twin is moved only through :class:`~linetwin.twin.replay.cursor.ReplayCursor`
plans (:class:`SeekPlan`: an optional reset, then items). A plan is stepped
through the pipeline in chunks; a tick spends at most ``TICK_BUDGET_S`` on it
and carries the rest to the next tick (a far seek replays up to half an hour
of warm-up), reporting its progress, so the window never freezes. A new seek
while a plan is still being applied either continues it (a forward move: its
items are appended) or replaces it (a reset). While a plan is still being
applied, play waits for it: the history never runs ahead of what is shown.

Colours, labels and badges follow the :class:`TickResult` exactly as the live
bridge does.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from linetwin.twin.pipeline import TickResult
from linetwin.twin.replay.cursor import ReplayCursor, SeekPlan, item_time

TICK_MS = 33  # as live: at most ~30 Hz
TICK_BUDGET_S = 0.025  # pipeline work per tick; the rest of a seek waits for the next tick
CHUNK_ITEMS = 2000  # items stepped between two looks at the budget
FAST_WARMUP_S = 60.0  # warm-up of a seek while the slider is dragged (refined on release)
MAX_PLAY_STEP_S = 0.25  # wall seconds one tick may play (after a stall, play does not jump)


class ReplayBridge(QObject):
    """Applies ``cursor``'s plans to the pipeline and restyles ``scene``.

    Signals
    -------
    progress(float) : share of a pending seek applied, 0..1; 1.0 when none is pending
    alerts_changed(list) : alert changes of a tick (badges, alerts panel)
    stepped(object) : the merged TickResult of a tick that changed something
    """

    progress = Signal(float)
    alerts_changed = Signal(list)
    stepped = Signal(object)

    def __init__(self, cursor: ReplayCursor, scene, render, parent=None) -> None:
        super().__init__(parent)
        self.cursor, self.pipeline = cursor, cursor.pipeline
        self.scene, self.render = scene, render
        self._plan: SeekPlan | None = None
        self._done = 0  # items of the plan stepped so far
        self._rough = False  # the twin shows a fast seek: refine the next exact one
        self._redraw = False  # a reset restyled every asset: render at the end of the tick
        self._planning = False  # the clock moves because this bridge plans a seek
        self._moved_elsewhere = False  # someone seeked the cursor directly: restyle all
        self.states_shown = True  # False while the line shows a defect colouring instead
        self._last_tick = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.pipeline.reset_done.connect(self._on_reset)
        cursor.clock.moved.connect(self._on_clock_moved)

    # -- control ----------------------------------------------------------------------

    def set_states_shown(self, on: bool) -> None:
        """Paint states as live (True) or leave the line to a defect colouring (False)."""
        self.states_shown = bool(on)
        if on:
            self._paint()
            self.render()

    def _paint(self, asset_ids=None) -> None:
        if self.states_shown:
            self.scene.apply(self.pipeline.appearances(asset_ids))

    def start(self) -> None:
        self._paint()
        self._last_tick = time.monotonic()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.pipeline.reset_done.disconnect(self._on_reset, missing_ok=True)
        self.cursor.clock.moved.disconnect(self._on_clock_moved, missing_ok=True)

    @property
    def pending(self) -> int:
        """Items of the current seek not yet applied."""
        return 0 if self._plan is None else len(self._plan.items) - self._done

    def seek(self, t: float, fast: bool = False) -> None:
        """Move the twin to ``t``; applied over the next ticks.

        ``fast`` (a slider drag): a short warm-up, so each move costs little;
        the next exact seek then rebuilds the twin with the full warm-up.
        """
        if fast:
            self._submit(self._fast_plan(t))
            self._rough = True
            return
        if self._rough:  # forget the rough state: a plan from the start, replaced or continued
            self._submit(self._own(self.cursor.plan, self.cursor.data.start))
            self._rough = False
        self._submit(self._own(self.cursor.plan, t))

    def finish(self) -> TickResult | None:
        """Apply what is pending at once (tests, a screenshot); the merged result."""
        return self._work(budget=float("inf"))

    # -- the tick ---------------------------------------------------------------------

    def tick(self) -> None:
        now = time.monotonic()
        wall, self._last_tick = min(now - self._last_tick, MAX_PLAY_STEP_S), now
        if self._moved_elsewhere:
            self._moved_elsewhere = False
            self._paint()
            self._redraw = True
        if self._plan is None and self.cursor.playing:
            plan = self._own(self.cursor.advance, wall)
            if plan is not None:
                self._submit(plan)
        if self._plan is not None:
            self._work(TICK_BUDGET_S)
        elif self._redraw:
            self._redraw = False
            self.render()

    def _work(self, budget: float) -> TickResult | None:
        plan = self._plan
        if plan is None:
            return None
        started = time.perf_counter()
        result = TickResult(plan.target)
        if plan.reset_at is not None and self._done == 0:
            self.pipeline.reset(plan.reset_at)
            plan.reset_at = None  # done: a continuation must not reset again
        while self._done < len(plan.items):  # at least one chunk a tick: a seek always ends
            batch = plan.items[self._done:self._done + CHUNK_ITEMS]
            self._done += len(batch)
            _merge(result, self.pipeline.step(batch, now=item_time(batch[-1])))
            if time.perf_counter() - started > budget:
                break
        if self._done >= len(plan.items):
            _merge(result, self.pipeline.step((), now=plan.target))
            self._plan, self._done = None, 0
            self.progress.emit(1.0)
        else:
            self.progress.emit(self._done / len(plan.items))
        self._show(result)
        return result

    def _show(self, result: TickResult) -> None:
        if result.alerts:
            self.alerts_changed.emit(result.alerts)
        if result.restyle:
            self._paint(sorted(set(result.restyle)))
        if not result.empty or result.restyle:
            self.stepped.emit(result)
        if result.restyle or self._redraw:
            self._redraw = False
            self.render()

    # -- plans ------------------------------------------------------------------------

    def _submit(self, plan: SeekPlan) -> None:
        """Queue ``plan``: after what is pending (it continues it) or instead (a reset)."""
        current = self._plan
        if current is None or plan.reset_at is not None:
            self._plan, self._done = plan, 0
            return
        current.items = current.items[self._done:] + plan.items
        current.target = plan.target
        self._done = 0

    def _fast_plan(self, t: float) -> SeekPlan:
        exact = self.cursor.warmup_s
        self.cursor.warmup_s = FAST_WARMUP_S if exact is None else min(exact, FAST_WARMUP_S)
        try:
            return self._own(self.cursor.plan, t)
        finally:
            self.cursor.warmup_s = exact

    def _own(self, make_plan, argument):
        """``make_plan(argument)``, marking the clock's move as this bridge's."""
        self._planning = True
        try:
            return make_plan(argument)
        finally:
            self._planning = False

    def _on_clock_moved(self, _t: float) -> None:
        if not self._planning:  # cursor.seek / next_event called directly: applied at once
            self._moved_elsewhere = True

    def _on_reset(self, _at: float) -> None:
        self._paint()  # every asset back to "no data"
        self._redraw = True


def _merge(into: TickResult, step: TickResult) -> None:
    into.values += step.values
    into.alerts += step.alerts
    into.connections += step.connections
    into.events += step.events
    into.restyle += step.restyle
