"""The one path from what the line says to what the twin shows.

:meth:`TwinPipeline.step` takes a batch of items (value updates, connection
changes, production events), in arrival order, and applies them to every
stateful part of the twin: the state table, the trend history, the alert
engine, the production log, staleness and the colours. It returns what changed
(:class:`TickResult`) and never draws, prints or writes: the GUI timer, the
``monitor`` and ``record`` commands, and later the replay cursor and the SOP
engine drive this object and turn the result into pixels, JSON lines or rows.

Time: every rule runs on the items' source time, and "now" (staleness, "last
hour" windows) comes from the injected clock, so the same items stepped live,
at 100x or by hand give the same alerts at the same instants.

Pure: numpy and psygnal only (no Qt, VTK, OPC UA or database).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from psygnal import Signal as Event

from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import AlertChange, AlertConfig
from linetwin.twin.clock import Clock, LiveClock
from linetwin.twin.colors import ColorEngine
from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.model import Project
from linetwin.twin.production.events import PRODUCTION_TYPES, ProductionEvent
from linetwin.twin.production.station_log import ProductionLog
from linetwin.twin.sop.compliance import ComplianceChecker, raise_violation
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate
from linetwin.twin.value_columns import ValueColumns

_NONE = np.empty(0, dtype=np.int64)
_DOWN = (ConnectionState.LOST, ConnectionState.DISCONNECTED)


@dataclass
class TickResult:
    """What one :meth:`TwinPipeline.step` changed.

    ``restyle``: assets whose colour or look may have changed; ``alerts``: alert
    changes in the order they happened; ``connections`` and ``events``: the
    connection changes and production events applied; ``values``: value
    updates applied (all of them, not only the latest per signal).
    """

    now: float
    values: int = 0
    changed_signals: np.ndarray = field(default_factory=lambda: _NONE)
    restyle: list[str] = field(default_factory=list)
    alerts: list[AlertChange] = field(default_factory=list)
    connections: list[ConnectionChange] = field(default_factory=list)
    events: list[ProductionEvent] = field(default_factory=list)
    violations: list[ProductionEvent] = field(default_factory=list)  # judged steps that broke an SOP
    ignored: int = 0  # items of no known kind

    @property
    def empty(self) -> bool:
        return not (self.values or len(self.changed_signals) or self.alerts
                    or self.connections or self.events)


class TwinPipeline:
    """Twin state, history, alerts, production log and colours of one project.

    Parameters
    ----------
    project : the line
    clock : where "now" comes from (default: the wall clock)
    default_endpoint : the server of the signals bound to no endpoint of their own;
        a lost link to an endpoint makes exactly its signals stale
    alert_config : engine-wide alert tuning (default: :class:`AlertConfig`)
    history_capacity : samples kept per signal for trends (default: by memory budget)

    Events
    ------
    reset(float) : every stateful part was emptied to rebuild from the given
        instant (a replay seek): views drop what they showed.
    """

    reset_done = Event(float)

    def __init__(self, project: Project, clock: Clock | None = None,
                 default_endpoint: str | None = None, alert_config: AlertConfig | None = None,
                 history_capacity: int | None = None) -> None:
        self.project = project
        self.clock: Clock = clock if clock is not None else LiveClock()
        self._default_endpoint = default_endpoint or project.source.endpoint
        self.state = TwinState(project)
        self.history = SignalHistory(self.state.index, history_capacity)
        self.alerts = AlertEngine(project, alert_config)
        self.colors = ColorEngine(project)
        self.production = ProductionLog()
        self.compliance = ComplianceChecker(project.sops)
        self._rows_of: dict[str, np.ndarray] = {}

    # -- the one step ----------------------------------------------------------------

    def step(self, items: Iterable[object], now: float | None = None) -> TickResult:
        """Apply ``items`` in order; ``now`` defaults to the clock's.

        Values are applied in runs: everything before a connection change is
        applied first, so a value that preceded a loss cannot revive a signal
        the loss made stale, and a lost link breaks the rule windows at its place
        in the stream.
        """
        now = self.clock.now() if now is None else now
        result = TickResult(now)
        changed: list[np.ndarray] = []
        run: list[ValueUpdate] = []
        for item in items:
            kind = type(item)
            if kind is ValueUpdate:
                run.append(item)
            elif kind is ConnectionChange:
                changed.append(self._apply_values(run, result))
                run = []
                changed.append(self._apply_connection(item, now, result))
            elif kind in PRODUCTION_TYPES:
                result.events.append(item)
            else:
                result.ignored += 1
        changed.append(self._apply_values(run, result))
        if result.events:
            self.production.add(result.events)
            self._judge_compliance(result)
        changed.append(self.state.refresh_staleness(now))
        result.changed_signals = _union(changed)
        if len(result.changed_signals):
            result.restyle = self.colors.assets_affected_by(self.state, result.changed_signals)
        return result

    def appearances(self, asset_ids: Sequence[str] | None = None):
        """Colour and look of ``asset_ids`` (all by default) in the current state."""
        return self.colors.appearances(self.state, asset_ids)

    # -- reset -----------------------------------------------------------------------

    def reset(self, at: float) -> None:
        """Empty every stateful part so it can be rebuilt from ``at`` on.

        The alert book, rule windows (trend, Nelson, FPY and defect-rate
        detectors), trend history, readings, staleness and production log all
        start over; then ``reset_done(at)`` tells the views to drop what they show.
        """
        self.alerts.reset(clear_book=True)
        self.history.reset()
        self.state.reset()
        self.production.reset()
        self.compliance.reset()
        self.reset_done.emit(float(at))

    # -- parts -----------------------------------------------------------------------

    @property
    def default_endpoint(self) -> str:
        return self._default_endpoint

    @default_endpoint.setter
    def default_endpoint(self, endpoint: str) -> None:
        """The simulator's port is known only once it runs: rebinding is allowed."""
        self._default_endpoint = endpoint
        self._rows_of.clear()

    def signal_rows(self, endpoint: str) -> np.ndarray:
        """Rows in the state table of the signals read through ``endpoint``."""
        rows = self._rows_of.get(endpoint)
        if rows is None:
            rows = np.array([self.state.index[s.id] for s in self.project.signals
                             if (s.endpoint or self.default_endpoint) == endpoint], dtype=np.int64)
            self._rows_of[endpoint] = rows
        return rows

    def _judge_compliance(self, result: TickResult) -> None:
        """Operator steps held to the project's SOPs: a violation is an alert on its
        station (and a judged compliance event), live, recorded and in replay alike."""
        if not self.compliance.sops:
            return
        for violation in self.compliance.check(result.events, self.history):
            result.violations.append(violation.event)
            result.alerts += raise_violation(self.alerts.book, violation)

    def _apply_values(self, values: list[ValueUpdate], result: TickResult) -> np.ndarray:
        if not values:
            return _NONE
        batch = ValueColumns(values, self.state.index)  # read once for history and state
        self.history.extend(batch)
        result.alerts += self.alerts.process(values)
        result.values += len(values)
        return self.state.apply(batch)

    def _apply_connection(self, change: ConnectionChange, now: float, result: TickResult) -> np.ndarray:
        result.connections.append(change)
        at = change.time if change.time == change.time else now
        result.alerts += self.alerts.connection_changed(change, self.default_endpoint, at)
        # A lost link makes every value it carried stale at once (not after the
        # staleness limit): the operator must never read an old value as live.
        if change.state in _DOWN:
            return self.state.set_link_down(self.signal_rows(change.endpoint), now)
        return _NONE


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted unique rows of ``parts``, each sorted and unique already: most
    ticks have one part, which needs no second pass over thousands of rows."""
    filled = [p for p in parts if len(p)]
    if len(filled) == 1:
        return filled[0]
    return np.unique(np.concatenate(parts)) if filled else _NONE
