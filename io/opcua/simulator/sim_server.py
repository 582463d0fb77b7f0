"""The built-in OPC UA simulator: a :class:`LineSimulator` served by asyncua.

Every project signal gets a variable at exactly the node id the project names,
in a folder per station under Objects. Signals the model knows are updated
every 100 ms of wall time (the model advances ``0.1 * speed`` s per update),
when they change and at least every second; the others with ``BadWaitingForInitialData``
(bad, not silently missing). Only writable signals' setpoint nodes take writes (:mod:`.sim_setpoints`).

A scenario (:mod:`linetwin.twin.sim.scenarios`) can make a reading non-Good: a
stuck sensor keeps being sent with its frozen value, and after 5 s with
``Uncertain_LastUsableValue``, as a real server flags a value its source
stopped updating (the heartbeat would otherwise keep it looking fresh).

Production events (units inspected, operator steps, lot changes) are raised as
OPC UA events as the model makes them (:mod:`.sim_events` says why).

Source timestamps are *simulated* time: the wall-clock instant the server
started plus the model's seconds. At ``speed`` 4 they run four times faster
than the wall clock, so every rule on source time (trend, Nelson, FPY) sees the
process as it would run at 1x and a scenario gives the same alerts in the same
order at any speed; the ServerTimestamp stays wall-clock time.

Run it inside an app with :meth:`SimulatorServer.start_in_thread`, from async
code with :meth:`start` / :meth:`stop`, or as ``linetwin sim`` through
:func:`~linetwin.ui.cli.sim.run_simulator_cli`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar

from asyncua import Server, ua

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.node_ids import browse_name_of, node_in_namespace
from linetwin.io.opcua.simulator.sim_events import EventPublisher
from linetwin.io.opcua.simulator.sim_setpoints import SetpointNodes
from linetwin.io.opcua.simulator.sim_shutdown import shut_down
from linetwin.twin.model import AssetLevel, Project, Signal, SignalKind
from linetwin.twin.sim.production import ProductionConfig
from linetwin.twin.sim.scenarios import Scenario
from linetwin.twin.sim.simulation import LineSimulator

T = TypeVar("T")
NAMESPACE_URI = "urn:linetwin:demo-sim"
NAMESPACE_INDEX = 2  # what the demo project's "ns=2;..." node ids expect
UPDATE_PERIOD_S = 0.1
# An unchanged value is rewritten (fresh SourceTimestamp) this often, so a
# station that runs steadily for minutes does not look stale to a client that
# subscribes with the StatusValueTimestamp trigger (LiveClient does).
HEARTBEAT_S = 1.0
_VARIANT_OF_KIND = {
    SignalKind.STATE: ua.VariantType.Int32,
    SignalKind.COUNTER: ua.VariantType.UInt32,
    SignalKind.ANALOG: ua.VariantType.Double,
}

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Binding:
    """One simulated signal served at one node."""

    signal_id: str
    node_id: ua.NodeId
    variant: ua.VariantType


def stations_of(project: Project) -> list[str]:
    """Station assets of the project, in file (= flow) order."""
    return [a.id for a in project.assets if a.level == AssetLevel.ASSET and project.signals_of(a.id)]


def free_port(host: str) -> int:
    """A port nobody listens on right now (the OS picks it for a port-0 bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _check_port_free(host: str, port: int) -> None:
    """Raise ``OSError`` (EADDRINUSE ...) if ``host:port`` cannot be listened on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As asyncio's create_server does, so a port in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))


class SimulatorServer:
    """An asyncua server fed by the line model. ``port=0``: a free port.

    ``scenario``: a name from :data:`linetwin.twin.sim.scenarios.SCENARIOS` (an
    unknown one raises ``ValueError`` naming the valid ones) or a
    :class:`~linetwin.twin.sim.scenarios.Scenario` made for this server;
    ``production``: units per lot, SKUs, procedure violations. Stopped, the
    port is free at once: a new server may listen on it straight away.
    """

    def __init__(
        self,
        project: Project,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        speed: float = 1.0,
        scenario: str | Scenario = "normal",
        production: ProductionConfig | None = None,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0..65535, got {port}")
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        stations = stations_of(project)
        if not stations:
            raise ValueError(f"project {project.name!r} has no station assets with signals")
        self._project = project
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._speed = speed
        # The model; touch it only on the server's event loop (it is stepped there).
        self.simulator = LineSimulator(stations, seed=seed, scenario=scenario, production=production)
        self._server: Server | None = None
        self._bindings: list[_Binding] = []
        self._folders: dict[str, ua.NodeId] = {}  # station -> its folder
        self._events: EventPublisher | None = None
        self.setpoints: SetpointNodes | None = None  # writable setpoint nodes, once started
        self._written: dict[ua.NodeId, tuple[float | int, int, float]] = {}  # value, status, when
        self._task: asyncio.Task[None] | None = None
        self._thread: AsyncioThread | None = None
        self._update_failed = False
        self._epoch = 0.0  # wall-clock POSIX time of simulated time 0
        self._go: asyncio.Event | None = None  # set: the line moves (see start(held=...))

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator server is not started")
        return self._port

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://{self._host}:{self.port}/linetwin/"

    # --- async API ------------------------------------------------------------

    async def start(self, held: bool = False) -> None:
        """Build the address space and listen; returns once clients can connect.

        ``held``: the line stands still (simulated time 0) until :meth:`release`,
        so a client that subscribes first sees the run from its first unit and lot.
        """
        if self._server is not None:
            return
        self._go = asyncio.Event()
        if not held:
            self._go.set()
        self._epoch = time.time() - self.simulator.time_s
        attempts = 3 if self._requested_port == 0 else 1
        for attempt in range(attempts):
            port = self._requested_port or free_port(self._host)
            try:
                _check_port_free(self._host, port)  # fail fast, before a 2 s init
                self._server = await self._start_server(port)
            except OSError as exc:
                # Another process took the free port between probe and bind.
                if exc.errno != errno.EADDRINUSE or attempt == attempts - 1:
                    raise
                continue
            self._port = port
            break
        self._task = asyncio.create_task(self._update_loop(), name="linetwin-sim-update")

    async def stop(self) -> None:
        """Stop updating and listening; on return the port is free, every connection closed and
        every session gone (nothing left running on the loop that could log later)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        server, self._server = self._server, None
        if server is not None:
            await shut_down(server)

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """Serve until ``stop`` is set (or the task is cancelled)."""
        await self.start()
        try:
            await (stop or asyncio.Event()).wait()
        finally:
            await self.stop()

    # --- thread-hosted API for the GUI ------------------------------------------

    def on_model(self, action: Callable[[LineSimulator], T], timeout: float = 5.0) -> T:
        """Run ``action(simulator)`` on the server's thread (the only thread that may
        touch the model) and return its result: how tests and tools steer the line."""
        if self._thread is None:
            raise RuntimeError("the simulator server is not running in a thread")

        async def call() -> T:
            return action(self.simulator)

        return self._thread.submit(call()).result(timeout)

    def start_in_thread(self, timeout: float = 30.0, held: bool = False) -> str:
        """Start on a private asyncio thread; returns the endpoint once listening
        (``held``: see :meth:`start`)."""
        if self._thread is not None:
            return self.endpoint
        thread = AsyncioThread(name="linetwin-sim-server")
        thread.start()
        try:
            thread.submit(self.start(held)).result(timeout)
        except BaseException:
            thread.stop()
            raise
        self._thread = thread
        return self.endpoint

    def release(self) -> None:
        """Set a held line moving (from any thread); nothing if it moves already."""
        async def go() -> None:
            self._go.set()

        if self._thread is not None:
            self._thread.submit(go()).result(5.0)

    def stop_thread(self, timeout: float = 5.0) -> None:
        """Stop the server and its thread; safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            thread.submit(self.stop()).result(timeout)
        except Exception:  # the thread teardown below still cancels everything
            _log.exception("simulator server did not stop cleanly")
        thread.stop(timeout)

    # --- internals ------------------------------------------------------------

    async def _start_server(self, port: int) -> Server:
        server = Server()
        await server.init()
        server.set_endpoint(f"opc.tcp://{self._host}:{port}/linetwin/")
        server.set_server_name("LineTwin simulator")
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        index = await server.register_namespace(NAMESPACE_URI)
        if index != NAMESPACE_INDEX:
            raise RuntimeError(f"namespace {NAMESPACE_URI} got index {index}, expected {NAMESPACE_INDEX}")
        await self._build_address_space(server)
        self._events = await EventPublisher.create(server, NAMESPACE_INDEX, self._folders)
        await server.start()
        return server

    async def _build_address_space(self, server: Server) -> None:
        known = set(self.simulator.signal_ids())
        namespaces = await server.get_namespace_array()
        self._bindings, self._written = [], {}
        taken: set[ua.NodeId] = set()
        for asset in self._project.assets:
            signals = self._project.signals_of(asset.id)
            if not signals:
                continue
            folder_name = asset.id[:1].upper() + asset.id[1:]
            folder = await server.nodes.objects.add_folder(NAMESPACE_INDEX, folder_name)
            self._folders[asset.id] = folder.nodeid
            for sig in signals:
                node_id = _served_node_id(sig, namespaces)
                if node_id is None or node_id in taken:
                    continue
                taken.add(node_id)
                variant = _VARIANT_OF_KIND[sig.kind]
                name = ua.QualifiedName(browse_name_of(node_id), NAMESPACE_INDEX)
                await folder.add_variable(node_id, name, _typed(0, variant), variant)
                if sig.id in known:
                    self._bindings.append(_Binding(sig.id, node_id, variant))
                else:
                    bad = ua.DataValue(StatusCode=ua.StatusCode(ua.StatusCodes.BadWaitingForInitialData))
                    await server.write_attribute_value(node_id, bad)
        self.setpoints = await SetpointNodes.create(server, self._project, self.simulator, self._folders,
                                                    taken, NAMESPACE_INDEX)
        await self._publish(server)

    async def _update_loop(self) -> None:
        """Step the model every 100 ms of wall time, without drift."""
        await self._go.wait()
        self._epoch = time.time() - self.simulator.time_s  # simulated time 0 is when it moves
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += UPDATE_PERIOD_S
            late = loop.time() - due
            if late > 1.0:  # suspended or starved of CPU: skip ahead, do not burst
                due = loop.time()
            await asyncio.sleep(max(due - loop.time(), 0.0))
            try:
                if self.setpoints is not None and self._server is not None:  # clients' writes first
                    await self.setpoints.sync(self._server, self.simulator)
                self.simulator.step(UPDATE_PERIOD_S * self._speed)
                await self._publish(self._server)
                if self._events is not None:
                    await self._events.publish(self.simulator.take_events(self._epoch))
            except Exception:
                if not self._update_failed:  # once, not ten tracebacks a second
                    _log.exception("simulator update failed")
                self._update_failed = True

    async def _publish(self, server: Server | None) -> None:
        """Write what changed (or is due a heartbeat), stamped with the simulated time
        of this update (source) and the wall-clock time (server)."""
        if server is None:
            return
        values = self.simulator.values()
        statuses = self.simulator.status_codes()  # only the non-Good ones
        now = datetime.now(timezone.utc)
        source = datetime.fromtimestamp(self._epoch + self.simulator.time_s, timezone.utc)
        clock = asyncio.get_running_loop().time()
        for b in self._bindings:
            value = _typed(values[b.signal_id], b.variant)
            status = statuses.get(b.signal_id, ua.StatusCodes.Good)
            last = self._written.get(b.node_id)
            if last is not None and last[:2] == (value, status) and clock - last[2] < HEARTBEAT_S:
                continue
            self._written[b.node_id] = (value, status, clock)
            dv = ua.DataValue(
                ua.Variant(value, b.variant),
                StatusCode=ua.StatusCode(status),
                SourceTimestamp=source,
                ServerTimestamp=now,
            )
            await server.write_attribute_value(b.node_id, dv)


def _served_node_id(sig: Signal, namespaces: list[str]) -> ua.NodeId | None:
    """The node to create for ``sig``; None (with a warning) if not in our namespace."""
    try:
        return node_in_namespace(sig.node, namespaces, NAMESPACE_INDEX)
    except ValueError as exc:
        _log.warning("signal %s: cannot serve node %r (%s)", sig.id, sig.node, exc)
        return None


def _typed(value: float, variant: ua.VariantType) -> float | int:
    if variant == ua.VariantType.Double:
        return float(value)
    if variant == ua.VariantType.UInt32:
        return min(max(int(value), 0), 2**32 - 1)
    return int(round(value))
