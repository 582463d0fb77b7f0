"""A project opened live: its geometry, its twin pipeline and the feed that fills it.

No Qt here, so the GUI and headless commands share it. :meth:`LiveSession.start`
starts the simulator (if asked) and the OPC UA clients; nothing runs before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.line_loader import LineMeshLoader
from linetwin.io.mesh.meshes import coarse_geometry, load_line_geometry
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import TrustStore
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.live_feed import LiveFeed
from linetwin.twin.clock import Clock
from linetwin.twin.geometry import AssetGeometry
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline


class LiveSession:
    """Everything one open project needs at run time.

    Parameters
    ----------
    project : Project
    endpoint : server to read from; ``None`` means the project's own source
    simulate : start the built-in simulator on a free loopback port and read from it
    progress : called as ``progress(done, total, asset_id)`` while meshes load
    mesh_cache : where parsed meshes are kept (None: parse every time)
    settings : security and user of the default endpoint (None: plain and anonymous)
    clock : the pipeline's "now" (default: the wall clock)
    defer_meshes : start with coarse stand-ins and leave the meshes to
        :attr:`mesh_loader` (the window reads them on a worker thread and swaps
        them in with :meth:`take_meshes`); False reads them all here
    """

    def __init__(self, project: Project, endpoint: str | None = None, simulate: bool = False,
                 seed: int = 1, progress: Callable[[int, int, str], None] | None = None,
                 mesh_cache: MeshCache | None = None,
                 settings: ConnectionSettings | None = None, clock: Clock | None = None,
                 trust: TrustStore | None = None, defer_meshes: bool = False) -> None:
        self.project = project
        self.mesh_loader: LineMeshLoader | None = None
        if defer_meshes:
            self.mesh_loader = LineMeshLoader(project, mesh_cache)
            self.geometries = {a.id: coarse_geometry(a) for a in self.mesh_loader.assets}
        else:
            self.geometries = load_line_geometry(project, cache=mesh_cache, progress=progress)
        # Filled in place as deferred meshes arrive: the views hold this very dict.
        self.mesh_problems = {a: g.problem for a, g in self.geometries.items() if g.problem}
        self.feed = LiveFeed(project, endpoint, simulate=simulate, seed=seed, settings=settings,
                             trust=trust)
        self._clock = clock
        self.pipeline = TwinPipeline(project, clock, default_endpoint=self.feed.endpoint)

    def take_meshes(self, limit: int | None = None) -> list[AssetGeometry]:
        """The deferred meshes read since the last call (at most ``limit``), now
        in :attr:`geometries` and, if broken, :attr:`mesh_problems`."""
        if self.mesh_loader is None:
            return []
        taken = [m.geometry for m in self.mesh_loader.take(limit)]
        for geometry in taken:
            self.geometries[geometry.asset_id] = geometry
            if geometry.problem:
                self.mesh_problems[geometry.asset_id] = geometry.problem
        return taken

    @classmethod
    def open(cls, path: Path, **kwargs) -> "LiveSession":
        return cls(load_project(path), **kwargs)

    # The pipeline's parts, under the names views use.
    @property
    def state(self):
        return self.pipeline.state

    @property
    def history(self):
        return self.pipeline.history

    @property
    def alerts(self):
        return self.pipeline.alerts

    @property
    def updates(self):
        return self.feed.updates

    @property
    def endpoint(self) -> str:
        return self.feed.endpoint

    @property
    def endpoints(self) -> list[str]:
        return self.feed.endpoints

    @property
    def clients(self):
        return self.feed.clients

    @property
    def client(self):
        return self.feed.client

    @property
    def server(self):
        return self.feed.server

    @server.setter
    def server(self, server) -> None:  # tests restart a simulator on the same port
        self.feed.server = server

    @property
    def settings(self):
        return self.feed.settings

    def signal_indices(self, endpoint: str) -> np.ndarray:
        """Rows in the twin state of the signals read through ``endpoint``."""
        return self.pipeline.signal_rows(endpoint)

    def start(self) -> None:
        self.feed.start()
        # The simulator's port is known only now: unbound signals go there.
        self.pipeline.default_endpoint = self.feed.endpoint

    def stop(self) -> None:
        if self.mesh_loader is not None:
            self.mesh_loader.cancel()
        self.feed.stop()
