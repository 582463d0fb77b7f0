"""State-based suppression (ISA-18.2): judge a signal only while its asset runs.

A :class:`RunningGate` answers "was the asset running at source time t?" from
the readings of the asset's state signal, and holds back the samples it
cannot answer for yet. Why hold back: a stopped conveyor reports state "idle"
and speed 0 at the same instant, but the two readings travel separately (two
monitored items; a GUI tick may drain the queue between them). Judging the
speed with the state as it stood when the speed *arrived* made the alert depend
on how the updates were batched (a limit-low alarm at 0 in the GUI, none in
``monitor``). Judging it with the state *at its source time* does not.

A held sample is judged when a state reading at or after its time arrives, or
once the engine has seen data ``hold_s`` newer than it (the state had no news:
it did not change). Before the first state reading, the first reading's value
stands for the past too (a state reading reports a value that has held since
it last changed); with no state reading at all, held samples are judged after
``hold_s`` as if running (a missing state must not hide alarms).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable

Judge = Callable[[object, float, float, bool], None]  # (feed, value, t, running)


class RunningGate:
    """The running/not-running history of one asset, and the samples waiting on it."""

    __slots__ = ("running_code", "hold_s", "asset_name", "state_names", "_times", "_codes",
                 "_known_through", "_held")

    def __init__(self, running_code: int, hold_s: float, asset_name: str = "",
                 state_names: dict[int, str] | None = None) -> None:
        self.running_code = running_code
        self.hold_s = hold_s
        self.asset_name = asset_name
        self.state_names = state_names or {}
        self._times: list[float] = []  # source times of state readings (pruned)
        self._codes: list[int] = []
        self._known_through = float("-inf")
        self._held: deque[tuple[object, float, float]] = deque()  # (feed, value, t)

    # -- state readings ------------------------------------------------------------

    def state(self, code: float, t: float, judge: Judge) -> None:
        """A reading of the state signal at source time ``t``."""
        if t < self._known_through:
            return  # late: the engine skips it too
        self._times.append(t)
        self._codes.append(int(code))
        self._known_through = t
        held = self._held
        while held and held[0][2] <= t:
            feed, value, at = held.popleft()
            judge(feed, value, at, self.running_at(at))

    def running_at(self, t: float) -> bool:
        """Whether the asset ran at ``t`` (True while nothing is known)."""
        if not self._codes:
            return True
        i = bisect_right(self._times, t) - 1
        return self._codes[max(i, 0)] == self.running_code

    # -- gated samples -------------------------------------------------------------

    def offer(self, feed: object, value: float, t: float, judge: Judge) -> None:
        """A sample of a gated signal: judged now if the state at ``t`` is known."""
        if t <= self._known_through and not self._held:
            judge(feed, value, t, self.running_at(t))
        else:
            self._held.append((feed, value, t))

    def release(self, now: float, judge: Judge, everything: bool = False) -> None:
        """Judge the samples held longer than ``hold_s`` (of source time) before ``now``."""
        held = self._held
        cutoff = now - self.hold_s
        while held and (everything or held[0][2] < cutoff):
            feed, value, at = held.popleft()
            judge(feed, value, at, self.running_at(at))
        self._prune()

    def _prune(self) -> None:
        """Forget readings no held or future sample can need (keep the last one)."""
        oldest = self._held[0][2] if self._held else self._known_through
        cut = bisect_right(self._times, oldest - self.hold_s) - 1
        if cut > 0:
            del self._times[:cut]
            del self._codes[:cut]

    # -- explanation ---------------------------------------------------------------

    @property
    def known(self) -> bool:
        return bool(self._codes)

    @property
    def holding(self) -> int:
        return len(self._held)

    def quiet_reason(self) -> str | None:
        """Why the gated signals are not judged now; None if they are."""
        name = self.asset_name or "the asset"
        if not self._codes:
            return f"waiting for the state of {name} (judged once it is known)"
        code = self._codes[-1]
        if code != self.running_code:
            state = self.state_names.get(code, f"state {code}")
            return f"suppressed while {name} is not running (state: {state})"
        return None

    def reset(self) -> None:
        self._times.clear()
        self._codes.clear()
        self._known_through = float("-inf")
        self._held.clear()
