"""Expensive read-only test inputs built once per test run, also across pytest-xdist workers.

A session-scoped fixture runs once per worker; a fitted what-if model takes
seconds of CPU that the other workers would spend again. ``built_once`` builds
the folder in the run's shared temporary folder under a file lock: the first
worker builds it, the others wait for it and read the same files.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.worker_isolation import worker_id


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name``, filled by ``build(folder)`` by the first process that asks.

    Only for inputs the tests read and never change."""
    root = factory.getbasetemp()
    if worker_id() is not None:
        root = root.parent  # pytest-N/: the workers' own basetemps are popen-gw0, popen-gw1 ... in it
    folder, done = root / f"built-{name}", root / f"built-{name}.done"
    with open(root / f"built-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if build raises
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
            folder.mkdir()
            build(folder)
            done.touch()
    return folder
