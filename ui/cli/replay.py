"""``linetwin replay PROJECT --history FILE [--at T --json | --at T -o PNG | --from A --to B --video MP4]``.

With none of ``--json``, ``-o`` or ``--video`` the window opens in replay mode.
``PROJECT`` may be an incident package (``.ltpkg``), which carries its project
and history. Every failure is one line naming the file and the problem, exit 1;
bad usage exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PACKAGE_SUFFIX = ".ltpkg"


def run_replay(args: argparse.Namespace, open_window=None) -> int:
    """Run the command; ``open_window(project_path, history, label)`` shows the window
    (main.py passes it: only ui/qt may import Qt)."""
    problem = _usage_problem(args)
    if problem:
        print(f"linetwin replay: {problem}", file=sys.stderr)
        return 2
    resolved = resolve_inputs(args.project, args.history, "replay")
    if resolved is None:
        return 1
    project_path, history = resolved
    if args.json:
        return print_twin_at(project_path, history, args.at, args.window)
    if args.output is not None or args.video is not None:
        from linetwin.ui.cli.replay_export import run_export

        return run_export(args, project_path, history)
    if open_window is None:
        print("linetwin replay: give --json, -o or --video (no window here)", file=sys.stderr)
        return 2
    package = args.project.name if args.project.suffix.lower() == PACKAGE_SUFFIX else None
    return open_window(project_path, history, package)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if (args.json or args.output is not None) and args.at is None:
        return "--json and -o need --at TIME"
    if args.video is not None and (args.start is None or args.end is None):
        return "--video needs --from and --to"
    if args.start is not None and args.end is not None and args.end <= args.start:
        return "--to must be after --from"
    return None


def resolve_inputs(project: Path, history: Path | None, command: str) -> tuple[Path, Path] | None:
    """(project file, history file): from a package, or as given; None after saying what is wrong."""
    if project.suffix.lower() == PACKAGE_SUFFIX:
        if history is not None:
            print(f"linetwin {command}: {project} is an incident package: it carries its history, "
                  "drop --history", file=sys.stderr)
            return None
        from linetwin.io.history.incident_package import PackageError, open_package

        try:
            return open_package(project)
        except PackageError as exc:
            print(f"linetwin {command}: {exc}", file=sys.stderr)
            return None
    if history is None:
        print(f"linetwin {command}: --history FILE is required with a project file", file=sys.stderr)
        return None
    return project, history


def open_session(project_path: Path, history: Path, command: str, **kwargs):
    """A ReplaySession, or None after printing why it cannot be opened."""
    from linetwin.io.history.history_store import HistoryStoreError
    from linetwin.io.history.replay_load import ReplayLoadError
    from linetwin.io.sessions.replay_session import ReplaySession
    from linetwin.ui.cli.inputs import load_or_report

    project = load_or_report(project_path)
    if project is None:
        return None
    try:
        return ReplaySession(project, history, **kwargs)
    except (HistoryStoreError, ReplayLoadError) as exc:
        print(f"linetwin {command}: {exc}", file=sys.stderr)
        return None


def print_twin_at(project_path: Path, history: Path, at: float, window_s: float) -> int:
    from linetwin.twin.replay.instants import format_instant
    from linetwin.twin.replay.snapshot import twin_at

    # Exact: the twin is played from the start of the history up to --at, as a
    # continuous replay (and the live twin) would have it.
    session = open_session(project_path, history, "replay", warmup_s=None)
    if session is None:
        return 1
    with session:
        data = session.data
        if not data.start <= at <= data.end:
            print(f"linetwin replay: {format_instant(at)} is outside {history} "
                  f"({format_instant(data.start)} .. {format_instant(data.end)})", file=sys.stderr)
            return 1
        session.cursor.seek(at)
        print(json.dumps(twin_at(session.cursor, window_s), indent=1))
    return 0
