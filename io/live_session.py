"""A project opened live: its geometry, twin state, and the threads that feed it.

No Qt here, so the GUI and headless commands share it. The session owns the
optional built-in simulator and the OPC UA client thread, and stops both.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from pathlib import Path

import numpy as np

from linetwin.io.mesh_cache import MeshCache
from linetwin.io.meshes import load_line_geometry
from linetwin.io.opcua_client import LiveClient
from linetwin.io.project_file import load_project
from linetwin.io.sim_server import SimulatorServer
from linetwin.twin.alert_rules import AlertEngine
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
    """

    def __init__(self, project: Project, endpoint: str | None = None, simulate: bool = False,
                 seed: int = 1, progress: Callable[[int, int, str], None] | None = None,
                 mesh_cache: MeshCache | None = None) -> None:
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
        self.endpoint = endpoint or project.source.endpoint
        self.client = LiveClient(project, self.updates, endpoint=self.endpoint)

    @classmethod
    def open(cls, path: Path, **kwargs) -> "LiveSession":
        return cls(load_project(path), **kwargs)

    @property
    def endpoints(self) -> list[str]:
        return [self.endpoint]

    def signal_indices(self, endpoint: str) -> np.ndarray:
        """Rows in the twin state of the signals read through ``endpoint``."""
        ids = [s.id for s in self.project.signals if (s.endpoint or self.endpoint) == endpoint]
        return np.array([self.state.index[i] for i in ids], dtype=np.int64)

    def start(self) -> None:
        self.client.start()

    def stop(self) -> None:
        """Stop the client first so it does not report the simulator going away."""
        self.client.stop()
        if self.server is not None:
            self.server.stop_thread()
            self.server = None
