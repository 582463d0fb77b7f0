"""``linetwin check``: everything wrong with a project, meshes included.

:func:`load_project` stops at the project file; a line also needs its meshes,
which the viewer replaces by placeholders when broken. ``check`` turns each such
placeholder into a :class:`Problem` at the line of that asset's ``mesh =`` key,
and each reader warning (units that disagree, invisible geometry, an absurd
size) into a warning there. :meth:`CheckReport.as_json` is what
``check --json`` prints: per asset its file, format, parts, triangles and size,
and per SOP its id, title, version, steps and file (SOP files are validated by
:func:`load_project`, their problems named at the SOP file's line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.mesh_formats import unit_name
from linetwin.io.mesh.meshes import AssetMesh, load_line_meshes
from linetwin.io.project.project_file import (
    Problem,
    ProjectFileError,
    load_project,
    problem_at,
    read_project_text,
)
from linetwin.io.project.toml_lines import KeyLines
from linetwin.twin.model import Project
from linetwin.twin.sop.sop_model import Sop


@dataclass
class CheckReport:
    """Outcome of checking one project: problems, warnings, per-asset mesh facts."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""
    warnings: list[Problem] = field(default_factory=list)
    meshes: dict[str, AssetMesh] = field(default_factory=dict)
    sops: tuple[Sop, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        """Plain data for ``json.dumps``: strict JSON, no NaN, missing is None."""
        return {
            "project": str(self.path),
            "ok": self.ok,
            "summary": self.summary,
            "problems": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
            "assets": [_asset_json(asset_id, mesh) for asset_id, mesh in self.meshes.items()],
            "sops": [_sop_json(sop) for sop in self.sops],
        }


def check_project(path: str | Path, cache: MeshCache | None = None) -> CheckReport:
    """Check the project file at ``path`` and every mesh it names.

    Parameters
    ----------
    cache
        Parsed-mesh cache; None parses every mesh.
    """
    path = Path(path)
    try:
        project = load_project(path)
    except ProjectFileError as error:
        count = len(error.problems)
        where = "the project file" + (" and its SOP files" if any(p.file != path for p in error.problems)
                                      else "")
        summary = f"{path.name}: {count} problem{'s' if count != 1 else ''} in {where}"
        return CheckReport(path, error.problems, summary)
    meshes = load_line_meshes(project, cache)
    problems, warnings = _mesh_findings(path, project, meshes)
    summary = _summary(path, project, meshes, problems, warnings)
    return CheckReport(path, problems, summary, warnings, meshes, project.sops)


def _mesh_findings(
    path: Path, project: Project, meshes: dict[str, AssetMesh]
) -> tuple[list[Problem], list[Problem]]:
    if not any(m.geometry.placeholder or m.warnings for m in meshes.values()):
        return [], []
    lines = KeyLines(read_project_text(path))
    index_of = {asset.id: i for i, asset in enumerate(project.assets)}
    units_given = {a.id for a in project.assets if a.mesh_units is not None}
    problems, warnings = [], []
    for asset_id, mesh in meshes.items():
        where = ("assets", index_of[asset_id])
        if mesh.geometry.placeholder:
            message = mesh.geometry.problem or "broken mesh"
            problems.append(problem_at(path, lines, where + ("mesh",), message))
        for warning in mesh.warnings:
            key = "mesh_units" if "mesh_units =" in warning and asset_id in units_given else "mesh"
            warnings.append(problem_at(path, lines, where + (key,), warning))
    return problems, warnings


def _summary(
    path: Path,
    project: Project,
    meshes: dict[str, AssetMesh],
    problems: list[Problem],
    warnings: list[Problem],
) -> str:
    good = [m.geometry for m in meshes.values() if not m.geometry.placeholder]
    triangles = sum(len(part.faces) for g in good for part in g.local_parts)
    status = "OK" if not problems else _count(len(problems), "problem")
    if warnings:
        status += f" with {_count(len(warnings), 'warning')}"
    return (
        f"{path.name}: {status} — {_count(len(project.assets), 'asset')}, "
        f"{_count(len(project.signals), 'signal')}, {_count(len(project.rules), 'visual rule')}, "
        f"{_count(len(good), 'mesh', 'meshes')} ({triangles} triangles)"
        + (f", {_count(len(project.sops), 'SOP')} ({', '.join(s.id for s in project.sops)})"
           if project.sops else "")
    )


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _problem_json(problem: Problem) -> dict:
    return {"file": str(problem.file), "line": problem.line, "key": problem.key,
            "message": problem.message}


def _sop_json(sop: Sop) -> dict:
    return {"id": sop.id, "title": sop.title, "version": sop.version, "station": sop.station,
            "steps": len(sop.steps), "file": str(sop.path) if sop.path else None}


def _asset_json(asset_id: str, mesh: AssetMesh) -> dict:
    read = mesh.read
    declared = read.declared if read is not None else None
    return {
        "asset": asset_id,
        "mesh": mesh.shown,
        "format": mesh.format,
        "placeholder": mesh.geometry.placeholder,
        "problem": mesh.geometry.problem,
        "parts": len(read.parts) if read else 0,
        "triangles": sum(len(p.faces) for p in read.parts) if read else 0,
        "size_m": [float(f"{v:.6g}") for v in read.size()] if read else None,
        "units": {
            "declared": unit_name(declared.metres_per_unit) if declared else None,
            "declared_by": declared.source if declared else None,
            "read_as": unit_name(read.metres_per_unit) if read else None,
        },
        "warnings": list(mesh.warnings),
    }
