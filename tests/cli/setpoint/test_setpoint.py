"""``linetwin setpoint`` refusals, reject and list, as a user runs them (no line needed:
each refusal comes before LineTwin connects, and a plain VALUE is stored when the
line cannot be read)."""

from __future__ import annotations

import json

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.opcua.simulator.sim_server import free_port
from linetwin.io.setpoint import proposal_store
from linetwin.main import DEMO_PROJECT, main


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def users(capsys):
    for name, role in (("Eve Eng", "engineer"), ("Ann Appr", "approver"), ("Bo Op", "operator"),
                       ("Cy Appr", "approver")):
        assert main(["train", "users", "add", name, "--role", role]) == 0
    capsys.readouterr()


@pytest.fixture
def nowhere() -> str:
    """An endpoint nobody listens on: reading the line fails at once."""
    return f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/linetwin/"


def run(capsys, *words: str) -> tuple[int, str, str]:
    code = main(["setpoint", *words])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def propose(capsys, nowhere, change="sealer.dwell_time=340", by="Eve Eng", reason="CAPA-12 seal gaps",
            *more: str) -> tuple[int, str, str]:
    return run(capsys, "propose", str(DEMO_PROJECT), "--set", change, "--reason", reason, "--by", by,
               "--endpoint", nowhere, *more)


def test_a_value_outside_the_certified_limits_is_refused_and_nothing_is_stored(capsys, users, nowhere):
    code, out, err = propose(capsys, nowhere, "sealer.dwell_time=450")
    assert code == 1 and out == ""
    assert err == ("linetwin setpoint propose: sealer.dwell_time=450 ms is outside its certified "
                   "limits 300..400 ms\n")
    assert not proposal_store.default_store_path().exists()


def test_a_signal_that_is_not_writable_an_empty_reason_and_an_operator_are_refused(capsys, users, nowhere):
    code, _, err = propose(capsys, nowhere, "sealer.seal_pressure=4")
    assert code == 1 and "sealer.seal_pressure is not writable" in err
    code, _, err = propose(capsys, nowhere, "sealer.dwell_time=340", "Eve Eng", " ")
    assert code == 1 and "needs a reason" in err
    code, _, err = propose(capsys, nowhere, "sealer.dwell_time=340", "Bo Op")
    assert code == 1 and "Bo Op is a LineTwin user with role operator" in err
    code, _, err = propose(capsys, nowhere, "sealer.dwell_time=340", "Zed")
    assert code == 1 and "no LineTwin user 'Zed'" in err
    code, _, err = propose(capsys, nowhere, "sealer.dwell_time=340", "Eve Eng", "r", "--guard", "x:1..")
    assert code == 1 and "--guard 'x:1..': write SIGNAL:LOW..HIGH" in err


def test_a_relative_change_needs_the_value_on_the_line(capsys, users, nowhere):
    code, _, err = propose(capsys, nowhere, "sealer.dwell_time=-10%")
    assert code == 1 and "sealer.dwell_time=-10% is relative to the value sealer.dwell_time holds now" in err


def test_a_plain_value_is_stored_without_an_old_value_when_the_line_cannot_be_read(capsys, users, nowhere):
    code, out, _ = propose(capsys, nowhere, "sealer.dwell_time=340", "Eve Eng", "CAPA-12",
                           "--guard", "sealer.seal_temperature:180..190", "--watch", "5")
    assert code == 0
    assert out.splitlines()[0] == ("SP-0001 proposed by Eve Eng: sealer.dwell_time ? -> 340 ms "
                                   "(sealer.dwell_time=340), certified 300..400 ms")
    code, out, _ = run(capsys, "list", "--json")
    [listed] = json.loads(out)
    assert listed["status"] == "proposed" and listed["old"] is None and listed["new"] == 340.0
    assert listed["guards"] == [{"signal": "sealer.seal_temperature", "low": 180.0, "high": 190.0}]
    assert listed["watch_s"] == 5.0 and listed["node"] == "ns=2;s=Sealer.DwellTimeSetpoint"


def test_the_proposer_a_non_approver_and_an_unknown_user_may_not_approve(capsys, users, nowhere):
    assert propose(capsys, nowhere)[0] == 0
    approve = ("approve", str(DEMO_PROJECT), "SP-0001", "--endpoint", nowhere, "--by")
    code, _, err = run(capsys, *approve, "eve eng")
    assert code == 1 and "Eve Eng proposed SP-0001: it must be approved by a second, different person" in err
    code, _, err = run(capsys, *approve, "Zed")
    assert code == 1 and "no LineTwin user 'Zed'" in err
    code, _, err = run(capsys, *approve, "Bo Op")
    assert code == 1 and "Bo Op is a LineTwin user with role operator; only an approver may approve" in err
    code, _, err = run(capsys, "reject", "SP-0001", "--by", "Eve Eng", "--reason", "no")
    assert code == 1 and "must be rejected by a second, different person" in err
    with HistoryStore(proposal_store.default_store_path(), read_only=True) as store:
        assert [e.action for e in store.audit_entries()] == ["setpoint.propose"]


def test_a_rejected_proposal_cannot_be_approved(capsys, users, nowhere):
    assert propose(capsys, nowhere)[0] == 0
    code, out, _ = run(capsys, "reject", "sp-0001", "--by", "Ann Appr", "--reason", "wait for the trial")
    assert code == 0 and out == "SP-0001 rejected by Ann Appr: wait for the trial\n"
    code, _, err = run(capsys, "approve", str(DEMO_PROJECT), "SP-0001", "--endpoint", nowhere, "--by", "Cy Appr")
    assert code == 1 and "SP-0001 is rejected, not proposed: it cannot be approved (by Ann Appr)" in err
    code, _, err = run(capsys, "approve", str(DEMO_PROJECT), "SP-0001", "--dry-run", "--endpoint", nowhere,
                       "--by", "Cy Appr")
    assert code == 1 and "SP-0001 is rejected" in err
    with HistoryStore(proposal_store.default_store_path(), read_only=True) as store:
        entries = store.audit_entries()
    assert [e.action for e in entries] == ["setpoint.propose", "setpoint.reject"]
    assert entries[1].user == "Ann Appr" and entries[1].details["why"] == "wait for the trial"
    assert entries[1].details["proposer"] == "Eve Eng" and entries[1].details["new"] == 340.0


def test_list_filters_by_status_and_says_when_there_is_nothing(capsys, users, nowhere, tmp_path):
    assert propose(capsys, nowhere)[0] == 0
    assert propose(capsys, nowhere, "sealer.dwell_time=360")[0] == 0
    assert run(capsys, "reject", "SP-0002", "--by", "Ann Appr", "--reason", "too long")[0] == 0
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "CREATED", "SIGNAL", "OLD", "NEW", "STATUS", "PROPOSER",
                                              "APPROVER", "REASON"]
    assert [line.split()[0] for line in lines[1:]] == ["SP-0001", "SP-0002"]
    code, out, _ = run(capsys, "list", "--status", "rejected", "--json")
    assert [p["id"] for p in json.loads(out)] == ["SP-0002"]
    code, out, _ = run(capsys, "list", "--status", "written")
    assert out.startswith("no setpoint proposals written in ")
    code, _, err = run(capsys, "list", "--status", "done")
    assert code == 1 and "unknown status 'done'" in err
    code, _, err = run(capsys, "list", "--history", str(tmp_path / "none.duckdb"))
    assert code == 1 and "none.duckdb: no such history file" in err
