"""``linetwin history generate --set`` and the simulator's truth a history records;
the ``trials`` scenario's recipes in a generated history."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.main import DEMO_PROJECT, main
from linetwin.twin.sim.scenarios import TRIAL_WINDOWS
from linetwin.twin.sim.simulation_process import PROCESS_VARIABLES

START = "2026-05-28T22:00:00+02:00"
START_S = 1_779_998_400.0


def generate(out: Path, minutes: float, *extra: str) -> int:
    return main(["history", "generate", str(DEMO_PROJECT), "--out", str(out), "--hours", str(minutes / 60),
                 "--start", START, "--seed", "2", *extra])


def simulator_info(path: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["history", "info", str(path), "--json"]) == 0
    [run] = json.loads(capsys.readouterr().out)["simulator"]
    return run


def test_dwell_minus_10_percent_moves_the_samples_and_raises_the_true_seal_gap_rate(tmp_path, capsys):
    nominal, shorter = tmp_path / "nominal.duckdb", tmp_path / "shorter.duckdb"
    assert generate(nominal, 10) == 0
    assert generate(shorter, 10, "--set", "sealer.dwell_time=-10%") == 0
    out = capsys.readouterr().out
    assert "set sealer.dwell_time 350 -> 315 (sealer.dwell_time=-10%)" in out
    assert "simulator truth over" in out and "expected FPY" in out
    with HistoryStore(shorter, read_only=True) as store:
        [row] = store.fetch_dicts("SELECT avg(value) AS mean, count(*) AS n FROM signal_samples "
                                  "WHERE signal_id = 'sealer.dwell_time'")
    assert row["n"] > 500 and row["mean"] == pytest.approx(315.0, abs=4.0)  # sd 6, tau 120 s
    base, changed = simulator_info(nominal, capsys), simulator_info(shorter, capsys)
    assert base["changes"] == [] and base["seed"] == 2 and base["scenario"] == "normal"
    assert changed["changes"] == [{"signal": "sealer.dwell_time", "change": "sealer.dwell_time=-10%",
                                   "from": 350.0, "to": 315.0}]
    assert changed["truth"]["expected_rates"]["seal_gap"] > 5 * base["truth"]["expected_rates"]["seal_gap"]
    assert changed["truth"]["expected_fpy"] < base["truth"]["expected_fpy"] < 1.0
    with HistoryStore(shorter, read_only=True) as store:  # the truth counts the units stored
        assert changed["truth"]["units"] == store.count("inspection_events")
        assert store.verify_audit_chain().ok
    assert main(["history", "info", str(shorter)]) == 0
    text = capsys.readouterr().out
    assert "simulated (session 1, seed 2, scenario normal):" in text
    assert "  set sealer.dwell_time 350 -> 315 (sealer.dwell_time=-10%)" in text
    assert "expected rates seal_gap " in text


@pytest.mark.parametrize(("change", "code", "message"), [
    ("sealer.speed=3", 1, r"--set sealer\.speed: not a process value the simulator runs; process values: "
                          r"infeed\.line_speed, filler\.fill_weight, sealer\.seal_temperature"),
    ("inspection.reject_count=+1", 1, r"--set inspection\.reject_count: not a process value"),
    ("sealer.dwell_time=fast", 2, r"'sealer\.dwell_time=fast' is not a change: write SIGNAL=VALUE"),
    ("sealer.dwell_time=-100%", 2, r"leaves nothing of the value"),
])
def test_a_bad_set_is_named_and_leaves_no_file(tmp_path, capsys, change, code, message):
    out = tmp_path / "never.duckdb"
    assert generate(out, 1, "--set", change) == code
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


def test_twice_the_same_signal_is_refused(tmp_path, capsys):
    out = tmp_path / "never.duckdb"
    assert generate(out, 1, "--set", "sealer.dwell_time=330", "--set", "sealer.dwell_time=+5") == 2
    assert "sealer.dwell_time is changed twice" in capsys.readouterr().err and not out.exists()


def test_trials_history_spans_the_trial_windows(tmp_path, capsys):
    path = tmp_path / "trials.duckdb"
    assert generate(path, 150, "--scenario", "trials") == 0  # 2.5 h: the standard recipe, then 7
    noise = {v.signal_id: 3.0 * (v.std + v.noise) for v in PROCESS_VARIABLES}
    with HistoryStore(path, read_only=True) as store:
        rows = store.fetch_dicts(
            "SELECT signal_id, floor((source_time - ? - 20) / 1200) AS period, avg(value) AS mean "
            "FROM signal_samples WHERE signal_id IN (SELECT unnest(?)) AND source_time > ? + 80 "
            "GROUP BY ALL ORDER BY signal_id, period", [START_S, list(TRIAL_WINDOWS), START_S])
    assert simulator_info(path, capsys)["scenario"] == "trials"
    positions = []  # each recipe's mean as a fraction of its window
    for signal_id, (low, high) in TRIAL_WINDOWS.items():
        means = [r["mean"] for r in rows if r["signal_id"] == signal_id]
        assert len(means) == 8, signal_id
        assert all(low - noise[signal_id] <= m <= high + noise[signal_id] for m in means), signal_id
        share = [(m - low) / (high - low) for m in means]
        assert len({round(x * 25) for x in share}) >= 2, signal_id  # tried, not only kept at standard
        positions += share
    # Seven recipes of five values: together they reach both ends of the windows.
    assert min(positions) < 0.2 and max(positions) > 0.8


def test_the_truth_is_the_same_simulated_here_or_in_its_process(tmp_path):
    from linetwin.io.history.generate import generate_history
    from linetwin.io.project.project_file import load_project
    from linetwin.twin.whatif.changes import parse_changes

    project, changes = load_project(DEMO_PROJECT), parse_changes(["sealer.seal_temperature=+3"])
    here = generate_history(project, tmp_path / "a.duckdb", 2 / 60, seed=5, start=START_S, changes=changes,
                            in_process=True)
    there = generate_history(project, tmp_path / "b.duckdb", 2 / 60, seed=5, start=START_S, changes=changes)
    assert here.truth == there.truth and here.truth is not None and here.truth.units > 100
    assert here.changes == there.changes == ({"signal": "sealer.seal_temperature",
                                              "change": "sealer.seal_temperature=+3", "from": 185.0, "to": 188.0},)
    assert here.truth.setpoints["sealer.seal_temperature"] == 188.0
