"""Where the twin's "now" comes from: the only source of the current time.

Rules, staleness and views ask an injected clock instead of ``time.time()``, so
the same history played live, at 100x or stepped by hand gives the same alerts
at the same instants (DESIGN section 3). :class:`LiveClock` reads the wall
clock; :class:`ReplayClock` is moved by whoever plays a history (the replay
cursor, a test, a faster-than-real-time generator).
"""

from __future__ import annotations

import math
import time
from typing import Protocol

from psygnal import Signal as Event


class Clock(Protocol):
    """Anything that says what time it is, in POSIX seconds (UTC)."""

    def now(self) -> float: ...


class LiveClock:
    """The wall clock: the twin follows a running line."""

    live = True

    def now(self) -> float:
        return time.time()


class ReplayClock:
    """A clock that stands still until it is moved.

    ``moved`` is emitted with the new time on every :meth:`set` or
    :meth:`advance`, so a view showing "now" (a timeline cursor) follows it.
    Before the first move it reads NaN: nothing has happened yet.
    """

    live = False
    moved = Event(float)

    def __init__(self, start: float = math.nan) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def set(self, t: float) -> None:
        """Jump to ``t`` (forwards or backwards: a seek)."""
        self._now = float(t)
        self.moved.emit(self._now)

    def advance(self, seconds: float) -> float:
        """Move forwards by ``seconds``; returns the new time."""
        if seconds < 0:
            raise ValueError(f"a clock advances by >= 0 s, not {seconds}")
        self.set(self._now + seconds)
        return self._now
