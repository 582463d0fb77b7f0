"""What an operator or a trainer does to the simulated line (issue 9: SOP training).

:class:`OperatorControls` keeps, per station, the two things an operator sets
by hand: a *hold* (an operator stop: the station stays idle and moves nothing,
so its neighbours go blocked or starved as the buffers say) and a *lockout*
(energy isolated: held, and shown as maintenance, until released). The line
model asks it which stations may run and what state each one shows.

The controls, as :class:`~linetwin.twin.sop.sop_model.Control` names them:

``stop``     hold the station (also while it is down: it stays held after).
``start``    end the hold; refused under lockout. A station down for a jam or
             fault stays down until reset or until its down time is over.
``reset``    clear the current jam or fault now (the simulator does it; allowed
             under lockout, where clearing a jam belongs).
``lockout``  energy isolated: held, state maintenance, until ``release``.
``release``  remove the lockout; the station stays held (idle) until ``start``.

:func:`injected_fault` makes the scenario a trainer starts mid-session
(``jam``, ``heater-degradation``, ``sensor-freeze``), timed to begin now.

None of this draws random numbers.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

from linetwin.twin.model import DEFAULT_STATES
from linetwin.twin.sim.scenarios import SEAL_TEMPERATURE, HeaterDegradation, Jam, Scenario, SensorFreeze

CONTROLS = ("start", "stop", "reset", "lockout", "release")
FAULTS = ("jam", "heater-degradation", "sensor-freeze")
IDLE, FAULT, MAINTENANCE = DEFAULT_STATES["idle"], DEFAULT_STATES["fault"], DEFAULT_STATES["maintenance"]
INJECTED_JAM_S = 120.0  # long enough to need the lockout procedure (production.LOCKOUT_MIN_S)


def control_name(control: str | Enum) -> str:
    """``control`` (a Control or its value) as one of :data:`CONTROLS`."""
    name = control.value if isinstance(control, Enum) else control
    if name not in CONTROLS:
        raise ValueError(f"unknown control {name!r}; controls: {', '.join(CONTROLS)}")
    return str(name)


class OperatorControls:
    """Holds and lockouts of the stations of one line, in flow order."""

    def __init__(self, stations: list[str]) -> None:
        self._stations = list(stations)
        self._pos = {name: i for i, name in enumerate(self._stations)}
        self.held = np.zeros(len(stations), dtype=bool)  # operator stop (lockout included)
        self.locked = np.zeros(len(stations), dtype=bool)

    def index(self, station: str) -> int:
        """Position of ``station``; ``ValueError`` naming it if the line has none."""
        try:
            return self._pos[station]
        except KeyError:
            raise ValueError(f"no station {station!r} on this line; stations: "
                             f"{', '.join(self._stations)}") from None

    def operate(self, i: int, control: str) -> str:
        """Apply ``start``, ``stop``, ``lockout`` or ``release`` to station ``i``:
        '' when done, else why it was refused. (``reset`` is the simulator's.)"""
        station = self._stations[i]
        if control == "stop":
            self.held[i] = True
        elif control == "lockout":
            self.held[i] = self.locked[i] = True
        elif control == "start":
            if self.locked[i]:
                return f"{station} is locked out: release the lockout before starting it"
            self.held[i] = False
        elif control == "release":
            if not self.locked[i]:
                return f"{station} is not locked out: there is no lockout to release"
            self.locked[i] = False  # still held: a released station waits for start
        else:
            raise ValueError(f"control {control!r} is not an operator hold or lockout")
        return ""

    def shown(self, state: np.ndarray, down_code: np.ndarray) -> np.ndarray:
        """The state each station shows, from what its flow says (``state``) and its
        stop (``down_code``: 0 up, else FAULT or MAINTENANCE): a lockout shows
        maintenance over everything, a stop its code, a hold idle; so does a
        station whose stop was just reset, until the next tick works out its flow."""
        stale = (down_code == 0) & ((state == FAULT) | (state == MAINTENANCE))
        state = np.where(self.held | stale, IDLE, state)
        state = np.where(down_code != 0, down_code, state)
        return np.where(self.locked, MAINTENANCE, state)


def injected_fault(fault: str, station: str | None, stations: list[str], now: float) -> Scenario:
    """The scenario of ``fault`` starting at ``now`` (simulated seconds).

    ``station``: for ``jam`` the station that jams (default: the labeler, else
    the middle one); the heater and sensor faults act on the sealer's seal
    temperature, so ``station`` is None or ``sealer`` for them.
    """
    if fault == "jam":
        if station is not None and station not in stations:
            raise ValueError(f"cannot inject a jam: no station {station!r} on this line; "
                             f"stations: {', '.join(stations)}")
        return Jam(start_s=now, duration_s=INJECTED_JAM_S, station=station)
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; faults: {', '.join(FAULTS)}")
    owner = SEAL_TEMPERATURE.split(".", 1)[0]
    if station not in (None, owner):
        raise ValueError(f"{fault} acts on {SEAL_TEMPERATURE}, not on station {station!r}")
    if fault == "heater-degradation":
        return HeaterDegradation(start_s=now)
    return SensorFreeze(start_s=now)
