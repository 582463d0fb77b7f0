"""A line of real size (issue 11): LineTwin beside bare VTK over the same files, one run.

Generates the scale line (``line.py``: 2,000 assets over 20 STL meshes,
the 500-mesh variant, one 1.3 M-triangle GLB; ``--size small``: 200 assets) and
measures, each run in a fresh process, alternating LineTwin and the bare VTK
script (``baseline.py``) so machine noise hits both alike:

- first frame: spawn to exit of ``linetwin render PROJECT -o out.png --size
  1600x900`` against the bare script's one render + PNG; peak memory is that
  process's own maximum resident set (``os.wait4``);
- window: ``linetwin gui PROJECT`` against a bare on-screen VTK window
  (``window.py``; needs a display: ``xvfb-run``): first frame, every mesh
  drawn, peak memory;
- orbit frame, colour update of all assets, GUI tick (``interactive.py``,
  on the variant with 10 signals per asset; same meshes, same scene).

One unrecorded warm-up run each first (files in the OS cache, meshes in
LineTwin's cache; the cache lives in the output folder, not the user's).
Prints one table (measure, LineTwin, bare VTK, ratio, goal, met?); ``--json``
writes it too. ``--linetwin DIR`` runs the LineTwin found at DIR/linetwin (e.g.
``git archive COMMIT | tar -x``) instead of this checkout's.
Run: ``xvfb-run -a .venv/bin/python benchmarks/scale/scale.py [--size small] [--repeat 3] [--json F]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from line import write_scale_line  # noqa: E402
import window  # noqa: E402

FIRST_FRAME_VARIANTS = {"line": "20 meshes", "line_500": "500 meshes", "line_glb": "1.3 M GLB"}
GOALS = {"first frame": 1.2, "peak memory": 1.3, "orbit frame": 1.2}
TICK_MEDIAN_MS, TICK_MAX_MS = 5.0, 50.0


def spawn(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawn to exit and the process's peak resident memory in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{errors[-3000:]}")
    return seconds, usage.ru_maxrss / 1024.0  # Linux: kilobytes


def first_frame_commands(project: Path, out: Path) -> dict[str, list[str]]:
    return {
        "linetwin": [sys.executable, "-m", "linetwin.main", "render", str(project), "-o",
                     str(out / "linetwin.png"), "--size", "1600x900"],
        "bare": [sys.executable, str(HERE / "baseline.py"), str(project), "-o",
                 str(out / "bare.png"), "--size", "1600x900"],
    }


def first_frames(project: Path, out: Path, env, repeat: int) -> dict[str, dict[str, float]]:
    commands = first_frame_commands(project, out)
    for command in commands.values():
        spawn(command, env)  # warm-up: OS file cache, mesh cache
    runs: dict[str, list[tuple[float, float]]] = {who: [] for who in commands}
    for k in range(repeat):
        for who, command in commands.items():
            runs[who].append(spawn(command, env))
            print(f"  {project.stem} run {k + 1} {who}: {runs[who][-1][0]:.2f} s, "
                  f"{runs[who][-1][1]:.0f} MB", flush=True)
    return {who: {"seconds": statistics.median(r[0] for r in rs),
                  "mb": statistics.median(r[1] for r in rs)} for who, rs in runs.items()}


def window_frames(project: Path, out: Path, env, repeat: int) -> dict[str, dict[str, float]]:
    """Window first frame (LineTwin: coarse boxes), all meshes drawn, peak memory: medians."""
    commands = window.commands(project)
    marks = out / "marks.txt"
    for command in commands.values():
        window.run_once(command, env, marks)  # warm-up: fonts, OS file cache
    runs: dict[str, list[dict[str, float]]] = {who: [] for who in commands}
    for k in range(repeat):
        for who, command in commands.items():
            runs[who].append(window.run_once(command, env, marks))
            r = runs[who][-1]
            print(f"  window run {k + 1} {who}: frame {r['frame']:.2f} s, meshes "
                  f"{r['meshes']:.2f} s, {r['mb']:.0f} MB", flush=True)
    return {who: {m: statistics.median(r[m] for r in rs) for m in ("frame", "meshes", "mb")}
            for who, rs in runs.items()}


def interactive(project: Path, out: Path, env, repeat: int, frames: int,
                ticks: int) -> dict[str, dict[str, list[float]]]:
    """Per contestant, each measure's samples pooled over ``repeat`` fresh processes."""
    pooled: dict[str, dict[str, list[float]]] = {"linetwin": {}, "bare": {}}
    for k in range(repeat):
        for who in pooled:
            result = out / f"{who}.json"
            command = [sys.executable, str(HERE / "interactive.py"), who, str(project),
                       str(result), "--frames", str(frames), "--ticks", str(ticks)]
            seconds, _ = spawn(command, env)
            for measure, samples in json.loads(result.read_text()).items():
                pooled[who].setdefault(measure, []).extend(samples)
            print(f"  interactive run {k + 1} {who}: {seconds:.1f} s", flush=True)
    return pooled


def row(measure: str, ours: float, bare: float | None, unit: str, goal: str,
        met: bool | None) -> dict:
    return {"measure": measure, "linetwin": round(ours, 2), "bare_vtk": None if bare is None
            else round(bare, 2), "unit": unit, "ratio": None if bare is None
            else round(ours / bare, 2), "goal": goal, "met": met}


def window_rows(frames: dict) -> list[dict]:
    ours, bare = frames["linetwin"], frames["bare"]
    rows = []
    for key, measure, unit, goal in (("frame", "window first frame (boxes)", "s", "first frame"),
                                     ("meshes", "window, every mesh drawn", "s", "first frame"),
                                     ("mb", "window peak memory", "MB", "peak memory")):
        rows.append(row(measure, ours[key], bare[key], unit, f"<= {GOALS[goal]}x",
                        ours[key] / bare[key] <= GOALS[goal]))
    return rows


def table(frames: dict, pooled: dict) -> list[dict]:
    rows = []
    for variant, label in FIRST_FRAME_VARIANTS.items():
        ours, bare = frames[variant]["linetwin"], frames[variant]["bare"]
        ratio = ours["seconds"] / bare["seconds"]
        rows.append(row(f"first frame, {label}", ours["seconds"], bare["seconds"], "s",
                        "<= 1.2x", ratio <= GOALS["first frame"]))
        ratio = ours["mb"] / bare["mb"]
        rows.append(row(f"peak memory, {label}", ours["mb"], bare["mb"], "MB", "<= 1.3x",
                        ratio <= GOALS["peak memory"]))
    ours, bare = pooled["linetwin"], pooled["bare"]
    for stat, pick in (("median", statistics.median), ("p95", lambda v: np.percentile(v, 95))):
        o, b = float(pick(ours["orbit"])), float(pick(bare["orbit"]))
        rows.append(row(f"orbit frame {stat} (software GL)", o, b, "ms", "<= 1.2x",
                        o / b <= GOALS["orbit frame"]))
    o, b = statistics.median(ours["orbit_no_aa"]), statistics.median(bare["orbit_no_aa"])
    rows.append(row("orbit frame median, no AA", o, b, "ms", "<= 1.2x",
                    o / b <= GOALS["orbit frame"]))
    o, b = statistics.median(ours["colour"]), statistics.median(bare["colour"])
    rows.append(row("colour update, all assets", o, b, "ms", "none set", None))
    if "tick" in ours:
        median, worst = statistics.median(ours["tick"]), max(ours["tick"])
        rows.append(row("GUI tick median", median, None, "ms", "<= 5 ms",
                        median <= TICK_MEDIAN_MS))
        rows.append(row("GUI tick max", worst, None, "ms", "<= 50 ms", worst <= TICK_MAX_MS))
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"\n{'measure':38} {'linetwin':>10} {'bare VTK':>10} {'ratio':>6}  {'goal':9} met")
    for r in rows:
        unit = f"{r['unit']:>2}"
        bare = f"{'—':>10}" if r["bare_vtk"] is None else f"{r['bare_vtk']:>8.2f}{unit}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        met = {None: "—", True: "yes", False: "NO"}[r["met"]]
        print(f"{r['measure']:38} {r['linetwin']:>8.2f}{unit} {bare} {ratio:>6}  "
              f"{r['goal']:9} {met}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per measure")
    parser.add_argument("--interactive-repeat", type=int, default=1, help="fresh processes "
                        "for orbit, colour and tick (their samples are pooled)")
    parser.add_argument("--frames", type=int, default=30, help="orbit frames per process")
    parser.add_argument("--ticks", type=int, default=100, help="GUI ticks per process")
    parser.add_argument("--folder", type=Path, help="where the line is generated (kept "
                        "and reused; default: a temporary folder)")
    parser.add_argument("--linetwin", type=Path, metavar="DIR",
                        help="run the LineTwin package at DIR/linetwin")
    parser.add_argument("--json", type=Path, help="also write the table here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch) / "line"
        projects = write_scale_line(folder, args.size)
        package = (args.linetwin or HERE.parents[2]).resolve()  # the folder holding linetwin/
        env = dict(os.environ, XDG_CACHE_HOME=str(folder / "cache"),
                   XDG_CONFIG_HOME=str(Path(scratch) / "config"),  # the window's settings
                   PYTHONPATH=os.pathsep.join([str(package), str(package / "linetwin")]))
        frames = {}
        for variant in FIRST_FRAME_VARIANTS:
            print(f"first frame: {variant}", flush=True)
            frames[variant] = first_frames(projects[variant], Path(scratch), env, args.repeat)
        windowed = None
        if os.environ.get("DISPLAY"):
            print("window: line", flush=True)
            windowed = window_frames(projects["line"], Path(scratch), env, args.repeat)
        else:
            print("window: skipped (no DISPLAY: run under xvfb-run)", flush=True)
        print("orbit, colour update, GUI tick: line_signals", flush=True)
        pooled = interactive(projects["line_signals"], Path(scratch), env, args.interactive_repeat,
                             args.frames, args.ticks)
    rows = table(frames, pooled) + (window_rows(windowed) if windowed else [])
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps({"size": args.size, "repeat": args.repeat,
                                         "frames": args.frames, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
