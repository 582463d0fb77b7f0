"""``check_project``: project file problems plus broken meshes at their ``mesh =`` line."""

from __future__ import annotations

import pytest

from linetwin.io.project.project_check import check_project

from tests.io.conftest import DEMO_DIR, MINIMAL_PROJECT, line_of, tall_box, variant, write


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
    assert report.summary.startswith("line.toml: OK — 17 assets, ")
    assert "15 meshes (" in report.summary and report.summary.endswith(", 3 SOPs (SOP-SEAL-03, SOP-LOTO-07, SOP-SHIFT-01)")


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


# -- units, warnings and the per-asset facts of check --json (real files) ---------------

REAL = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "real"

UNITS_PROJECT = """\
[project]
name = "Units"

[[assets]]
id = "press"
name = "Press"
level = "asset"
mesh = "meshes/press.dae"
{units}
[[assets]]
id = "tray"
name = "Tray"
level = "asset"
mesh = "meshes/tray.3mf"
position = [2.0, 0.0, 0.0]
"""


@pytest.fixture
def units_project(tmp_path, write_project):
    """A real centimetre COLLADA re-declared in millimetres, and a real millimetre 3MF."""
    text = (REAL / "cube_triangulate.dae").read_text()
    write(tmp_path / "meshes" / "press.dae",
          text.replace('<unit meter="0.01" name="centimeter"/>', '<unit meter="0.001"/>'))
    write(tmp_path / "meshes" / "tray.3mf", (REAL / "box.3mf").read_bytes())
    return lambda units="": write_project(UNITS_PROJECT.format(units=units))


def test_declared_units_are_honoured_and_check_is_ok(units_project, mesh_cache):
    report = check_project(units_project(), mesh_cache)
    assert report.ok and report.warnings == []
    facts = {a["asset"]: a for a in report.as_json()["assets"]}
    assert facts["press"]["size_m"] == [0.1, 0.1, 0.1]
    assert facts["press"]["units"] == {"declared": "millimetres", "declared_by": '<unit meter="0.001">',
                                       "read_as": "millimetres"}
    assert facts["tray"]["size_m"] == [0.01, 0.02, 0.03] and facts["tray"]["format"] == "3MF"


def test_disagreeing_mesh_units_is_a_warning_at_its_line(units_project, mesh_cache):
    path = units_project('mesh_units = "m"\n')
    report = check_project(path, mesh_cache)
    assert report.ok  # a warning, not a problem: the user may mean it
    [warning] = report.warnings
    text = path.read_text()
    assert warning.line == line_of(text, "mesh_units") and warning.key == "assets[0].mesh_units"
    assert warning.message == (
        "asset 'press': meshes/press.dae: the file declares millimetres (<unit meter=\"0.001\">) "
        "but the project's mesh_units = \"m\" reads it as metres")
    assert report.summary.startswith("line.toml: OK with 1 warning — ")


def test_json_report_is_strict_and_covers_every_asset(units_project, mesh_cache, tmp_path):
    import json

    write(tmp_path / "meshes" / "tray.3mf", b"PK\x03\x04 cut short")
    report = check_project(units_project(), mesh_cache)
    text = json.dumps(report.as_json(), allow_nan=False)
    data = json.loads(text)
    assert data["ok"] is False and [p["key"] for p in data["problems"]] == ["assets[1].mesh"]
    tray = data["assets"][1]
    assert tray["placeholder"] is True and tray["size_m"] is None and tray["parts"] == 0
    assert "a 3MF is a ZIP package" in tray["problem"]
    press = data["assets"][0]
    assert press == {
        "asset": "press", "mesh": "meshes/press.dae", "format": "COLLADA", "placeholder": False,
        "problem": None, "parts": 1, "triangles": 12, "size_m": [0.1, 0.1, 0.1],
        "units": {"declared": "millimetres", "declared_by": '<unit meter="0.001">',
                  "read_as": "millimetres"},
        "warnings": []}


def test_mesh_units_without_a_mesh_is_a_problem(write_project, mesh_cache):
    text = UNITS_PROJECT.format(units="").replace(
        'mesh = "meshes/press.dae"\n', 'mesh_units = "mm"\n')
    report = check_project(write_project(text), mesh_cache)
    [problem] = report.problems
    assert problem.line == line_of(text, "mesh_units")
    assert "mesh_units says how to read a mesh file, but the asset has no mesh" in problem.message
