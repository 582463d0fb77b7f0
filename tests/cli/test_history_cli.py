"""``linetwin history generate | import | info`` as a user runs them: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from linetwin.main import DEMO_PROJECT, main

EXPORT = Path(__file__).parents[1] / "io" / "history" / "data" / "plant_export.csv"
IMPORT = ["--map", "Zeitstempel=time", "--map", "Serial No=unit_id", "--tz", "Europe/Berlin"]
START = "2026-05-28T22:00:00+02:00"


def generate(out: Path, minutes: float = 2, *extra: str) -> int:
    return main(["history", "generate", str(DEMO_PROJECT), "--out", str(out), "--hours", str(minutes / 60),
                 "--start", START, *extra])


def test_generate_then_info_as_text_and_json(tmp_path, capsys):
    out = tmp_path / "line.duckdb"
    assert generate(out, 2, "--seed", "4", "--scenario", "jam") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("generated 2 min (2026-05-28T20:00:00+00:00 .. 2026-05-28T20:02:00+00:00)")
    assert str(out) in captured.out and "inspection events" in captured.out
    progress = [line for line in captured.err.splitlines() if "generate:" in line]
    assert len(progress) == 4 and progress[-1].startswith("linetwin history: generate: 100%")
    assert main(["history", "info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["time_range"] == {"start": "2026-05-28T20:00:00.000Z", "end": "2026-05-28T20:02:00.000Z",
                                  "hours": 0.033}
    assert [s["endpoint"] for s in info["sessions"]] == ["simulated:seed=4,scenario=jam"]
    assert info["counts"]["inspection_events"] == info["stations"]["inspection"]["units"] > 0
    assert info["lots"]["count"] >= 1 and info["lots"]["first"]["id"].startswith("2026-05-28")
    assert main(["history", "info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "time range: 2026-05-28T20:00:00.000Z .. 2026-05-28T20:02:00.000Z" in text
    assert "simulated:seed=4,scenario=jam" in text and "inspection:" in text


def test_generate_refuses_an_existing_history(tmp_path, capsys):
    out = tmp_path / "line.duckdb"
    assert generate(out, 0.5) == 0
    capsys.readouterr()
    assert generate(out, 0.5) == 1
    assert f"{out}: already exists" in capsys.readouterr().err


def test_import_reports_bad_rows_skips_them_on_request_and_is_idempotent(tmp_path, capsys):
    history = tmp_path / "plant.duckdb"
    args = ["history", "import", str(DEMO_PROJECT), "--history", str(history), str(EXPORT), *IMPORT]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "17 rows read, 0 imported" in captured.out and "line 9 of plant_export.csv: unknown station" in captured.out
    assert "10 bad rows; nothing imported" in captured.err
    assert main([*args, "--skip-bad"]) == 1  # bad rows still make it fail, the good ones are in
    assert "7 imported" in capsys.readouterr().out
    assert main([*args, "--skip-bad"]) == 0
    assert "already imported (import 1" in capsys.readouterr().out
    assert main(["history", "info", str(history), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["counts"]["inspection_events"] == 7 and info["counts"]["imports"] == 1
    assert info["defect_types"] == {"contamination": 1, "seal_gap": 1, "wrinkle": 1}
    assert info["lots"]["count"] == 3 and info["lots"]["last"]["id"] == "L-1025-A"


def test_bad_usage_exits_2_and_bad_files_exit_1_naming_them(tmp_path, capsys):
    history = tmp_path / "plant.duckdb"
    base = ["history", "import", str(DEMO_PROJECT), "--history", str(history), str(EXPORT)]
    assert main([*base, "--map", "Zeitstempel"]) == 2
    assert "expected COLUMN=FIELD" in capsys.readouterr().err
    assert main([*base, "--tz", "Europe/Atlantis"]) == 2
    assert "--tz 'Europe/Atlantis': not an IANA time zone" in capsys.readouterr().err
    assert main([*base]) == 1
    assert "plant_export.csv: no column for time, unit_id" in capsys.readouterr().err
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database at all" * 100)
    assert main(["history", "info", str(garbage)]) == 1
    assert f"{garbage}: not a LineTwin history" in capsys.readouterr().err
    assert main(["history", "info", str(tmp_path / "none.duckdb")]) == 1
    assert "none.duckdb: no such history file" in capsys.readouterr().err


def test_the_command_runs_as_a_process(tmp_path):
    done = subprocess.run([sys.executable, "-m", "linetwin.main", "history", "info", str(tmp_path / "x.duckdb")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "x.duckdb: no such history file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_import_into_a_new_file_leaves_no_empty_history(tmp_path, capsys):
    new = tmp_path / "new.duckdb"
    assert main(["history", "import", str(DEMO_PROJECT), "--history", str(new), str(EXPORT), *IMPORT]) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err and f"{new} was not created" in err
    assert not new.exists()
    assert main(["history", "import", str(DEMO_PROJECT), "--history", str(new), str(EXPORT), *IMPORT,
                 "--skip-bad"]) == 1  # the good rows go in: the new history stays
    assert new.exists() and "was not created" not in capsys.readouterr().err


def test_the_import_is_audited_under_the_named_user(tmp_path, capsys):
    from linetwin.io.history.history_store import HistoryStore

    users = []
    for name, who in (("named.duckdb", ["--user", "ana (quality)"]), ("anonymous.duckdb", [])):
        history = tmp_path / name
        assert main(["history", "import", str(DEMO_PROJECT), "--history", str(history), str(EXPORT),
                     *IMPORT, "--skip-bad", *who]) == 1
        with HistoryStore(history, read_only=True) as store:
            [entry] = store.audit_entries()
            users.append(entry.user)
    assert users[0] == "ana (quality)" and users[1].startswith("unattributed (os login ")
