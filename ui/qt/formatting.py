"""How readings are written for people: values, quality and age."""

from __future__ import annotations

import math
from datetime import datetime

from linetwin.io.opcua.ua_values import status_name
from linetwin.twin.model import Project, Signal, SignalKind
from linetwin.twin.state import SignalReading
from linetwin.twin.updates import Quality, ValueType


def format_value(project: Project, signal: Signal, reading: SignalReading) -> str:
    """The value as its type reads: number, true/false, local time, enumeration name, text."""
    if reading.quality is Quality.NO_DATA:
        return "—"
    number = not math.isnan(reading.value)
    if number and signal.kind is SignalKind.STATE:
        return project.state_name(int(reading.value), signal)
    if number and reading.value_type is ValueType.BOOLEAN:
        return "true" if reading.value else "false"
    if number and reading.value_type is ValueType.DATETIME:
        return datetime.fromtimestamp(reading.value).strftime("%Y-%m-%d %H:%M:%S")  # local time
    if number and reading.value_type is ValueType.ENUM:  # the server may name none
        return f"{reading.text} ({int(reading.value)})" if reading.text else str(int(reading.value))
    if reading.text is not None:
        return reading.text
    if not number:
        return "—"
    if signal.kind is SignalKind.COUNTER:
        return f"{int(reading.value):,}"
    return f"{reading.value:.2f}"


def format_quality(reading: SignalReading) -> str:
    if reading.quality is Quality.NO_DATA:
        return "no data"
    if reading.stale:
        return f"Stale: {reading.stale_reason}"
    name = reading.quality.name.capitalize()
    if reading.quality is Quality.GOOD:
        return name
    # The code's name says why, e.g. BadTypeMismatch: a String node bound to a signal with limits.
    code, known = f"0x{reading.status_code:08X}", status_name(reading.status_code)
    return f"{name} ({code})" if known == code else f"{name}: {known} ({code})"


def format_age(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    if seconds < 0.95:
        return f"{max(seconds, 0.0) * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min"


def format_clock(t: float) -> str:
    """Local wall-clock time of a POSIX timestamp, to the second."""
    if math.isnan(t):
        return "—"
    return datetime.fromtimestamp(t).strftime("%H:%M:%S")
