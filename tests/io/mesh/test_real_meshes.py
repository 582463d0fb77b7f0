"""Real mesh files nobody on the team wrote (tests/io/data/real/SOURCES.md), and
broken variants made from them: units honoured, messages in the file's terms."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from linetwin.io.mesh import mesh_formats
from linetwin.io.mesh.meshes import load_asset_mesh, read_mesh

from tests.io.conftest import station, write

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
needs_step = pytest.mark.skipif(not mesh_formats.step_available(),
                                reason="the optional STEP reader (cascadio) is not installed")

# file -> (format, size in metres, declared unit or None)
GOOD = {
    "box.3mf": ("3MF", [0.01, 0.02, 0.03], 0.001),  # unit="millimeter": 10 x 20 x 30 mm
    "cube_triangulate.dae": ("COLLADA", [1.0, 1.0, 1.0], 0.01),  # 100 cm cube
    "cube_with_2UVs.DAE": ("COLLADA", [0.0508] * 3, 0.0254),  # 2 inch cube
    "BoxTextured.glb": ("glTF binary", [1.0, 1.0, 1.0], 1.0),
    "sphereWithHole.stl": ("STL", [3.0, 3.0, 3.0], None),
    "box.obj": ("OBJ", [1.0, 1.0, 1.0], None),
    "Cube.off": ("OFF", [1.0, 1.0, 1.0], None),
    "cube.ply": ("PLY", [1.0, 1.0, 1.0], None),
    "1210_SMD.stp": ("STEP", [0.0032, 0.0025, 0.0025], 1.0),  # a 1210 SMD part, drawn in mm
}


@pytest.mark.parametrize("name", GOOD)
def test_real_file_loads_at_its_real_size(name, mesh_cache):
    if name.endswith(".stp") and not mesh_formats.step_available():
        pytest.skip("the optional STEP reader (cascadio) is not installed")
    fmt, size, declared = GOOD[name]
    loaded = load_asset_mesh(station(REAL / name, units=None), mesh_cache)
    assert not loaded.geometry.placeholder, loaded.geometry.problem
    assert loaded.format == fmt
    np.testing.assert_allclose(loaded.read.size(), size, rtol=1e-3)
    assert (loaded.read.declared and loaded.read.declared.metres_per_unit) == declared


def unit_variant(tmp_path: Path, meter: str) -> Path:
    """The real centimetre COLLADA cube, re-declared in other units (100 units a side)."""
    text = (REAL / "cube_triangulate.dae").read_text()
    text = text.replace('<unit meter="0.01" name="centimeter"/>', f'<unit meter="{meter}"/>')
    return write(tmp_path / "cube_mm.dae", text)


def test_collada_in_millimetres_is_not_a_thousand_times_too_large(tmp_path, mesh_cache):
    loaded = load_asset_mesh(station(unit_variant(tmp_path, "0.001"), units=None), mesh_cache)
    np.testing.assert_allclose(loaded.read.size(), [0.1, 0.1, 0.1])
    assert loaded.warnings == ()


def test_project_units_override_the_file_with_a_warning_naming_both(tmp_path, mesh_cache):
    path = unit_variant(tmp_path, "0.001")
    loaded = load_asset_mesh(station(path, units="m"), mesh_cache, base=tmp_path)
    np.testing.assert_allclose(loaded.read.size(), [100.0, 100.0, 100.0])
    [warning] = loaded.warnings
    assert warning == (
        "asset 'station': cube_mm.dae: the file declares millimetres (<unit meter=\"0.001\">) "
        "but the project's mesh_units = \"m\" reads it as metres")


def test_3mf_in_millimetres_and_a_matching_override(mesh_cache):
    agreeing = load_asset_mesh(station(REAL / "box.3mf", units="mm"), mesh_cache)
    assert agreeing.warnings == ()
    np.testing.assert_allclose(agreeing.read.size(), [0.01, 0.02, 0.03])
    disagreeing = load_asset_mesh(station(REAL / "box.3mf", units="m"), mesh_cache)
    assert 'declares millimetres (unit="millimeter")' in disagreeing.warnings[0]


def test_implausible_size_is_a_warning(tmp_path, mesh_cache):
    """A millimetre STL read as metres: 3000 m across (STL has no way to say mm)."""
    text = (REAL / "sphereWithHole.stl").read_text()
    scaled = re.sub(r"vertex\s+(\S+)\s+(\S+)\s+(\S+)",
                    lambda m: "vertex " + " ".join(str(float(v) * 1000) for v in m.groups()), text)
    loaded = load_asset_mesh(station(write(tmp_path / "big.stl", scaled), units=None), mesh_cache)
    assert any("3000 m across (read in metres, no units declared)" in w
               for w in loaded.warnings), loaded.warnings


def test_obj_of_only_zero_area_faces_warns(tmp_path, mesh_cache):
    lines = [(f"v {line.split()[1]} 0 0" if line.startswith("v ") else line)
             for line in (REAL / "box.obj").read_text().splitlines()]  # every vertex on a line
    loaded = load_asset_mesh(station(write(tmp_path / "flat.obj", "\n".join(lines)), units=None),
                             mesh_cache)
    assert not loaded.geometry.placeholder
    assert any("all 12 triangles have zero area: nothing of it would be visible" in w
               for w in loaded.warnings), loaded.warnings


def _obj_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = (REAL / "box.obj").read_text()
    line = text[: text.index(old)].count("\n") + 1
    return write(tmp_path / "bad.obj", text.replace(old, new)), line


def _problem(path: Path, units=None) -> str:
    loaded = load_asset_mesh(station(path, units=units), base=path.parent)
    assert loaded.geometry.placeholder
    return loaded.geometry.problem


def test_obj_index_0_names_the_line(tmp_path):
    path, line = _obj_with(tmp_path, "f 2 6 5 1", "f 2 6 5 0")
    assert _problem(path) == (f"asset 'station': bad.obj: line {line}: face refers to vertex 0; "
                              "OBJ vertex numbers start at 1")


def test_obj_index_past_the_end_names_the_line_and_the_count(tmp_path):
    path, line = _obj_with(tmp_path, "f 8 7 3 4", "f 9 7 3 4")
    assert _problem(path).endswith(
        f"line {line}: face refers to vertex 9, but the file defines only 8 vertices")


def test_truncated_real_ascii_stl_is_not_called_binary(tmp_path):
    text = (REAL / "sphereWithHole.stl").read_bytes()
    cut = text[: len(text) // 2]
    finished = cut.count(b"endfacet")
    problem = _problem(write(tmp_path / "half.stl", cut))
    assert problem.endswith(f"ASCII STL ends inside facet {finished + 1} (no endsolid): "
                            "the file is truncated")
    assert "binary" not in problem


def test_3mf_without_its_model_part(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(REAL / "box.3mf") as real, zipfile.ZipFile(out, "w") as copy:
        for item in real.infolist():
            if not item.filename.endswith(".model"):
                copy.writestr(item, real.read(item))
    problem = _problem(write(tmp_path / "empty.3mf", out.getvalue()))
    assert problem.endswith("3MF has no 3D model part (3D/3dmodel.model)")
    assert "StopIteration" not in problem


def test_truncated_3mf(tmp_path):
    data = (REAL / "box.3mf").read_bytes()
    problem = _problem(write(tmp_path / "cut.3mf", data[: len(data) // 2]))
    assert problem.endswith("not a 3MF file: a 3MF is a ZIP package, and this is not a readable one")


def test_real_gltf_with_infinite_vertices(mesh_cache):
    assert _problem(REAL / "BoxWithInfinites.glb").endswith("24 of 24 vertices are NaN or infinite")


@needs_step
def test_truncated_step_names_the_line_and_prints_nothing(tmp_path, capfd):
    data = (REAL / "1210_SMD.stp").read_bytes()
    problem = _problem(write(tmp_path / "cut.stp", data[: len(data) // 2]))
    assert "cannot read as STEP: line " in problem and "unexpected end of file" in problem, problem
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""  # OpenCASCADE's console output is captured


def test_step_without_the_optional_reader_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(mesh_formats, "step_available", lambda: False)
    problem = _problem(REAL / "1210_SMD.stp")
    assert problem.endswith(".stp needs the optional STEP reader: pip install 'linetwin[step]'")


def test_declared_units_and_warnings_survive_the_cache(tmp_path, mesh_cache):
    path = unit_variant(tmp_path, "0.001")
    first = read_mesh(path, "m", mesh_cache)
    again = read_mesh(path, "m", mesh_cache)  # from the .npz entry this time
    assert len(list(mesh_cache.folder.glob("*.npz"))) == 1
    assert again.declared == first.declared and again.warnings == first.warnings
    assert again.metres_per_unit == 1.0 and len(again.warnings) == 1
