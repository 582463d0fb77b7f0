"""What the outside world tells the twin: value updates and connection changes.

Producers (the OPC UA client thread, later the replay cursor) put these on a
plain ``queue.SimpleQueue``; the GUI thread drains it each tick. They carry
only builtins so they cross threads cheaply and need no imports from io.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Any


class Quality(IntEnum):
    """Coarse OPC UA quality, from the top two bits of the StatusCode."""

    GOOD = 0
    UNCERTAIN = 1
    BAD = 2
    NO_DATA = 3  # nothing received yet (not an OPC UA status)

    @classmethod
    def from_status_code(cls, code: int) -> "Quality":
        """The StatusCode's severity bits (top two): 0 good, 1 uncertain, 2 or 3 bad."""
        return _BY_SEVERITY[(int(code) >> 30) & 0b11]


_BY_SEVERITY = (Quality.GOOD, Quality.UNCERTAIN, Quality.BAD, Quality.BAD)


def quality_codes(status_codes: Any) -> Any:
    """Vectorised :meth:`Quality.from_status_code`: a numpy array of StatusCodes
    (any integer dtype) -> their ``Quality`` values as int8. Kept free of a numpy
    import so that this module stays builtins-only for the threads that share it."""
    severity = (status_codes >> 30) & 0b11
    return (severity - (severity == 0b11)).astype("int8")  # 3 (reserved) reads as bad


class ValueType(str, Enum):
    """What kind of value a signal carries, as the server typed it.

    ``value`` is always a float the rules can use where one exists; ``text``
    holds the value as people read it where the number alone would mislead.
    """

    NUMBER = "number"  # integers and floats: value only
    BOOLEAN = "boolean"  # value 1.0 or 0.0
    ENUM = "enum"  # value: the code; text: its name (None if the server names none)
    DATETIME = "datetime"  # value: POSIX seconds; text: ISO 8601 in UTC
    TEXT = "text"  # String, LocalizedText, anything else: value NaN, text the value

    @property
    def numeric(self) -> bool:
        """True if limit, trend and statistical rules can use the value."""
        return self in (ValueType.NUMBER, ValueType.BOOLEAN, ValueType.ENUM)


@dataclass(frozen=True, slots=True)
class ValueUpdate:
    """One received value of one signal.

    ``source_time`` and ``receive_time`` are POSIX seconds (UTC). ``status_code``
    is the raw OPC UA StatusCode value (0 is Good). ``value`` is the number the
    twin's rules work on (NaN when there is none, e.g. a String); ``text`` and
    ``value_type`` keep what the server sent when it was not a plain number.
    """

    signal_id: str
    value: float
    source_time: float
    receive_time: float
    status_code: int = 0
    text: str | None = None
    value_type: ValueType = ValueType.NUMBER

    @property
    def quality(self) -> Quality:
        return Quality.from_status_code(self.status_code)


class ConnectionState(IntEnum):
    DISCONNECTED = 0
    CONNECTING = 1
    CONNECTED = 2
    LOST = 3  # was connected, the server went away


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """A connection to ``endpoint`` changed state at ``time``.

    ``time`` is the source time of the change (POSIX seconds): when the client
    saw it live, as recorded in a history. NaN when unknown: the pipeline then
    uses its clock's now.
    """

    endpoint: str
    state: ConnectionState
    message: str = ""
    time: float = math.nan
