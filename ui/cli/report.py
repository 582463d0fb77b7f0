"""``linetwin report PROJECT --history FILE --from A --to B -o REPORT.(html|pdf) [--package P.ltpkg]``.

The incident report of ``[A, B]`` (:mod:`linetwin.ui.report`), HTML or PDF by
the output's suffix; ``--package`` also writes the incident package of the
range, which ``linetwin replay P.ltpkg`` reopens anywhere. ``PROJECT`` may
itself be a package. Bad usage exits 2, anything else that fails exits 1, each
with one line naming the file and the problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linetwin.twin.replay.instants import format_instant

FORMATS = (".html", ".pdf")
WARMUP_S = 1800.0  # history loaded before A: the bookmarks' frames show the twin as it was


def run_report(args: argparse.Namespace) -> int:
    from linetwin.ui.cli.replay import PACKAGE_SUFFIX, open_session, resolve_inputs
    from linetwin.ui.cli.replay_export import output_problem

    problem = _usage_problem(args, PACKAGE_SUFFIX, output_problem)
    if problem:
        return _fail(problem, 2)
    resolved = resolve_inputs(args.project, args.history, "report")
    if resolved is None:
        return 1
    project_path, history = resolved
    session = open_session(project_path, history, "report", start=args.start - WARMUP_S, end=args.end)
    if session is None:
        return 1
    with session:
        if session.data.end < args.start:
            return _fail(f"{history}: nothing recorded in {format_instant(args.start)} .. "
                         f"{format_instant(args.end)} (the history ends "
                         f"{format_instant(session.data.end)})")
        try:
            _write_report(session, project_path, args)
        except OSError as exc:
            return _fail(f"{args.output}: cannot write the report: {exc.strerror or exc}")
    print(f"wrote {args.output}")
    if args.package is not None:
        return _write_package(project_path, history, args)
    return 0


def _usage_problem(args: argparse.Namespace, package_suffix: str, output_problem) -> str | None:
    suffix = args.output.suffix.lower()
    if suffix not in FORMATS:
        return f"{args.output}: the report must be a .html or .pdf file"
    if not args.end > args.start:
        return "--to must be after --from"
    problem = output_problem(args.output, suffix)
    if problem is None and args.package is not None:
        problem = output_problem(args.package, package_suffix)
    return problem


def _write_report(session, project_path: Path, args: argparse.Namespace) -> None:
    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.ui.report.frames import ReplayFrames
    from linetwin.ui.report.report_model import SNAPSHOT_SIZE, bookmark_snapshotter, build_report

    with ReplayFrames(session.project, SNAPSHOT_SIZE,
                      mesh_cache=MeshCache(user_cache_folder())) as frames:
        model = build_report(session, project_path, args.start, args.end,
                             bookmark_snapshotter(session, frames))
    if args.output.suffix.lower() == ".pdf":
        from linetwin.ui.report.pdf_report import write_pdf

        write_pdf(model, args.output)
    else:
        from linetwin.ui.report.html_report import write_html

        write_html(model, args.output)


def _write_package(project_path: Path, history: Path, args: argparse.Namespace) -> int:
    from linetwin.io.history.incident_package import PackageError, write_package

    try:
        write_package(project_path, history, args.start, args.end, args.package)
    except PackageError as exc:
        return _fail(str(exc))
    print(f"wrote {args.package}")
    return 0


def _fail(message: str, code: int = 1) -> int:
    print(f"linetwin report: {message}", file=sys.stderr)
    return code
