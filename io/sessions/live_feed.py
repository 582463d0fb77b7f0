"""Every server a project reads from, feeding one queue.

A plant often has a server per cell or machine: a project binds each signal to
its endpoint (the default one when it names none). The feed opens one
:class:`~linetwin.io.opcua.opcua_client.LiveClient` per endpoint, all putting
their items on one queue, so the GUI, ``monitor`` and ``record`` all read every
signal of the project. Nothing starts before :meth:`LiveFeed.start`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import threading
import time

from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.io.opcua.connection.trust_store import TrustStore
from linetwin.twin.model import Project

HOLD_LIMIT_S = 60.0  # the longest a held simulator waits for its clients to subscribe


class LiveFeed:
    """One client per endpoint of ``project``, optionally a built-in simulator.

    Parameters
    ----------
    project : the line
    endpoint : the default server; ``None``: the project's own source
    simulate : start the built-in simulator on a free loopback port and use it as
        the default server
    settings : security and user of the default endpoint (None: plain, anonymous)
    trust : the accepted server certificates (None: no store, plain endpoints only)
    """

    def __init__(self, project: Project, endpoint: str | None = None, simulate: bool = False,
                 seed: int = 1, settings: ConnectionSettings | None = None,
                 scenario: str = "normal", speed: float = 1.0,
                 trust: TrustStore | None = None) -> None:
        self.project = project
        self.updates: queue.SimpleQueue = queue.SimpleQueue()
        self.simulate, self.seed, self.scenario, self.speed = simulate, seed, scenario, speed
        # time.monotonic() since which data flows: start(), or a held simulator's release
        # (a command's --duration counts from there).
        self.running_since: float | None = None
        self.endpoint = endpoint or project.source.endpoint  # where unbound signals go
        self.settings = None if simulate else settings
        # One store for every connection (and the address-space browser): a
        # certificate the user accepts is trusted by all of them at once.
        self.trust = trust  # None: plain endpoints only; the app passes the user's store
        self.server: SimulatorServer | None = None
        self.clients: dict[str, LiveClient] = {}

    @property
    def endpoints(self) -> list[str]:
        """Every server this project reads from, the default one first."""
        bound = (*self.project.signals, *self.project.event_sources)
        extra = {s.endpoint for s in bound if s.endpoint} - {self.endpoint}
        return [self.endpoint, *sorted(extra)]

    @property
    def client(self) -> LiveClient:
        """The connection of the default endpoint."""
        return self.clients[self.endpoint]

    def signals_at(self, endpoint: str) -> Project:
        """The project cut down to the signals read through ``endpoint``."""
        mine = tuple(s for s in self.project.signals if (s.endpoint or self.endpoint) == endpoint)
        return dataclasses.replace(self.project, signals=mine)

    def start(self) -> None:
        """Start the simulator (if asked) and connect to every endpoint."""
        held = self.simulate and self.server is None
        if held:
            # Held still until our clients have subscribed: a run recorded or
            # monitored from the built-in simulator starts at its first lot and unit.
            self.server = SimulatorServer(self.project, host="127.0.0.1", port=0, seed=self.seed,
                                          scenario=self.scenario, speed=self.speed)
            self.endpoint = self.server.start_in_thread(held=True)
        if not self.clients:
            self.clients = {
                ep: LiveClient(self.signals_at(ep), self.updates, endpoint=ep,
                               settings=self.settings if ep == self.endpoint else None,
                               trust=self.trust)
                for ep in self.endpoints}
        for client in self.clients.values():
            client.start()
        if held:
            threading.Thread(target=self._release_when_subscribed, args=(self.server,),
                             name="linetwin-sim-release", daemon=True).start()
        elif self.running_since is None:
            self.running_since = time.monotonic()

    def _release_when_subscribed(self, server: SimulatorServer) -> None:
        """Set the held simulator moving once every client subscribed, or after
        ``HOLD_LIMIT_S`` whatever they did (a client that cannot subscribe must
        not stop the line for good)."""
        deadline = time.monotonic() + HOLD_LIMIT_S
        for client in list(self.clients.values()):
            client.subscribed.wait(max(deadline - time.monotonic(), 0.0))
        if self.server is server:  # not stopped meanwhile
            with contextlib.suppress(Exception):  # stopped between the check and the call
                server.release()
        self.running_since = time.monotonic()

    def stop(self) -> None:
        """Stop the clients first so they do not report the simulator going away."""
        for client in self.clients.values():
            client.stop()
        if self.server is not None:
            self.server.stop_thread()
            self.server = None

    def drain(self, limit: int | None = None) -> list:
        """Everything waiting on the queue (at most ``limit`` items), in arrival order."""
        items, get = [], self.updates.get_nowait
        while limit is None or len(items) < limit:
            try:
                items.append(get())
            except queue.Empty:
                break
        return items

    def refused(self) -> LiveClient | None:
        """A client that stopped trying (untrusted certificate, rejected user), if any."""
        return next((c for c in self.clients.values() if c.problem is not None), None)

    def signal_problems(self) -> dict[str, str]:
        """Signal id -> why its node cannot serve it, over every endpoint."""
        problems: dict[str, str] = {}
        for client in self.clients.values():
            problems.update(client.signal_problems)
        return problems
