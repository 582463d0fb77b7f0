"""``check_project``: project file problems plus broken meshes at their ``mesh =`` line."""

from __future__ import annotations

import pytest

from linetwin.io.project_check import check_project

from .conftest import DEMO_DIR, MINIMAL_PROJECT, line_of, tall_box, variant, write


@pytest.fixture
def project_with_mesh(tmp_path, write_project):
    """The minimal project with its sealer mesh (in mm) present and valid."""
    write(tmp_path / "meshes" / "sealer.stl", tall_box(scale=1000.0).export(file_type="stl"))
    return write_project(MINIMAL_PROJECT)


def test_valid_project_is_ok_with_a_summary(project_with_mesh, mesh_cache):
    report = check_project(project_with_mesh, mesh_cache)
    assert report.ok and report.problems == []
    assert report.summary == (
        "line.toml: OK — 2 assets, 3 signals, 2 visual rules, 1 mesh (12 triangles)"
    )


@pytest.mark.skipif(not list((DEMO_DIR / "meshes").glob("*.glb")), reason="no demo meshes yet")
def test_demo_project_is_ok(demo_project_path, mesh_cache):
    report = check_project(demo_project_path, mesh_cache)
    assert report.ok, "\n".join(map(str, report.problems))
    assert report.summary.startswith("line.toml: OK — 9 assets, ")
    assert "7 meshes (" in report.summary


@pytest.mark.parametrize(
    "mesh_bytes, fragment",
    [(None, "file not found"), (b"", "file is empty"), (b"\x13" * 300, "not a valid STL")],
    ids=["missing", "empty", "garbage"],
)
def test_broken_mesh_is_a_problem_at_its_mesh_line(tmp_path, write_project, mesh_cache, mesh_bytes, fragment):
    if mesh_bytes is not None:
        write(tmp_path / "meshes" / "sealer.stl", mesh_bytes)
    path = write_project(MINIMAL_PROJECT)
    report = check_project(path, mesh_cache)
    [problem] = report.problems
    assert problem.file == path and problem.key == "assets[1].mesh"
    assert problem.line == line_of(MINIMAL_PROJECT, "mesh =")
    assert problem.message.startswith("asset 'sealer': meshes/sealer.stl: ")
    assert fragment in problem.message
    assert str(problem).startswith(f"{path}:{problem.line}: asset 'sealer': meshes/sealer.stl: ")
    assert not report.ok and report.summary.startswith("line.toml: 1 problem — ")
    assert "0 meshes (0 triangles)" in report.summary


def test_every_broken_mesh_is_reported(tmp_path, write_project, mesh_cache):
    text = MINIMAL_PROJECT + (
        '\n[[assets]]\nid = "packer"\nname = "Packer"\nlevel = "asset"\n'
        'mesh = "meshes/packer.glb"\n'
    )
    path = write_project(text)
    problems = check_project(path, mesh_cache).problems
    assert [p.line for p in problems] == [line_of(text, "mesh =", 0), line_of(text, "mesh =", 1)]
    assert "asset 'packer': meshes/packer.glb: file not found" in problems[1].message


def test_project_file_problems_come_back_without_loading_meshes(write_project, mesh_cache):
    text = variant('parent = "line"', 'parent = "nowhere"')
    text = variant('colormap = "coolwarm"', 'colormap = "rainbow"', text)
    path = write_project(text)
    report = check_project(path, mesh_cache)
    assert [p.line for p in report.problems] == [line_of(text, "colormap")]  # schema first
    assert report.summary == "line.toml: 1 problem in the project file"
    assert not mesh_cache.folder.exists()


def test_missing_project_file(tmp_path):
    report = check_project(tmp_path / "nope.toml")
    assert not report.ok and "not found" in str(report.problems[0])
