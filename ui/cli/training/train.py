"""``linetwin train PROJECT ...``: SOP training on the simulated line.

- ``--list``: one line per SOP (id, title, version, steps; tab-separated);
- ``--sop ID --print-reference``: the expert's actions as a JSON list;
- ``--sop ID --script ACTIONS.json|reference --trainee NAME``: the session run
  headless, faster than real time; the result JSON is printed (and written to
  ``--out``), the record stored in the history store; exit 0 passed, 1 failed;
- ``--sop ID`` without ``--script``: the training window.

Bad input (project, SOP id, script, trainee, fault) exits 1 with one line per
problem naming the file or option; argparse's usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from linetwin.ui.cli.inputs import load_or_report

FAULT_HELP = "give NAME@SECONDS, e.g. jam@30"


def run_train(args: argparse.Namespace, open_window) -> int:
    project = load_or_report(args.project)
    if project is None:
        return 1
    if args.list:
        return _list(project)
    if not args.sop and args.script is None and not args.print_reference:
        faults = _faults(args.fault)  # the window's start dialog asks for the SOP (and trainee)
        return 1 if faults is None else open_window(args.project, None, args.trainee, _options(args, faults))
    sop = _sop(project, args)
    if sop is None:
        return 1
    if args.print_reference:
        from linetwin.twin.sop.trainee_actions import reference_actions

        print(json.dumps([a.as_json() for a in reference_actions(sop)], indent=2))
        return 0
    faults = _faults(args.fault)
    if faults is None:
        return 1
    if args.script is None:
        return open_window(args.project, sop.id, args.trainee, _options(args, faults))
    return _headless(project, sop, args, faults)


def _options(args: argparse.Namespace, faults: list[tuple[str, float]]) -> dict:
    return {"seed": args.seed, "scenario": args.scenario, "faults": faults, "history": args.history}


def _list(project) -> int:
    if not project.sops:
        print(f"{project.path}: the project has no SOPs (add `sops = [\"sops/NAME.toml\"]`)",
              file=sys.stderr)
        return 1
    for sop in project.sops:
        print(f"{sop.id}\t{sop.title}\t{sop.version}\t{len(sop.steps)}")
    return 0


def _sop(project, args):
    if not args.sop:
        return _fail("--sop ID is needed (see `linetwin train PROJECT --list`)")
    for sop in project.sops:
        if sop.id == args.sop:
            return sop
    known = ", ".join(s.id for s in project.sops) or "none"
    return _fail(f"{args.project}: no SOP {args.sop!r} (the project has: {known})")


def _faults(specs: list[str]) -> list[tuple[str, float]] | None:
    from linetwin.twin.sop.training_run import FAULTS

    out = []
    for spec in specs:
        name, _, at = spec.partition("@")
        try:
            seconds = float(at)
        except ValueError:
            return _fail(f"--fault {spec}: {FAULT_HELP}")
        if name not in FAULTS or seconds < 0:
            return _fail(f"--fault {spec}: the fault is one of {', '.join(FAULTS)}, at >= 0 s; {FAULT_HELP}")
        out.append((name, seconds))
    return out


def _headless(project, sop, args, faults) -> int:
    from linetwin.twin.sop.training_run import TrainingRun

    actions = _script(args.script, sop)
    if actions is None:
        return 1
    trainee = _trainee(args.trainee)
    if trainee is None:
        return 1
    name, role = trainee
    session = TrainingRun(project, sop, name, seed=args.seed, scenario=args.scenario, epoch=time.time())
    for fault, at in faults:
        session.inject_fault(fault, at_s=at)
    result = session.run_script(actions)
    data = result.as_json()
    if not args.no_record:
        record_id = _store(args.history, result, role, sop.certification_days)
        if record_id is None:
            return 1
        data["record_id"] = record_id
    text = json.dumps(data, indent=2)
    if args.out is not None and not _write(args.out, text):
        return 1
    print(text)
    return 0 if result.passed else 1


def _script(source: str, sop):
    from linetwin.twin.sop.trainee_actions import ActionError, parse_actions, reference_actions

    if source == "reference":
        return reference_actions(sop)
    path = Path(source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return _fail(f"{path}: cannot read the script: {exc.strerror or exc}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        return _fail(f"{path}: not a JSON script: {where}{getattr(exc, 'msg', exc)}")
    try:
        return parse_actions(data)
    except ActionError as exc:
        return _fail(f"{path}: {exc}")


def _trainee(name: str | None) -> tuple[str, str] | None:
    """(name, role) of a known LineTwin user: a record never names a bare OS account."""
    from linetwin.io.training.identities import IdentityError, find_user

    if not name:
        return _fail("--trainee NAME is needed: the LineTwin user the record is for "
                     "(add one with `linetwin train users add NAME --role operator`)")
    try:
        user = find_user(name)
    except IdentityError as exc:
        return _fail(str(exc))
    return user.name, user.role


def _store(history: Path | None, result, role: str, certification_days: int) -> str | None:
    from linetwin.io.history.history_store import HistoryStoreError
    from linetwin.io.training.records import TrainingRecordError, default_store_path, store_record

    path = history if history is not None else default_store_path()
    try:
        return store_record(path, result, role, certification_days)
    except (TrainingRecordError, HistoryStoreError, OSError) as exc:
        return _fail(f"{path}: the record was not stored: {exc}")


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        _fail(f"{path}: cannot write the result: {exc.strerror or exc}")
        return False
    return True


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    return None
