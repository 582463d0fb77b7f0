"""The live OPC UA client: subscribes to a project's signals on its own thread.

Data flow (DESIGN section 3): asyncua runs on an :class:`AsyncioThread`; every
data change becomes a :class:`ValueUpdate` put straight on the caller's
``queue.SimpleQueue`` (no coalescing here: the recorder wants every value),
every event of the project's event sources a production item
(:mod:`linetwin.io.opcua.ua_events`), and connection changes become
:class:`ConnectionChange` items on the same queue. The GUI thread only ever
drains that queue.

Connection life cycle, as reported on the queue::

    CONNECTING -> CONNECTED -> LOST -> CONNECTED -> ... -> DISCONNECTED
                \\-> DISCONNECTED (first attempt failed; retrying quietly)

While not connected the client retries with a capped backoff (0.5 s doubling
to 2 s), opening a fresh session and subscription each time.

Security (DESIGN section 9): with secure :class:`ConnectionSettings` each
attempt first discovers the server certificate and goes on only if the
:class:`TrustStore` trusts it. A refusal that retrying cannot cure (untrusted
or invalid server certificate, rejected password or client certificate, policy
not offered) is reported as ``DISCONNECTED`` with a clear message after
:attr:`LiveClient.problem` is set; then the client waits, sending nothing,
until :meth:`LiveClient.retry_now` (or :meth:`accept_pending_certificate`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import math
import threading
import time
from typing import Any, Protocol

from asyncua import Client, ua

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.connection.endpoints import EndpointError, close_client, load_identity, new_client
from linetwin.io.opcua.node_ids import parse_node_id, resolve_namespace
from linetwin.io.opcua.connection.security import (
    ConnectionProblem,
    ConnectionRefused,
    ConnectionSettings,
    ProblemKind,
    classify_failure,
    protect_passwords_in_logs,
    split_credentials,
)
from linetwin.io.opcua.connection.trust_store import CertificateInfo, ClientIdentity, TrustStore
from linetwin.io.opcua.ua_events import SubscriptionHandler, UaSession, subscribe_event_sources
from linetwin.io.opcua.ua_subscription import item_request, open_subscription, subscription_parameters
from linetwin.io.opcua.value_types import NodeType, read_node_types, type_refusal
from linetwin.twin.model import Project, Signal
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

STOPPED = "stopped"  # the message of the DISCONNECTED that stop() reports
BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 2.0
CONNECT_TIMEOUT_S = 3.0
REQUEST_TIMEOUT_S = 2.0
WATCHDOG_S = 1.0  # asyncua probes the server this often: a silent death shows in ~2 s
ITEMS_PER_REQUEST = 1000  # monitored items created per CreateMonitoredItems call
_FILTER_REJECTED = {ua.StatusCodes.BadMonitoredItemFilterUnsupported, ua.StatusCodes.BadFilterNotAllowed}

_log = logging.getLogger(__name__)


class UpdateSink(Protocol):
    """Where updates go: ``queue.SimpleQueue`` or anything with a thread-safe put."""

    def put(self, item: ValueUpdate | ConnectionChange) -> None: ...


class LiveClient:
    """Reads a project's signals from one OPC UA server into ``updates``.

    Parameters
    ----------
    project : the signals to subscribe to (those bound to this endpoint)
    updates : thread-safe queue the GUI drains
    endpoint : server URL; ``None`` means ``settings.endpoint``, else the
        project's default source. A password in the URL is taken out of it.
    settings : security policy/mode and credentials; ``None``: no security,
        anonymous (or the user name and password in the URL)
    identity : the client certificate; ``None``: the one in ``trust``'s folder,
        created on first use (only needed for a secure connection)
    trust : the server certificates the user accepted; ``None``: none, so only
        plain endpoints connect
    """

    def __init__(self, project: Project, updates: UpdateSink, endpoint: str | None = None,
                 settings: ConnectionSettings | None = None, identity: ClientIdentity | None = None,
                 trust: TrustStore | None = None) -> None:
        given = endpoint or (settings.endpoint if settings else None) or project.source.endpoint
        self.endpoint, url_user, url_password = split_credentials(given)
        settings = settings or ConnectionSettings(self.endpoint)
        self.settings = dataclasses.replace(
            settings, endpoint=self.endpoint, username=settings.username or url_user,
            password=settings.password if settings.password is not None else url_password)
        self.trust = trust  # None: plain endpoints only (a secure one is refused, saying why)
        self._identity = identity
        self.problem: ConnectionProblem | None = None
        self.signal_problems: dict[str, str] = {}  # signal id -> why its node's type cannot serve it
        self.event_problems: dict[str, str] = {}  # event source -> why it cannot be subscribed, or fields it lacks
        self._types: dict[ua.NodeId, NodeType] = {}  # bound nodes' value types, kept across reconnects
        self._project = project
        self._updates = updates
        self._signals = [s for s in project.signals if s.endpoint in (None, given, self.endpoint)]
        self._event_sources = [e for e in project.event_sources if e.endpoint in (None, given, self.endpoint)]
        self._thread: AsyncioThread | None = None
        self._future: concurrent.futures.Future[None] | None = None
        self._main: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = threading.Event()
        self.subscribed = threading.Event()  # every item subscribed (a held simulator waits)

    def start(self) -> None:
        """Start connecting on a private thread; returns immediately."""
        if self._thread is not None:
            return
        protect_passwords_in_logs()
        self._stopping.clear()
        self._thread = AsyncioThread(name="linetwin-opcua-client")
        self._thread.start()
        self._future = self._thread.submit(self._run())

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._thread is not None

    def stop(self, timeout: float = 2.0) -> None:
        """Close the session (if any) and end the thread, within ``timeout`` seconds."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        deadline = time.monotonic() + timeout
        self._stopping.set()
        thread.call_soon(self._cancel_main)
        if self._future is not None:  # done once _run has unwound, cancelled or not
            concurrent.futures.wait([self._future], timeout=0.75 * timeout)
        thread.stop(max(deadline - time.monotonic(), 0.1))
        self._emit(ConnectionState.DISCONNECTED, STOPPED)

    @property
    def pending_certificate(self) -> CertificateInfo | None:
        """The server certificate waiting for the user's decision, if any."""
        problem = self.problem
        if problem is not None and problem.kind is ProblemKind.UNTRUSTED_CERTIFICATE:
            return problem.certificate
        return None

    def retry_now(self, settings: ConnectionSettings | None = None) -> None:
        """Try to connect again now: after a refusal, or to cut a backoff short.

        ``settings`` (e.g. with another password) apply from the next attempt;
        their endpoint is ignored (one client, one endpoint).
        """
        if settings is not None:
            self.settings = dataclasses.replace(settings, endpoint=self.endpoint)
        self.problem = None
        thread, wake = self._thread, self._wake
        if thread is not None and wake is not None:
            thread.call_soon(wake.set)

    def accept_pending_certificate(self) -> CertificateInfo | None:
        """Trust the pending server certificate (persisted) and retry at once."""
        info = self.pending_certificate
        if info is not None:
            self.trust.trust(info)
            self.retry_now()
        return info

    def reject_pending_certificate(self) -> CertificateInfo | None:
        """Record that the user declined it; the client stays disconnected."""
        info = self.pending_certificate
        if info is not None:
            self.trust.reject(info)
        return info

    # --- on the client thread -----------------------------------------------------

    def _cancel_main(self) -> None:
        if self._main is not None:
            self._main.cancel()

    async def _run(self) -> None:
        self._main = asyncio.current_task()
        self._wake = asyncio.Event()
        if self._stopping.is_set():
            return
        self._emit(ConnectionState.CONNECTING, f"connecting to {self.endpoint}")
        delay, ever_connected = BACKOFF_MIN_S, False
        while True:
            try:
                session = await self._open_session()
            except Exception as exc:  # noqa: BLE001 - any failure means "retry later"
                problem = classify_failure(exc, self.settings, self._identity)
                if problem is not None:  # retrying cannot help: wait for the user
                    await self._halt(problem)
                    delay, ever_connected = BACKOFF_MIN_S, False
                    continue
                if not ever_connected and delay == BACKOFF_MIN_S:
                    self._emit(ConnectionState.DISCONNECTED, f"cannot connect to {self.endpoint}: {_describe(exc)}")
                await self._pause(delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            ever_connected, opened = True, time.monotonic()
            self._emit(ConnectionState.CONNECTED, f"connected to {self.endpoint}")
            reason = await self._serve(session)
            self._emit(ConnectionState.LOST, f"{self.endpoint}: {reason}")
            # A session that failed at once (server up but refusing us) backs off too.
            delay = BACKOFF_MIN_S if time.monotonic() - opened > 10.0 else min(delay * 2, BACKOFF_MAX_S)
            await self._pause(delay)

    async def _pause(self, seconds: float) -> None:
        """Sleep between attempts; retry_now() ends it early."""
        assert self._wake is not None
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()

    async def _halt(self, problem: ConnectionProblem) -> None:
        """Report ``problem`` and wait for retry_now(); no attempts meanwhile."""
        assert self._wake is not None
        self.problem = problem
        self._emit(ConnectionState.DISCONNECTED, problem.message)
        await self._wake.wait()
        self._wake.clear()
        self.problem = None
        self._emit(ConnectionState.CONNECTING, f"connecting to {self.endpoint}")

    async def _open_session(self) -> UaSession:
        """Connect and create the (still empty) subscription."""
        if self.settings.secure and self._identity is None and self.trust is not None:
            self._identity = load_identity(self.trust)
        client, validator = await new_client(self.endpoint, self.settings, self.trust, self._identity,
                                             timeout=REQUEST_TIMEOUT_S, watchdog_intervall=WATCHDOG_S)
        session = UaSession(client, asyncio.Event(), [], {})

        async def on_lost(exc: Exception) -> None:
            session.reason.append(_describe(exc))
            session.lost.set()

        client.connection_lost_callback = on_lost
        try:
            await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT_S)
            session.namespaces = await client.get_namespace_array()
            # Types before the subscription: read after it, they push the first
            # values back by a publishing interval.
            session.nodes = self._resolve(session.namespaces)
            session.node_types = await self._node_types(client, list(session.nodes))
            session.handler = SubscriptionHandler(self._updates, session)
            # Data changes go to the handler inline from each publish response:
            # asyncua's own callback mode starts a task per value (docs/PERFORMANCE.md).
            session.subscription = await open_subscription(client, subscription_parameters(self._signals),
                                                           session.handler)
        except BaseException as exc:
            await close_client(client, graceful=False)
            if isinstance(exc, Exception) and validator is not None and validator.problem is not None:
                raise ConnectionRefused(validator.problem) from None
            raise
        return session

    async def _serve(self, session: UaSession) -> str:
        """Subscribe to every signal, then wait until the session is lost; why it was."""
        try:
            await self._monitor(session)
            if self._event_sources:
                self.event_problems = await subscribe_event_sources(
                    session.client, session.subscription, session.handler, self._event_sources, session.namespaces)
            self.subscribed.set()
            await session.lost.wait()
        except Exception as exc:  # noqa: BLE001 - e.g. the server dropped us mid-subscribe
            session.reason.append(_describe(exc))
            session.lost.set()
        finally:  # lost, failed, or cancelled by stop(): close in every case
            self.subscribed.clear()
            await close_client(session.client, graceful=not session.lost.is_set())
        return session.reason[0] if session.reason else "connection lost"

    async def _monitor(self, session: UaSession) -> None:
        """One monitored item per distinct node; bad nodes become Bad updates."""
        sub, by_handle = session.subscription, session.by_handle
        nodes, types = session.nodes, session.node_types
        requests = []
        for handle, (node_id, signals) in enumerate(nodes.items(), start=1):
            node_type = types.get(node_id)
            signals = self._usable(signals, node_type)
            if not signals:
                continue
            by_handle[handle] = [s.id for s in signals]
            if node_type is not None:
                session.types[handle] = node_type
            sampling = float(min(s.sampling_ms for s in signals))
            requests.append(item_request(node_id, handle, sampling, with_filter=True))
        refused = await self._create_items(sub, requests, by_handle)
        # A server that cannot filter gets plain items (value changes only).
        plain = [
            item_request(r.ItemToMonitor.NodeId, r.RequestedParameters.ClientHandle, r.RequestedParameters.SamplingInterval)
            for r in refused
        ]
        await self._create_items(sub, plain, by_handle)

    async def _node_types(self, client: Client, node_ids: list[ua.NodeId]) -> dict[ua.NodeId, NodeType]:
        """The nodes' value types, read once per client: a reconnect reuses them
        (it must be quick), so only nodes never typed before are read."""
        unknown = [n for n in node_ids if n not in self._types]
        if unknown:
            self._types.update(await _read_node_types(client, unknown))
        return self._types

    def _usable(self, signals: list[Signal], node_type: NodeType | None) -> list[Signal]:
        """The signals that can use values of ``node_type``; the others are reported Bad once."""
        if node_type is None:
            return signals
        usable = []
        for sig in signals:
            refusal = type_refusal(self._project, sig, node_type)
            if refusal is None:
                usable.append(sig)
                continue
            if self.signal_problems.get(sig.id) != refusal:
                _log.warning("%s", refusal)
            self.signal_problems[sig.id] = refusal
            self._bad(sig.id, ua.StatusCodes.BadTypeMismatch)
        return usable

    def _resolve(self, namespaces: list[str]) -> dict[ua.NodeId, list[Signal]]:
        """Signals grouped by node; unparseable or unresolvable ones reported Bad."""
        nodes: dict[ua.NodeId, list[Signal]] = {}
        for sig in self._signals:
            try:
                node_id = resolve_namespace(parse_node_id(sig.node), namespaces)
            except ValueError:
                self._bad(sig.id, ua.StatusCodes.BadNodeIdInvalid)
                continue
            except KeyError:  # nsu= a namespace this server does not have
                self._bad(sig.id, ua.StatusCodes.BadNodeIdUnknown)
                continue
            nodes.setdefault(node_id, []).append(sig)
        return nodes

    async def _create_items(
        self, sub: Any, requests: list[ua.MonitoredItemCreateRequest], by_handle: dict[int, list[str]]
    ) -> list[ua.MonitoredItemCreateRequest]:
        """Create items, report failures Bad; return those refused only for their filter."""
        if not requests:
            return []
        refused = []
        results = []
        # In chunks: one request for 10,000 items outlives the request timeout and
        # the watchdog on a busy server, and the link then drops and loops.
        for start in range(0, len(requests), ITEMS_PER_REQUEST):
            results += await sub.create_monitored_items(requests[start:start + ITEMS_PER_REQUEST])
        for request, result in zip(requests, results):
            if not isinstance(result, ua.StatusCode):  # an item id: created
                continue
            filtered = isinstance(request.RequestedParameters.Filter, ua.DataChangeFilter)
            if result.value in _FILTER_REJECTED and filtered:
                refused.append(request)
            else:
                self._bad_handle(by_handle, request, result.value)
        return refused

    def _bad_handle(self, by_handle: dict[int, list[str]], request: ua.MonitoredItemCreateRequest, code: int) -> None:
        for signal_id in by_handle.pop(request.RequestedParameters.ClientHandle, []):
            self._bad(signal_id, code)

    def _bad(self, signal_id: str, code: int) -> None:
        now = time.time()
        self._updates.put(ValueUpdate(signal_id, math.nan, now, now, int(code)))

    def _emit(self, state: ConnectionState, message: str) -> None:
        _log.info("%s: %s", state.name, message)
        self._updates.put(ConnectionChange(self.endpoint, state, message, time.time()))


async def _read_node_types(client: Client, node_ids: list[ua.NodeId]) -> dict[ua.NodeId, NodeType]:
    """The nodes' value types; none (values typed as they come) if the server will not say."""
    try:
        return await read_node_types(client, node_ids)
    except (ua.UaError, asyncio.TimeoutError) as exc:
        _log.info("cannot read the data types of the nodes: %s", _describe(exc))
        return {}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, EndpointError):
        return exc.reason
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer from the server (timed out)"
    return str(exc) or type(exc).__name__
