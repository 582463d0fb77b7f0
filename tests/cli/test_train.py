"""``linetwin train`` headless, on the demo line and its three SOPs: the listing, the
reference runs (full score, exit 0), swapped order-constrained actions (out of
order, exit 1), a new operator's mistakes, records stored in the history store,
and bad input (one clear line, exit 1)."""

from __future__ import annotations

import json

import pytest

from linetwin.io.training.identities import add_user
from linetwin.io.training.records import records
from linetwin.main import DEMO_PROJECT, main
from linetwin.twin.sop.trainee_actions import TraineeAction as Act
from linetwin.twin.sop.trainee_actions import reference_actions

DEMO_SOPS = ("SOP-SEAL-03", "SOP-LOTO-07", "SOP-SHIFT-01")


@pytest.fixture(autouse=True)
def users(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))
    add_user("Ana Trainee", "operator")
    add_user("Tom Trainer", "trainer")


@pytest.fixture(scope="module")
def project():
    from linetwin.io.project.project_file import load_project

    return load_project(DEMO_PROJECT)


def train(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["train", str(DEMO_PROJECT), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_prints_one_tab_separated_line_per_sop(capsys, project):
    code, out, _ = train(capsys, "--list")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [line[0] for line in lines] == list(DEMO_SOPS)
    for (sop_id, title, version, steps), sop in zip(lines, project.sops):
        assert (title, version, int(steps)) == (sop.title, sop.version, len(sop.steps))


def test_print_reference_is_the_json_of_the_experts_actions(capsys, project):
    code, out, _ = train(capsys, "--sop", "SOP-SEAL-03", "--print-reference")
    assert code == 0
    sop = project.sops[0]
    assert json.loads(out) == [a.as_json() for a in reference_actions(sop)]


@pytest.mark.parametrize("sop_id", DEMO_SOPS)
def test_every_shipped_sop_passes_its_reference_run_with_full_score(capsys, tmp_path, sop_id):
    history = tmp_path / "records.duckdb"
    code, out, err = train(capsys, "--sop", sop_id, "--script", "reference", "--trainee", "Ana Trainee",
                           "--history", str(history), "--out", str(tmp_path / "r.json"))
    result = json.loads(out)
    assert code == 0, (err, result["errors"])
    assert result["passed"] and result["score"] == 100 and result["errors"] == []
    assert result["sop"] == sop_id and result["trainee"] == "Ana Trainee"
    assert all(step["completed"] for step in result["steps"])
    assert json.loads((tmp_path / "r.json").read_text()) == result
    (record,) = records(history)
    assert record.record_id == result["record_id"] and record.passed


def _swapped_scripts(sop):
    ref = [a.as_json() for a in reference_actions(sop)]
    for i, step in enumerate(sop.steps):
        for before in step.after:
            j = sop.number(before) - 1
            script = list(ref)
            script[i], script[j] = script[j], script[i]
            yield f"{before}<->{step.id}", script


@pytest.mark.parametrize("sop_index", [0, 1, 2])
def test_any_two_swapped_order_constrained_actions_give_out_of_order(capsys, tmp_path, project, sop_index):
    sop = project.sops[sop_index]
    cases = list(_swapped_scripts(sop))
    if sop_index < 2:
        assert cases, f"{sop.id} has order constraints"
    for name, script in cases:
        path = tmp_path / "swapped.json"
        path.write_text(json.dumps(script))
        code, out, _ = train(capsys, "--sop", sop.id, "--script", str(path), "--trainee", "Ana Trainee",
                             "--no-record")
        result = json.loads(out)
        kinds = [e["kind"] for e in result["errors"]]
        assert "out_of_order" in kinds, (name, result["errors"])
        assert code == 1 and not result["passed"], name


def test_a_new_operators_mistakes_on_the_labeler_jam(capsys, tmp_path, project):
    """Wrong part picked, the lockout forgotten: each caught and explained."""
    sop = next(s for s in project.sops if s.id == "SOP-LOTO-07")
    script = [a for a in reference_actions(sop) if a.control is None or a.control.value != "lockout"]
    pick = next(i for i, a in enumerate(script) if a.kind == "pick")
    script.insert(pick, Act("pick", target="sealer"))
    path = tmp_path / "mistakes.json"
    path.write_text(json.dumps([a.as_json() for a in script]))
    code, out, _ = train(capsys, "--sop", sop.id, "--script", str(path), "--trainee", "Ana Trainee",
                         "--no-record")
    result = json.loads(out)
    kinds = {e["kind"] for e in result["errors"]}
    assert {"wrong_component", "hazard", "incomplete"} <= kinds and code == 1
    hazard = next(e for e in result["errors"] if e["kind"] == "hazard")
    assert "without lockout of labeler" in hazard["message"]


def test_a_fault_injected_mid_session_is_in_the_record(capsys, project):
    code, out, _ = train(capsys, "--sop", "SOP-SHIFT-01", "--script", "reference", "--trainee", "Ana Trainee",
                         "--fault", "jam@5", "--no-record")
    result = json.loads(out)
    assert result["faults"] == ["jam"]


@pytest.mark.parametrize("args, words", [
    (["--sop", "SOP-NOPE", "--script", "reference", "--trainee", "Ana Trainee"], "no SOP 'SOP-NOPE'"),
    (["--script", "reference", "--trainee", "Ana Trainee"], "--sop ID is needed"),
    (["--sop", "SOP-SEAL-03", "--script", "reference"], "--trainee NAME is needed"),
    (["--sop", "SOP-SEAL-03", "--script", "reference", "--trainee", "Nobody"], "no LineTwin user 'Nobody'"),
    (["--sop", "SOP-SEAL-03", "--script", "missing.json", "--trainee", "Ana Trainee"], "cannot read the script"),
    (["--sop", "SOP-SEAL-03", "--script", "reference", "--trainee", "Ana Trainee", "--fault", "fire@3"],
     "--fault fire@3"),
])
def test_bad_input_is_one_clear_line(capsys, args, words):
    code, out, err = train(capsys, *args)
    assert code == 1 and out == "" and words in err and "Traceback" not in err


@pytest.mark.parametrize("text, words", [
    ("[{\"do\": \"pick\"", "not a JSON script: line 1"),
    ("{\"do\": \"pick\"}", "a JSON list of actions"),
    ("[{\"do\": \"dance\"}]", "action 1: \"do\" must be one of"),
    ("[{\"do\": \"set\", \"signal\": \"sealer.seal_temperature\", \"value\": \"hot\"}]", "action 1: \"value\""),
    ("[{\"do\": \"control\", \"target\": \"sealer\", \"control\": \"smash\"}]", "action 1: \"control\""),
    ("[{\"do\": \"wait\", \"seconds\": -1}]", "action 1: \"seconds\""),
])
def test_bad_scripts_name_the_file_and_the_action(capsys, tmp_path, text, words):
    path = tmp_path / "bad.json"
    path.write_text(text)
    code, out, err = train(capsys, "--sop", "SOP-SEAL-03", "--script", str(path), "--trainee", "Ana Trainee")
    assert code == 1 and str(path) in err and words in err
