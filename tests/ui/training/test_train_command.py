"""``linetwin train PROJECT`` opens the window with what the command line gave:
without ``--sop`` the start dialog asks (the window gets None), faults and the
history travel in the options."""

from __future__ import annotations

from pathlib import Path

from linetwin.main import DEMO_PROJECT
from linetwin.ui.cli.training.train import run_train
from linetwin.ui.cli.training.train_args import add_train_parser


def parsed(*words: str):
    import argparse

    parser = argparse.ArgumentParser()
    add_train_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["train", str(DEMO_PROJECT), *words])


def opened(*words: str):
    calls = []
    code = run_train(parsed(*words), lambda *a: calls.append(a) or 0)
    return code, calls


def test_without_sop_the_window_asks_with_its_start_dialog():
    code, calls = opened("--fault", "jam@30", "--history", "h.duckdb")
    assert code == 0 and len(calls) == 1
    project, sop_id, trainee, options = calls[0]
    assert sop_id is None and trainee is None
    assert options["faults"] == [("jam", 30.0)] and options["history"] == Path("h.duckdb")


def test_with_sop_and_trainee_the_window_opens_on_them():
    code, calls = opened("--sop", "SOP-LOTO-07", "--trainee", "Tina")
    assert code == 0 and calls[0][1:3] == ("SOP-LOTO-07", "Tina")


def test_a_bad_fault_is_refused_before_any_window(capsys):
    code, calls = opened("--fault", "meltdown@3")
    assert code == 1 and calls == [] and "meltdown" in capsys.readouterr().err
