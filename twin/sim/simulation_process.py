"""Process values and the defect model of the simulated packaging line.

Each process value is an Ornstein-Uhlenbeck process (mean-reverting drift) seen
through a little measurement noise: slow wander around the setpoint, so trends
and drift alerts have something real to show, without ever running away.
A new setpoint (:meth:`ProcessModel.set_setpoint`) is approached as a controller
does, at the variable's ``ramp_per_s``; the wander rides on the moving setpoint.
Defect probabilities are smooth (logistic) functions of those values, so that a
seal temperature falling below ~178 °C makes seal gaps climb steeply, as on a
real heat sealer.

Pure numpy; all randomness comes from the generator passed in, so the caller
decides determinism.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Codes of ``inspection.last_defect`` (the demo project's state table for it).
DEFECT_CODES: dict[str, int] = {
    "pass": 0,
    "seal_gap": 1,
    "wrinkle": 2,
    "contamination": 3,
    "misalignment": 4,
    "label_skew": 5,
}


@dataclass(frozen=True)
class ProcessVariable:
    """One simulated process value.

    ``std`` is the stationary standard deviation of the drift, ``tau_s`` its
    correlation time, ``noise`` the white measurement noise on top.
    ``ramp_per_s``: how fast the controlled value follows a new setpoint (units
    per second, up or down; ``inf``: at once).
    """

    signal_id: str
    mean: float
    std: float
    tau_s: float
    noise: float
    ramp_per_s: float = math.inf

    @property
    def station(self) -> str:
        return self.signal_id.split(".", 1)[0]


# Setpoint ramps: the drive accelerates the line 20 packs/min per second; the
# servo filler corrects its dose over a few cycles (5 g/s); the seal head heats
# and cools about 1 °C/s; the pressure regulator settles in a second or two
# (1 bar/s); dwell time (a PLC timer) and label offset (a servo position) take
# the new value at once.
PROCESS_VARIABLES: tuple[ProcessVariable, ...] = (
    ProcessVariable("infeed.line_speed", 120.0, 1.2, 30.0, 0.3, 20.0),  # packs/min
    ProcessVariable("filler.fill_weight", 502.0, 1.5, 60.0, 0.8, 5.0),  # g
    ProcessVariable("sealer.seal_temperature", 185.0, 0.6, 300.0, 0.15, 1.0),  # °C, PID-held
    ProcessVariable("sealer.dwell_time", 350.0, 6.0, 120.0, 1.5),  # ms
    ProcessVariable("sealer.seal_pressure", 4.5, 0.08, 90.0, 0.02, 1.0),  # bar
    ProcessVariable("labeler.label_offset", 0.0, 0.35, 45.0, 0.08),  # mm
)


class ProcessModel:
    """The process values of the stations present on the line."""

    def __init__(self, stations: list[str], rng: np.random.Generator) -> None:
        self._vars = [v for v in PROCESS_VARIABLES if v.station in stations]
        self._nominal = {v.signal_id: v.mean for v in PROCESS_VARIABLES}
        self._index = {v.signal_id: i for i, v in enumerate(self._vars)}
        self._mean = np.array([v.mean for v in self._vars])  # the setpoint the controller holds now
        self._target = self._mean.copy()  # the setpoint asked for; _mean ramps to it
        self._ramp = np.array([v.ramp_per_s for v in self._vars])
        self._std = np.array([v.std for v in self._vars])
        self._tau = np.array([v.tau_s for v in self._vars])
        self._noise = np.array([v.noise for v in self._vars])
        self._rng = rng
        # Start somewhere on the stationary distribution, not exactly at the mean.
        self._drift = self._mean + self._std * rng.standard_normal(len(self._vars))
        self._measured = self._drift.copy()
        self._forced: dict[str, float] = {}
        self._offset: dict[str, float] = {}
        self._ramping = False  # a setpoint is still moving towards its target

    @property
    def signal_ids(self) -> list[str]:
        return [v.signal_id for v in self._vars]

    def advance(self, h: float) -> None:
        """Advance every drift by ``h`` seconds (exact OU discretisation)."""
        n = len(self._vars)
        z = self._rng.standard_normal(2 * n)
        decay = np.exp(-h / self._tau)
        spread = self._std * np.sqrt(1.0 - decay * decay)
        wander = self._drift - self._mean  # rides on the setpoint as that ramps
        if self._ramping:
            self._ramp_setpoints(h)
        self._drift = self._mean + wander * decay + spread * z[:n]
        self._measured = self._drift + self._noise * z[n:]

    def _ramp_setpoints(self, h: float) -> None:
        step = np.clip(self._target - self._mean, -self._ramp * h, self._ramp * h)
        self._mean = np.where(np.abs(self._target - self._mean) <= self._ramp * h, self._target,
                              self._mean + step)
        self._ramping = bool(np.any(self._mean != self._target))

    def set_setpoint(self, signal_id: str, value: float) -> None:
        """Ask for a new setpoint; the value ramps to it from the next :meth:`advance`."""
        i = self._index.get(signal_id)
        if i is None:
            raise KeyError(f"{signal_id!r} is not a simulated process value")
        if not math.isfinite(value):
            raise ValueError(f"setpoint of {signal_id} must be a finite number, got {value}")
        self._target[i] = float(value)
        self._nominal[signal_id] = float(value)
        self._ramping = bool(np.any(self._mean != self._target))

    def value(self, signal_id: str) -> float:
        """Current value as the process sees it: forced, else measured (plus any
        offset), else nominal."""
        if signal_id in self._forced:
            return self._forced[signal_id]
        i = self._index.get(signal_id)
        if i is None:
            return self._nominal[signal_id]
        return float(self._measured[i]) + self._offset.get(signal_id, 0.0)

    def nominal(self, signal_id: str) -> float:
        """The setpoint the value wanders around (the last one asked for, while
        the value still ramps towards it)."""
        return self._nominal[signal_id]

    def values(self) -> dict[str, float]:
        return {sid: self.value(sid) for sid in self._index}

    def force(self, signal_id: str, value: float) -> None:
        if signal_id not in self._index:
            raise KeyError(f"{signal_id!r} is not a simulated process value")
        self._forced[signal_id] = float(value)

    def release(self, signal_id: str) -> None:
        self._forced.pop(signal_id, None)

    def set_offset(self, signal_id: str, offset: float) -> None:
        """Shift the value by ``offset`` on top of its wander (a degrading heater);
        0 removes the shift."""
        if signal_id not in self._index:
            raise KeyError(f"{signal_id!r} is not a simulated process value")
        if offset == 0.0:
            self._offset.pop(signal_id, None)
        else:
            self._offset[signal_id] = float(offset)

    def is_forced(self, signal_id: str) -> bool:
        return signal_id in self._forced

    def defect_probabilities(self) -> np.ndarray:
        """Per-pack probability of each defect, indexed like DEFECT_CODES[1:]."""
        return defect_probabilities(
            seal_temperature=self.value("sealer.seal_temperature"),
            dwell_time=self.value("sealer.dwell_time"),
            seal_pressure=self.value("sealer.seal_pressure"),
            fill_weight=self.value("filler.fill_weight"),
            label_offset=self.value("labeler.label_offset"),
        )


def _rising(x: float, edge: float, width: float) -> float:
    """Logistic step from 0 to 1 as ``x`` rises through ``edge``."""
    return float(1.0 / (1.0 + np.exp(np.clip((edge - x) / width, -50.0, 50.0))))


def defect_probabilities(
    seal_temperature: float,
    dwell_time: float,
    seal_pressure: float,
    fill_weight: float,
    label_offset: float,
) -> np.ndarray:
    """Probability per pack of seal gap, wrinkle, contamination, misalignment, label skew.

    Base rates give a first-pass yield around 99 % at nominal settings; each
    term climbs steeply once its process value leaves the good window.
    """
    seal_gap = (
        0.002
        + 0.55 * _rising(-seal_temperature, -176.0, 1.2)  # too cold
        + 0.40 * _rising(-dwell_time, -290.0, 10.0)  # too short
    )
    wrinkle = (
        0.001
        + 0.35 * _rising(seal_pressure, 5.3, 0.15)  # too much pressure
        + 0.30 * _rising(seal_temperature, 197.0, 1.5)  # too hot: film shrinks
    )
    contamination = 0.0008 + 0.25 * _rising(fill_weight, 510.0, 1.0)  # overfill wets the seal
    misalignment = 0.001
    label_skew = 0.001 + 0.45 * _rising(abs(label_offset), 1.6, 0.2)
    p = np.array([seal_gap, wrinkle, contamination, misalignment, label_skew])
    total = p.sum()
    if total > 0.95:  # a few packs still pass, whatever the settings
        p *= 0.95 / total
    return p


def draw_defects(p: np.ndarray, packs: int, rng: np.random.Generator) -> np.ndarray:
    """Inspection result code for each of ``packs`` packs (0 pass, else a defect)."""
    u = rng.random(packs)
    idx = np.searchsorted(np.cumsum(p), u, side="right")  # len(p): passed
    return np.where(idx >= len(p), 0, idx + 1)
