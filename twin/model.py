"""The line model: assets, signals and visual rules, as loaded from a project file.

Plain frozen dataclasses with no I/O, so the model can be built by a loader, a
test or a script alike. Geometry lives in :mod:`linetwin.twin.geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path

from linetwin.twin.sop.sop_model import Sop


class AssetLevel(str, Enum):
    """ISA-95 style hierarchy levels, from the whole site down to a part."""

    FACTORY = "factory"
    SYSTEM = "system"
    ASSET = "asset"
    COMPONENT = "component"


class SignalKind(str, Enum):
    STATE = "state"  # integer code, named by the project's state table
    ANALOG = "analog"  # continuous process value
    COUNTER = "counter"  # monotonically increasing count


@dataclass(frozen=True)
class Transform:
    """Placement of an asset's mesh in the line, in metres and degrees.

    ``rotation`` is applied as intrinsic X, then Y, then Z rotations about the
    mesh origin, then ``scale``, then ``position``.
    """

    position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rotation: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class Limits:
    """Specification limits of an analog signal; either side may be open."""

    low: float | None = None
    high: float | None = None

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (
            self.high is None or value <= self.high
        )


@dataclass(frozen=True)
class AlertSettings:
    """Which alerts an analog signal raises (see :mod:`linetwin.twin.alerts.alert_rules`).

    ``deadband`` (signal units, None: 1 % of the limit span) is how far back
    inside a limit a value must come before a limit alert clears. Nelson rules
    are evaluated on ``subgroup_s`` means (0: every sample is a point) against
    ``center`` and ``sigma``; either left None is estimated from the first points.
    ``when_running``: judge only while the asset's state signal reads "running"
    (a stopped conveyor's zero speed is not a deviation).
    """

    limit: bool = True
    deadband: float | None = None
    trend: bool = False
    window_s: float = 60.0
    horizon_s: float = 120.0
    nelson: tuple[int, ...] = ()
    center: float | None = None
    sigma: float | None = None
    subgroup_s: float = 0.0
    when_running: bool = False


@dataclass(frozen=True)
class DefectSpec:
    """One defect type of a station, counted by its own counter: its in-control
    ``rate`` (defective units per unit) and the ``limit`` rate to detect
    (None: three times the in-control rate); ``arl0_units`` (None: the
    station's) sets its own false-alarm rate, so that many per-type warning
    charts need not share the station alarm's budget."""

    name: str
    counter: str  # counter signal id
    rate: float
    limit: float | None = None
    arl0_units: float | None = None

    @property
    def detect_rate(self) -> float:
        return self.limit if self.limit is not None else min(3.0 * self.rate, 0.5)


@dataclass(frozen=True)
class FpySpec:
    """First-pass yield of a station: ``good / (good + reject)`` of the counter
    increments over the last ``window_s`` seconds, and a Bernoulli CUSUM on
    the reject rate (in control ``1 - target``, to detect ``1 - threshold``;
    ``target`` None: learned from the first ``baseline_units`` units), with
    ``arl0_units`` units between false alarms on average; ``defects`` adds one
    such chart per defect type."""

    station: str
    good: str  # counter signal id
    reject: str  # counter signal id
    threshold: float = 0.97
    window_s: float = 600.0
    # The least-squares projection of the rolling FPY has no controlled false-alarm
    # rate (on the demo line it warned ~1.5 times a shift in normal running); the
    # CUSUM is the early warning, so the projection is opt-in.
    trend: bool = False
    horizon_s: float = 300.0
    min_units: int = 50  # fewer units in the window: no verdict
    target: float | None = None
    baseline_units: int = 2000
    arl0_units: float = 200_000.0
    defects: tuple[DefectSpec, ...] = ()


@dataclass(frozen=True)
class Asset:
    id: str
    name: str
    level: AssetLevel
    parent: str | None = None
    mesh: Path | None = None  # absolute, resolved against the project file
    mesh_units: str | None = None  # "m" or "mm" overrides the file's own units
    transform: Transform = field(default_factory=Transform)
    color_by: str | None = None  # id of the signal that colors this asset


@dataclass(frozen=True)
class Signal:
    id: str
    asset: str
    node: str  # OPC UA node id string, e.g. "ns=2;s=Sealer.SealTemperature"
    kind: SignalKind
    unit: str = ""
    limits: Limits = field(default_factory=Limits)
    sampling_ms: int = 500
    endpoint: str | None = None  # None: the project's default source
    states: dict[str, int] | None = None  # own code table; None: the project's
    stale_after_s: float | None = None  # None: derived, see ``staleness_limit``
    alerts: AlertSettings | None = None  # None: the defaults (limit alerts only)
    # Read-only unless ``writable``: then a guarded change (DESIGN section 9) may write
    # a value inside ``certified`` (both sides set) to ``setpoint_node`` (None: ``node``).
    writable: bool = False
    certified: Limits | None = None
    setpoint_node: str | None = None

    @property
    def write_node(self) -> str:
        """The node a setpoint change writes and reads back."""
        return self.setpoint_node or self.node

    def staleness_limit(self) -> float:
        """Seconds without a new value after which a reading is shown as stale.

        Analog values always move (noise), so silence means a frozen source: by
        default ten sampling intervals, at least 5 s. A state or counter can rest
        on one value for hours, so by default it only goes stale with its
        connection (infinite limit).
        """
        if self.stale_after_s is not None:
            return self.stale_after_s
        if self.kind is SignalKind.ANALOG:
            return max(5.0, 10 * self.sampling_ms / 1000.0)
        return float("inf")


@dataclass(frozen=True)
class StateColorRule:
    """Maps state names to colors for every state signal (or one, if ``signal``)."""

    id: str
    colors: dict[str, tuple[int, int, int]]
    signal: str | None = None


@dataclass(frozen=True)
class AnalogColorRule:
    """Maps an analog signal's value onto a colormap over ``value_range``."""

    id: str
    signal: str
    colormap: str
    value_range: tuple[float, float]


VisualRule = StateColorRule | AnalogColorRule


@dataclass(frozen=True)
class SourceConfig:
    """The OPC UA server a project reads from by default."""

    endpoint: str = "opc.tcp://127.0.0.1:4840/linetwin/"
    security_policy: str = "None"  # "None" or "Basic256Sha256"
    security_mode: str = "None"  # "None", "Sign" or "SignAndEncrypt"
    username: str | None = None  # the password is never stored


class EventKind(str, Enum):
    """What a project's event source reports, as a :mod:`linetwin.twin.production.events` type."""

    INSPECTION = "inspection"  # InspectionEvent
    COMPLIANCE = "compliance"  # ComplianceEvent
    LOT = "lot"  # Lot


# Our field -> the event field (browse name) that carries it, where a project
# names none: the fields of the built-in simulator's event types. "time" is
# BaseEventType's Time, when the event happened at its source.
EVENT_FIELDS: dict[EventKind, dict[str, str]] = {
    EventKind.INSPECTION: {
        "time": "Time", "unit_id": "UnitId", "lot": "LotId", "sku": "Sku", "station": "Station",
        "result": "Result", "defect_type": "DefectType", "severity": "DefectSeverity",
    },
    EventKind.COMPLIANCE: {
        "time": "Time", "station": "Station", "operator": "Operator", "role": "Role", "sop_id": "SopId",
        "step": "Step", "action": "Action", "ok": "Ok", "reason": "Reason",
    },
    EventKind.LOT: {"time": "Time", "lot": "LotId", "sku": "Sku", "start": "LotStart", "end": "LotEnd"},
}
SERVER_OBJECT = "i=2253"  # OPC UA's Server object: the notifier every server has


@dataclass(frozen=True)
class EventSource:
    """Where a line's production events come from and which fields carry what.

    ``event_type`` is the OPC UA event type (a browse name such as
    ``InspectionEventType`` or a node id) raised by ``notifier``; ``fields``
    maps our field names (those of :data:`EVENT_FIELDS`) to the event's field
    browse names, ``measured`` names inspection values (e.g. ``seal_width``) to
    theirs. ``station``: the asset the events belong to when they name none.
    ``words`` translates a field's values, our field -> their word (casefolded)
    -> ours: a vendor's verdict "NIO" -> "fail", criticality 3 -> "critical",
    failure code "E-SW-LOW" -> our defect type "seal_gap".
    """

    kind: EventKind
    event_type: str
    notifier: str = SERVER_OBJECT
    endpoint: str | None = None  # None: the project's default source
    fields: dict[str, str] = field(default_factory=dict)  # complete: defaults filled in
    measured: dict[str, str] = field(default_factory=dict)
    station: str | None = None
    words: dict[str, dict[str, str]] = field(default_factory=dict)


DEFAULT_STATES: dict[str, int] = {
    "idle": 0,
    "running": 1,
    "starved": 2,
    "blocked": 3,
    "fault": 4,
    "maintenance": 5,
}


@dataclass(frozen=True)
class Project:
    name: str
    path: Path | None
    assets: tuple[Asset, ...]
    signals: tuple[Signal, ...]
    rules: tuple[VisualRule, ...] = ()
    source: SourceConfig = field(default_factory=SourceConfig)
    states: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_STATES))
    fpy: tuple[FpySpec, ...] = ()
    event_sources: tuple[EventSource, ...] = ()
    sops: tuple[Sop, ...] = ()  # the project's SOPs (files referenced from it)

    def asset(self, asset_id: str) -> Asset:
        return self._by_id[asset_id]  # KeyError for an unknown id

    def signal(self, signal_id: str) -> Signal:
        for signal in self.signals:
            if signal.id == signal_id:
                return signal
        raise KeyError(signal_id)

    def children(self, asset_id: str | None) -> list[Asset]:
        """Direct children of ``asset_id`` (``None``: the roots), in file order."""
        return list(self._children.get(asset_id, ()))

    def signals_of(self, asset_id: str) -> list[Signal]:
        return list(self._signals_by_asset.get(asset_id, ()))

    # Indexes made on first use (a project is frozen): with 2,000 assets, a scan
    # per look-up made building the asset tree alone 4 million comparisons.
    @cached_property
    def _by_id(self) -> dict[str, Asset]:
        out: dict[str, Asset] = {}
        for a in self.assets:
            out.setdefault(a.id, a)  # the first, as a scan found it
        return out

    @cached_property
    def _children(self) -> dict[str | None, list[Asset]]:
        out: dict[str | None, list[Asset]] = {}
        for a in self.assets:
            out.setdefault(a.parent, []).append(a)
        return out

    @cached_property
    def _signals_by_asset(self) -> dict[str, list[Signal]]:
        out: dict[str, list[Signal]] = {}
        for signal in self.signals:
            out.setdefault(signal.asset, []).append(signal)
        return out

    def state_name(self, code: int, signal: Signal | None = None) -> str:
        table = signal.states if signal is not None and signal.states else self.states
        for name, value in table.items():
            if value == code:
                return name
        return f"state {code}"
