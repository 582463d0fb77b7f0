"""Schema of the project file (``*.toml``), as pydantic models.

These models only validate the shape of the document: types, allowed values and
unknown keys (``extra="forbid"``, so a typo such as ``mesh_unit`` is an error
rather than silently ignored). Checks that need the whole project (unknown ids,
parent cycles, ...) live in :mod:`linetwin.io.project.project_file`.

Numbers use pydantic's strict types so that ``"5"`` or ``true`` is not quietly
accepted where TOML should hold a number; strict floats still accept integers,
so ``low = 100`` is fine.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from linetwin.io.opcua import SECURITY_MODES, SECURITY_POLICIES
from linetwin.twin.model import (
    DEFAULT_STATES,
    EVENT_FIELDS,
    SERVER_OBJECT,
    AlertSettings,
    EventKind,
    FpySpec,
    SourceConfig,
)
from linetwin.twin.production.events import InspectionResult, Severity

COLORMAPS = ("viridis", "cividis", "coolwarm", "plasma")

# ns=<index>;  or  nsu=<namespace uri>;  then s=<string> | i=<uint> | g=<guid> | b=<base64>.
# The namespace prefix may be left out (namespace 0, e.g. "i=2258"), as OPC UA allows.
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_NODE_ID = re.compile(
    r"^(?:(?:ns=\d+|nsu=[^;]+);)?"
    rf"(?:s=.+|i=\d+|g={_GUID}|b=[A-Za-z0-9+/]+={{0,2}})$"
)
_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return float(value)


def _vec3(value: Any) -> tuple[float, float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise ValueError(f"expected 3 numbers [x, y, z], got {value!r}")
    return tuple(_number(v) for v in value)  # type: ignore[return-value]


def _scale(value: Any) -> tuple[float, float, float]:
    """A scale is one number (uniform) or three; always stored as three."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value] * 3
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"expected a number or 3 numbers [x, y, z], got {value!r}")
    scale = _vec3(value)
    if any(s == 0.0 for s in scale):
        raise ValueError(f"must not be zero, got {value!r}")
    return scale


def _opc_tcp_endpoint(value: str) -> str:
    if not value.startswith("opc.tcp://"):
        raise ValueError(f"must start with 'opc.tcp://', got {value!r}")
    return value


def _hex_color(value: str) -> str:
    if not _HEX_COLOR.match(value):
        raise ValueError(f"expected a color '#RRGGBB', got {value!r}")
    return value


def _positive(value: float) -> float:
    if value <= 0.0:
        raise ValueError(f"must be greater than 0, got {value:g}")
    return value


def _not_negative(value: float) -> float:
    if value < 0.0:
        raise ValueError(f"must not be negative, got {value:g}")
    return value


FiniteFloat = Annotated[float, BeforeValidator(_number)]
PositiveFloat = Annotated[float, BeforeValidator(_number), AfterValidator(_positive)]
NonNegativeFloat = Annotated[float, BeforeValidator(_number), AfterValidator(_not_negative)]
Vec3 = Annotated[tuple[float, float, float], BeforeValidator(_vec3)]
Scale = Annotated[tuple[float, float, float], BeforeValidator(_scale)]
Identifier = Annotated[StrictStr, Field(min_length=1)]
HexColor = Annotated[StrictStr, AfterValidator(_hex_color)]
Endpoint = Annotated[StrictStr, AfterValidator(_opc_tcp_endpoint)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectSection(_Section):
    name: Identifier


class SourceSection(_Section):
    endpoint: Endpoint = SourceConfig.endpoint
    security_policy: Literal[SECURITY_POLICIES] = "None"  # type: ignore[valid-type]
    security_mode: Literal[SECURITY_MODES] = "None"  # type: ignore[valid-type]
    username: StrictStr | None = None


class AssetEntry(_Section):
    id: Identifier
    name: StrictStr
    level: Literal["factory", "system", "asset", "component"]
    parent: Identifier | None = None
    mesh: Identifier | None = None  # relative to the project file's folder
    mesh_units: Literal["m", "mm"] | None = None  # None: the units the mesh file declares
    position: Vec3 = (0.0, 0.0, 0.0)
    rotation: Vec3 = (0.0, 0.0, 0.0)  # degrees
    scale: Scale = (1.0, 1.0, 1.0)
    color_by: Identifier | None = None


class LimitsEntry(_Section):
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None

    @model_validator(mode="after")
    def _ordered(self) -> LimitsEntry:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must not be above high ({self.high:g})")
        return self


class CertifiedEntry(_Section):
    """A writable signal's ``certified = { low = .., high = .. }``: the values a change may set."""

    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> CertifiedEntry:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class AlertsEntry(_Section):
    """A signal's ``alerts = { ... }``: which alerts it raises (all optional)."""

    limit: StrictBool = AlertSettings.limit
    deadband: NonNegativeFloat | None = None  # signal units; None: 1 % of the limit span
    trend: StrictBool = AlertSettings.trend
    window_s: PositiveFloat = AlertSettings.window_s
    horizon_s: PositiveFloat = AlertSettings.horizon_s
    nelson: list[StrictInt] = []
    center: FiniteFloat | None = None  # None: estimated from the first points
    sigma: PositiveFloat | None = None  # None: estimated from the first points
    subgroup_s: NonNegativeFloat = AlertSettings.subgroup_s  # 0: every sample is a point
    when_running: StrictBool = AlertSettings.when_running  # judge only while the asset runs

    @field_validator("nelson")
    @classmethod
    def _rule_numbers(cls, value: list[int]) -> list[int]:
        wrong = [n for n in value if not 1 <= n <= 8]
        if wrong:
            raise ValueError(f"Nelson rules are numbered 1 to 8, got {', '.join(map(str, wrong))}")
        twice = sorted({n for n in value if value.count(n) > 1})
        if twice:
            raise ValueError(f"Nelson rule {', '.join(map(str, twice))} listed twice")
        return value


class SignalEntry(_Section):
    id: Identifier
    asset: Identifier
    node: StrictStr
    kind: Literal["state", "analog", "counter"]
    unit: StrictStr = ""
    limits: LimitsEntry = LimitsEntry()
    sampling_ms: Annotated[PositiveInt, Field(strict=True)] = 500
    # Seconds without a new value before it is drawn stale; None: derived from the
    # kind and sampling (Signal.staleness_limit).
    stale_after_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    endpoint: Endpoint | None = None  # None: the project's [source]
    states: dict[Identifier, StrictInt] | None = None
    alerts: AlertsEntry | None = None  # None: limit alerts only
    writable: StrictBool = False  # read-only unless said
    certified: CertifiedEntry | None = None  # required when writable
    setpoint_node: StrictStr | None = None  # written and read back; None: node

    @field_validator("node", "setpoint_node")
    @classmethod
    def _node_id(cls, value: str | None) -> str | None:
        return _node_id_text(value) if value is not None else None


class StateRuleEntry(_Section):
    kind: Literal["state"]
    id: Identifier
    colors: dict[Identifier, HexColor]
    signal: Identifier | None = None  # None: every state signal


class AnalogRuleEntry(_Section):
    kind: Literal["analog"]
    id: Identifier
    signal: Identifier
    colormap: Literal[COLORMAPS]  # type: ignore[valid-type]
    range: tuple[FiniteFloat, FiniteFloat]

    @field_validator("range", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ValueError(f"expected 2 numbers [low, high], got {value!r}")
        return value

    @field_validator("range")
    @classmethod
    def _increasing(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] < value[1]:
            raise ValueError(f"low ({value[0]:g}) must be below high ({value[1]:g})")
        return value


def _fraction(value: float) -> float:
    if not 0.0 < value < 1.0:
        raise ValueError(f"must be a fraction between 0 and 1 (e.g. 0.97), got {value:g}")
    return value


Fraction = Annotated[float, BeforeValidator(_number), AfterValidator(_fraction)]


class DefectEntry(_Section):
    """One defect type of an ``[[fpy]]`` station: its counter, in-control rate and
    the rate to detect (default three times the in-control rate)."""

    counter: Identifier  # counter signal id
    rate: Fraction
    limit: Fraction | None = None
    arl0_units: PositiveFloat | None = None  # None: the station's

    @model_validator(mode="after")
    def _limit_above_rate(self) -> "DefectEntry":
        if self.limit is not None and not self.limit > self.rate:
            raise ValueError(f"limit ({self.limit:g}) must be above rate ({self.rate:g}): "
                             "it is the raised rate to detect")
        return self


class FpyEntry(_Section):
    """An ``[[fpy]]`` table: first-pass yield of a station from two counters."""

    station: Identifier  # asset id
    good: Identifier  # counter signal id
    reject: Identifier  # counter signal id
    threshold: Fraction = FpySpec.threshold
    window_s: PositiveFloat = FpySpec.window_s
    trend: StrictBool = FpySpec.trend
    horizon_s: PositiveFloat = FpySpec.horizon_s
    min_units: Annotated[PositiveInt, Field(strict=True)] = FpySpec.min_units
    target: Fraction | None = None
    baseline_units: Annotated[PositiveInt, Field(strict=True)] = FpySpec.baseline_units
    arl0_units: PositiveFloat = FpySpec.arl0_units
    defects: dict[Identifier, DefectEntry] = {}

    @model_validator(mode="after")
    def _target_above_threshold(self) -> "FpyEntry":
        if self.target is not None and not self.target > self.threshold:
            raise ValueError(f"target ({self.target:g}) must be above threshold ({self.threshold:g}): "
                             "the in-control yield is better than the alarm level")
        return self


def _node_id_text(value: str) -> str:
    if not _NODE_ID.match(value):
        raise ValueError(
            f"{value!r} is not an OPC UA node id; expected e.g. 'ns=2;s=Sealer.Temperature', "
            "'ns=2;i=1001' or 'nsu=urn:example;s=Tag'"
        )
    return value


# Our fields whose words are ours to choose from ("" severity: none, for a unit that passed);
# the other text fields take any word (a vendor's failure code -> our defect type).
_WORD_TARGETS: dict[str, Any] = {
    "result": Literal[tuple(r.value for r in InspectionResult)],  # type: ignore[misc]
    "severity": Literal[("", *(s.value for s in Severity))],  # type: ignore[misc]
    "ok": Literal["true", "false"],
}
_TIMES = ("time", "start", "end")  # DateTime fields: nothing to translate
_WORD_FIELDS = dict.fromkeys(name for names in EVENT_FIELDS.values() for name in names if name not in _TIMES)
# ``[event_sources.words]``: one table per field of ours, their word -> ours.
EventWordsEntry = create_model(
    "EventWordsEntry", __base__=_Section,
    **{name: (dict[StrictStr, _WORD_TARGETS.get(name, StrictStr)], {}) for name in _WORD_FIELDS})  # type: ignore


class EventSourceEntry(_Section):
    """An ``[[event_sources]]`` table: OPC UA events of one type that a project
    reads as inspections, compliance steps or lot changes, and which of the
    event's fields (browse names) carry our fields."""

    kind: Literal["inspection", "compliance", "lot"]
    event_type: Identifier  # a browse name ("InspectionEventType") or a node id
    notifier: Annotated[StrictStr, AfterValidator(_node_id_text)] = SERVER_OBJECT
    endpoint: Endpoint | None = None  # None: the project's [source]
    fields: dict[Identifier, Identifier] = {}  # ours -> the event field's browse name
    measured: dict[Identifier, Identifier] = {}  # measured value -> the event field's browse name
    station: Identifier | None = None  # asset id, for events that name no station
    words: EventWordsEntry = EventWordsEntry()  # type: ignore[valid-type]

    @field_validator("event_type")
    @classmethod
    def _type_reference(cls, value: str) -> str:
        return _node_id_text(value) if "=" in value else value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself is wrong: reported there
            return value
        known = EVENT_FIELDS[EventKind(kind)]
        unknown = [name for name in value if name not in known]
        if unknown:
            raise ValueError(f"{', '.join(map(repr, unknown))} is not a field of {kind} events; "
                             f"known: {', '.join(known)}")
        return value

    @field_validator("words")
    @classmethod
    def _words_of_the_kind(cls, value: BaseModel, info: ValidationInfo) -> BaseModel:
        kind = info.data.get("kind")
        if kind is None:
            return value
        known = [name for name in EVENT_FIELDS[EventKind(kind)] if name not in _TIMES]
        other = [name for name in value.model_fields_set if name not in known]
        if other:
            raise ValueError(f"{', '.join(map(repr, sorted(other)))} is not a field of {kind} events; "
                             f"words translate {', '.join(known)}")
        return value

    @field_validator("measured")
    @classmethod
    def _inspection_only(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        if value and info.data.get("kind") not in (None, "inspection"):
            raise ValueError("only inspection events carry measured values")
        return value


VisualRuleEntry = Annotated[Union[StateRuleEntry, AnalogRuleEntry], Field(discriminator="kind")]
RULE_KINDS = ("state", "analog")


class ProjectDocument(_Section):
    """The whole project file."""

    project: ProjectSection
    source: SourceSection = SourceSection()
    states: dict[Identifier, StrictInt] = Field(default_factory=lambda: dict(DEFAULT_STATES))
    assets: list[AssetEntry] = []
    signals: list[SignalEntry] = []
    visual_rules: list[VisualRuleEntry] = []
    fpy: list[FpyEntry] = []
    event_sources: list[EventSourceEntry] = []
    sops: list[Identifier] = []  # SOP files, relative to the project file's folder
