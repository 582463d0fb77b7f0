"""Fault-injection scenarios of the simulated line (DESIGN section 5).

A scenario is a small object that :class:`~linetwin.twin.sim.simulation.LineSimulator`
consults every tick. Each one waits ``start_s`` seconds of simulated time
(default 20 s) so a viewer first sees the line run normally, then:

``normal``
    nothing: the line's own random stops and process wander only.
``heater-degradation``
    the seal head heater weakens: the seal temperature (the real one, which the
    defect model uses, and hence the reading) falls ``rate_c_per_s`` (0.03 °C/s,
    1.8 °C a minute, as a sagging heater element does) below where it would
    be, down to ``floor_c`` (160 °C). From ~185 °C it reaches the 175 °C low
    limit about 5.5 minutes after the start; the demo's trend rule (2-minute
    window, 3-minute horizon) warns 2-3 minutes before that, ahead of the
    Nelson rules and the limit; seal gaps climb steeply below ~179 °C, so
    first-pass yield falls *after* the temperature trend is plain to see: the
    early-warning story. All of it runs on simulated time, so the order is the
    same at any ``--speed``.
``sensor-freeze``
    the seal temperature sensor sticks: the reading keeps the value it had at
    the start while the process goes on. The server keeps re-sending that value
    (as a real one does), Good at first; once frozen for ``uncertain_after_s``
    (5 s) it is sent with StatusCode ``Uncertain_LastUsableValue`` (0x40900000),
    which a client shows as uncertain quality. ``duration_s`` (None: for ever)
    un-sticks it again.
``jam``
    a station (the labeler, else the middle station) faults for ``duration_s``
    (60 s): its input buffer fills and the stations upstream go *blocked* one
    after the other, its output buffer drains and those downstream go *starved*.
``e-stop``
    an emergency stop: every station faults at once for ``duration_s`` (20 s),
    then the reset clears every stop (a breakdown's too) and the line restarts
    as after any stop, each station from its buffers. ``period_s`` (None: once)
    repeats it. Shorter than a lockout stop (30 s) by default: an e-stop is reset
    at the panel, not cleared station by station under lockout.
``trials``
    process engineers' setpoint trials, as a real line's history holds them
    (recipes per SKU, DOE runs): every ``period_s`` (1200 s) of simulated time
    a new recipe, each process value of :data:`TRIAL_WINDOWS` kept at its
    standard setpoint (the one in force when the run starts) with probability
    ``keep`` (0.4), else set to a value drawn uniformly in its trial window. The
    first period runs the standard recipe. Its draws come from a generator of its
    own, seeded from the simulator's seed: the line's own draws are untouched.
``server-restart``
    runs as ``normal``; the name exists so a demo or test can stop the server
    and start it again on the same port. The same seed gives the same start, as
    a restarted PLC would: counters begin again at zero.

Scenarios draw no random numbers from the line's generator (``trials`` has its
own), so the line stays deterministic for a seed.
A trainer can start one more mid-run, beginning at once, on top of the running
one (:meth:`LineSimulator.inject`); the simulator then consults each in turn.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from linetwin.twin.sim.simulation import LineSimulator

DEFAULT_START_S = 20.0
SEAL_TEMPERATURE = "sealer.seal_temperature"
# OPC UA Part 4 7.39: the value is the last usable one; the source stopped updating it.
UNCERTAIN_LAST_USABLE_VALUE = 0x40900000


class Scenario:
    """Base class: a scenario that does nothing (``normal``).

    Hooks, called by the simulator: :meth:`bind` once at construction, through
    :meth:`attach` (check the line has what the scenario needs), :meth:`tick` at the start of every tick
    (``t`` is the simulated time at its end), :meth:`reported` on the values the
    simulator reports, and :meth:`status_codes` for the non-Good ones.
    """

    name: ClassVar[str] = "normal"

    def __init__(self, start_s: float = DEFAULT_START_S) -> None:
        if not start_s >= 0.0:
            raise ValueError(f"start_s must be >= 0, got {start_s}")
        self.start_s = float(start_s)
        self._attached = False

    def attach(self, sim: LineSimulator) -> None:
        """Bind to ``sim``; a scenario keeps state, so it serves one simulator only."""
        if self._attached:
            raise ValueError(f"this {self.name} scenario already drives a simulator; make a new one")
        self.bind(sim)
        self._attached = True

    def bind(self, sim: LineSimulator) -> None:
        """Called once with the simulator; raise ``ValueError`` if it does not fit."""

    def tick(self, sim: LineSimulator, t: float) -> None:
        """Act on the model at simulated time ``t``."""

    def reported(self, values: dict[str, float]) -> None:
        """Adjust the reported values in place (a stuck sensor, ...)."""

    def status_codes(self) -> dict[str, int]:
        """OPC UA status codes of the signals whose reading is not Good now."""
        return {}

    def describe(self) -> str:
        """One line for ``linetwin sim`` (ASCII: any console can print it)."""
        return "no injected faults: the line's own random stops and process wander only"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(start_s={self.start_s:g})"


class Normal(Scenario):
    name = "normal"


class ServerRestart(Scenario):
    name = "server-restart"

    def describe(self) -> str:
        return "runs as normal; stop and start the server on the same port to exercise reconnects"


class HeaterDegradation(Scenario):
    """The seal temperature sags steadily from ``start_s`` until ``floor_c``."""

    name = "heater-degradation"

    def __init__(
        self,
        start_s: float = DEFAULT_START_S,
        rate_c_per_s: float = 0.03,
        floor_c: float = 160.0,
        signal_id: str = SEAL_TEMPERATURE,
    ) -> None:
        super().__init__(start_s)
        if not rate_c_per_s > 0.0:
            raise ValueError(f"rate_c_per_s must be > 0, got {rate_c_per_s}")
        self.rate_c_per_s = float(rate_c_per_s)
        self.floor_c = float(floor_c)
        self.signal_id = signal_id

    def bind(self, sim: LineSimulator) -> None:
        _require_process_value(sim, self.signal_id, self.name)

    def tick(self, sim: LineSimulator, t: float) -> None:
        if t > self.start_s:
            # Down to the floor below the setpoint in force (an operator may move it).
            max_drop = max(sim.nominal(self.signal_id) - self.floor_c, 0.0)
            drop = min(self.rate_c_per_s * (t - self.start_s), max_drop)
            sim.set_offset(self.signal_id, -drop)

    def describe(self) -> str:
        return (f"from {self.start_s:g} s simulated time {self.signal_id} drifts down "
                f"{self.rate_c_per_s:g} C/s (to {self.floor_c:g} C); seal-gap rejects follow")


class SensorFreeze(Scenario):
    """The reading of ``signal_id`` sticks at its value at ``start_s``."""

    name = "sensor-freeze"

    def __init__(
        self,
        start_s: float = DEFAULT_START_S,
        uncertain_after_s: float = 5.0,
        duration_s: float | None = None,
        signal_id: str = SEAL_TEMPERATURE,
    ) -> None:
        super().__init__(start_s)
        if duration_s is not None and not duration_s > 0.0:
            raise ValueError(f"duration_s must be > 0 or None, got {duration_s}")
        self.uncertain_after_s = float(uncertain_after_s)
        self.duration_s = duration_s
        self.signal_id = signal_id
        self.frozen_value: float | None = None  # the stuck reading, while stuck
        self._frozen_at = 0.0
        self._t = 0.0
        self._done = False

    def bind(self, sim: LineSimulator) -> None:
        _require_process_value(sim, self.signal_id, self.name)

    def tick(self, sim: LineSimulator, t: float) -> None:
        self._t = t
        if self._done or t < self.start_s:
            return
        if self.frozen_value is None:
            self.frozen_value = sim.process_value(self.signal_id)
            self._frozen_at = t
        elif self.duration_s is not None and t - self._frozen_at >= self.duration_s:
            self.frozen_value, self._done = None, True

    @property
    def frozen(self) -> bool:
        return self.frozen_value is not None

    def reported(self, values: dict[str, float]) -> None:
        if self.frozen_value is not None:
            values[self.signal_id] = self.frozen_value

    def status_codes(self) -> dict[str, int]:
        if self.frozen_value is not None and self._t - self._frozen_at > self.uncertain_after_s:
            return {self.signal_id: UNCERTAIN_LAST_USABLE_VALUE}
        return {}

    def describe(self) -> str:
        how_long = "" if self.duration_s is None else f" for {self.duration_s:g} s"
        return (f"from {self.start_s:g} s simulated time {self.signal_id} stops changing{how_long}; "
                f"Uncertain_LastUsableValue after {self.uncertain_after_s:g} s")


class Jam(Scenario):
    """``station`` (default: the labeler, else the middle one) faults for ``duration_s``."""

    name = "jam"

    def __init__(
        self, start_s: float = DEFAULT_START_S, duration_s: float = 60.0, station: str | None = None
    ) -> None:
        super().__init__(start_s)
        if not duration_s > 0.0:
            raise ValueError(f"duration_s must be > 0, got {duration_s}")
        self.duration_s = float(duration_s)
        self.station = station
        self._fired = False

    def bind(self, sim: LineSimulator) -> None:
        stations = sim.stations
        if self.station is None:
            self.station = "labeler" if "labeler" in stations else stations[len(stations) // 2]
        elif self.station not in stations:
            raise ValueError(f"scenario {self.name}: no station {self.station!r} on this line")

    def tick(self, sim: LineSimulator, t: float) -> None:
        if not self._fired and t >= self.start_s:
            self._fired = True
            sim.trigger_fault(self.station, self.duration_s)  # type: ignore[arg-type]

    def describe(self) -> str:
        return (f"at {self.start_s:g} s simulated time {self.station} faults for {self.duration_s:g} s; "
                "upstream blocks, downstream starves")


class EStop(Scenario):
    """Every station faults at once for ``duration_s``; again every ``period_s`` if given."""

    name = "e-stop"

    def __init__(
        self, start_s: float = DEFAULT_START_S, duration_s: float = 20.0, period_s: float | None = None
    ) -> None:
        super().__init__(start_s)
        if not duration_s > 0.0:
            raise ValueError(f"duration_s must be > 0, got {duration_s}")
        if period_s is not None and not period_s > duration_s:
            raise ValueError(f"period_s must be > duration_s ({duration_s:g}) or None, got {period_s}")
        self.duration_s = float(duration_s)
        self.period_s = None if period_s is None else float(period_s)
        self.stops = 0  # e-stops so far
        self._next_s = self.start_s
        self._stations: list[str] = []

    def bind(self, sim: LineSimulator) -> None:
        self._stations = sim.stations

    def tick(self, sim: LineSimulator, t: float) -> None:
        if t < self._next_s:
            return
        self.stops += 1
        # One deadline per stop, however large the step: a late tick does not fire twice.
        self._next_s = math.inf if self.period_s is None else self._next_s + self.period_s * (
            1 + (t - self._next_s) // self.period_s)
        for station in self._stations:  # the reset then clears each stop, a longer one too
            sim.trigger_fault(station, self.duration_s)

    def describe(self) -> str:
        when = "" if self.period_s is None else f", again every {self.period_s:g} s"
        stations = f"all {len(self._stations)} stations" if self._stations else "every station"
        return (f"at {self.start_s:g} s simulated time an emergency stop faults {stations} at once "
                f"for {self.duration_s:g} s{when}; then the line restarts")


# Process value -> (low, high) of the setpoints the engineers try: wide enough
# to reach each defect's rising edge (seal gaps below ~300 ms, label skew beyond
# ~1.2 mm), not so wide that a recipe makes scrap only.
TRIAL_WINDOWS: dict[str, tuple[float, float]] = {
    "sealer.seal_temperature": (179.0, 192.0),
    "sealer.dwell_time": (295.0, 390.0),
    "sealer.seal_pressure": (4.1, 5.2),
    "filler.fill_weight": (498.0, 508.0),
    "labeler.label_offset": (-1.3, 1.3),
}
_TRIALS_STREAM = 0x7472  # mixed into the seed: the trials' generator is not the line's


class Trials(Scenario):
    """A new recipe every ``period_s``: each value kept at standard with probability
    ``keep``, else drawn uniformly in its :data:`TRIAL_WINDOWS` window."""

    name = "trials"

    def __init__(self, start_s: float = DEFAULT_START_S, period_s: float = 1200.0, keep: float = 0.4) -> None:
        super().__init__(start_s)
        if not period_s > 0.0:
            raise ValueError(f"period_s must be > 0, got {period_s}")
        if not 0.0 <= keep <= 1.0:
            raise ValueError(f"keep must be a probability (0..1), got {keep}")
        self.period_s, self.keep = float(period_s), float(keep)
        self.recipe = 0  # 0: the standard one; then 1, 2, ...
        self._standard: dict[str, float] | None = None
        self._signals: list[str] = []
        self._rng: Any = None  # numpy's, made in bind: the CLI imports this module for its names

    def bind(self, sim: LineSimulator) -> None:
        import numpy as np

        present = set(sim.process_signal_ids())
        self._signals = [s for s in TRIAL_WINDOWS if s in present]
        self._rng = np.random.default_rng([int(sim.seed) & 0xFFFFFFFF, _TRIALS_STREAM])

    def tick(self, sim: LineSimulator, t: float) -> None:
        if self._standard is None:  # the setpoints in force as the run starts
            self._standard = {s: sim.nominal(s) for s in self._signals}
        recipe = int((t - self.start_s) // self.period_s) if t >= self.start_s else 0
        while self.recipe < recipe:  # one recipe per period, however large the step
            self.recipe += 1
            for signal_id, value in self._draw().items():
                sim.set_setpoint(signal_id, value)

    def _draw(self) -> dict[str, float]:
        """The next recipe; every window is drawn, present or not, so a line without a
        labeler still gets the same sealer recipes."""
        recipe: dict[str, float] = {}
        for signal_id, (low, high) in TRIAL_WINDOWS.items():
            kept, value = self._rng.random() < self.keep, float(self._rng.uniform(low, high))
            if signal_id in self._signals:
                recipe[signal_id] = self._standard[signal_id] if kept else value  # type: ignore[index]
        return recipe

    def describe(self) -> str:
        return (f"setpoint trials: every {self.period_s:g} s simulated time a new recipe, each of "
                f"{', '.join(self._signals or TRIAL_WINDOWS)} at standard (p={self.keep:g}) or drawn "
                "in its trial window; the first period runs the standard recipe")

    def __repr__(self) -> str:
        return f"Trials(start_s={self.start_s:g}, period_s={self.period_s:g}, keep={self.keep:g})"


SCENARIOS: dict[str, type[Scenario]] = {
    cls.name: cls for cls in (Normal, HeaterDegradation, SensorFreeze, Jam, ServerRestart, Trials, EStop)
}


def make_scenario(name: str, **params: float) -> Scenario:
    """A fresh scenario by name; ``params`` go to its constructor (e.g. ``start_s``)."""
    try:
        cls = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
    return cls(**params)


def _require_process_value(sim: LineSimulator, signal_id: str, scenario: str) -> None:
    if signal_id not in sim.process_signal_ids():
        raise ValueError(f"scenario {scenario} needs {signal_id}, which this line does not simulate")
