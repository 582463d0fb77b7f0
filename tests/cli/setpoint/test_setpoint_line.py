"""A guarded change pushed through the command line against the real built-in
simulator on 127.0.0.1: propose, dry run, approve, write, read-back, audit verify;
a broken guard rolls the change back; an edited audit entry is caught."""

from __future__ import annotations

import time

import duckdb
import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT, main

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETWIN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LINETWIN_DATA_DIR", str(tmp_path / "data"))
    for name, role in (("eng", "engineer"), ("appr", "approver")):
        assert main(["train", "users", "add", name, "--role", role]) == 0


@pytest.fixture(scope="module")
def server():
    sim = SimulatorServer(load_project(DEMO_PROJECT), port=0, seed=4)
    sim.start_in_thread()
    try:
        yield sim
    finally:
        sim.stop_thread()


def nominal(server, signal_id: str) -> float:
    return server.on_model(lambda model: model.nominal(signal_id))


def run(capsys, *words: str) -> tuple[int, str, str]:
    code = main(list(words))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def actions(history) -> list[str]:
    with HistoryStore(history, read_only=True) as store:
        return [e.action for e in store.audit_entries()]


def test_propose_approve_write_read_back_and_verify(capsys, server, tmp_path):
    history = str(tmp_path / "line.duckdb")
    before = nominal(server, "sealer.dwell_time")
    code, out, err = run(capsys, "setpoint", "propose", str(DEMO_PROJECT), "--set", "sealer.dwell_time=-10",
                         "--reason", "CAPA-7: fewer wrinkles", "--by", "eng", "--endpoint", server.endpoint,
                         "--history", history)
    assert code == 0, err
    assert out.startswith(f"SP-0001 proposed by eng: sealer.dwell_time {before:g} -> {before - 10:g} ms "
                          "(sealer.dwell_time=-10), certified 300..400 ms")
    approve = ("setpoint", "approve", str(DEMO_PROJECT), "SP-0001", "--by", "appr",
               "--endpoint", server.endpoint, "--history", history)
    code, out, err = run(capsys, *approve, "--dry-run")
    assert code == 0, err
    assert "  node       ns=2;s=Sealer.DwellTimeSetpoint" in out.splitlines()
    assert f"  change     {before:g} -> {before - 10:g}   (sealer.dwell_time=-10; {before:g} when proposed)" in out
    assert nominal(server, "sealer.dwell_time") == before and actions(history) == ["setpoint.propose"]
    code, out, err = run(capsys, *approve)
    assert code == 0, err
    assert out == (f"SP-0001 written: sealer.dwell_time {before:g} -> {before - 10:g} ms "
                   f"(read back {before - 10:g}), approved by appr\n")
    deadline = time.monotonic() + 2.0  # the simulator takes a write on its next 100 ms update
    while nominal(server, "sealer.dwell_time") != before - 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert nominal(server, "sealer.dwell_time") == before - 10
    assert actions(history) == ["setpoint.propose", "setpoint.approve", "setpoint.read-old", "setpoint.write",
                                "setpoint.read-back", "setpoint.written"]
    with HistoryStore(history, read_only=True) as store:
        write = store.audit_entries()[3]
    assert write.user == "appr" and write.details["proposer"] == "eng" and write.details["approver"] == "appr"
    assert (write.details["old"], write.details["new"], write.details["value"]) == (before, before - 10, before - 10)
    assert write.details["reason"] == "CAPA-7: fewer wrinkles"
    code, out, _ = run(capsys, "audit", "verify", history)
    assert code == 0 and out == f"{history}: 6 entries, chain intact\n"
    code, out, _ = run(capsys, "setpoint", "list", "--history", history, "--status", "written")
    assert out.splitlines()[1].split()[:6][-1] == "written"

    con = duckdb.connect(history)  # someone edits the written value afterwards
    con.execute("UPDATE audit_log SET details = json_object('value', 395) WHERE action = 'setpoint.write'")
    con.close()
    code, out, _ = run(capsys, "audit", "verify", history)
    assert code == 1
    assert f"{history}: entry 4 (setpoint.write by appr at " in out
    assert "its contents do not match its hash (the row was edited)" in out


def test_a_broken_guard_rolls_the_change_back_and_is_audited(capsys, server, tmp_path):
    history = str(tmp_path / "line.duckdb")
    before = nominal(server, "sealer.dwell_time")
    code, _, err = run(capsys, "setpoint", "propose", str(DEMO_PROJECT), "--set", "sealer.dwell_time=+20",
                       "--guard", "sealer.seal_temperature:150..151", "--watch", "5", "--reason", "trial",
                       "--by", "eng", "--endpoint", server.endpoint, "--history", history)
    assert code == 0, err
    code, out, err = run(capsys, "setpoint", "approve", str(DEMO_PROJECT), "SP-0001", "--by", "appr",
                         "--endpoint", server.endpoint, "--history", history)
    assert code == 1
    assert out.startswith(f"SP-0001 rolled-back: sealer.dwell_time {before:g} -> {before + 20:g} ms")
    assert "SP-0001 rolled-back: guard sealer.seal_temperature broken: " in err
    assert err.rstrip().endswith(f"not in 150..151; rolled back to {before:g}")
    assert actions(history) == ["setpoint.propose", "setpoint.approve", "setpoint.read-old", "setpoint.write",
                                "setpoint.read-back", "setpoint.guard-broken", "setpoint.rollback",
                                "setpoint.rollback-read-back", "setpoint.rolled-back"]
    time.sleep(0.3)  # two simulator updates: it saw the write and the rollback
    assert nominal(server, "sealer.dwell_time") == before
    assert run(capsys, "audit", "verify", history)[0] == 0
