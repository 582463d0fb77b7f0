"""A small stochastic model of a serial packaging line (DESIGN section 5).

Stations sit in a row with a small accumulation buffer between each pair.
Every station has its own state machine: idle at start-up, then running until a
random jam, breakdown or planned maintenance takes it down for a random time.
Material flows as a fluid through the buffers, so a station that is up but
has an empty input buffer is *starved* and one with a full output buffer is
*blocked*; a stop therefore spreads up and down the line after a few seconds.
Stations slow down a little when their input buffer runs low (speed control
as on real lines), which keeps buffers near half full in normal running.

Inspection checks every pack; the defect probabilities depend on the process
values (see :mod:`linetwin.twin.sim.simulation_process`). It counts good packs,
rejects, and rejects per defect type (``inspection.defects.seal_gap`` ...).

Scenarios (:mod:`linetwin.twin.sim.scenarios`) inject faults into the same model:
a sagging heater, a stuck sensor, a long jam.
An operator (or an SOP training session) acts on it as on a real line:
:meth:`LineSimulator.operate`, :meth:`~LineSimulator.set_setpoint` and
:meth:`~LineSimulator.inject` (:mod:`linetwin.twin.sim.operator_controls`).

Every inspected pack is also a unit with an id, in a lot, and long stops and
SKU changes run operator procedures (:mod:`linetwin.twin.sim.production`):
:meth:`LineSimulator.take_events` drains those production events.

Deterministic: the same stations, seed, scenario and sequence of ``step()``,
``operate()``, ``set_setpoint()`` and ``inject()`` calls give identical values.
Only a reset that ends a stop draws a random number (the next stop's time, as a
stop that ends by itself does); every other control, setpoint and injection
draws none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import Enum

import numpy as np

from linetwin.twin.model import DEFAULT_STATES
from linetwin.twin.production.events import ProductionEvent
from linetwin.twin.sim.operator_controls import OperatorControls, control_name, injected_fault
from linetwin.twin.sim.production import ProductionConfig, ProductionModel
from linetwin.twin.sim.reliability import DEFAULT_RELIABILITY as DEFAULT_RELIABILITY  # re-exported
from linetwin.twin.sim.reliability import StationReliability as StationReliability  # re-exported
from linetwin.twin.sim.scenarios import SCENARIOS as SCENARIOS  # re-exported
from linetwin.twin.sim.scenarios import Scenario, make_scenario
from linetwin.twin.sim.simulation_process import DEFECT_CODES, ProcessModel, draw_defects

IDLE = DEFAULT_STATES["idle"]
RUNNING = DEFAULT_STATES["running"]
STARVED = DEFAULT_STATES["starved"]
BLOCKED = DEFAULT_STATES["blocked"]
FAULT = DEFAULT_STATES["fault"]
MAINTENANCE = DEFAULT_STATES["maintenance"]

DEMO_STATIONS = ["infeed", "filler", "sealer", "inspection", "labeler", "packer", "outfeed"]

# Defect types in code order (1, 2, ...): each has a reject counter
# ``inspection.defects.<name>``.
DEFECT_NAMES = [name for name, code in sorted(DEFECT_CODES.items(), key=lambda kv: kv[1]) if code]

TICK_S = 0.1  # internal time step; larger step() calls are split into ticks
BUFFER_PACKS = 10.0  # accumulation between two stations: ~2.5 s each way at 120/min
_EPS = 1e-9


class LineSimulator:
    """Simulated serial line. ``stations`` are in flow order, first is the infeed.

    ``scenario``: a name from :data:`~linetwin.twin.sim.scenarios.SCENARIOS` (with
    its default timing) or a :class:`~linetwin.twin.sim.scenarios.Scenario` made for
    this simulator, e.g. ``HeaterDegradation(start_s=5, rate_c_per_s=0.2)``.
    ``production``: units per lot, SKUs and the procedure violation rate.
    """

    def __init__(
        self,
        stations: list[str],
        seed: int = 0,
        scenario: str | Scenario = "normal",
        reliability: Mapping[str, StationReliability] | None = None,
        production: ProductionConfig | None = None,
    ) -> None:
        if not stations:
            raise ValueError("a line needs at least one station")
        model = scenario if isinstance(scenario, Scenario) else make_scenario(scenario)
        self._stations = list(stations)
        self.seed = seed  # a scenario with its own random draws (trials) seeds from it
        self._pos = {name: i for i, name in enumerate(self._stations)}
        self.scenario = model.name
        self._rng = np.random.Generator(np.random.PCG64(seed))
        self._process = ProcessModel(self._stations, self._rng)
        table = dict(DEFAULT_RELIABILITY) if reliability is None else dict(reliability)
        self._rel = [table.get(s, StationReliability()) for s in self._stations]
        self._init_state()
        self.production = ProductionModel(seed, production, tuple(DEFECT_NAMES))
        self._controls = OperatorControls(self._stations)
        self._scenario = model
        self._scenarios = [model]  # the running one, then those injected
        model.attach(self)

    def _init_state(self) -> None:
        n = len(self._stations)
        self._t = 0.0
        self._state = np.full(n, IDLE, dtype=np.int64)
        # Downstream stations start first, as on a real line, so there is room: 0.4 s apart, closer if over 10 s.
        self._startup_left = 1.0 + min(0.4, 10.0 / max(n - 1, 1)) * np.arange(n)[::-1]
        self._down_code = np.zeros(n, dtype=np.int64)  # 0 up, else FAULT/MAINTENANCE
        self._down_left = np.zeros(n)
        self._fault_clock = np.array([self._next_failure(r) for r in self._rel])
        self._maint_clock = np.array([self._next_maintenance(r) for r in self._rel])
        self._buffer = np.full(n - 1, BUFFER_PACKS / 2)
        self._processed = np.zeros(n)
        self._good = np.zeros(n, dtype=np.int64)
        self._rejects = 0
        self._defects = np.zeros(len(DEFECT_NAMES), dtype=np.int64)  # rejects per defect code
        self._last_defect = 0
        self._expected, self._inspected = np.zeros(len(DEFECT_NAMES)), 0  # the truth: no draws

    # --- public API -------------------------------------------------------

    @property
    def stations(self) -> list[str]:
        return list(self._stations)

    @property
    def time_s(self) -> float:
        """Simulated seconds since start."""
        return self._t

    @property
    def scenario_model(self) -> Scenario:
        """The running scenario (its settings and, e.g., whether a sensor is stuck)."""
        return self._scenario

    @property
    def injected(self) -> list[Scenario]:
        """The faults :meth:`inject` started, oldest first."""
        return self._scenarios[1:]

    def signal_ids(self) -> list[str]:
        """Ids of every value :meth:`values` returns."""
        return list(self.values())

    def process_signal_ids(self) -> list[str]:
        """Ids of the simulated process values (those :meth:`force` accepts)."""
        return self._process.signal_ids

    def process_value(self, signal_id: str) -> float:
        """A process value as the process sees it (forced, offset), whatever a
        stuck sensor reports."""
        return self._process.value(signal_id)

    def nominal(self, signal_id: str) -> float:
        """The setpoint of a process value (the latest :meth:`set_setpoint`)."""
        return self._process.nominal(signal_id)

    def defect_probabilities(self) -> np.ndarray:
        """True per-pack probability of each defect type now, like :data:`DEFECT_NAMES`."""
        return self._process.defect_probabilities()

    def truth(self) -> tuple[np.ndarray, np.ndarray, int]:
        """So far: expected defects per type (sum of p x packs), rejects per type, packs inspected."""
        return self._expected.copy(), self._defects.copy(), self._inspected

    def set_setpoint(self, signal_id: str, value: float) -> None:
        """Move the setpoint of a process value (``KeyError`` if the line has none).

        The value ramps to it as its controller does (seal temperature 1 °C/s,
        line speed 20 packs/min per s, fill weight 5 g/s, seal pressure 1 bar/s,
        dwell time and label offset at once), with its usual wander and noise
        around the moving setpoint; defect rates follow the actual value."""
        self._process.set_setpoint(signal_id, value)

    def operate(self, station: str, control: str | Enum) -> str:
        """Work a station's control: ``start``, ``stop``, ``reset``, ``lockout`` or
        ``release`` (a :class:`~linetwin.twin.sop.sop_model.Control` or its value).

        Returns '' when done, else why it was refused (starting a locked-out
        station, releasing one that is not locked out, resetting planned
        maintenance). ``ValueError`` names an unknown station or control. The
        station shows its new state at once; the line reacts from the next step.
        """
        i, name = self._controls.index(station), control_name(control)
        reason = self._reset(i) if name == "reset" else self._controls.operate(i, name)
        self._state = self._controls.shown(self._state, self._down_code)
        return reason

    def locked_out(self, station: str) -> bool:
        return bool(self._controls.locked[self._controls.index(station)])

    def held(self, station: str) -> bool:
        """Stopped by an operator (or locked out): idle until started."""
        return bool(self._controls.held[self._controls.index(station)])

    def inject(self, fault: str, station: str | None = None) -> str:
        """Start ``fault`` now, as a trainer does mid-session, on top of the running
        scenario: ``jam`` (``station``, default the labeler, down for 120 s, with
        the lockout procedure of a long stop), ``heater-degradation`` (the seal
        temperature starts sagging now) or ``sensor-freeze`` (its sensor sticks
        now). Returns what happens, in words; ``ValueError`` for an unknown fault
        or station."""
        model = injected_fault(fault, station, self._stations, self._t)
        model.attach(self)
        self._scenarios.append(model)
        model.tick(self, self._t)  # it begins now, not at the next tick
        self._state = self._controls.shown(self._state, self._down_code)
        return model.describe()

    def step(self, dt_seconds: float) -> None:
        """Advance simulated time by ``dt_seconds``, in ticks of at most 0.1 s."""
        if dt_seconds < 0 or not math.isfinite(dt_seconds):
            raise ValueError(f"dt must be finite and >= 0, got {dt_seconds}")
        if dt_seconds == 0:
            return
        ticks = max(1, math.ceil(dt_seconds / TICK_S - 1e-9))
        h = dt_seconds / ticks
        for _ in range(ticks):
            self._tick(h)

    def values(self) -> dict[str, float]:
        """Current value of every simulated signal, keyed by the demo's signal ids."""
        out: dict[str, float] = {}
        for i, name in enumerate(self._stations):
            out[f"{name}.state"] = float(self._state[i])
            out[f"{name}.good_count"] = float(self._good[i])
        if "inspection" in self._pos:
            out["inspection.reject_count"] = float(self._rejects)
            out["inspection.last_defect"] = float(self._last_defect)
            for name, count in zip(DEFECT_NAMES, self._defects):
                out[f"inspection.defects.{name}"] = float(count)
        out.update(self._process.values())
        if "infeed.line_speed" in out and not self._process.is_forced("infeed.line_speed"):
            # Measured conveyor throughput: nothing moves unless the infeed runs.
            if self._state[self._pos["infeed"]] != RUNNING:
                out["infeed.line_speed"] = 0.0
        for scenario in self._scenarios:
            scenario.reported(out)
        return out

    def status_codes(self) -> dict[str, int]:
        """OPC UA StatusCode of each signal whose reading is not Good now (e.g. a
        stuck sensor: ``Uncertain_LastUsableValue``); every other signal is Good."""
        codes: dict[str, int] = {}
        for scenario in self._scenarios:
            codes.update(scenario.status_codes())
        return codes

    def state_of(self, station: str) -> int:
        return int(self._state[self._pos[station]])

    def force(self, signal_id: str, value: float) -> None:
        """Hold a process value (e.g. ``sealer.seal_temperature``) at ``value``.

        The forced value is both reported and used by the model (line speed,
        defect rates) until :meth:`release`.
        """
        self._process.force(signal_id, value)

    def release(self, signal_id: str) -> None:
        self._process.release(signal_id)

    def set_offset(self, signal_id: str, offset: float) -> None:
        """Shift a process value by ``offset`` on top of its own wander, for the
        model and the reading alike (how a scenario degrades a heater)."""
        self._process.set_offset(signal_id, offset)

    def trigger_fault(self, station: str, duration_s: float, maintenance: bool = False) -> None:
        """Take ``station`` down now for ``duration_s`` (a jam, or maintenance)."""
        i = self._pos[station]
        self._down_code[i] = MAINTENANCE if maintenance else FAULT
        self._down_left[i] = float(duration_s)
        self._state[i] = self._down_code[i]
        if not maintenance:
            self.production.stop_started(self._t, station, float(duration_s))

    def take_events(self, epoch: float = 0.0) -> list[ProductionEvent]:
        """Production events (inspections, operator steps, lot changes) since the
        last call, in order; times are simulated seconds plus ``epoch``."""
        return self.production.take(epoch)

    # --- one tick -----------------------------------------------------------

    def _tick(self, h: float) -> None:
        self._t += h
        for scenario in self._scenarios:
            scenario.tick(self, self._t)
        started = self._advance_startup(h)
        self._advance_downtime(h)
        self._start_new_stops(h, started & ~self._controls.held)
        flow, starved_in, full_out = self._flow(h, started & (self._down_code == 0) & ~self._controls.held)
        self._update_states(started, flow, starved_in, full_out)
        self._count(flow)
        self.production.advance(self._t)
        self._process.advance(h)

    def _advance_startup(self, h: float) -> np.ndarray:
        self._startup_left = np.maximum(self._startup_left - h, 0.0)
        return self._startup_left <= 0.0

    def _advance_downtime(self, h: float) -> None:
        down = self._down_code != 0
        self._down_left[down] -= h
        for i in np.flatnonzero(down & (self._down_left <= 0.0)):
            self._end_stop(i)

    def _end_stop(self, i: int) -> None:
        if self._down_code[i] == MAINTENANCE:
            self._maint_clock[i] = self._next_maintenance(self._rel[i])
        self._fault_clock[i] = self._next_failure(self._rel[i])
        self._down_code[i] = 0
        self._down_left[i] = 0.0

    def _reset(self, i: int) -> str:
        """Clear station ``i``'s jam or fault now ('' also when it has none)."""
        if self._down_code[i] == MAINTENANCE:
            return (f"{self._stations[i]} is in planned maintenance, not faulted: "
                    "reset clears jams and faults only")
        if self._down_code[i] == FAULT:
            self._end_stop(i)
        return ""

    def _start_new_stops(self, h: float, started: np.ndarray) -> None:
        up = started & (self._down_code == 0)
        self._fault_clock[self._state == RUNNING] -= h  # operating time only
        self._maint_clock[up] -= h
        for i in np.flatnonzero(up & (self._maint_clock <= 0.0)):
            lo, hi = self._rel[i].maintenance_s
            self.trigger_fault(self._stations[i], self._rng.uniform(lo, hi), maintenance=True)
        for i in np.flatnonzero(up & (self._down_code == 0) & (self._fault_clock <= 0.0)):
            self.trigger_fault(self._stations[i], self._stop_duration(self._rel[i]))

    def _flow(self, h: float, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Packs each station moves this tick, limited by its input and output buffers."""
        base = max(self._process.value("infeed.line_speed"), 0.0) / 60.0 * h
        n = len(self._stations)
        inflow = np.concatenate(([np.inf], self._buffer))
        room = np.concatenate((BUFFER_PACKS - self._buffer, [np.inf]))
        # Speed control: 0.9x on an empty input buffer to 1.1x on a full one.
        fill = np.concatenate(([0.5], self._buffer / BUFFER_PACKS))
        capacity = np.where(up, base * (0.9 + 0.2 * fill), 0.0)
        flow = np.minimum(np.minimum(capacity, inflow), room)
        flow[flow < _EPS] = 0.0
        if n > 1:
            self._buffer += flow[:-1] - flow[1:]
        return flow, inflow <= _EPS, room <= _EPS

    def _update_states(
        self, started: np.ndarray, flow: np.ndarray, starved_in: np.ndarray, full_out: np.ndarray
    ) -> None:
        # Up but not moving: no input beats no room (a starved station is not
        # blocked); neither (line speed forced to 0) reads as idle.
        stopped = np.where(starved_in, STARVED, np.where(full_out, BLOCKED, IDLE))
        state = np.where(flow > 0.0, RUNNING, stopped)
        state = np.where(started, state, IDLE)
        self._state = self._controls.shown(state, self._down_code)  # stops, holds, lockouts

    def _count(self, flow: np.ndarray) -> None:
        before = np.floor(self._processed)
        self._processed += flow
        packs = (np.floor(self._processed) - before).astype(np.int64)
        self._good += packs
        i = self._pos.get("inspection")
        if i is not None and packs[i] > 0:
            self._inspect(i, int(packs[i]))

    def _inspect(self, i: int, packs: int) -> None:
        p = self._process.defect_probabilities()
        self._expected += p * packs
        self._inspected += packs
        results = draw_defects(p, packs, self._rng)
        rejected = results[results != 0]
        self._last_defect = int(results[-1])
        self.production.inspected(self._t, self._stations[i], results, self._process.values())
        if rejected.size == 0:
            return
        self._good[i] -= rejected.size
        self._rejects += int(rejected.size)
        np.add.at(self._defects, rejected - 1, 1)
        if i < len(self._buffer):  # rejects leave the line at inspection
            self._buffer[i] = max(self._buffer[i] - rejected.size, 0.0)

    # --- random durations -----------------------------------------------------

    def _next_failure(self, rel: StationReliability) -> float:
        rate = (rel.jam_rate_per_h + rel.breakdown_rate_per_h) / 3600.0
        return self._rng.exponential(1.0 / rate) if rate > 0 else math.inf

    def _next_maintenance(self, rel: StationReliability) -> float:
        rate = rel.maintenance_rate_per_h / 3600.0
        return self._rng.exponential(1.0 / rate) if rate > 0 else math.inf

    def _stop_duration(self, rel: StationReliability) -> float:
        total = rel.jam_rate_per_h + rel.breakdown_rate_per_h
        if self._rng.random() < rel.jam_rate_per_h / total:
            return self._rng.uniform(*rel.jam_s)
        return float(np.clip(rel.breakdown_median_s * self._rng.lognormal(0.0, 0.6), 10.0, 240.0))
