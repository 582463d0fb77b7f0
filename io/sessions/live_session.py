"""A project opened live: its geometry, twin state, and the threads that feed it.

No Qt here, so the GUI and headless commands share it. The session owns the
optional built-in simulator and the OPC UA client thread, and stops both.
"""

from __future__ import annotations

import dataclasses
import queue
from collections.abc import Callable
from pathlib import Path

import numpy as np

from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.security import ConnectionSettings
from linetwin.io.opcua.sim_server import SimulatorServer
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.geometry import AssetGeometry
from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.model import Project
from linetwin.twin.state import TwinState


class LiveSession:
    """Everything one open project needs at run time.

    Parameters
    ----------
    project : Project
    endpoint : server to read from; ``None`` means the project's own source
    simulate : start the built-in simulator on a free loopback port and read from it
    progress : called as ``progress(done, total, asset_id)`` while meshes load
    mesh_cache : where parsed meshes are kept (default: the user's cache folder)
    settings : security and user of the default endpoint (None: plain and anonymous)
    """

    def __init__(self, project: Project, endpoint: str | None = None, simulate: bool = False,
                 seed: int = 1, progress: Callable[[int, int, str], None] | None = None,
                 mesh_cache: MeshCache | None = None,
                 settings: ConnectionSettings | None = None) -> None:
        self.project = project
        self.geometries: dict[str, AssetGeometry] = load_line_geometry(
            project, cache=mesh_cache or MeshCache(), progress=progress)
        self.mesh_problems = {a: g.problem for a, g in self.geometries.items() if g.problem}
        self.state = TwinState(project)
        self.history = SignalHistory(self.state.index)
        self.alerts = AlertEngine(project)  # shared by every view and the recorder
        self.updates: queue.SimpleQueue = queue.SimpleQueue()
        self.server: SimulatorServer | None = None
        if simulate:
            self.server = SimulatorServer(project, host="127.0.0.1", port=0, seed=seed)
            self.server.start_in_thread()
            endpoint = self.server.endpoint
        self.endpoint = endpoint or project.source.endpoint  # where unbound signals go
        self.settings = None if simulate else settings
        self.clients: dict[str, LiveClient] = {
            ep: LiveClient(self._signals_at(ep), self.updates, endpoint=ep,
                           settings=self.settings if ep == self.endpoint else None)
            for ep in self.endpoints}

    def _signals_at(self, endpoint: str) -> Project:
        """The project cut down to the signals read through ``endpoint``: each
        connection subscribes to its own signals only."""
        mine = tuple(s for s in self.project.signals if (s.endpoint or self.endpoint) == endpoint)
        return dataclasses.replace(self.project, signals=mine)

    @classmethod
    def open(cls, path: Path, **kwargs) -> "LiveSession":
        return cls(load_project(path), **kwargs)

    @property
    def endpoints(self) -> list[str]:
        """Every server this project reads from (the default one first), one
        connection each, as in a plant with a server per cell or machine."""
        extra = {s.endpoint for s in self.project.signals if s.endpoint} - {self.endpoint}
        return [self.endpoint, *sorted(extra)]

    @property
    def client(self) -> LiveClient:
        """The connection of the default endpoint."""
        return self.clients[self.endpoint]

    def signal_indices(self, endpoint: str) -> np.ndarray:
        """Rows in the twin state of the signals read through ``endpoint``."""
        ids = [s.id for s in self.project.signals if (s.endpoint or self.endpoint) == endpoint]
        return np.array([self.state.index[i] for i in ids], dtype=np.int64)

    def start(self) -> None:
        for client in self.clients.values():
            client.start()

    def stop(self) -> None:
        """Stop the clients first so they do not report the simulator going away."""
        for client in self.clients.values():
            client.stop()
        if self.server is not None:
            self.server.stop_thread()
            self.server = None
