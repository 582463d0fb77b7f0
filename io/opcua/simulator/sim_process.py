"""The built-in simulator in a child process, for the GUI's start-up.

Started before Qt and VTK are imported, it builds asyncua's standard address
space (about a second of pure Python) on the other core while the GUI process
imports and loads meshes; in a thread it would share the GIL and gain nothing.
The child prints its endpoint on stdout, serves until SIGTERM/SIGINT or until
its stdin closes (the parent is gone, even by SIGKILL), and writes anything it
has to say to a log file, never to the terminal the GUI runs in.

Child: ``python -m linetwin.main sim PROJECT --port 0 --seed N --until-stdin-closes``
(the ``linetwin sim`` command, :mod:`linetwin.ui.cli.sim`).
"""

from __future__ import annotations

import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

START_GUARD_S = 120.0  # a cold start on a loaded machine takes tens of seconds


class SimulatorProcess:
    """A ``linetwin sim`` child serving ``project_path`` on a free loopback port."""

    def __init__(self, project_path: Path, seed: int = 1) -> None:
        self.project_path = project_path
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linetwin.main", "sim", str(project_path), "--port", "0",
             "--seed", str(seed), "--until-stdin-closes"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            start_new_session=True)  # a Ctrl+C in the terminal is the GUI's to handle
        self._endpoint: str | None = None

    def endpoint(self, give_up: Callable[[], bool] = lambda: False,
                 waiting: Callable[[], None] = lambda: None) -> str | None:
        """The endpoint once the child listens; None if ``give_up()`` turned true
        first. ``waiting`` is called every 50 ms meanwhile (e.g. to keep a splash
        painted). Raises OSError, with the child's own words, if it could not start."""
        if self._endpoint is not None:
            return self._endpoint
        deadline, ready = time.monotonic() + START_GUARD_S, False
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while not ready and time.monotonic() < deadline:
                ready = bool(selector.select(0.05))  # a line, or EOF if the child died
                if not ready and give_up():
                    return None
                waiting()
        line = self.process.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("opc.tcp://"):
            self.stop(keep_log=True)
            words = self._child_words()
            self._log.close()
            raise OSError(f"the built-in simulator did not start: {words}")
        self._endpoint = line
        return line

    def _child_words(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return text or f"it ended with exit status {self.process.poll()}"

    def stop(self, timeout: float = 5.0, keep_log: bool = False) -> None:
        """Ask the child to stop; kill it if it does not within ``timeout``. Idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()
        if not keep_log:
            self._log.close()

