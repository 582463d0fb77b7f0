"""The alert engine: which rules watch which signals, fed update by update.

:class:`AlertEngine` is built from a :class:`~linetwin.twin.model.Project`:

- every analog signal with limits gets limit alerts ("limit-high", "limit-low")
  unless its settings say ``limit = false``;
- ``trend = true`` adds the "trend" alert (:mod:`linetwin.twin.alerts.trend`);
- ``nelson = [...]`` adds those run rules (:mod:`linetwin.twin.alerts.nelson`);
- every ``Project.fpy`` entry adds "fpy-low" and "fpy-trend" for its station
  (:mod:`linetwin.twin.alerts.fpy`);
- ``when_running = true`` judges a signal only while its asset's state signal
  reads "running" (ISA-18.2's state-based suppression, :mod:`linetwin.twin.alerts.alert_gate`),
  with the state *at the sample's source time*.

:meth:`AlertEngine.process` takes the same update batches as
:meth:`TwinState.apply`, in live and in replay alike, and judges every Good
update (not only the latest of a batch), in source-time order per signal. The
same updates give the same alerts however they are split into batches.

Data gaps: a lost link (:meth:`AlertEngine.break_windows`), a Bad or Uncertain
reading, or a silence in an analog signal's source times (see
:class:`~linetwin.twin.alerts.alerts.AlertConfig`) restarts the statistical windows of
the signal (trend, Nelson runs, FPY counter pairing); limit alerts judge
sample by sample and need no window. A stop of the asset of a ``when_running``
signal restarts them too. :meth:`AlertEngine.quiet_reason` says why the rules
of a signal are not judging.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter

from linetwin.twin.alerts.alert_gate import RunningGate
from linetwin.twin.alerts.alerts import (
    AlertBook,
    AlertChange,
    AlertConfig,
    Condition,
    Severity,
    duration,
    fmt,
    signal_label,
    with_unit,
)
from linetwin.twin.alerts.fpy import FpyEvaluator
from linetwin.twin.model import AlertSettings, Project, Signal, SignalKind
from linetwin.twin.alerts.nelson import NelsonEvaluator
from linetwin.twin.alerts.trend import TrendEvaluator
from linetwin.twin.updates import ConnectionChange, ConnectionState, Quality, ValueUpdate

_SOURCE_TIME = attrgetter("source_time")
DEFAULT_SETTINGS = AlertSettings()


class LimitEvaluator:
    """"limit-high" / "limit-low" alarms of one signal against its spec limits.

    Raised on the first sample beyond a limit; cleared only after
    ``clear_samples`` samples in a row back inside by the deadband. While
    active, each new worst value updates the alert.
    """

    __slots__ = ("high", "low", "high_limit", "low_limit", "deadband", "label", "unit")

    def __init__(self, signal: Signal, settings: AlertSettings, config: AlertConfig,
                 book: AlertBook, label: str) -> None:
        low, high = signal.limits.low, signal.limits.high
        self.low_limit, self.high_limit = low, high
        self.deadband = settings.deadband if settings.deadband is not None else (
            _default_deadband(low, high, config.deadband_fraction))
        self.label, self.unit = label, with_unit(signal.unit)

        def condition(rule: str) -> Condition:
            return Condition(book, rule, signal.id, signal.asset, signal.id, Severity.ALARM,
                             config.clear_samples)

        self.high = condition("limit-high") if high is not None else None
        self.low = condition("limit-low") if low is not None else None

    def update(self, value: float, t: float, out: list[AlertChange]) -> None:
        high = self.high
        if high is not None:
            limit = self.high_limit
            if value > limit:  # type: ignore[operator]
                if not high.active:
                    high.trigger(value, limit, t, self._message(value, "above high", limit), None, out)
                else:
                    high.hold()
                    if value > high.worst:
                        high.worsen(value, t, out)
            elif high.active:
                if value <= limit - self.deadband:  # type: ignore[operator]
                    high.calm(t, out)
                else:
                    high.hold()
        low = self.low
        if low is not None:
            limit = self.low_limit
            if value < limit:  # type: ignore[operator]
                if not low.active:
                    low.trigger(value, limit, t, self._message(value, "below low", limit), None, out)
                else:
                    low.hold()
                    if value < low.worst:
                        low.worsen(value, t, out)
            elif low.active:
                if value >= limit + self.deadband:  # type: ignore[operator]
                    low.calm(t, out)
                else:
                    low.hold()

    def reset(self) -> None:
        for condition in (self.high, self.low):
            if condition is not None:
                condition.reset()

    def restart(self) -> None:
        """A data gap: nothing to restart, each sample is judged on its own."""

    def quiet_reason(self) -> str | None:
        return None

    def _message(self, value: float, where: str, limit: float) -> str:
        return f"{self.label} {fmt(value)}{self.unit} {where} limit {fmt(limit)}{self.unit}"


def _default_deadband(low: float | None, high: float | None, fraction: float) -> float:
    if low is not None and high is not None:
        return fraction * (high - low)
    return fraction * abs(low if low is not None else high or 0.0)


class _Feed:
    """The evaluators of one signal, what the engine knows of its timing, and
    the gate (if any) that must be open for it to be judged."""

    __slots__ = ("evaluators", "last_t", "gate", "drives", "gap_limit", "spacing", "waiting",
                 "suppressed")

    def __init__(self) -> None:
        self.evaluators: list = []
        self.last_t = float("-inf")  # source time of the last Good sample
        self.gate: RunningGate | None = None
        self.drives: list[RunningGate] = []  # gates this (state) signal feeds
        self.gap_limit = float("inf")  # longer silence in source time: a gap
        self.spacing = 0.0  # usual source-time spacing of samples (EWMA)
        self.waiting: str | None = None  # why no sample came since the last gap
        self.suppressed = False  # the last sample was suppressed (asset stopped)

    def restart(self) -> None:
        for evaluator in self.evaluators:
            evaluator.restart()


def running_state_signal(project: Project, asset_id: str) -> tuple[Signal, int] | None:
    """The state signal telling whether ``asset_id`` runs, with its "running" code:
    the asset's ``color_by`` if that is such a signal, else its first one."""
    candidates = [s for s in project.signals_of(asset_id) if s.kind is SignalKind.STATE]
    try:
        color_by = project.asset(asset_id).color_by
    except KeyError:
        color_by = None
    candidates.sort(key=lambda s: s.id != color_by)
    for signal in candidates:
        table = signal.states or project.states
        if "running" in table:
            return signal, table["running"]
    return None


class AlertEngine:
    """Turns value updates into alert changes, through an :class:`AlertBook`.

    Parameters
    ----------
    project
        Which signals get which rules (``Signal.alerts``, ``Project.fpy``).
    config
        Engine-wide tuning; None: the defaults.
    book
        Where alerts go; None: a new one (``engine.book``).

    Only Good updates with a finite value are judged. A sample older than the
    last one judged for its signal (a late arrival from an earlier batch) is
    skipped and counted in ``late_samples``: rules are sequential.
    """

    def __init__(self, project: Project, config: AlertConfig | None = None,
                 book: AlertBook | None = None) -> None:
        self.project = project
        self.config = config or AlertConfig()
        self.book = book if book is not None else AlertBook(self.config.history_limit)
        self.late_samples = 0
        self._feeds: dict[str, _Feed] = {}
        self._gates: dict[str, RunningGate | None] = {}  # asset id -> its running gate
        self._now = float("-inf")  # newest source time judged
        self._out: list[AlertChange] = []
        self._build()

    def _feed(self, signal_id: str) -> _Feed:
        return self._feeds.setdefault(signal_id, _Feed())

    def _build(self) -> None:
        config, book = self.config, self.book
        for signal in self.project.signals:
            if signal.kind is not SignalKind.ANALOG:
                continue
            settings = signal.alerts or DEFAULT_SETTINGS
            label = signal_label(signal.id)
            has_limits = signal.limits.low is not None or signal.limits.high is not None
            kinds = []
            if settings.limit and has_limits:
                kinds.append(LimitEvaluator)
            if settings.trend and has_limits:
                kinds.append(TrendEvaluator)
            if settings.nelson:
                kinds.append(NelsonEvaluator)
            for kind in kinds:
                self._feed(signal.id).evaluators.append(kind(signal, settings, config, book, label))
            if kinds:
                self._feed(signal.id).gap_limit = signal.staleness_limit()
            if kinds and settings.when_running:
                self._feed(signal.id).gate = self._gate(signal.asset)
        names = {asset.id: asset.name for asset in self.project.assets}
        for spec in self.project.fpy:
            fpy = FpyEvaluator(spec, config, book, names.get(spec.station, spec.station))
            self._feed(spec.good).evaluators.append(fpy.good_feed)
            self._feed(spec.reject).evaluators.append(fpy.reject_feed)
            for defect in spec.defects:
                self._feed(defect.counter).evaluators.append(fpy.defect_feed(defect.name))

    def _gate(self, asset_id: str) -> RunningGate | None:
        if asset_id not in self._gates:
            found = running_state_signal(self.project, asset_id)
            gate = None
            if found is not None:
                signal, running = found
                table = signal.states or self.project.states
                try:
                    name = self.project.asset(asset_id).name
                except KeyError:
                    name = asset_id
                gate = RunningGate(running, self.config.gate_hold_s, name,
                                   {code: state for state, code in table.items()})
                self._feed(signal.id).drives.append(gate)
            self._gates[asset_id] = gate
        return self._gates[asset_id]

    @property
    def watched_signals(self) -> list[str]:
        """Ids of the signals some rule listens to."""
        return list(self._feeds)

    def process(self, updates: Iterable[ValueUpdate]) -> list[AlertChange]:
        """Judge every Good update of the batch; returns the alert changes, in order."""
        feeds = self._feeds
        relevant = [u for u in updates if u.signal_id in feeds]
        relevant.sort(key=_SOURCE_TIME)  # stable: arrival order among equal times
        out = self._out = []
        isfinite = math.isfinite
        quality_of = Quality.from_status_code
        judge = self._judge
        gap_factor, never = self.config.gap_factor, float("-inf")
        # The loop runs for every sample of a tick (thousands on a large line):
        # the common path (a Good sample, no gate, no gap) makes no extra calls.
        for update in relevant:
            feed = feeds[update.signal_id]
            value, t = update.value, update.source_time
            last_t = feed.last_t
            if t < last_t:
                self.late_samples += 1
                continue
            code = update.status_code
            # 0 is Good: the decoder only runs for the (rare) other codes.
            if (code and quality_of(code) is not Quality.GOOD) or not isfinite(value):
                # A Bad or Uncertain status is the reason, whatever value came with it.
                bad = code and quality_of(code) is not Quality.GOOD
                reading = quality_of(code).name.capitalize() if bad else "non-numeric"
                article = "an" if reading[0] in "AEIOUaeiou" else "a"
                self._break(feed, f"{article} {reading} reading")
                continue
            if last_t != never:
                if feed.waiting is None:
                    since = t - last_t
                    if since > feed.gap_limit and since > gap_factor * feed.spacing:
                        self._break(feed, f"a data gap of {duration(since)}")
                    else:
                        feed.spacing += 0.1 * (since - feed.spacing)
            feed.waiting = None
            feed.last_t = t
            if t > self._now:
                self._now = t
            if feed.gate is not None:
                feed.gate.offer(feed, value, t, judge)
            elif feed.evaluators:
                if feed.suppressed:
                    judge(feed, value, t, True)
                else:
                    for evaluator in feed.evaluators:
                        evaluator.update(value, t, out)
            for gate in feed.drives:
                gate.state(value, t, judge)
        for gate in self._gates.values():
            if gate is not None and gate.holding:
                gate.release(self._now, judge)
        return out

    def _judge(self, feed: _Feed, value: float, t: float, running: bool) -> None:
        if not running:
            feed.suppressed = True
            return
        if feed.suppressed:  # the asset stopped in between: a window must not span the stop
            feed.suppressed = False
            feed.restart()
        out = self._out
        for evaluator in feed.evaluators:
            evaluator.update(value, t, out)

    def _break(self, feed: _Feed, reason: str) -> None:
        """A gap in ``feed``: judge what waits for its gate, then restart its windows."""
        if feed.gate is not None:
            feed.gate.release(self._now, self._judge, everything=True)
        feed.restart()
        feed.waiting = reason

    def break_windows(self, signal_ids: Iterable[str], at: float | None = None,
                      reason: str = "the link was lost") -> list[AlertChange]:
        """The data of ``signal_ids`` stopped (e.g. their server connection was
        lost, at source time ``at`` if known): restart their statistical windows,
        so no rule fits a line or a run across the outage. Returns alert changes
        of samples that were waiting on a gate (judged first)."""
        out = self._out = []
        # A local clock time, as the alerts table shows its times, not POSIX seconds.
        when = "" if at is None else f" at {datetime.fromtimestamp(at):%H:%M:%S}"
        for signal_id in signal_ids:
            feed = self._feeds.get(signal_id)
            if feed is not None:
                self._break(feed, f"{reason}{when}")
        return out

    def connection_changed(self, change: ConnectionChange, default_endpoint: str,
                           at: float | None = None) -> list[AlertChange]:
        """A connection change: a lost or closed link breaks the windows of every
        signal read through it (those bound to no endpoint use ``default_endpoint``);
        ``at``: when (default: the change's own time)."""
        if change.state not in (ConnectionState.LOST, ConnectionState.DISCONNECTED):
            return []
        ids = [s.id for s in self.project.signals
               if (s.endpoint or default_endpoint) == change.endpoint]
        word = "lost" if change.state is ConnectionState.LOST else "closed"
        when = change.time if at is None else at
        return self.break_windows(ids, at=when if when == when else None,
                                  reason=f"the link was {word}")

    def quiet_reason(self, signal_id: str) -> str | None:
        """Why the rules on ``signal_id`` are not judging its samples now, in words
        for the inspector; None when they are (or no rule watches it)."""
        feed = self._feeds.get(signal_id)
        if feed is None or not feed.evaluators:
            return None
        if feed.waiting is not None:
            return f"no data since {feed.waiting}; windows restart with the next sample"
        if feed.gate is not None:
            reason = feed.gate.quiet_reason()
            if reason is not None:
                return reason
        reasons = [r for r in (e.quiet_reason() for e in feed.evaluators) if r]
        return "; ".join(dict.fromkeys(reasons)) or None

    def reset(self, clear_book: bool = True) -> None:
        """Forget all rule state (e.g. a replay jumping back in time)."""
        for feed in self._feeds.values():
            feed.last_t = float("-inf")
            feed.spacing, feed.waiting, feed.suppressed = 0.0, None, False
            for evaluator in feed.evaluators:
                evaluator.reset()
        for gate in self._gates.values():
            if gate is not None:
                gate.reset()
        self._now = float("-inf")
        self.late_samples = 0
        if clear_book:
            self.book.reset()
