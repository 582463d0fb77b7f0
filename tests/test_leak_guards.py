"""The leak guards of tests/conftest.py and tests/leak_checks.py see real leaks
and nothing else."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import leftover_threads
from tests.leak_checks import new_vtk_objects, vtk_object_ids


def test_a_thread_still_running_after_the_grace_is_reported():
    before = {t for t in threading.enumerate()}
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, name="stuck-worker", daemon=True)
    stuck.start()
    try:
        assert leftover_threads(before, grace_s=0.05) == ["stuck-worker"]
    finally:
        release.set()
        stuck.join()


def test_a_thread_that_ends_within_the_grace_is_not_a_leak():
    before = {t for t in threading.enumerate()}
    release = threading.Event()
    ending = threading.Thread(target=release.wait, name="ending-worker", daemon=True)
    ending.start()
    threading.Timer(0.05, release.set).start()
    assert leftover_threads(before, grace_s=2.0) == []


def test_a_vtk_object_kept_alive_is_reported_and_a_dropped_one_is_not():
    vtk = pytest.importorskip("vtkmodules.vtkFiltersSources")
    before = vtk_object_ids()
    dropped = vtk.vtkSphereSource()
    dropped.self_ref = dropped  # a cycle alone is no leak: VTK's wrappers take part in gc
    del dropped
    assert new_vtk_objects(before) == {}
    registry = [vtk.vtkSphereSource()]  # what a callback left on a long-lived object does
    assert new_vtk_objects(before) == {"vtkSphereSource": 1}
    registry.clear()
