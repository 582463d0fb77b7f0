"""Alerts and the book that keeps them, with an ISA-18.2-like lifecycle.

An alert stands for one *condition* (a rule on a signal or station, named by its
``key``, e.g. ``"limit-low:sealer.seal_temperature"``). While the condition holds,
the book keeps one alert for it: it is never raised twice. Lifecycle::

    active-unacked --ack--> active-acked --clear--> (closed: history only)
         |                                                 ^
       clear                                               |
         v                                                 |
    cleared-unacked --ack----------------------------------+

A cleared-unacked alert stays listed until someone acknowledges it; if its
condition returns first, the same alert becomes active again (``count`` + 1).
Acknowledging needs a user and a comment.

The evaluators (:mod:`linetwin.twin.alerts.alert_rules`) drive the book; views and the
recorder follow its events, each of which carries the new frozen :class:`Alert`
(upsert by ``alert.id``).
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from enum import Enum

from psygnal import Signal as Event


class AlertState(str, Enum):
    ACTIVE = "active"  # the condition holds
    CLEARED = "cleared"  # the condition has gone


class Severity(str, Enum):
    WARNING = "warning"  # a prediction or a pattern: look at it
    ALARM = "alarm"  # a limit is crossed: act


class ChangeKind(str, Enum):
    RAISED = "raised"  # new, or active again
    UPDATED = "updated"  # still active, worse value
    CLEARED = "cleared"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Alert:
    """One alert, as it stands now. Replaced (never mutated) on every change.

    ``value`` is the value that raised it, ``worst`` the worst value seen while
    active. ``details`` carries rule-specific context for the inspector
    (e.g. ``slope_per_s``, ``eta_s``, ``center``, ``sigma``, ``good``, ``reject``).
    ``signal_id`` is None for station alerts (first-pass yield).
    """

    id: str
    key: str
    asset_id: str
    signal_id: str | None
    rule: str
    severity: Severity
    message: str
    value: float
    limit: float | None
    raised_at: float  # source time of the sample that raised it
    state: AlertState = AlertState.ACTIVE
    worst: float = float("nan")
    updated_at: float = float("nan")
    cleared_at: float | None = None
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    comment: str = ""
    count: int = 1  # activations while it stayed listed
    details: dict[str, float] = field(default_factory=dict, compare=False, hash=False)

    @property
    def active(self) -> bool:
        return self.state is AlertState.ACTIVE

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_by is not None

    @property
    def listed(self) -> bool:
        """Shown in the alerts panel: all but cleared-and-acknowledged."""
        return self.active or not self.acknowledged

    @property
    def lifecycle(self) -> str:
        """``"active-unacked"``, ``"active-acked"``, ``"cleared-unacked"`` or ``"cleared-acked"``."""
        return f"{self.state.value}-{'acked' if self.acknowledged else 'unacked'}"


@dataclass(frozen=True, slots=True)
class AlertChange:
    kind: ChangeKind
    alert: Alert


class AlertBook:
    """All alerts of a session: the listed ones and a bounded history.

    The history keeps the latest version of every alert; past ``history_limit``
    the oldest *closed* alerts are dropped (listed ones always stay; the
    recorder keeps the full record). Events (each emits the new :class:`Alert`): ``raised``, ``updated``,
    ``cleared``, ``acknowledged``.
    """

    raised = Event(object)
    updated = Event(object)
    cleared = Event(object)
    acknowledged = Event(object)

    def __init__(self, history_limit: int = 10_000) -> None:
        self.history_limit = history_limit
        self._listed: dict[str, Alert] = {}  # alert id -> alert, in raise order
        self._open: dict[str, str] = {}  # condition key -> id of its listed alert
        self._history: OrderedDict[str, Alert] = OrderedDict()
        self._closed: deque[str] = deque()  # ids of closed alerts, oldest closed first
        self._sequence = 0

    # -- queries ---------------------------------------------------------------

    def active(self) -> list[Alert]:
        """Listed alerts (active, or cleared and not yet acknowledged), oldest first."""
        return list(self._listed.values())

    def for_asset(self, asset_id: str) -> list[Alert]:
        return [a for a in self._listed.values() if a.asset_id == asset_id]

    def history(self) -> list[Alert]:
        """Every alert kept (latest version of each), oldest raise first."""
        return list(self._history.values())

    def get(self, alert_id: str) -> Alert:
        alert = self._listed.get(alert_id) or self._history.get(alert_id)
        if alert is None:
            raise KeyError(f"no alert {alert_id!r}")
        return alert

    def current(self, key: str) -> Alert | None:
        """The listed alert of condition ``key``, if any."""
        alert_id = self._open.get(key)
        return None if alert_id is None else self._listed[alert_id]

    # -- changes (called by the evaluators) ------------------------------------

    def raise_or_update(
        self,
        key: str,
        *,
        asset_id: str,
        signal_id: str | None,
        rule: str,
        severity: Severity,
        message: str,
        value: float,
        limit: float | None,
        at: float,
        details: dict[str, float] | None = None,
    ) -> AlertChange:
        """Raise the alert of condition ``key``, or update the one already listed.

        An active alert only takes ``value`` as its new ``worst`` (callers pass
        a value only when it is worse). A cleared, unacknowledged one becomes
        active again, keeping its id and acknowledgement requirement.
        """
        existing = self.current(key)
        if existing is not None and existing.active:
            alert = dataclasses.replace(existing, worst=value, updated_at=at)
            return self._store(ChangeKind.UPDATED, alert, self.updated)
        if existing is not None:  # cleared-unacked: the condition is back
            alert = dataclasses.replace(
                existing, state=AlertState.ACTIVE, message=message, value=value, worst=value,
                limit=limit, updated_at=at, cleared_at=None, count=existing.count + 1,
                details=dict(details or {}),
            )
            return self._store(ChangeKind.RAISED, alert, self.raised)
        self._sequence += 1
        alert = Alert(
            id=f"{key}#{self._sequence}", key=key, asset_id=asset_id, signal_id=signal_id,
            rule=rule, severity=severity, message=message, value=value, limit=limit,
            raised_at=at, worst=value, updated_at=at, details=dict(details or {}),
        )
        self._open[key] = alert.id
        return self._store(ChangeKind.RAISED, alert, self.raised)

    def worsen(self, key: str, value: float, at: float) -> AlertChange | None:
        """A still-active condition got worse: ``value`` becomes its ``worst``."""
        existing = self.current(key)
        if existing is None or not existing.active:
            return None
        alert = dataclasses.replace(existing, worst=value, updated_at=at)
        return self._store(ChangeKind.UPDATED, alert, self.updated)

    def clear(self, key: str, at: float) -> AlertChange | None:
        """The condition ``key`` has gone; None if it had no active alert."""
        existing = self.current(key)
        if existing is None or not existing.active:
            return None
        alert = dataclasses.replace(existing, state=AlertState.CLEARED, cleared_at=at, updated_at=at)
        return self._store(ChangeKind.CLEARED, alert, self.cleared)

    def acknowledge(self, alert_id: str, user: str, comment: str, at: float) -> AlertChange:
        """Acknowledge a listed alert; ``user`` and ``comment`` are required.

        Raises
        ------
        KeyError
            No listed alert has this id.
        ValueError
            Empty user or comment, or the alert is already acknowledged.
        """
        if not comment or not comment.strip():
            raise ValueError("acknowledging an alert needs a comment: say what was seen or done")
        if not user or not user.strip():
            raise ValueError("acknowledging an alert needs the name of the user")
        existing = self._listed.get(alert_id)
        if existing is None:
            raise KeyError(f"no listed alert {alert_id!r} (unknown, or already closed)")
        if existing.acknowledged:
            raise ValueError(
                f"alert {alert_id!r} was already acknowledged by {existing.acknowledged_by}"
            )
        alert = dataclasses.replace(
            existing, acknowledged_by=user.strip(), acknowledged_at=at, comment=comment.strip()
        )
        return self._store(ChangeKind.ACKNOWLEDGED, alert, self.acknowledged)

    def reset(self) -> None:
        """Forget every alert (a new session, or a replay jumping back)."""
        self._listed.clear()
        self._open.clear()
        self._history.clear()
        self._closed.clear()

    # -- internals ---------------------------------------------------------------

    def _store(self, kind: ChangeKind, alert: Alert, event) -> AlertChange:
        self._history[alert.id] = alert
        if alert.listed:
            self._listed[alert.id] = alert
        else:  # cleared and acknowledged: closed, history only
            self._listed.pop(alert.id, None)
            self._open.pop(alert.key, None)
            self._closed.append(alert.id)
        while len(self._history) > self.history_limit and self._closed:
            del self._history[self._closed.popleft()]  # listed alerts always stay
        event.emit(alert)
        return AlertChange(kind, alert)


# -- shared by the evaluators ---------------------------------------------------------


@dataclass(frozen=True)
class AlertConfig:
    """Engine-wide tuning; per-signal choices live in the project's AlertSettings.

    ``clear_samples``: consecutive samples (chart points for Nelson rules) with
    the condition gone before an alert clears, so a value hovering at a limit
    does not flap. ``deadband_fraction``: default limit deadband as a fraction
    of the limit span. A trend may fire only once its window holds
    ``trend_min_points`` samples covering ``trend_min_coverage`` of the window,
    and its slope is ``trend_min_t`` standard errors away from zero; it clears
    once the projected crossing is beyond ``trend_clear_factor`` x the horizon.
    A silence in an analog signal's source times longer than its staleness
    limit, or ``gap_factor`` x its usual sample spacing if that is longer, is a
    data gap: the statistical windows restart. A sample of a ``when_running``
    signal waits up to ``gate_hold_s`` (source time) for the state at its time.
    """

    clear_samples: int = 3
    deadband_fraction: float = 0.01
    trend_min_points: int = 10
    trend_min_coverage: float = 0.5
    trend_min_t: float = 3.0
    trend_clear_factor: float = 1.5
    nelson_baseline_points: int = 30
    fpy_deadband: float = 0.005
    fpy_min_coverage: float = 0.5
    gap_factor: float = 5.0
    gate_hold_s: float = 2.0
    history_limit: int = 10_000


class Condition:
    """One alert condition of one evaluator, e.g. the high limit of a signal.

    Raises at once when triggered, clears after ``clear_after`` consecutive
    calm calls, and appends every book change to the caller's ``out`` list.
    """

    __slots__ = ("book", "key", "rule", "asset_id", "signal_id", "severity", "clear_after",
                 "active", "worst", "_calm")

    def __init__(self, book: AlertBook, rule: str, subject: str, asset_id: str,
                 signal_id: str | None, severity: Severity, clear_after: int) -> None:
        self.book = book
        self.key = f"{rule}:{subject}"
        self.rule = rule
        self.asset_id = asset_id
        self.signal_id = signal_id
        self.severity = severity
        self.clear_after = max(1, clear_after)
        self.active = False
        self.worst = float("nan")
        self._calm = 0

    def trigger(self, value: float, limit: float | None, at: float, message: str,
                details: dict[str, float] | None, out: list[AlertChange]) -> None:
        """The condition holds: raise its alert unless already active."""
        self._calm = 0
        if self.active:
            return
        self.active = True
        self.worst = value
        out.append(self.book.raise_or_update(
            self.key, asset_id=self.asset_id, signal_id=self.signal_id, rule=self.rule,
            severity=self.severity, message=message, value=value, limit=limit, at=at,
            details=details,
        ))

    def worsen(self, value: float, at: float, out: list[AlertChange]) -> None:
        self.worst = value
        change = self.book.worsen(self.key, value, at)
        if change is not None:
            out.append(change)

    def reset(self) -> None:
        """Forget the state (the book is reset separately)."""
        self.active = False
        self.worst = float("nan")
        self._calm = 0

    def hold(self) -> None:
        """Neither clearly on nor clearly off (inside the deadband): no change."""
        self._calm = 0

    def calm(self, at: float, out: list[AlertChange]) -> None:
        """The condition is gone for one more sample."""
        if not self.active:
            return
        self._calm += 1
        if self._calm >= self.clear_after:
            self.active = False
            self._calm = 0
            change = self.book.clear(self.key, at)
            if change is not None:
                out.append(change)


def signal_label(signal_id: str) -> str:
    """``"sealer.seal_temperature"`` -> ``"Seal temperature"``."""
    name = signal_id.rsplit(".", 1)[-1].replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else signal_id


def fmt(value: float) -> str:
    """A value for a message: 173.2, 175, 3.512, 1235."""
    if value != value:
        return "NaN"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def with_unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def duration(seconds: float) -> str:
    """``85`` -> ``"85 s"``, ``300`` -> ``"5 min"``."""
    if seconds < 120:
        return f"{max(seconds, 0.0):.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
