"""Why a signal's alert rules are quiet: the inspector's "suppressed while ..." line.

Used when the alert engine has no ``quiet_reason`` of its own; it reads the same
gate the engine uses (the asset's state signal, see
:func:`linetwin.twin.alert_rules.running_state_signal`) from the twin state.
"""

from __future__ import annotations

import math

from linetwin.twin.alert_rules import running_state_signal
from linetwin.twin.model import Project, SignalKind
from linetwin.twin.state import TwinState
from linetwin.twin.updates import Quality


def rule_names(project: Project, signal_id: str) -> list[str]:
    """The kinds of rule watching an analog signal: "limit", "trend", "Nelson"."""
    signal = project.signal(signal_id)
    if signal.kind is not SignalKind.ANALOG or signal.alerts is None:
        return []
    settings = signal.alerts
    has_limits = signal.limits.low is not None or signal.limits.high is not None
    names = ["limit"] if settings.limit and has_limits else []
    if settings.trend and has_limits:
        names.append("trend")
    if settings.nelson:
        names.append("Nelson")
    return names


def state_gate_reason(project: Project, state: TwinState, signal_id: str) -> str | None:
    """``"limit rules suppressed while Infeed conveyor is not running (state: stopped)"``
    when a ``when_running`` signal's asset does not run; None when its rules judge."""
    signal = project.signal(signal_id)
    names = rule_names(project, signal_id)
    if not names or not signal.alerts.when_running:
        return None
    found = running_state_signal(project, signal.asset)
    if found is None:
        return None
    gate, running = found
    reading = state.reading(gate.id)
    if reading.quality is Quality.NO_DATA or not math.isfinite(reading.value):
        return None  # an unknown state does not hide alarms (the engine's rule too)
    code = int(reading.value)
    if code == running:
        return None
    asset = project.asset(signal.asset).name
    return (f"{' and '.join(names)} rules suppressed while {asset} is not running "
            f"(state: {project.state_name(code, gate)})")
