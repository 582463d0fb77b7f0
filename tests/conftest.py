"""Suite-wide guards: a test that leaves a thread running fails.

A thread a test starts and never stops keeps running into the next tests (an
OPC UA client still reconnecting, a simulator still serving): the suite then
slows down and fails elsewhere, far from the cause. Threads a module- or
session-scoped fixture started are set up before this function-scoped guard
takes its snapshot, so a shared simulator is not a leak.

``@pytest.mark.leaks_threads("why")`` exempts a test whose leak is known and
explained (say what would fix it). The VTK-object guard for scene and ui tests
lives in :mod:`tests.leak_checks`.

Every test process also gets private user folders, and every pytest-xdist
worker its own X server (:mod:`tests.worker_isolation` says why).
"""

from __future__ import annotations

import threading
import time

import pytest

from linetwin.ui.log_levels import quiet_libraries
from tests import worker_isolation

quiet_libraries()  # as main.py does for the app: asyncua's chatter would fill every failure
THREAD_GRACE_S = 2.0  # a thread told to stop may need a moment to end
_HOME = pytest.StashKey["Path"]()
_DISPLAY = pytest.StashKey["subprocess.Popen | None"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "leaks_threads(reason): the test leaves a thread running (known)")
    config.addinivalue_line("markers", "leaks_vtk(reason): the test leaves VTK objects alive (known)")
    # Before any test runs: Qt reads the config folder and the display once, on first use.
    config.stash[_HOME] = worker_isolation.private_home()
    config.stash[_DISPLAY] = worker_isolation.private_display()


def pytest_unconfigure(config: pytest.Config) -> None:
    worker_isolation.stop_display(config.stash.get(_DISPLAY, None))
    if _HOME in config.stash:
        worker_isolation.remove_home(config.stash[_HOME])


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item: the leak guards skip a test that
    already failed (its traceback holds the frames, and so the objects)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def already_failed(item: pytest.Item) -> bool:
    return any(getattr(getattr(item, f"report_{when}", None), "failed", False)
               for when in ("setup", "call"))


def _own_threads() -> set[threading.Thread]:
    # Dummy threads stand for threads Python did not start (a Qt thread pool's
    # workers that called into Python); they are not ours to join.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


def leftover_threads(before: set[threading.Thread], grace_s: float = THREAD_GRACE_S) -> list[str]:
    """Names of threads started since ``before`` that are still alive after ``grace_s``."""
    deadline = time.monotonic() + grace_s
    for thread in _own_threads() - before:
        thread.join(max(0.0, deadline - time.monotonic()))
    return sorted(t.name for t in _own_threads() - before if t.is_alive())


@pytest.fixture(autouse=True)
def no_leaked_threads(request: pytest.FixtureRequest):
    """Fail a test that leaves a thread alive that was not alive before it."""
    before = _own_threads()
    yield
    if request.node.get_closest_marker("leaks_threads") or already_failed(request.node):
        return
    left = leftover_threads(before)
    if left:
        pytest.fail(f"the test left threads running: {left} (stop them, or mark the test "
                    "leaks_threads with the reason)", pytrace=False)
