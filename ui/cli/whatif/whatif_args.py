"""The command line of ``linetwin whatif`` (argparse only: cheap at start-up).

Two shapes share the command name, as ``train`` does:

- ``linetwin whatif PROJECT --model MODEL --set SIGNAL=VALUE|+DELTA|-P% ... [--json]``:
  what the model predicts under the change;
- ``linetwin whatif fit PROJECT --history FILE [--station S] -o MODEL`` and
  ``linetwin whatif list --history FILE``: fit, store and list models.
"""

from __future__ import annotations

import argparse
from pathlib import Path

WHATIF_ACTIONS = ("fit", "list")


def add_whatif_parser(commands: argparse._SubParsersAction) -> None:
    whatif = commands.add_parser(
        "whatif", help="predict the defect profile under a proposed change (also: whatif fit|list)",
        description="Ask a model fitted on this line's history what a change of process values "
        "would do to each defect type and to first-pass yield. Also `linetwin whatif fit --help`.")
    whatif.add_argument("project", type=Path, help="project file")
    whatif.add_argument("--model", type=Path, required=True, metavar="MODEL.json",
                        help="a model written by `linetwin whatif fit`")
    whatif.add_argument("--set", dest="changes", action="append", default=[], required=True,
                        metavar="SIGNAL=VALUE|+DELTA|-P%",
                        help="the proposed change, e.g. sealer.seal_temperature=+3 or "
                        "sealer.dwell_time=-10%%; repeatable")
    whatif.add_argument("--history", type=Path, metavar="FILE",
                        help="take 'now' from the last 30 minutes of this history "
                        "(default: the end of the data the model was fitted on)")
    whatif.add_argument("--json", action="store_true", help="print one JSON object")
    whatif.add_argument("--try", dest="trial_minutes", type=float, metavar="MINUTES",
                        help="also run the change on the simulated line for MINUTES of line time "
                        "and print its outcome beside the prediction")
    whatif.add_argument("--seed", type=int, default=1, help="with --try: the simulator's seed")


def whatif_action(argv: list[str]) -> bool:
    """Whether ``argv`` (without the program name) is ``whatif fit|list ...``."""
    return len(argv) >= 2 and argv[0] == "whatif" and argv[1] in WHATIF_ACTIONS


def build_whatif_action_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linetwin whatif", description="Fit and list what-if models.")
    actions = parser.add_subparsers(dest="whatif_action", metavar="ACTION", required=True)
    fit = actions.add_parser("fit", help="fit defect-rate models on a history")
    fit.add_argument("project", type=Path)
    fit.add_argument("--history", type=Path, required=True, help="history file (.duckdb)")
    fit.add_argument("--station", metavar="S",
                     help="the inspecting station whose defects to model (default: the only one)")
    fit.add_argument("-o", "--output", type=Path, required=True, metavar="MODEL.json")
    fit.add_argument("--user", metavar="NAME", help="who fits, for the history's audit log "
                     "(default: the OS login, marked unattributed)")
    listing = actions.add_parser("list", help="the models fitted on a history (its registry)")
    listing.add_argument("--history", type=Path, required=True, help="history file (.duckdb)")
    listing.add_argument("--json", action="store_true")
    return parser
