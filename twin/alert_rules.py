"""The alert engine: which rules watch which signals, fed update by update.

:class:`AlertEngine` is built from a :class:`~linetwin.twin.model.Project`:

- every analog signal with limits gets limit alerts ("limit-high", "limit-low")
  unless its settings say ``limit = false``;
- ``trend = true`` adds the "trend" alert (:mod:`linetwin.twin.trend`);
- ``nelson = [...]`` adds those run rules (:mod:`linetwin.twin.nelson`);
- every ``Project.fpy`` entry adds "fpy-low" and "fpy-trend" for its station
  (:mod:`linetwin.twin.fpy`);
- ``when_running = true`` judges a signal only while its asset's state signal
  reads "running" (ISA-18.2's state-based suppression).

:meth:`AlertEngine.process` takes the same update batches as
:meth:`TwinState.apply`, in live and in replay alike, and judges every Good
update (not only the latest of a batch), in source-time order per signal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from operator import attrgetter

from linetwin.twin.alerts import (
    AlertBook,
    AlertChange,
    AlertConfig,
    Condition,
    Severity,
    fmt,
    signal_label,
    with_unit,
)
from linetwin.twin.fpy import FpyEvaluator
from linetwin.twin.model import AlertSettings, Project, Signal, SignalKind
from linetwin.twin.nelson import NelsonEvaluator
from linetwin.twin.trend import TrendEvaluator
from linetwin.twin.updates import ValueUpdate

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

    def _message(self, value: float, where: str, limit: float) -> str:
        return f"{self.label} {fmt(value)}{self.unit} {where} limit {fmt(limit)}{self.unit}"


def _default_deadband(low: float | None, high: float | None, fraction: float) -> float:
    if low is not None and high is not None:
        return fraction * (high - low)
    return fraction * abs(low if low is not None else high or 0.0)


class _Feed:
    """The evaluators of one signal, the source time it was last judged at, and
    the gate (if any) that must be open for it to be judged."""

    __slots__ = ("evaluators", "last_t", "gate")

    def __init__(self) -> None:
        self.evaluators: list = []
        self.last_t = float("-inf")
        self.gate: RunningGate | None = None


class RunningGate:
    """Open while an asset's state signal reads "running" (open until it is known:
    a missing state must not hide alarms). Fed like an evaluator by that signal."""

    __slots__ = ("open", "running_code")

    def __init__(self, running_code: int) -> None:
        self.running_code = running_code
        self.open = True

    def update(self, value: float, t: float, out: list[AlertChange]) -> None:
        self.open = int(value) == self.running_code

    def reset(self) -> None:
        self.open = True


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
            if kinds and settings.when_running:
                self._feed(signal.id).gate = self._gate(signal.asset)
        names = {asset.id: asset.name for asset in self.project.assets}
        for spec in self.project.fpy:
            fpy = FpyEvaluator(spec, config, book, names.get(spec.station, spec.station))
            self._feed(spec.good).evaluators.append(fpy.good_feed)
            self._feed(spec.reject).evaluators.append(fpy.reject_feed)

    def _gate(self, asset_id: str) -> RunningGate | None:
        if asset_id not in self._gates:
            found = running_state_signal(self.project, asset_id)
            gate = None
            if found is not None:
                gate = RunningGate(found[1])
                self._feed(found[0].id).evaluators.append(gate)
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
        out: list[AlertChange] = []
        isfinite = math.isfinite
        for update in relevant:
            if (update.status_code >> 30) & 0b11:  # Uncertain or Bad
                continue
            value, t = update.value, update.source_time
            if not isfinite(value):
                continue
            feed = feeds[update.signal_id]
            if t < feed.last_t:
                self.late_samples += 1
                continue
            feed.last_t = t
            if feed.gate is not None and not feed.gate.open:
                continue  # the asset does not run: nothing to judge
            for evaluator in feed.evaluators:
                evaluator.update(value, t, out)
        return out

    def reset(self, clear_book: bool = True) -> None:
        """Forget all rule state (e.g. a replay jumping back in time)."""
        for feed in self._feeds.values():
            feed.last_t = float("-inf")
            for evaluator in feed.evaluators:
                evaluator.reset()
        self.late_samples = 0
        if clear_book:
            self.book.reset()
