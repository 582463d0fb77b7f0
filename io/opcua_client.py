"""The live OPC UA client: subscribes to a project's signals on its own thread.

Data flow (DESIGN section 3): asyncua runs on an :class:`AsyncioThread`; every
data change becomes a :class:`ValueUpdate` put straight on the caller's
``queue.SimpleQueue`` (no coalescing here: the recorder wants every value),
and connection changes become :class:`ConnectionChange` items on the same
queue. The GUI thread only ever drains that queue.

Connection life cycle, as reported on the queue::

    CONNECTING -> CONNECTED -> LOST -> CONNECTED -> ... -> DISCONNECTED
                \\-> DISCONNECTED (first attempt failed; retrying quietly)

While not connected the client retries with a capped backoff (0.5 s doubling
to 2 s), opening a fresh session and subscription each time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import math
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from asyncua import Client, ua

from linetwin.io.asyncio_thread import AsyncioThread, quiet_asyncua_logging
from linetwin.io.node_ids import parse_node_id, resolve_namespace
from linetwin.twin.model import Project, Signal
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 2.0
CONNECT_TIMEOUT_S = 3.0
REQUEST_TIMEOUT_S = 2.0
WATCHDOG_S = 1.0  # asyncua probes the server this often: a silent death shows in ~2 s
PUBLISH_MS_MAX = 100.0
QUEUE_SIZE = 10  # server-side samples kept per item between two publishes
_FILTER_REJECTED = {ua.StatusCodes.BadMonitoredItemFilterUnsupported, ua.StatusCodes.BadFilterNotAllowed}

_log = logging.getLogger(__name__)


class UpdateSink(Protocol):
    """Where updates go: ``queue.SimpleQueue`` or anything with a thread-safe put."""

    def put(self, item: ValueUpdate | ConnectionChange) -> None: ...


@dataclass
class _Session:
    client: Client
    lost: asyncio.Event
    reason: list[str]  # why it was lost, filled by callbacks


class _Handler:
    """asyncua subscription handler: data changes -> ValueUpdates on the sink."""

    def __init__(self, sink: UpdateSink, by_handle: dict[int, list[str]], session: _Session) -> None:
        self._sink = sink
        self._by_handle = by_handle
        self._session = session

    def datachange_notification(self, node: Any, val: Any, data: Any) -> None:
        item = data.monitored_item
        signal_ids = self._by_handle.get(item.ClientHandle, ())
        received = time.time()
        dv = item.Value
        status = dv.StatusCode.value if dv is not None and dv.StatusCode is not None else 0
        source = _posix(dv.SourceTimestamp) if dv is not None else None
        if source is None and dv is not None:
            source = _posix(dv.ServerTimestamp)
        value = _as_float(val)
        for signal_id in signal_ids:
            self._sink.put(ValueUpdate(signal_id, value, source or received, received, status))

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        if not status.Status.is_good():  # subscription gone: BadTimeout, BadShutdown ...
            self._session.reason.append(f"subscription status {status.Status.name}")
            self._session.lost.set()


class LiveClient:
    """Reads a project's signals from one OPC UA server into ``updates``.

    Parameters
    ----------
    project : the signals to subscribe to (those bound to this endpoint)
    updates : thread-safe queue the GUI drains
    endpoint : server URL; ``None`` means the project's default source
    """

    def __init__(self, project: Project, updates: UpdateSink, endpoint: str | None = None) -> None:
        self.endpoint = endpoint or project.source.endpoint
        self._updates = updates
        self._signals = [s for s in project.signals if s.endpoint in (None, self.endpoint)]
        self._thread: AsyncioThread | None = None
        self._future: concurrent.futures.Future[None] | None = None
        self._main: asyncio.Task[None] | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Start connecting on a private thread; returns immediately."""
        if self._thread is not None:
            return
        quiet_asyncua_logging()
        self._stopping.clear()
        self._thread = AsyncioThread(name="linetwin-opcua-client")
        self._thread.start()
        self._future = self._thread.submit(self._run())

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
        self._emit(ConnectionState.DISCONNECTED, "stopped")

    # --- on the client thread -----------------------------------------------------

    def _cancel_main(self) -> None:
        if self._main is not None:
            self._main.cancel()

    async def _run(self) -> None:
        self._main = asyncio.current_task()
        if self._stopping.is_set():
            return
        self._emit(ConnectionState.CONNECTING, f"connecting to {self.endpoint}")
        delay, ever_connected = BACKOFF_MIN_S, False
        while True:
            try:
                session = await self._connect()
            except Exception as exc:  # noqa: BLE001 - any failure means "retry later"
                if not ever_connected and delay == BACKOFF_MIN_S:
                    self._emit(ConnectionState.DISCONNECTED, f"cannot connect to {self.endpoint}: {_describe(exc)}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            ever_connected, delay = True, BACKOFF_MIN_S
            self._emit(ConnectionState.CONNECTED, f"connected to {self.endpoint}")
            try:
                await session.lost.wait()
            finally:  # lost, or cancelled by stop(): close either way
                await _close(session.client, graceful=not session.lost.is_set())
            reason = session.reason[0] if session.reason else "connection lost"
            self._emit(ConnectionState.LOST, f"{self.endpoint}: {reason}")
            await asyncio.sleep(delay)  # a server going down refuses us anyway

    async def _connect(self) -> _Session:
        client = Client(self.endpoint, timeout=REQUEST_TIMEOUT_S, watchdog_intervall=WATCHDOG_S)
        session = _Session(client, asyncio.Event(), [])

        async def on_lost(exc: Exception) -> None:
            session.reason.append(_describe(exc))
            session.lost.set()

        client.connection_lost_callback = on_lost
        try:
            await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT_S)
            namespaces = await client.get_namespace_array()
            by_handle: dict[int, list[str]] = {}
            sub = await client.create_subscription(
                _subscription_parameters(self._signals), _Handler(self._updates, by_handle, session)
            )
            await self._monitor(sub, namespaces, by_handle)
        except BaseException:
            await _close(client, graceful=False)
            raise
        return session

    async def _monitor(self, sub: Any, namespaces: list[str], by_handle: dict[int, list[str]]) -> None:
        """One monitored item per distinct node; bad nodes become Bad updates."""
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
        requests = []
        for handle, (node_id, signals) in enumerate(nodes.items(), start=1):
            by_handle[handle] = [s.id for s in signals]
            sampling = float(min(s.sampling_ms for s in signals))
            requests.append(_item_request(node_id, handle, sampling, with_filter=True))
        results = await sub.create_monitored_items(requests) if requests else []
        retry = []
        for request, result in zip(requests, results):
            if isinstance(result, ua.StatusCode) and result.value in _FILTER_REJECTED:
                params = request.RequestedParameters  # server cannot filter: plain item
                retry.append(_item_request(request.ItemToMonitor.NodeId, params.ClientHandle, params.SamplingInterval))
            elif isinstance(result, ua.StatusCode):
                self._bad_handle(by_handle, request, result.value)
        results = await sub.create_monitored_items(retry) if retry else []
        for request, result in zip(retry, results):
            if isinstance(result, ua.StatusCode):
                self._bad_handle(by_handle, request, result.value)

    def _bad_handle(self, by_handle: dict[int, list[str]], request: ua.MonitoredItemCreateRequest, code: int) -> None:
        for signal_id in by_handle.pop(request.RequestedParameters.ClientHandle, []):
            self._bad(signal_id, code)

    def _bad(self, signal_id: str, code: int) -> None:
        now = time.time()
        self._updates.put(ValueUpdate(signal_id, math.nan, now, now, int(code)))

    def _emit(self, state: ConnectionState, message: str) -> None:
        self._updates.put(ConnectionChange(self.endpoint, state, message))


def _subscription_parameters(signals: list[Signal]) -> ua.CreateSubscriptionParameters:
    """Publish at the fastest sampling rate (at most every 100 ms), keep-alive ~1 s."""
    fastest = min((s.sampling_ms for s in signals), default=PUBLISH_MS_MAX)
    interval = float(max(min(fastest, PUBLISH_MS_MAX), 10.0))
    params = ua.CreateSubscriptionParameters()
    params.RequestedPublishingInterval = interval
    params.RequestedMaxKeepAliveCount = max(1, math.ceil(1000.0 / interval))
    params.RequestedLifetimeCount = 30 * params.RequestedMaxKeepAliveCount
    params.MaxNotificationsPerPublish = 0  # no limit
    params.PublishingEnabled = True
    params.Priority = 0
    return params


def _item_request(
    node_id: ua.NodeId, handle: int, sampling_ms: float, with_filter: bool = False
) -> ua.MonitoredItemCreateRequest:
    item = ua.ReadValueId(NodeId=node_id, AttributeId=ua.AttributeIds.Value)
    params = ua.MonitoringParameters(
        ClientHandle=handle, SamplingInterval=sampling_ms, QueueSize=QUEUE_SIZE, DiscardOldest=True
    )
    if with_filter:
        # Also report a fresh SourceTimestamp on an unchanged value: servers that
        # refresh it (the built-in simulator does, every second) then tell us the
        # value is still current, which is what staleness rules need.
        params.Filter = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)
    return ua.MonitoredItemCreateRequest(
        ItemToMonitor=item, MonitoringMode=ua.MonitoringMode.Reporting, RequestedParameters=params
    )


async def _close(client: Client, graceful: bool) -> None:
    """End a client's session and socket without hanging or logging tracebacks."""
    if graceful:
        try:
            await asyncio.wait_for(client.disconnect(), 1.0)
            return
        except (Exception, asyncio.TimeoutError):  # noqa: BLE001 - fall through to the hard way
            pass
    try:
        # Cancels asyncua's supervisor, watchdog and publish tasks; the
        # CloseSession request itself fails fast on a dead socket.
        await asyncio.wait_for(client.close_session(), 0.5)
    except (Exception, asyncio.TimeoutError):  # noqa: BLE001
        pass
    try:
        client.disconnect_socket()
    except Exception:  # noqa: BLE001
        pass


def _posix(stamp: datetime | None) -> float | None:
    if stamp is None:
        return None
    if stamp.tzinfo is None:  # asyncua decodes UTC; be explicit about it
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):  # None (bad status), strings, arrays...
        return math.nan


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
