"""A test that leaves VTK objects alive fails (after pyvista's own ``check_gc``).

A VTK object that outlives its test is held by a reference cycle or a
forgotten callback (a renderer kept by an observer, a plotter never closed):
in the app that is memory that grows each time a window opens. Only objects
the test created count; those of module- or session-scoped fixtures exist
before the snapshot. Imported by the scene and ui conftests (where VTK is
loaded anyway); ``@pytest.mark.leaks_vtk("why")`` exempts a known case.
"""

from __future__ import annotations

import gc
import sys
from collections import Counter

import pytest

from tests.conftest import already_failed


def _is_vtk(obj: object) -> bool:
    try:
        return type(obj).__name__.startswith("vtk")
    except Exception:  # noqa: BLE001 - objects in odd states during collection
        return False


def flush_qt_deletions() -> None:
    """Run Qt's pending ``deleteLater`` calls (pytest-qt closes a test's widgets
    with them): until then a closed window still holds its VTK view."""
    qt_core = sys.modules.get("PySide6.QtCore")
    if qt_core is not None and qt_core.QCoreApplication.instance() is not None:
        qt_core.QCoreApplication.sendPostedEvents(None, qt_core.QEvent.Type.DeferredDelete)


def vtk_object_ids() -> set[int]:
    gc.collect()
    return {id(o) for o in gc.get_objects() if _is_vtk(o)}


def new_vtk_objects(before: set[int]) -> Counter[str]:
    """Class names (with counts) of VTK objects alive now that were not in ``before``."""
    gc.collect()
    return Counter(type(o).__name__ for o in gc.get_objects() if _is_vtk(o) and id(o) not in before)


@pytest.fixture(autouse=True)
def no_leaked_vtk_objects(request: pytest.FixtureRequest):
    """Fail a test after which VTK objects it created are still alive."""
    if request.node.get_closest_marker("leaks_vtk"):
        yield
        return
    before = vtk_object_ids()
    yield
    if already_failed(request.node):
        return
    # pytest drops the test's fixture values (item.funcargs) only after the last
    # teardown; by now every function-scoped fixture is torn down, and wider
    # ones stay referenced by their own definitions.
    request.node.funcargs.clear()
    flush_qt_deletions()
    left = new_vtk_objects(before)
    if left:
        shown = ", ".join(f"{name} x{n}" for name, n in left.most_common(8))
        pytest.fail(f"the test left {sum(left.values())} VTK objects alive: {shown} "
                    "(close the plotter, break the cycle, or mark the test leaks_vtk "
                    "with the reason)", pytrace=False)
