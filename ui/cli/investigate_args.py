"""The command lines of the investigation commands: ``history``, ``replay`` and ``report``.

Only argparse here (cheap at start-up); each command's module does the work.
Instants are ISO 8601 with an offset or POSIX seconds (:mod:`linetwin.twin.replay.instants`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from linetwin.twin.replay.instants import InstantError, parse_instant
from linetwin.twin.sim.scenarios import SCENARIOS


def instant(text: str) -> float:
    try:
        return parse_instant(text)
    except InstantError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def add_history_parser(commands: argparse._SubParsersAction) -> None:
    history = commands.add_parser("history", help="generate, import into or describe a history file")
    actions = history.add_subparsers(dest="history_action", metavar="ACTION", required=True)
    generate = actions.add_parser("generate", help="run the simulator faster than real time into "
                                  "a new history, as `record` would have written it")
    generate.add_argument("project", type=Path)
    generate.add_argument("--out", type=Path, required=True, help="history file (.duckdb) to write")
    generate.add_argument("--hours", type=positive, required=True, help="simulated hours")
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--scenario", default="normal", choices=list(SCENARIOS))
    generate.add_argument("--start", type=instant, help="first instant (ISO 8601 with offset or "
                          "POSIX seconds; default: HOURS before now)")
    generate.add_argument("--set", action="append", default=[], metavar="SIGNAL=VALUE|+DELTA|-P%",
                          help="move a process setpoint before the first sample, relative to the "
                          "simulator's nominal (e.g. sealer.dwell_time=-10%%); repeatable. The history "
                          "records the changes and the simulator's true defect rates")
    imp = actions.add_parser("import", help="import inspection/defect events from a plant export")
    imp.add_argument("project", type=Path)
    imp.add_argument("--history", type=Path, required=True, help="history file (.duckdb)")
    imp.add_argument("events", type=Path, help="the export: .csv, .parquet or .jsonl")
    imp.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                     help="read the export's COLUMN as FIELD (time, unit_id, lot, sku, station, "
                     "result, defect_type, severity); repeatable")
    imp.add_argument("--tz", metavar="ZONE", help="IANA zone of times written without an offset "
                     "(e.g. Europe/Berlin)")
    imp.add_argument("--user", metavar="NAME", help="the LineTwin user who imports, for the audit "
                     "log (default: unattributed, with the OS login beside it)")
    imp.add_argument("--skip-bad", action="store_true",
                     help="import the good rows even when some are bad (all are still reported)")
    info = actions.add_parser("info", help="time range, sessions, counts, stations, lots, defect types")
    info.add_argument("history", type=Path)
    info.add_argument("--json", action="store_true", help="one JSON object instead of text")


def add_replay_parser(commands: argparse._SubParsersAction) -> None:
    replay = commands.add_parser("replay", help="replay a recorded history: the window, one instant "
                                 "as JSON or PNG, or a video")
    replay.add_argument("project", type=Path, help="project file, or an incident package (.ltpkg)")
    replay.add_argument("--history", type=Path, help="history file (.duckdb); not with a package")
    replay.add_argument("--at", type=instant, help="the instant to print (--json) or render (-o)")
    replay.add_argument("--json", action="store_true", help="print the twin at --at as JSON")
    replay.add_argument("-o", "--output", type=Path, help="PNG of the frame at --at")
    replay.add_argument("--window", type=positive, default=3600.0,
                        help="seconds of defect counts ending at --at (default 3600)")
    replay.add_argument("--from", dest="start", type=instant, help="video: first instant")
    replay.add_argument("--to", dest="end", type=instant, help="video: last instant")
    replay.add_argument("--video", type=Path, help="write an MP4 of --from..--to")
    replay.add_argument("--fps", type=positive, default=10.0, help="video frames per second")
    replay.add_argument("--speed", type=positive, default=60.0,
                        help="video: history seconds per video second (default 60)")
    replay.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT of frames and video")


def add_report_parser(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write an incident report (HTML or PDF)")
    report.add_argument("project", type=Path, help="project file, or an incident package (.ltpkg)")
    report.add_argument("--history", type=Path, help="history file (.duckdb); not with a package")
    report.add_argument("--from", dest="start", type=instant, required=True)
    report.add_argument("--to", dest="end", type=instant, required=True)
    report.add_argument("-o", "--output", type=Path, required=True, help="REPORT.html or REPORT.pdf")
    report.add_argument("--package", type=Path, help="also write an incident package (.ltpkg) "
                        "of the range")
