"""LineTwin entry point: ``linetwin [COMMAND] ...`` (same as ``python main.py``).

Parses the command line and dispatches to the commands in ``ui/cli`` or the
window in ``ui/qt``. Qt is imported only by the ``gui`` command, so the other
commands run on machines with no display.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from linetwin.io.opcua import SECURITY_MODES, SECURITY_POLICIES  # constants only: cheap
from linetwin.ui.log_levels import quiet_libraries  # standard library only
from linetwin.twin.sim.scenarios import SCENARIOS  # standard library only: cheap at start-up

DEMO_PROJECT = Path(__file__).resolve().parent / "resources" / "demo" / "line.toml"


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT like 1600x900, got {text!r}")
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {text} is outside 16x16 .. 8192x8192")
    return w, h


def _add_connection_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help="OPC UA endpoint URL (default: the project's source)")
    parser.add_argument("--user", help="user name; the password comes from $LINETWIN_PASSWORD "
                        "or is asked for")
    parser.add_argument("--security-policy", choices=SECURITY_POLICIES,
                        help="default: the project's source")
    parser.add_argument("--security-mode", choices=SECURITY_MODES,
                        help="default: the project's source")
    parser.add_argument("--trust-server-cert", type=Path, action="append", default=[],
                        metavar="FILE", help="trust this server certificate (PEM or DER); "
                        "kept in the trust list for later runs")


def _add_simulator_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="with --simulate: the simulator's seed")
    parser.add_argument("--scenario", default="normal", choices=list(SCENARIOS),
                        help="with --simulate: fault to inject after 20 s of simulated time")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="with --simulate: simulated seconds per second")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linetwin", description="Desktop digital twin of a production line. "
        "With no command: the GUI on the demo line, served by the built-in simulator.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open a project in the 3D window")
    gui.add_argument("project", type=Path, nargs="?", default=None,
                     help="project file (default: the demo line with its simulator)")
    _add_connection_args(gui)
    gui.add_argument("--simulate", action="store_true",
                     help="serve the project from the built-in simulator")
    gui.add_argument("--select", metavar="ASSET", help="select this asset at start "
                     "(its values and trend in the inspector)")
    check = sub.add_parser("check", help="validate a project file and its meshes")
    check.add_argument("project", type=Path)
    check.add_argument("--json", action="store_true",
                       help="print one JSON object: problems, warnings and per-asset mesh facts")
    render = sub.add_parser("render", help="write a PNG of the line, no display needed")
    render.add_argument("project", type=Path)
    render.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    render.add_argument("--size", type=_size, default=(1600, 900), help="WIDTHxHEIGHT")
    render.add_argument("--state", type=Path, help="JSON object of signal id -> value")
    render.add_argument("--allow-missing", action="store_true",
                        help="draw assets whose mesh cannot be loaded as placeholder boxes "
                        "instead of failing")
    sim = sub.add_parser("sim", help="run the built-in OPC UA simulator")
    sim.add_argument("project", type=Path, nargs="?", default=DEMO_PROJECT)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=4840, help="0 picks a free port")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    sim.add_argument("--scenario", default="normal", choices=list(SCENARIOS),
                     help="fault to inject after 20 s of simulated time")
    sim.add_argument("--until-stdin-closes", action="store_true",
                     help=argparse.SUPPRESS)  # the GUI's child: end with the parent
    monitor = sub.add_parser("monitor", help="print live values as JSON lines, no window")
    monitor.add_argument("project", type=Path)
    _add_connection_args(monitor)
    monitor.add_argument("--duration", type=_seconds, help="stop after S seconds (default: Ctrl+C)")
    monitor.add_argument("--simulate", action="store_true",
                         help="watch the built-in simulator instead of a server")
    _add_simulator_args(monitor)
    record = sub.add_parser("record", help="record every live value into a DuckDB history")
    record.add_argument("project", type=Path, nargs="?", default=DEMO_PROJECT)
    _add_connection_args(record)
    record.add_argument("--out", type=Path, required=True, help="history file (.duckdb)")
    record.add_argument("--duration", type=_seconds, help="stop after S seconds (default: Ctrl+C)")
    record.add_argument("--simulate", action="store_true",
                        help="record from the built-in simulator instead of a server")
    _add_simulator_args(record)
    from linetwin.ui.cli.trust import add_trust_parser  # standard library only: cheap

    add_trust_parser(sub)
    from linetwin.ui.cli.investigate_args import (  # argparse only: cheap
        add_history_parser, add_replay_parser, add_report_parser,
    )

    add_history_parser(sub)
    add_replay_parser(sub)
    add_report_parser(sub)
    from linetwin.ui.cli.training.train_args import add_train_parser  # argparse only: cheap

    add_train_parser(sub)
    from linetwin.ui.cli.whatif.whatif_args import add_whatif_parser  # argparse only: cheap
    from linetwin.ui.cli.setpoint.setpoint_args import add_audit_parser, add_setpoint_parser

    add_whatif_parser(sub)
    add_setpoint_parser(sub, _add_connection_args)
    add_audit_parser(sub)
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the duration must be positive, got {text}")
    return value


def cmd_monitor(args) -> int:
    from linetwin.ui.cli.inputs import live_inputs
    from linetwin.ui.cli.monitor import run_monitor_cli

    inputs = live_inputs(args)
    if inputs is None:
        return 1
    project, settings = inputs
    return run_monitor_cli(project, args.endpoint, args.duration, settings=settings,
                           simulate=args.simulate, seed=args.seed, scenario=args.scenario,
                           speed=args.speed)


def cmd_record(args) -> int:
    from linetwin.ui.cli.inputs import live_inputs
    from linetwin.ui.cli.record import record_cli

    inputs = live_inputs(args)
    if inputs is None:
        return 1
    project, settings = inputs
    return record_cli(project, args.endpoint, args.out, args.duration, simulate=args.simulate,
                      settings=settings, seed=args.seed, scenario=args.scenario, speed=args.speed)


def cmd_gui(args) -> int:
    from linetwin.ui.qt.startup.quit_signals import QuitSignals  # standard library only

    # Before the seconds of Qt/VTK imports: Ctrl+C or SIGTERM from here on quits cleanly.
    quit_signals = QuitSignals().install()
    from linetwin.ui.cli.inputs import live_inputs
    from linetwin.ui.qt.app import run_gui  # Qt only when a window is wanted

    if args.project is None:
        return run_gui(DEMO_PROJECT, simulate=True, select=args.select,
                       quit_signals=quit_signals)
    inputs = live_inputs(args)
    if inputs is None:
        return 1
    return run_gui(args.project, endpoint=args.endpoint, simulate=args.simulate,
                   settings=inputs[1], select=args.select, quit_signals=quit_signals,
                   project=inputs[0])


def cmd_check(args) -> int:
    from linetwin.ui.cli.check import run_check

    return run_check(args)


def cmd_render(args) -> int:
    from linetwin.ui.cli.render import run_render

    return run_render(args)


def cmd_sim(args) -> int:
    from linetwin.ui.cli.inputs import load_or_report
    from linetwin.ui.cli.sim import run_simulator_cli

    project = load_or_report(args.project)
    if project is None:
        return 1
    return run_simulator_cli(project, args.host, args.port, args.seed, args.speed,
                             scenario=args.scenario, until_stdin_closes=args.until_stdin_closes)


def cmd_trust(args) -> int:
    from linetwin.ui.cli.trust import run_trust

    return run_trust(args)


def cmd_history(args) -> int:
    from linetwin.ui.cli.history import run_history

    return run_history(args)


def cmd_replay(args) -> int:
    from linetwin.ui.cli.replay import run_replay

    def open_window(project_path, history, label) -> int:
        from linetwin.ui.qt.replay.replay_app import run_replay_gui  # Qt only for the window

        return run_replay_gui(project_path, history, label=label)

    return run_replay(args, open_window)


def cmd_report(args) -> int:
    from linetwin.ui.cli.report import run_report

    return run_report(args)


def cmd_train(args) -> int:
    from linetwin.ui.cli.training.train import run_train

    def open_window(project_path, sop_id, trainee, options) -> int:
        from linetwin.ui.qt.training.training_app import run_training_gui  # Qt only for the window

        return run_training_gui(project_path, sop_id, trainee, options)

    return run_train(args, open_window)


def cmd_train_action(args) -> int:
    from linetwin.ui.cli.training.train_records import run_train_action

    return run_train_action(args)


def cmd_whatif(args) -> int:
    from linetwin.ui.cli.whatif.whatif import run_whatif

    return run_whatif(args)


def cmd_whatif_action(args) -> int:
    from linetwin.ui.cli.whatif.whatif_fit import run_whatif_action

    return run_whatif_action(args)


def cmd_setpoint(args) -> int:
    from linetwin.ui.cli.setpoint.setpoint import run_setpoint

    return run_setpoint(args)


def cmd_audit(args) -> int:
    from linetwin.ui.cli.setpoint.audit import run_audit

    return run_audit(args)


COMMANDS = {"gui": cmd_gui, "check": cmd_check, "render": cmd_render, "sim": cmd_sim,
            "monitor": cmd_monitor, "record": cmd_record, "trust": cmd_trust,
            "history": cmd_history, "replay": cmd_replay, "report": cmd_report,
            "train": cmd_train, "train-action": cmd_train_action, "whatif": cmd_whatif,
            "whatif-action": cmd_whatif_action, "setpoint": cmd_setpoint, "audit": cmd_audit}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    from linetwin.ui.cli.training.train_args import build_train_action_parser, train_action
    from linetwin.ui.cli.whatif.whatif_args import build_whatif_action_parser, whatif_action

    words = sys.argv[1:] if argv is None else list(argv)
    if train_action(words):  # `train records|sign|users ...`: not a project path
        args = build_train_action_parser().parse_args(words[1:])
        args.command = "train-action"
        return args
    if whatif_action(words):  # `whatif fit|list ...`: not a project path
        args = build_whatif_action_parser().parse_args(words[1:])
        args.command = "whatif-action"
        return args
    return build_parser().parse_args(words)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    quiet_libraries()
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # Headless (render, replay frames, reports): VTK would try X first and print
        # "bad X server connection" before falling back to EGL; go to EGL directly.
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    if args.command is None:
        args = build_parser().parse_args(["gui"])
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`linetwin monitor ... | head`): not an error of ours.
        # Point stdout at /dev/null so the interpreter's final flush cannot raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a process ended by SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
