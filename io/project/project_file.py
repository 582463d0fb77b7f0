"""Load a project file (``*.toml``) into the twin model.

Every error names the file, the line (or key path where no line is known) and
what is wrong, and all of a file's errors are reported together:

1. read the file (missing, unreadable, not UTF-8),
2. parse the TOML (syntax errors carry their line),
3. validate the schema (:mod:`linetwin.io.project.project_schema`),
4. only if the schema passed, check ids and references
   (:mod:`linetwin.io.project.project_consistency`),
5. build the frozen :class:`~linetwin.twin.model.Project`,
6. load the SOP files it references (:mod:`linetwin.io.project.sop_file`),
   whose problems name the SOP file and its line.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from linetwin.io.project import project_schema as schema
from linetwin.io.project.file_problems import (  # noqa: F401 (Problem: callers import it from here)
    Problem,
    ProjectFileError,
    Vocabulary,
    parse_toml,
    problem_at,
    read_toml_text,
    schema_problems,
)
from linetwin.io.project.project_consistency import find_inconsistencies
from linetwin.io.project.sop_file import load_sops
from linetwin.io.project.toml_lines import KeyLines
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
    project = _to_project(document, path)
    if not document.sops:
        return project
    return replace(project, sops=load_sops(project, document.sops, path, KeyLines(text)))


def read_project_text(path: Path) -> str:
    """The text of a project file, or ProjectFileError saying why it cannot be read."""
    return read_toml_text(path, "project file")


def parse_project_text(path: Path, text: str) -> schema.ProjectDocument:
    """Parse and validate project text; ProjectFileError lists every problem."""
    raw, lines = parse_toml(path, text)
    try:
        document = schema.ProjectDocument.model_validate(raw)
    except ValidationError as error:
        raise ProjectFileError(schema_problems(error, path, lines, raw, PROJECT_WORDS)) from None
    findings = find_inconsistencies(document)
    if findings:
        raise ProjectFileError([problem_at(path, lines, loc, msg) for loc, msg in findings])
    return document


# How schema errors name the project file's parts.
PROJECT_WORDS = Vocabulary(
    nouns={"assets": "asset", "signals": "signal", "visual_rules": "visual rule",
           "fpy": "FPY of station", "event_sources": "event source"},
    id_keys={"fpy": "station", "event_sources": "event_type"},
    tables={
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
    },
    unions={"visual_rules": {"state": schema.StateRuleEntry, "analog": schema.AnalogRuleEntry}},
)


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
        writable=entry.writable,
        certified=Limits(entry.certified.low, entry.certified.high) if entry.certified else None,
        setpoint_node=entry.setpoint_node,
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

