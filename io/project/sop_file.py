"""Load SOP files (``*.toml``, one SOP each) into :class:`~linetwin.twin.sop.sop_model.Sop`.

The project names its SOPs (``sops = ["sops/sealer_changeover.toml"]``, relative
to the project file). Like the project file, an SOP file is read, parsed,
schema-checked (:mod:`linetwin.io.project.sop_schema`) and checked against the
project (:mod:`linetwin.io.project.sop_consistency`); every problem is a
:class:`~linetwin.io.project.file_problems.Problem` naming the SOP file and line.
A missing SOP file, or an SOP id used by two files, is a problem at the
project file's ``sops`` line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from linetwin.io.project import sop_schema as schema
from linetwin.io.project.file_problems import (
    Problem,
    ProjectFileError,
    Vocabulary,
    parse_toml,
    problem_at,
    read_toml_text,
    schema_problems,
)
from linetwin.io.project.sop_consistency import find_sop_problems, station_of
from linetwin.io.project.toml_lines import KeyLines
from linetwin.twin.model import Project
from linetwin.twin.sop.sop_model import (
    ActionKind,
    Control,
    ErrorKind,
    Hazard,
    Revision,
    Scoring,
    Sop,
    SopStep,
)

SOP_WORDS = Vocabulary(
    nouns={"steps": "step", "hazards": "hazard", "revisions": "revision"},
    id_keys={"revisions": "version"},
    tables={
        (): schema.SopDocument,
        ("sop",): schema.SopSection,
        ("revisions",): schema.RevisionEntry,
        ("scoring",): schema.ScoringEntry,
        ("hazards",): schema.HazardEntry,
        ("steps",): schema.StepEntry,
    },
)


def load_sops(project: Project, files: Sequence[str], project_path: Path,
              project_lines: KeyLines) -> tuple[Sop, ...]:
    """The SOPs ``files`` name (relative to the project file), checked on ``project``.

    Raises
    ------
    ProjectFileError
        With the problems of every SOP file, and of the project's ``sops`` entries.
    """
    folder = project_path.resolve().parent
    sops: list[Sop] = []
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for index, name in enumerate(files):
        where = ("sops", index)
        path = folder / name
        if not path.is_file():
            problems.append(problem_at(project_path, project_lines, where,
                                       f"sops: SOP file '{name}' not found (looked for {path})"))
            continue
        try:
            sop = load_sop(path, project)
        except ProjectFileError as error:
            problems.extend(error.problems)
            continue
        if sop.id in first:
            problems.append(problem_at(project_path, project_lines, where,
                                       f"sops: '{name}' has SOP id '{sop.id}', which '{first[sop.id]}' "
                                       "uses already; each SOP needs its own id"))
            continue
        first[sop.id] = name
        sops.append(sop)
    if problems:
        raise ProjectFileError(problems)
    return tuple(sops)


def load_sop(path: Path, project: Project) -> Sop:
    """One SOP file, checked against ``project``; ProjectFileError lists every problem."""
    text = read_toml_text(path, "SOP file")
    raw, lines = parse_toml(path, text)
    try:
        doc = schema.SopDocument.model_validate(raw)
    except ValidationError as error:
        raise ProjectFileError(schema_problems(error, path, lines, raw, SOP_WORDS)) from None
    folder = path.resolve().parent
    findings = find_sop_problems(doc, project, folder)
    if findings:
        raise ProjectFileError(sorted((problem_at(path, lines, loc, message) for loc, message in findings),
                                      key=lambda p: p.line if p.line is not None else 1 << 30))
    return _to_sop(doc, project, path.resolve(), lines)


def _to_sop(doc: schema.SopDocument, project: Project, path: Path, lines: KeyLines) -> Sop:
    steps = tuple(_to_step(entry, project, path.parent, lines.line_of(("steps", i)) or 0)
                  for i, entry in enumerate(doc.steps))
    head = doc.sop
    return Sop(
        id=head.id, title=head.title, version=head.version, author=head.author,
        approver=head.approver, approved=head.approved, steps=steps,
        station=head.station or steps[0].station,
        revisions=tuple(Revision(r.version, r.date, r.author, r.note) for r in doc.revisions),
        hazards=tuple(Hazard(h.id, h.station, tuple(h.steps), h.text) for h in doc.hazards),
        scoring=_to_scoring(doc.scoring),
        time_limit_s=head.time_limit_s,
        certification_days=head.certification_days,
        run_gap_s=head.run_gap_s,
        path=path,
    )


def _to_scoring(entry: schema.ScoringEntry) -> Scoring:
    defaults = Scoring()
    penalties = {**defaults.penalties, **{ErrorKind(k): v for k, v in entry.penalties.items()}}
    return Scoring(pass_score=entry.pass_score, penalties=penalties, hint_penalty=entry.hint_penalty,
                   fail_on=tuple(ErrorKind(k) for k in entry.fail_on))


def _to_step(entry: schema.StepEntry, project: Project, folder: Path, line: int) -> SopStep:
    low, high = entry.range if entry.range is not None else (None, None)
    station = station_of(project, entry.target)
    assert station is not None  # checked by find_sop_problems
    return SopStep(
        id=entry.id, title=entry.title, action=ActionKind(entry.action), target=entry.target,
        station=station, instruction=entry.instruction,
        image=(folder / entry.image).resolve() if entry.image else None,
        hint=entry.hint, after=tuple(entry.after), time_limit_s=entry.time_limit_s,
        signal=entry.signal, low=low, high=high, value=entry.value,
        duration_s=entry.duration_s or 0.0, tolerance=entry.tolerance or 0.0,
        control=Control(entry.control) if entry.control else None,
        question=entry.question or "", choices=tuple(entry.choices or ()), answer=entry.answer or "",
        reported_as=entry.reported_as, line=line,
    )
