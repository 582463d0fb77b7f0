"""``linetwin train records | sign | users`` as a user runs them: output, files and exit codes."""

from __future__ import annotations

import csv
import io
import json
import re

import duckdb
import pytest

from linetwin.io.training import records as training
from linetwin.main import main
from tests.io.training.made_results import START, made_result


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def users(capsys):
    for name, role in (("Ana Lima", "trainer"), ("Bo Chen", "operator"), ("Cy Diaz", "engineer")):
        assert main(["train", "users", "add", name, "--role", role]) == 0
    capsys.readouterr()


@pytest.fixture
def history(tmp_path, users):
    """The default store with Bo's passed and failed sessions; (path, passed id, failed id)."""
    path = training.default_store_path()
    passed = training.store_record(path, made_result(), "operator", 365)
    failed = training.store_record(path, made_result(passed=False, score=40.0, started_at=START + 9),
                                   "operator", 365)
    return path, passed, failed


def run(capsys, *words: str) -> tuple[int, str, str]:
    code = main(["train", *words])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_users_add_list_remove(capsys, tmp_path, users):
    code, out, _ = run(capsys, "users", "list")
    assert code == 0 and out.splitlines() == ["Ana Lima  trainer", "Bo Chen   operator", "Cy Diaz   engineer"]
    code, out, _ = run(capsys, "users", "remove", "cy diaz")
    assert code == 0 and out == f"removed Cy Diaz (engineer) from {tmp_path / 'config' / 'users.toml'}\n"
    assert run(capsys, "users", "list")[1].count("\n") == 2


def test_user_errors_exit_1_and_a_bad_role_exits_2(capsys, users):
    code, _, err = run(capsys, "users", "add", "ana lima", "--role", "operator")
    assert code == 1 and "a user called 'ana lima' exists already" in err
    code, _, err = run(capsys, "users", "remove", "Zed")
    assert code == 1 and err.startswith("linetwin train users: no LineTwin user 'Zed'")
    with pytest.raises(SystemExit) as exited:
        main(["train", "users", "add", "Zed", "--role", "boss"])
    assert exited.value.code == 2


def test_records_prints_a_table_with_the_status_of_each(capsys, history):
    _, passed, failed = history
    code, out, _ = run(capsys, "records")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["RECORD", "TRAINEE", "SOP"] and len(lines) == 3
    assert lines[1].startswith(passed) and lines[1].endswith("not signed")
    assert lines[2].startswith(failed) and "40.0" in lines[2] and lines[2].endswith("failed")


def test_sign_then_records_show_the_trainer_and_the_expiry(capsys, history):
    path, passed, _ = history
    code, out, _ = run(capsys, "sign", passed, "--trainer", "Ana Lima", "--comment", "ok")
    assert code == 0 and out.startswith(f"{passed} signed by Ana Lima (trainer) at ")
    assert "valid until" in out and "signature hash " in out
    code, out, _ = run(capsys, "records", "--history", str(path), "--trainee", "bo chen")
    assert code == 0 and "Ana Lima" in out.splitlines()[1] and "valid until" in out.splitlines()[1]


@pytest.mark.parametrize("trainer, record, message", [
    ("Bo Chen", "passed", "Bo Chen is the trainee of {passed}: the sign-off must come from a different person"),
    ("Cy Diaz", "passed", "Cy Diaz is a LineTwin user with role engineer, not trainer"),
    ("Zed", "passed", "no LineTwin user 'Zed'"),
    ("Ana Lima", "TR-0000000000", "{path}: no training record TR-0000000000"),
    ("Ana Lima", "failed", "{failed} failed (score 40): a failed record is not certified"),
])
def test_every_refused_sign_off_exits_1_with_the_reason(capsys, history, trainer, record, message):
    path, passed, failed = history
    record = {"passed": passed, "failed": failed}.get(record, record)
    code, out, err = run(capsys, "sign", record, "--trainer", trainer)
    assert code == 1 and out == ""
    assert err.startswith("linetwin train sign: ")
    assert message.format(passed=passed, failed=failed, path=path) in err
    assert all(not r.signed for r in training.records(path))


def test_signing_twice_and_signing_a_tampered_row_are_refused(capsys, history):
    path, passed, failed = history
    assert run(capsys, "sign", passed, "--trainer", "Ana Lima")[0] == 0
    code, _, err = run(capsys, "sign", passed, "--trainer", "Ana Lima")
    assert code == 1 and f"{passed} is already signed by Ana Lima" in err
    con = duckdb.connect(str(path))
    con.execute("UPDATE training_records SET result_json = replace(result_json, '\"passed\":false', "
                "'\"passed\":true'), passed = true WHERE record_id = ?", [failed])
    con.close()
    code, _, err = run(capsys, "sign", failed, "--trainer", "Ana Lima")
    assert code == 1 and f"{failed} is tampered with (its result no longer matches its record hash)" in err
    assert run(capsys, "records")[1].splitlines()[2].endswith("tampered")


def test_a_missing_history_file_is_named(capsys, tmp_path, users):
    missing = tmp_path / "gone.duckdb"
    for words in (("records", "--history", str(missing)), ("sign", "TR-1", "--trainer", "Ana Lima",
                                                           "--history", str(missing))):
        code, _, err = run(capsys, *words)
        assert code == 1 and f"{missing}: no such history file" in err
    code, _, err = run(capsys, "records")  # the default store before the first record
    assert code == 1 and f"{training.default_store_path()}: no such history file" in err


def test_exports_by_suffix_and_format(capsys, history, tmp_path):
    _, passed, failed = history
    code, out, _ = run(capsys, "records", "-o", str(tmp_path / "r.csv"))
    assert code == 0 and out == f"wrote {tmp_path / 'r.csv'} (2 records)\n"
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    assert [r["record_id"] for r in rows] == [passed, failed]
    code, out, _ = run(capsys, "records", "--format", "csv", "--sop", "sealer-changeover")
    assert code == 0 and out.splitlines()[0].startswith("record_id,trainee,")
    assert run(capsys, "records", "-o", str(tmp_path / "r.json"))[0] == 0
    made = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in made if "score" in s["result"]] == ["passed", "failed"]
    code, out, _ = run(capsys, "records", "--format", "xapi", "--record", failed)
    assert code == 0 and {s["result"]["success"] for s in json.loads(out) if "score" in s["result"]} == {False}


def test_a_pdf_certificate_per_record_or_the_one_asked_for(capsys, history, tmp_path):
    _, passed, _ = history
    code, out, _ = run(capsys, "records", "--format", "pdf", "-o", str(tmp_path / "all.pdf"))
    assert code == 0 and out == f"wrote {tmp_path / 'all.pdf'} (2 certificates)\n"
    code, out, _ = run(capsys, "records", "-o", str(tmp_path / "one.pdf"), "--record", passed)
    assert code == 0 and out.endswith("(1 certificate)\n")
    pages = [len(re.findall(rb"/Type /Page\b(?!s)", (tmp_path / name).read_bytes())) for name in ("all.pdf", "one.pdf")]
    assert pages == [2, 1]


@pytest.mark.parametrize("words, message", [
    (("records", "--format", "pdf"), "a PDF certificate needs -o FILE.pdf"),
    (("records", "--record", "TR-0000000000"), "no training record TR-0000000000"),
    (("records", "--trainee", "Nobody", "-o", "{tmp}/x.pdf"), "no training records of trainee Nobody to print"),
    (("records", "-o", "{tmp}/no/such/folder/r.csv"), "No such file or directory"),
])
def test_bad_records_requests_exit_1(capsys, history, tmp_path, words, message):
    code, _, err = run(capsys, *(w.format(tmp=tmp_path) for w in words))
    assert code == 1 and err.startswith("linetwin train records: ") and message in err


def test_no_records_of_a_trainee_says_so(capsys, history):
    code, out, _ = run(capsys, "records", "--trainee", "Nobody")
    assert code == 0 and out.startswith("no training records of trainee Nobody in ")
