"""``linetwin history generate | import | info``: make, fill and describe history files.

Exit codes: 0 done; 1 a failure (a file that cannot be read or written, an
existing file generate would overwrite, a ``--set`` of a signal the simulator
does not run) or bad rows in an import; 2 bad usage (``--map``, ``--tz``, a
``--set`` that is not ``SIGNAL=VALUE|+DELTA|-P%``). Errors name the file. ``generate`` reports progress on
stderr every 5 % and its summary on stdout; ``import`` prints its report
(counts and every bad row) on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from linetwin.ui.cli.inputs import load_or_report

PROGRESS_STEP = 0.05


def run_history(args) -> int:
    action = {"generate": _generate, "import": _import, "info": _info}[args.history_action]
    return action(args)


def _say(text: str, stream: TextIO | None = None) -> None:
    print(f"linetwin history: {text}", file=stream or sys.stderr, flush=True)


def _generate(args) -> int:
    from linetwin.io.history.generate import GenerateError, generate_history
    from linetwin.io.history.history_store import HistoryStoreError
    from linetwin.twin.whatif.changes import parse_changes

    try:
        changes = parse_changes(args.set)
    except ValueError as exc:
        _say(f"--set {exc}")
        return 2
    project = load_or_report(args.project)
    if project is None:
        return 1
    existed = args.out.exists()
    try:
        summary = generate_history(project, args.out, args.hours, seed=args.seed, scenario=args.scenario,
                                   start=args.start, progress=_Progress(args.hours), changes=changes)
    except (GenerateError, HistoryStoreError) as exc:
        _say(str(exc))
        return 1
    except KeyboardInterrupt:
        if not existed:  # ours, and only part of the hours asked for: not a history to trust
            for leftover in (args.out, args.out.with_name(args.out.name + ".wal")):
                leftover.unlink(missing_ok=True)
        _say(f"interrupted; {args.out} was not written" if not existed else "interrupted")
        return 130
    print(summary.describe(), flush=True)
    return 0


class _Progress:
    """Prints how far the simulation is every :data:`PROGRESS_STEP` of the hours."""

    def __init__(self, hours: float) -> None:
        self.hours = hours
        self.next = PROGRESS_STEP
        self.began = time.monotonic()

    def __call__(self, done: float, total: float) -> None:
        share = done / total if total else 1.0
        if share + 1e-9 < self.next:
            return
        while self.next <= share + 1e-9:
            self.next += PROGRESS_STEP
        _say(f"generate: {share:4.0%} ({share * self.hours:.2f} of {self.hours:g} h simulated, "
             f"{time.monotonic() - self.began:.1f} s)")


def _import(args) -> int:
    from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
    from linetwin.io.history.plant_import import (
        ImportFileError, ImportUsageError, check_zone, import_events, parse_maps,
    )
    from linetwin.io.history.plant_read import PlantFileError

    try:  # bad usage first: before the project or the files are touched
        parse_maps(args.map)
        check_zone(args.tz)
    except ImportUsageError as exc:
        _say(str(exc))
        return 2
    project = load_or_report(args.project)
    if project is None:
        return 1
    created = not args.history.exists()
    try:
        with HistoryStore(args.history) as store:
            report = import_events(store, project, args.events, args.map, args.tz, args.skip_bad,
                                   user=args.user)
    except (ImportFileError, PlantFileError, HistoryStoreError) as exc:
        _say(str(exc) + _forget_if_new(args.history, created))
        return 1
    for line in report.lines():
        print(line, flush=True)
    if not report.imported:
        note = _forget_if_new(args.history, created)
        if note:
            _say(note.strip("; "))
    if not report.ok:
        _say(f"{args.events}: {len(report.bad)} bad rows" + ("" if report.skip_bad else "; nothing imported"))
        return 1
    return 0


def _forget_if_new(path: Path, created: bool) -> str:
    """A history this import created and put no row into is removed: a failed import
    leaves no empty file behind. What to tell the user ('' if nothing was removed)."""
    if not created:
        return ""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return f"; {path} was not created"


def _info(args) -> int:
    from linetwin.io.history.history_info import history_info
    from linetwin.io.history.history_store import HistoryStore, HistoryStoreError

    try:
        with HistoryStore(args.history, read_only=True) as store:
            info = history_info(store)
    except HistoryStoreError as exc:
        _say(str(exc))
        return 1
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print("\n".join(describe(info)))
    return 0


def describe(info: dict[str, Any]) -> list[str]:
    """The info as text for people."""
    from linetwin.io.history.generate import describe_truth

    span = info["time_range"]
    out = [f"{info['file']} (history schema {info['schema_version']})",
           f"time range: {span['start']} .. {span['end']} ({span['hours']:g} h)" if span else "time range: empty",
           f"sessions: {len(info['sessions'])}"]
    out += [f"  {s['id']}: {s['endpoint']}  {s['start']} .. {s['stop'] or 'not closed'}" for s in info["sessions"]]
    out.append("rows: " + ", ".join(f"{table} {n}" for table, n in info["counts"].items() if n))
    out.append(f"stations: {len(info['stations'])}")
    out += [f"  {name}: {s['units']} units, {s['defective']} defective" for name, s in info["stations"].items()]
    lots = info["lots"]
    out.append(f"lots: {lots['count']}" + (f" (first {lots['first']['id']} at {lots['first']['start']}, "
                                            f"last {lots['last']['id']} at {lots['last']['start']})"
                                            if lots["count"] else ""))
    out.append("defect types: " + (", ".join(f"{k} {v}" for k, v in info["defect_types"].items()) or "none"))
    for run in info.get("simulator", []):
        out.append(f"simulated (session {run['session_id']}, seed {run['seed']}, scenario {run['scenario']}):")
        out += [f"  set {c['signal']} {c['from']:g} -> {c['to']:g} ({c['change']})" for c in run["changes"] or []]
        if run["truth"]:
            out.append(f"  {describe_truth(run['truth'])}")
    return out
