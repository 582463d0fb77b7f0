"""The command line of ``linetwin train`` (argparse only: cheap at start-up).

Two shapes share the command name:

- ``linetwin train PROJECT --list | --sop ID --print-reference | --sop ID --script FILE|reference
  --trainee NAME [--out RECORD.json]`` (and with no ``--script``: the training window);
- ``linetwin train records|sign|users ...``: the training records in a history
  store and the LineTwin users (name and role) a sign-off names.

argparse cannot put an optional sub-command in front of a positional path, so
``main`` asks :func:`train_action` first whether the words after ``train`` are
one of the actions, and parses them with :func:`build_train_action_parser`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from linetwin.twin.sim.scenarios import SCENARIOS  # standard library only

TRAIN_ACTIONS = ("records", "sign", "users")
ROLES = ("operator", "trainer", "engineer", "approver", "technician")


def add_train_parser(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train", help="SOP training on the virtual line (also: train records|sign|users ...)",
        description="Run an SOP on the simulated line: in the window (no --script), or headless "
        "from a script of actions. Also `linetwin train records|sign|users --help`.")
    train.add_argument("project", type=Path, help="project file whose SOPs to train")
    what = train.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true",
                      help="one line per SOP: id, title, version, steps (tab-separated)")
    what.add_argument("--print-reference", action="store_true",
                      help="print the SOP's reference run (the expert's actions) as JSON")
    what.add_argument("--script", metavar="ACTIONS.json|reference",
                      help="run the SOP headless with these actions (a JSON list, or "
                      "`reference` for the expert's); exit 0 when passed, 1 when failed")
    train.add_argument("--sop", metavar="ID", help="the SOP to train")
    train.add_argument("--trainee", metavar="NAME", help="the trainee (a LineTwin user name)")
    train.add_argument("--out", type=Path, metavar="RECORD.json", help="also write the result here")
    train.add_argument("--history", type=Path, metavar="FILE",
                       help="history store for the records (default: one in the user's data folder)")
    train.add_argument("--seed", type=int, default=1, help="the simulator's seed")
    train.add_argument("--scenario", default="normal", choices=list(SCENARIOS),
                       help="fault the simulator runs with from the start")
    train.add_argument("--fault", action="append", default=[], metavar="NAME@SECONDS",
                       help="inject a fault (jam, heater-degradation, sensor-freeze) SECONDS into "
                       "the session, as a trainer does; repeatable")
    train.add_argument("--no-record", action="store_true", help="do not store the record")


def train_action(argv: list[str]) -> bool:
    """Whether ``argv`` (without the program name) is ``train records|sign|users ...``."""
    return len(argv) >= 2 and argv[0] == "train" and argv[1] in TRAIN_ACTIONS


def build_train_action_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linetwin train", description="Training records and users.")
    actions = parser.add_subparsers(dest="train_action", metavar="ACTION", required=True)
    records = actions.add_parser("records", help="list or export training records")
    records.add_argument("--history", type=Path, metavar="FILE",
                         help="history store (default: the one in the user's data folder)")
    records.add_argument("--trainee", metavar="NAME", help="only this trainee's records")
    records.add_argument("--sop", metavar="ID", help="only this SOP's records")
    records.add_argument("--format", choices=("text", "csv", "xapi", "pdf"), default=None,
                         help="output format (default: from -o's suffix, else text)")
    records.add_argument("-o", "--output", type=Path, metavar="FILE",
                         help="write here (csv, xAPI JSON or a PDF certificate); default: print")
    records.add_argument("--record", metavar="RECORD_ID", help="only this record (a certificate)")
    sign = actions.add_parser("sign", help="a trainer signs a training record off")
    sign.add_argument("record", metavar="RECORD_ID", help="the record's id (see `train records`)")
    sign.add_argument("--trainer", metavar="NAME", required=True,
                      help="the signing trainer (a LineTwin user with the trainer role)")
    sign.add_argument("--history", type=Path, metavar="FILE",
                      help="history store (default: the one in the user's data folder)")
    sign.add_argument("--comment", default="", help="the trainer's remark")
    users = actions.add_parser("users", help="the LineTwin users (name and role) of this machine")
    users_actions = users.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    users_actions.add_parser("list", help="one line per user: name, role")
    add = users_actions.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    remove = users_actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    return parser
