"""Load a project file (``*.toml``) into the twin model.

Every error names the file, the line (or key path where no line is known) and
what is wrong, and all of a file's errors are reported together:

1. read the file (missing, unreadable, not UTF-8),
2. parse the TOML (syntax errors carry their line),
3. validate the schema (:mod:`linetwin.io.project.project_schema`),
4. only if the schema passed, check ids and references
   (:mod:`linetwin.io.project.project_consistency`),
5. build the frozen :class:`~linetwin.twin.model.Project`.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from linetwin.io.project import project_schema as schema
from linetwin.io.project.project_consistency import find_inconsistencies
from linetwin.io.project.toml_lines import KeyLines, syntax_error_line, syntax_error_message
from linetwin.twin.model import (
    EVENT_FIELDS,
    AlertSettings,
    AnalogColorRule,
    Asset,
    AssetLevel,
    DefectSpec,
    EventKind,
    EventSource,
    FpySpec,
    Limits,
    Project,
    Signal,
    SignalKind,
    SourceConfig,
    StateColorRule,
    Transform,
)
from linetwin.twin.palette import hex_to_rgb


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as known."""

    file: Path
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}: {self.message}"
        if self.key and not self.message.startswith(self.key):
            return f"{self.file}: {self.key}: {self.message}"
        return f"{self.file}: {self.message}"


class ProjectFileError(Exception):
    """A project file could not be loaded; ``problems`` says everything wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_project(path: str | Path) -> Project:
    """Load and check a project file.

    Raises
    ------
    ProjectFileError
        With every problem found, each naming the file and line.
    """
    path = Path(path)
    text = read_project_text(path)
    document = parse_project_text(path, text)
    return _to_project(document, path)


def read_project_text(path: Path) -> str:
    """The text of a project file, or ProjectFileError saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError([Problem(path, None, None, "project file not found")]) from None
    except IsADirectoryError:
        raise ProjectFileError([Problem(path, None, None, "is a folder, not a project file")]) from None
    except OSError as error:
        message = f"cannot read project file: {error.strerror or error}"
        raise ProjectFileError([Problem(path, None, None, message)]) from None
    try:
        # utf-8-sig: tolerate the byte order mark some Windows editors write.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        raise ProjectFileError([Problem(path, line, None, message)]) from None


def parse_project_text(path: Path, text: str) -> schema.ProjectDocument:
    """Parse and validate project text; ProjectFileError lists every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = f"TOML syntax error: {syntax_error_message(error)}"
        raise ProjectFileError([Problem(path, syntax_error_line(error), None, message)]) from None
    lines = KeyLines(text)
    try:
        document = schema.ProjectDocument.model_validate(raw)
    except ValidationError as error:
        raise ProjectFileError(_schema_problems(error, path, lines, raw)) from None
    findings = find_inconsistencies(document)
    if findings:
        raise ProjectFileError([problem_at(path, lines, loc, msg) for loc, msg in findings])
    return document


def problem_at(path: Path, lines: KeyLines, loc: Sequence[str | int], message: str) -> Problem:
    """A Problem for the key at ``loc``, with its line where the text has one."""
    return Problem(path, lines.line_of(loc), format_key(loc) or None, message)


def format_key(loc: Sequence[str | int]) -> str:
    """``("assets", 3, "mesh_units")`` -> ``"assets[3].mesh_units"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# -- schema errors -> problems ------------------------------------------------------

_ELEMENT_NOUNS = {
    "assets": "asset",
    "signals": "signal",
    "visual_rules": "visual rule",
    "fpy": "FPY of station",
    "event_sources": "event source",
}
_ELEMENT_IDS = {"fpy": "station", "event_sources": "event_type"}  # the key naming an element, where it is not "id"


def _schema_problems(error: ValidationError, path: Path, lines: KeyLines, raw: dict) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = _clean_loc(item["loc"])
        if item["type"] == "union_tag_invalid":
            loc = loc + ("kind",)  # point at the bad kind, not the rule's header
        # for a missing or unknown key (or a bad kind), the message itself names it
        names_key = item["type"] in ("missing", "extra_forbidden", "union_tag_invalid")
        subject, field = _describe(loc[:-1] if names_key else loc, raw)
        text = _friendly(item, loc, raw)
        message = ": ".join(part for part in (subject, field, text) if part)
        problems.append(Problem(path, lines.line_of(loc), format_key(loc) or None, message))
    # pydantic reports in field order; a reader fixes a file top to bottom.
    return sorted(problems, key=lambda p: p.line if p.line is not None else 1 << 30)


def _clean_loc(loc: tuple) -> tuple[str | int, ...]:
    """Drop pydantic's own markers: the union tag of a rule, ``[key]`` of dict keys."""
    parts = [p for p in loc if p != "[key]"]
    if len(parts) > 2 and parts[0] == "visual_rules" and parts[2] in schema.RULE_KINDS:
        del parts[2]
    return tuple(parts)


def _describe(loc: tuple[str | int, ...], raw: dict) -> tuple[str, str]:
    """Who the error is about (``asset 'sealer'``) and the key inside it."""
    if len(loc) >= 2 and loc[0] in _ELEMENT_NOUNS and isinstance(loc[1], int):
        element = _get(raw, loc[:2])
        id_key = _ELEMENT_IDS.get(str(loc[0]), "id")
        ident = element.get(id_key) if isinstance(element, dict) else None
        noun = _ELEMENT_NOUNS[str(loc[0])]
        subject = f"{noun} '{ident}'" if isinstance(ident, str) else f"{loc[0]}[{loc[1]}]"
        return subject, format_key(loc[2:])
    if loc:
        return f"[{loc[0]}]", format_key(loc[1:])
    return "", ""


def _friendly(item: dict[str, Any], loc: tuple[str | int, ...], raw: dict) -> str:
    kind, message, value = item["type"], item["msg"], item.get("input")
    if kind == "missing":
        if len(loc) == 1:
            return f"missing required table [{loc[0]}]"
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1], raw)
        return f"unknown key '{loc[-1]}'{_did_you_mean(str(loc[-1]), known)}"
    if kind == "union_tag_invalid":
        return f"kind must be 'state' or 'analog', got {item['ctx']['tag']!r}"
    if kind == "union_tag_not_found":
        return "missing required key 'kind' ('state' or 'analog')"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind.endswith("_type") and isinstance(value, (dict, list)):
        return message
    return f"{message}, got {value!r}"


def _did_you_mean(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_TABLE_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): schema.ProjectDocument,
    ("project",): schema.ProjectSection,
    ("source",): schema.SourceSection,
    ("assets",): schema.AssetEntry,
    ("signals",): schema.SignalEntry,
    ("signals", "limits"): schema.LimitsEntry,
    ("signals", "alerts"): schema.AlertsEntry,
    ("fpy",): schema.FpyEntry,
    ("event_sources",): schema.EventSourceEntry,
    ("event_sources", "words"): schema.EventWordsEntry,
}


def _known_keys(table: tuple[str | int, ...], raw: dict) -> set[str]:
    """The keys allowed in the table at ``table``, for a did-you-mean hint."""
    names = tuple(str(p) for p in table if not isinstance(p, int))
    if names == ("visual_rules",):
        kind = _get(raw, table + ("kind",))
        rules = {"state": schema.StateRuleEntry, "analog": schema.AnalogRuleEntry}
        models = [rules[kind]] if kind in rules else list(rules.values())
        return {name for model in models for name in model.model_fields}
    model = _TABLE_MODELS.get(names)
    return set(model.model_fields) if model else set()


def _get(raw: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


# -- document -> twin model ---------------------------------------------------------


def _to_project(doc: schema.ProjectDocument, path: Path) -> Project:
    folder = path.resolve().parent
    return Project(
        name=doc.project.name,
        path=path.resolve(),
        assets=tuple(_to_asset(a, folder) for a in doc.assets),
        signals=tuple(_to_signal(s) for s in doc.signals),
        rules=tuple(_to_rule(r) for r in doc.visual_rules),
        source=SourceConfig(
            endpoint=doc.source.endpoint,
            security_policy=doc.source.security_policy,
            security_mode=doc.source.security_mode,
            username=doc.source.username,
        ),
        states=dict(doc.states),
        fpy=tuple(_to_fpy(f) for f in doc.fpy),
        event_sources=tuple(_to_event_source(e) for e in doc.event_sources),
    )


def _to_asset(entry: schema.AssetEntry, folder: Path) -> Asset:
    return Asset(
        id=entry.id,
        name=entry.name,
        level=AssetLevel(entry.level),
        parent=entry.parent,
        mesh=(folder / entry.mesh).resolve() if entry.mesh else None,
        mesh_units=entry.mesh_units,
        transform=Transform(position=entry.position, rotation=entry.rotation, scale=entry.scale),
        color_by=entry.color_by,
    )


def _to_signal(entry: schema.SignalEntry) -> Signal:
    return Signal(
        id=entry.id,
        asset=entry.asset,
        node=entry.node,
        kind=SignalKind(entry.kind),
        unit=entry.unit,
        limits=Limits(low=entry.limits.low, high=entry.limits.high),
        sampling_ms=entry.sampling_ms,
        stale_after_s=entry.stale_after_s,
        endpoint=entry.endpoint,
        states=dict(entry.states) if entry.states is not None else None,
        alerts=_to_alerts(entry.alerts) if entry.alerts is not None else None,
    )


def _to_alerts(entry: schema.AlertsEntry) -> AlertSettings:
    return AlertSettings(
        limit=entry.limit,
        deadband=entry.deadband,
        trend=entry.trend,
        window_s=entry.window_s,
        horizon_s=entry.horizon_s,
        nelson=tuple(entry.nelson),
        center=entry.center,
        sigma=entry.sigma,
        subgroup_s=entry.subgroup_s,
        when_running=entry.when_running,
    )


def _to_fpy(entry: schema.FpyEntry) -> FpySpec:
    return FpySpec(
        station=entry.station,
        good=entry.good,
        reject=entry.reject,
        threshold=entry.threshold,
        window_s=entry.window_s,
        trend=entry.trend,
        horizon_s=entry.horizon_s,
        min_units=entry.min_units,
        target=entry.target,
        baseline_units=entry.baseline_units,
        arl0_units=entry.arl0_units,
        defects=tuple(DefectSpec(name, d.counter, d.rate, d.limit, d.arl0_units)
                      for name, d in entry.defects.items()),
    )


def _to_event_source(entry: schema.EventSourceEntry) -> EventSource:
    kind = EventKind(entry.kind)
    return EventSource(kind=kind, event_type=entry.event_type, notifier=entry.notifier,
                       endpoint=entry.endpoint, fields={**EVENT_FIELDS[kind], **entry.fields},
                       measured=dict(entry.measured), station=entry.station,
                       words={ours: {theirs.strip().casefold(): word for theirs, word in table.items()}
                              for ours, table in entry.words.model_dump(exclude_defaults=True).items()})


def _to_rule(entry: schema.StateRuleEntry | schema.AnalogRuleEntry):
    if isinstance(entry, schema.StateRuleEntry):
        colors = {name: hex_to_rgb(value) for name, value in entry.colors.items()}
        return StateColorRule(id=entry.id, colors=colors, signal=entry.signal)
    return AnalogColorRule(
        id=entry.id, signal=entry.signal, colormap=entry.colormap, value_range=entry.range
    )

