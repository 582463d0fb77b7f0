"""``linetwin audit verify | list``: an intact chain, each kind of tampering named
(an edited, a deleted and a reordered entry), and files that are no history."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from linetwin.io.opcua.simulator.sim_server import free_port
from linetwin.main import DEMO_PROJECT, main


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def history(tmp_path, capsys) -> str:
    """A history whose audit log holds 4 entries: propose, propose, reject, propose."""
    for name, role in (("eng", "engineer"), ("appr", "approver")):
        assert main(["train", "users", "add", name, "--role", role]) == 0
    path = str(tmp_path / "audit.duckdb")
    nowhere = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/linetwin/"
    for value in ("340", "360"):
        assert main(["setpoint", "propose", str(DEMO_PROJECT), "--set", f"sealer.dwell_time={value}",
                     "--reason", "CAPA-9", "--by", "eng", "--endpoint", nowhere, "--history", path]) == 0
    assert main(["setpoint", "reject", "SP-0001", "--by", "appr", "--reason", "no", "--history", path]) == 0
    assert main(["setpoint", "propose", str(DEMO_PROJECT), "--set", "sealer.seal_temperature=186",
                 "--reason", "CAPA-10", "--by", "eng", "--endpoint", nowhere, "--history", path]) == 0
    capsys.readouterr()
    return path


def verify(capsys, path: str) -> tuple[int, str, str]:
    code = main(["audit", "verify", path])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tampered(history: str, tmp_path, *statements: str) -> str:
    copy = str(tmp_path / "tampered.duckdb")
    shutil.copyfile(history, copy)
    con = duckdb.connect(copy)
    for statement in statements:
        con.execute(statement)
    con.close()
    return copy


def test_an_intact_chain_exits_0(capsys, history):
    assert verify(capsys, history) == (0, f"{history}: 4 entries, chain intact\n", "")


def test_an_edited_details_value_is_named(capsys, history, tmp_path):
    path = tampered(history, tmp_path, "UPDATE audit_log SET details = replace(details, '360', '399') WHERE seq = 2")
    code, out, _ = verify(capsys, path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: entry 2 (setpoint.propose by eng at ")
    assert lines[0].endswith("its contents do not match its hash (the row was edited)")
    assert lines[-1] == f"{path}: 4 entries, chain BROKEN (1 problem)"


def test_a_deleted_entry_is_named(capsys, history, tmp_path):
    path = tampered(history, tmp_path, "DELETE FROM audit_log WHERE seq = 3")
    code, out, _ = verify(capsys, path)
    assert code == 1
    assert f"{path}: entry 4 (setpoint.propose by eng at " in out
    assert "expected entry 3 here (a row was removed or inserted)" in out
    assert "does not link to the entry before it" in out
    assert out.splitlines()[-1].startswith(f"{path}: 3 entries, chain BROKEN")


def test_two_swapped_entries_are_named(capsys, history, tmp_path):
    path = tampered(history, tmp_path, "UPDATE audit_log SET seq = 100 WHERE seq = 2",
                    "UPDATE audit_log SET seq = 2 WHERE seq = 3", "UPDATE audit_log SET seq = 3 WHERE seq = 100")
    code, out, _ = verify(capsys, path)
    assert code == 1
    named = {line.split(" (")[0].removeprefix(f"{path}: ") for line in out.splitlines()[:-1]}
    assert {"entry 2", "entry 3"} <= named
    assert f"{path}: entry 2 (setpoint.reject by appr at " in out  # the reject now sits at seq 2


def test_a_missing_or_foreign_file_exits_2(capsys, tmp_path):
    code, out, err = verify(capsys, str(tmp_path / "none.duckdb"))
    assert (code, out) == (2, "") and err == f"linetwin audit verify: {tmp_path / 'none.duckdb'}: no such history file\n"
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    code, _, err = verify(capsys, str(text))
    assert code == 2 and err.startswith(f"linetwin audit verify: {text}: ")
    foreign = tmp_path / "other.duckdb"
    duckdb.connect(str(foreign)).execute("CREATE TABLE t (x INTEGER)").close()
    code, _, err = verify(capsys, str(foreign))
    assert code == 2 and "not a LineTwin history" in err


def test_list_prints_the_entries_oldest_first(capsys, history):
    assert main(["audit", "list", history, "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["seq"], e["action"], e["user"]) for e in entries] == [
        (1, "setpoint.propose", "eng"), (2, "setpoint.propose", "eng"), (3, "setpoint.reject", "appr"),
        (4, "setpoint.propose", "eng")]
    assert entries[1]["details"]["new"] == 360.0 and entries[1]["prev_hash"] == entries[0]["hash"]
    assert main(["audit", "list", history]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and out[-1] == f"last hash {entries[-1]['hash']}"
