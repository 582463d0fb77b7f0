"""Start-up time: ``linetwin gui`` against a bare pyvistaqt window, side by side.

Each run starts a fresh process and measures, from just before the spawn:

- painted: the first window (LineTwin's splash, or the bare window) is on screen;
- frame: the first 3D frame with the seven demo meshes drawn in colour (for
  LineTwin: coloured by live values from its built-in simulator).

Both report through the marks file ``$LINETWIN_STARTUP_MARKS``. Runs alternate
between the two so that machine noise hits both alike; one unrecorded warm-up
run each first (warm: files in the OS cache, meshes in LineTwin's cache).
Prints medians and the ratio LineTwin / baseline. Needs a display (xvfb-run).
Run: ``xvfb-run -a .venv/bin/python benchmarks/startup/startup.py [--runs N] [--before DIR]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMANDS = {
    "bare pyvistaqt": [sys.executable, str(HERE / "startup_baseline.py")],
    "linetwin gui": [sys.executable, "-m", "linetwin.main", "gui"],
}
HANG_GUARD_S = 300.0


def _marks(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {name: float(when) for name, when in pairs}


def run_once(command: list[str], marks: Path, path: str | None = None) -> dict[str, float]:
    """Seconds from spawn to each mark, for one fresh process (``path``: PYTHONPATH)."""
    marks.unlink(missing_ok=True)
    env = dict(os.environ, LINETWIN_STARTUP_MARKS=str(marks))
    if path:
        env["PYTHONPATH"] = path
    start = time.time()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        while "frame" not in _marks(marks):
            if process.poll() is not None:
                raise SystemExit(f"{' '.join(command)} exited {process.returncode} early")
            if time.time() - start > HANG_GUARD_S:
                raise SystemExit(f"{' '.join(command)}: no frame within {HANG_GUARD_S} s")
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {name: when - start for name, when in _marks(marks).items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", metavar="DIR", help="also run an older LineTwin: DIR holds "
                        "its package as DIR/linetwin (e.g. git archive COMMIT | tar -x) and "
                        "it must write the same marks")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("startup.py needs a display: run it under xvfb-run", file=sys.stderr)
        return 2
    contestants = {name: (command, None) for name, command in COMMANDS.items()}
    if args.before:
        contestants["linetwin before"] = (COMMANDS["linetwin gui"], args.before)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in contestants}
    with tempfile.TemporaryDirectory() as folder:
        marks = Path(folder) / "marks.txt"
        for command, path in contestants.values():
            run_once(command, marks, path)  # warm-up: OS file cache, mesh cache, fonts
        for run in range(args.runs):
            for name, (command, path) in contestants.items():
                results[name].append(run_once(command, marks, path))
                print(f"run {run + 1} {name}: " + ", ".join(
                    f"{k} {v:.2f} s" for k, v in results[name][-1].items()), flush=True)
    medians = {name: {mark: statistics.median(r[mark] for r in runs) for mark in
                      ("painted", "frame")} for name, runs in results.items()}
    print(f"\nmedians of {args.runs} runs (seconds from spawn):")
    print(f"{'':16} {'painted':>8} {'frame':>8}")
    for name, median in medians.items():
        print(f"{name:16} {median['painted']:8.2f} {median['frame']:8.2f}")
    base, ours = medians["bare pyvistaqt"], medians["linetwin gui"]
    print(f"\nfirst coloured frame, linetwin / bare: {ours['frame'] / base['frame']:.2f}")
    print(f"first paint, linetwin / bare:          {ours['painted'] / base['painted']:.2f}")
    if args.before:
        old = medians["linetwin before"]
        print(f"first coloured frame, before / bare:   {old['frame'] / base['frame']:.2f}")
        print(f"first paint, before / bare:            {old['painted'] / base['painted']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
