"""Loading a line's meshes on a worker thread, for a window that shows at once.

The GUI thread never parses a mesh: :class:`LineMeshLoader` reads (or takes
from the cache) one asset's mesh after the other on its own thread and queues
each :class:`~linetwin.io.mesh.meshes.AssetMesh`; the window takes them from
the queue in small batches between frames (the same hand-over the OPC UA
thread uses, docs/DESIGN section 3) and builds the VTK objects itself. No Qt
here: the queue and the progress counters are plain Python.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.meshes import AssetMesh, MemoCache, load_asset_mesh
from linetwin.twin.model import Project

JOIN_WAIT_S = 5.0  # one mesh is being parsed when cancelled; it is let finish


@dataclass(frozen=True)
class LoadProgress:
    """How far the loading is: meshes and distinct files' megabytes."""

    done: int
    total: int
    bytes_read: int
    bytes_total: int
    finished: bool  # the worker stopped: every mesh loaded, or cancelled
    cancelled: bool


class LineMeshLoader:
    """Reads every meshed asset of ``project`` on a worker thread.

    ``take()`` hands over what was read since the last call; ``progress()``
    says how far the worker got; ``cancel()`` stops it after the mesh it is on.
    """

    def __init__(self, project: Project, cache: MeshCache | None = None) -> None:
        self.project = project
        self.assets = [a for a in project.assets if a.mesh is not None]
        self._base = project.path.parent if project.path is not None else None
        self._cache = cache
        self._sizes = {path: _size(path) for path in {a.mesh for a in self.assets}}
        self._queue: queue.SimpleQueue[AssetMesh] = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = 0  # written by the worker only
        self._bytes = 0
        self._finished = threading.Event()

    @property
    def total(self) -> int:
        return len(self.assets)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="linetwin-meshes", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        memo, seen = MemoCache(self._cache), set()
        try:
            for asset in self.assets:
                if self._cancel.is_set():
                    return
                # load_asset_mesh never raises for a bad mesh: it places a box.
                self._queue.put(load_asset_mesh(asset, memo, self._base))
                if asset.mesh not in seen:
                    seen.add(asset.mesh)
                    self._bytes += self._sizes[asset.mesh]
                self._done += 1
        finally:
            self._finished.set()

    def take(self, limit: int | None = None) -> list[AssetMesh]:
        """Up to ``limit`` meshes read since the last call (all if None), in order."""
        taken: list[AssetMesh] = []
        while limit is None or len(taken) < limit:
            try:
                taken.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return taken

    def has_queued(self) -> bool:
        return not self._queue.empty()

    def progress(self) -> LoadProgress:
        return LoadProgress(self._done, self.total, self._bytes, sum(self._sizes.values()),
                            self._finished.is_set(), self._cancel.is_set())

    def cancel(self, wait: bool = True) -> None:
        """Stop after the mesh being read; with ``wait``, wait for the worker (a
        few seconds at most: a window closing); without, return at once (the
        GUI's Cancel button: ``progress().finished`` says when it stopped)."""
        self._cancel.set()
        if self._thread is None:
            self._finished.set()  # never started: nothing will come
        elif wait:
            self._thread.join(JOIN_WAIT_S)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker stopped (tests, headless callers); True if it did."""
        return self._finished.wait(timeout)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # a missing file: its asset gets a placeholder and a problem
