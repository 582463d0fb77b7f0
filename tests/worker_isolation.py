"""Private user folders for every test process, and a private X server for every
pytest-xdist worker: tests running side by side must not see each other.

Why each:

- User folders (``XDG_CONFIG_HOME``, ``XDG_CACHE_HOME``, ``XDG_DATA_HOME``,
  ``XDG_STATE_HOME``). Qt's ``QSettings``, the mesh and package caches, the
  trust store and node-opcua's own PKI live there. Shared, one worker would
  reopen the what-if model another just deleted, or two node processes would
  create the same PKI at once. A serial run gets private folders as well, so
  both ways start from the same empty state and never touch the user's own.
- X display. On one display a window of one worker takes the keyboard focus
  that another worker's test just gave its own window (its shortcuts then go
  nowhere, its XTEST keys to the other process), and ``XUser.window("LineTwin
  — ")`` may find the other worker's window. ``xvfb-run`` starts one X server;
  each worker starts its own, same screen, and the main process keeps
  xvfb-run's.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

SCREEN = "1920x1080x24"  # as the README's xvfb-run command
XDG_FOLDERS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
DISPLAY_START_TIMEOUT_S = 30.0


def worker_id() -> str | None:
    """``gw0``, ``gw1`` ... in a pytest-xdist worker; None in a serial run or xdist's main process."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def private_home() -> Path:
    """Point the XDG user folders at a new empty folder; return it (remove it at the end)."""
    home = Path(tempfile.mkdtemp(prefix=f"linetwin-tests-{worker_id() or 'main'}-"))
    for name in XDG_FOLDERS:
        folder = home / name.removeprefix("XDG_").removesuffix("_HOME").lower()
        folder.mkdir()
        os.environ[name] = str(folder)
    return home


def private_display() -> subprocess.Popen | None:
    """Start an Xvfb for this worker and point ``DISPLAY`` at it; None when there is
    nothing to do (not a worker, no X display to stand in for, or no Xvfb)."""
    xvfb = shutil.which("Xvfb")
    if worker_id() is None or not os.environ.get("DISPLAY") or xvfb is None:
        return None
    read_end, write_end = os.pipe()
    try:
        # -displayfd: Xvfb picks a free display number itself and writes it once it accepts clients.
        server = subprocess.Popen(
            [xvfb, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
            pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        os.close(write_end)
        number = _read_display_number(read_end)
    finally:
        os.close(read_end)
    if number is None:
        stop_display(server)
        raise RuntimeError(f"Xvfb for worker {worker_id()} did not start within {DISPLAY_START_TIMEOUT_S} s")
    os.environ["DISPLAY"] = f":{number}"
    os.environ.pop("XAUTHORITY", None)  # xvfb-run's cookie is for its display; this one has no auth
    return server


def stop_display(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)


def _read_display_number(fd: int) -> int | None:
    text = b""
    while not text.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], DISPLAY_START_TIMEOUT_S)
        chunk = os.read(fd, 64) if ready else b""
        if not chunk:
            return None
        text += chunk
    return int(text)


def _die_with_parent() -> None:
    """In the child before exec: a worker that crashes takes its X server along."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def remove_home(home: Path) -> None:
    shutil.rmtree(home, ignore_errors=True)
