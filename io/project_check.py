"""``linetwin check``: everything wrong with a project, meshes included.

:func:`load_project` stops at the project file; a line also needs its meshes,
which the viewer replaces by placeholders when broken. ``check`` turns each such
placeholder into a :class:`Problem` at the line of that asset's ``mesh =`` key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from linetwin.io.mesh_cache import MeshCache
from linetwin.io.meshes import load_line_geometry
from linetwin.io.project_file import (
    Problem,
    ProjectFileError,
    load_project,
    problem_at,
    read_project_text,
)
from linetwin.io.toml_lines import KeyLines
from linetwin.twin.geometry import AssetGeometry
from linetwin.twin.model import Project


@dataclass
class CheckReport:
    """Outcome of checking one project: its problems and a one-line summary."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


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
        summary = f"{path.name}: {count} problem{'s' if count != 1 else ''} in the project file"
        return CheckReport(path, error.problems, summary)
    geometries = load_line_geometry(project, cache)
    problems = _mesh_problems(path, project, geometries)
    return CheckReport(path, problems, _summary(path, project, geometries, problems))


def _mesh_problems(
    path: Path, project: Project, geometries: dict[str, AssetGeometry]
) -> list[Problem]:
    broken = [g for g in geometries.values() if g.placeholder]
    if not broken:
        return []
    lines = KeyLines(read_project_text(path))
    index_of = {asset.id: i for i, asset in enumerate(project.assets)}
    return [
        problem_at(path, lines, ("assets", index_of[g.asset_id], "mesh"), g.problem or "broken mesh")
        for g in broken
    ]


def _summary(
    path: Path, project: Project, geometries: dict[str, AssetGeometry], problems: list[Problem]
) -> str:
    good = [g for g in geometries.values() if not g.placeholder]
    triangles = sum(len(part.faces) for g in good for part in g.parts)
    status = "OK" if not problems else f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return (
        f"{path.name}: {status} — {_count(len(project.assets), 'asset')}, "
        f"{_count(len(project.signals), 'signal')}, {_count(len(project.rules), 'visual rule')}, "
        f"{_count(len(good), 'mesh', 'meshes')} ({triangles} triangles)"
    )


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
