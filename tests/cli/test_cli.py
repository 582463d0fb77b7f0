"""The command line, run as a user would (separate processes where it matters)."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT, main

DEMO_STATE = DEMO_PROJECT.parent / "state_sample.json"
ENTRY = [sys.executable, "-m", "linetwin.main"]


def test_check_demo_prints_summary_and_exits_0(capsys):
    assert main(["check", str(DEMO_PROJECT)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "OK" in out[0] and "15 meshes" in out[0] and "3 SOPs" in out[0]


def test_check_reports_file_line_and_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nname = "x"\n\n[[assets]]\nid = "a"\nname = "A"\n'
                   'level = "asset"\ncolour = "red"\n')
    assert main(["check", str(bad)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [f"{bad}:8: asset 'a': unknown key 'colour' (did you mean 'color_by'?)"]


def test_check_reports_every_semantic_problem(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nname = "x"\n\n[[assets]]\nid = "a"\nname = "A"\n'
                   'level = "asset"\nparent = "nowhere"\n\n[[assets]]\nid = "a"\n'
                   'name = "again"\nlevel = "asset"\n')
    assert main(["check", str(bad)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith(f"{bad}:8:") and "nowhere" in line for line in lines), lines
    assert any(line.startswith(f"{bad}:11:") and "'a'" in line for line in lines), lines


def test_check_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "none.toml")]) == 1
    assert "none.toml" in capsys.readouterr().out


REAL_MESHES = Path(__file__).resolve().parents[1] / "io" / "data" / "real"


def _units_project(tmp_path, units_line: str = "") -> Path:
    """A project whose one asset is a real inch COLLADA cube."""
    (tmp_path / "cube.dae").write_bytes((REAL_MESHES / "cube_with_2UVs.DAE").read_bytes())
    path = tmp_path / "line.toml"
    path.write_text('[project]\nname = "x"\n\n[[assets]]\nid = "cube"\nname = "Cube"\n'
                    f'level = "asset"\nmesh = "cube.dae"\n{units_line}')
    return path


def test_check_json_prints_strict_json_per_asset(tmp_path):
    import json

    out = subprocess.run([*ENTRY, "check", str(_units_project(tmp_path)), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout, parse_constant=lambda name: pytest.fail(f"bare {name}"))
    [cube] = data["assets"]
    assert cube["format"] == "COLLADA" and cube["parts"] == 1 and cube["triangles"] == 12
    assert cube["size_m"] == [0.0508, 0.0508, 0.0508]  # a 2-inch cube, in metres
    assert cube["units"]["declared"] == "inches" and data["problems"] == []


def test_check_plain_output_warns_about_disagreeing_units(tmp_path, capsys):
    path = _units_project(tmp_path, 'mesh_units = "mm"\n')
    assert main(["check", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == (f"{path}:9: warning: asset 'cube': cube.dae: the file declares inches "
                        "(<unit meter=\"0.0254\">) but the project's mesh_units = \"mm\" "
                        "reads it as millimetres")
    assert lines[-1].startswith("line.toml: OK with 2 warnings — ")  # and 2 mm across: tiny


def test_render_writes_png_with_state(tmp_path, capsys):
    out = tmp_path / "line.png"
    code = main(["render", str(DEMO_PROJECT), "-o", str(out), "--size", "480x270",
                 "--state", str(DEMO_STATE)])
    assert code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def line_with_cut_mesh(tmp_path):
    """A copy of the demo line whose heat sealer GLB is cut in half."""
    import shutil

    folder = tmp_path / "line"
    shutil.copytree(DEMO_PROJECT.parent, folder)
    glb = folder / "meshes" / "heat_sealer.glb"
    glb.write_bytes(glb.read_bytes()[: glb.stat().st_size // 2])
    return folder / DEMO_PROJECT.name


def test_render_refuses_a_broken_mesh_unless_allowed(line_with_cut_mesh, tmp_path, capsys):
    out = tmp_path / "line.png"
    assert main(["render", str(line_with_cut_mesh), "-o", str(out), "--size", "480x270"]) == 1
    err = capsys.readouterr().err
    assert "asset 'sealer': meshes/heat_sealer.glb: the GLB header says" in err
    assert "--allow-missing" in err and not out.exists()
    assert main(["render", str(line_with_cut_mesh), "-o", str(out), "--size", "480x270",
                 "--allow-missing"]) == 0
    assert "(drawn as a placeholder)" in capsys.readouterr().err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("content, expected", [
    ("{not json", "state.json"),
    ('{"nosuch.signal": 1}', "nosuch.signal"),
    ('{"sealer.state": "exploded"}', "exploded"),
])
def test_render_rejects_bad_state_file(tmp_path, capsys, content, expected):
    state = tmp_path / "state.json"
    state.write_text(content)
    code = main(["render", str(DEMO_PROJECT), "-o", str(tmp_path / "x.png"), "--state", str(state)])
    assert code == 1
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_render_rejects_bad_output_and_size(tmp_path, capsys):
    assert main(["render", str(DEMO_PROJECT), "-o", str(tmp_path / "no" / "x.png")]) == 1
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["render", str(DEMO_PROJECT), "-o", str(tmp_path / "x.png"), "--size", "huge"])
    assert exit_info.value.code == 2
    assert "WIDTHxHEIGHT" in capsys.readouterr().err


def test_sim_prints_endpoint_and_stops_cleanly_on_sigint():
    proc = subprocess.Popen([*ENTRY, "sim", "--port", "0", "--seed", "3"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("opc.tcp://127.0.0.1:"), first
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()


def test_sim_bad_project_exits_1(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[project\n")
    out = subprocess.run([*ENTRY, "sim", str(bad)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert f"{bad}:1:" in out.stderr


def test_monitor_prints_valid_json_lines_until_duration():
    import json

    sim = subprocess.Popen([*ENTRY, "sim", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        endpoint = sim.stdout.readline().strip()
        out = subprocess.run([*ENTRY, "monitor", str(DEMO_PROJECT), "--endpoint", endpoint,
                              "--duration", "2"], capture_output=True, text=True, timeout=60)
    finally:
        sim.send_signal(signal.SIGINT)
        sim.wait(timeout=15)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert records[-1]["type"] == "summary" and records[-1]["values"] > 0
    assert any(r["type"] == "connection" and r["state"] == "connected" for r in records)


def test_monitor_simulate_prints_the_run_set_up_and_inspected_units():
    import json

    out = subprocess.run([*ENTRY, "monitor", str(DEMO_PROJECT), "--simulate", "--duration", "5"],
                         capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = {r["type"] for r in records}
    assert {"value", "connection", "lot", "compliance", "inspection", "summary"} <= kinds
    units = [r["unit"] for r in records if r["type"] == "inspection"]
    assert units[0] == "U00000001" and len(set(units)) == len(units)
    assert records[-1]["inspections"] == len(units)


def test_monitor_rejects_bad_duration_and_project(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["monitor", str(DEMO_PROJECT), "--duration", "-3"])
    assert "positive" in capsys.readouterr().err
    assert main(["monitor", str(tmp_path / "missing.toml")]) == 1
    assert "missing.toml" in capsys.readouterr().err


def test_record_from_simulator_writes_a_history(tmp_path):
    import duckdb

    out = tmp_path / "h.duckdb"
    run = subprocess.run([*ENTRY, "record", "--simulate", "--out", str(out), "--duration", "3"],
                         capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stderr
    assert "recorded" in run.stdout
    with duckdb.connect(str(out), read_only=True) as con:
        [(rows, signals)] = con.sql(
            "select count(*), count(distinct signal_id) from signal_samples").fetchall()
    demo_signals = len(load_project(DEMO_PROJECT).signals)
    assert rows > demo_signals and signals == demo_signals


def test_record_into_a_non_duckdb_file_is_refused(tmp_path):
    out = tmp_path / "notes.duckdb"
    out.write_text("these are my notes, not a database")
    run = subprocess.run([*ENTRY, "record", "--simulate", "--out", str(out), "--duration", "1"],
                         capture_output=True, text=True, timeout=90)
    assert run.returncode == 1
    assert "notes.duckdb" in run.stderr and "Traceback" not in run.stderr
    assert out.read_text() == "these are my notes, not a database"  # nothing lost


def test_a_reader_that_goes_away_is_not_a_traceback():
    """`linetwin check --json | head -1`: the pipe closes before the output is written."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        run = subprocess.run([*ENTRY, "check", str(DEMO_PROJECT), "--json"], stdout=write_end,
                             stderr=subprocess.PIPE, text=True, timeout=90)
    finally:
        os.close(write_end)
    assert run.returncode == 141
    assert run.stderr == ""
