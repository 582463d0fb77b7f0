"""First frame in a window: ``linetwin gui PROJECT`` against a bare VTK window.

Both run as fresh processes on the display (``xvfb-run`` here) and write
start-up marks (``NAME EPOCH_SECONDS`` lines) to ``$LINETWIN_STARTUP_MARKS``:

- ``frame``: LineTwin's first 3D frame (every asset drawn, as a coarse box in
  its colour until its mesh is read); the bare window's first frame, which
  only comes once every file is read, since a bare script draws nothing before;
- ``meshes``: every mesh read and drawn (LineTwin's loader done; the bare
  window's same first frame).

Measured from just before the spawn; the process is ended with SIGTERM after
``meshes`` and its peak resident memory read from ``os.wait4``. Run alone:
``xvfb-run -a python benchmarks/scale/window.py bare PROJECT`` shows the bare
window and exits after its first frame.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HANG_GUARD_S = 600.0
MARKS = ("frame", "meshes")


def commands(project: Path) -> dict[str, list[str]]:
    return {"linetwin": [sys.executable, "-m", "linetwin.main", "gui", str(project)],
            "bare": [sys.executable, str(Path(__file__).resolve()), "bare", str(project)]}


def _marks(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {name: float(when) for name, when in pairs}


def run_once(command: list[str], env: dict[str, str], marks: Path) -> dict[str, float]:
    """Seconds from spawn to each mark, and ``mb``: the process's peak memory."""
    marks.unlink(missing_ok=True)
    env = dict(env, LINETWIN_STARTUP_MARKS=str(marks))
    start = time.time()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    while not all(m in _marks(marks) for m in MARKS):
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(command)} exited {process.returncode} early")
        if time.time() - start > HANG_GUARD_S:
            process.kill()
            raise SystemExit(f"{' '.join(command)}: not done within {HANG_GUARD_S:.0f} s")
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(process.pid, 0)
    result = {name: when - start for name, when in _marks(marks).items() if name in MARKS}
    return dict(result, mb=usage.ru_maxrss / 1024.0)


def show_bare(project: Path) -> int:
    """The bare line in an on-screen VTK window: render once, mark, exit."""
    from baseline import BareLine, frame_line

    line = BareLine(project, (1600, 900), anti_aliasing="fxaa", off_screen=False)  # as LineTwin's window
    frame_line(line.renderer)
    line.render()
    for name in MARKS:
        with open(os.environ["LINETWIN_STARTUP_MARKS"], "a", encoding="utf-8") as out:
            out.write(f"{name} {time.time():.6f}\n")
    line.close()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if len(sys.argv) != 3 or sys.argv[1] != "bare":
        raise SystemExit("usage: window.py bare PROJECT")
    sys.exit(show_bare(Path(sys.argv[2])))
