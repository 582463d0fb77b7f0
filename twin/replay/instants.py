"""Instants as people and scripts write them: ISO 8601 with an offset, or POSIX seconds.

A replay is about a moment on a real line, often in another time zone than the
investigator's: a time without an offset is ambiguous, so it is refused with a
message saying how to write it, never guessed from the local zone.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone


class InstantError(ValueError):
    """Text that is not an instant; the message quotes it and shows the accepted forms."""


def parse_instant(text: str) -> float:
    """POSIX seconds (UTC) of ``text``: ``2026-05-28T14:02:11+02:00``, ``...Z`` or ``1780000000.5``."""
    raw = text.strip()
    try:
        value = float(raw)
    except ValueError:
        return _iso(raw, text)
    if not math.isfinite(value):
        raise InstantError(f"{text!r} is not a time: give ISO 8601 with an offset or POSIX seconds")
    return value


def format_instant(posix: float, zone: timezone = timezone.utc) -> str:
    """ISO 8601 with offset and milliseconds, e.g. ``2026-05-28T12:02:11.250+00:00``."""
    return datetime.fromtimestamp(posix, zone).isoformat(timespec="milliseconds")


def _iso(raw: str, text: str) -> float:
    try:
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise InstantError(f"{text!r} is not a time: give ISO 8601 with an offset "
                           "(2026-05-28T14:02:11+02:00 or ...Z) or POSIX seconds") from None
    if moment.tzinfo is None:
        raise InstantError(f"{text!r} has no UTC offset: add one (e.g. {raw}+02:00 or {raw}Z); "
                           "a local time would mean a different instant on each machine")
    return moment.timestamp()
