"""Browse an OPC UA server's address space, for the address-space panel (issue 3).

:class:`AddressSpaceBrowser` gives a GUI worker (or a test) a small blocking API
over asyncua: list a node's children, read a node's live value, and propose a
project signal for a node. asyncua runs on the browser's own
:class:`~linetwin.io.opcua.asyncio_thread.AsyncioThread` (DESIGN section 3); every
method blocks the *calling* thread for at most a few seconds, so call them from
a worker thread, never from the GUI thread. Results are plain frozen dataclasses.

Every failure is a :class:`BrowseError` whose message names the endpoint and,
where there is one, the node: server unreachable, node unknown, access denied,
no answer in time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from asyncua import Client, ua

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.connection.endpoints import close_client, load_identity, new_client
# Re-exported: callers and tests import these from here (they predate the split).
from linetwin.io.opcua.node_reader import BrowseError, BrowseNode, NodeReader, NodeValue
from linetwin.io.opcua.connection.security import ConnectionRefused, ConnectionSettings, redact_url
from linetwin.io.opcua.connection.trust_store import ClientIdentity, TrustStore
from linetwin.io.opcua.ua_values import describe as _describe
from linetwin.io.project.signal_proposal import SignalProposal, free_signal_id, guess_kind, snake_case
from linetwin.twin.model import Project

__all__ = [
    "AddressSpaceBrowser",
    "BrowseError",
    "BrowseNode",
    "NodeValue",
    "SignalProposal",
    "free_signal_id",
    "guess_kind",
    "snake_case",
]

T = TypeVar("T")

CONNECT_TIMEOUT_S = 3.0
REQUEST_TIMEOUT_S = 2.0
CALL_TIMEOUT_S = 8.0  # one blocking call, connecting included
WATCHDOG_S = 2.0

# Service faults that mean the session or channel is gone, not the node.
_SESSION_GONE = {
    ua.StatusCodes.BadSessionIdInvalid,
    ua.StatusCodes.BadSessionClosed,
    ua.StatusCodes.BadSessionNotActivated,
    ua.StatusCodes.BadSecureChannelClosed,
    ua.StatusCodes.BadSecureChannelIdInvalid,
    ua.StatusCodes.BadConnectionClosed,
    ua.StatusCodes.BadServerNotConnected,
    ua.StatusCodes.BadCommunicationError,
}


class AddressSpaceBrowser:
    """Blocking browse/read API over one OPC UA endpoint; connects on first use.

    Connects through the one connection factory of the live client
    (:func:`~linetwin.io.opcua.connection.endpoints.new_client`): the same security,
    certificate pinning, trust store and credentials.

    Parameters
    ----------
    endpoint : ``opc.tcp://...`` URL; ``None`` takes ``settings.endpoint``
    settings : :class:`~linetwin.io.opcua.connection.security.ConnectionSettings`; ``None``:
        plain and anonymous
    trust : the accepted server certificates (needed for a secure endpoint)
    identity : the client certificate; ``None``: the user's own (as the live client)
    """

    def __init__(
        self,
        endpoint: str | None = None,
        settings: ConnectionSettings | None = None,
        trust: TrustStore | None = None,
        identity: ClientIdentity | None = None,
    ) -> None:
        endpoint = endpoint or getattr(settings, "endpoint", None)
        if not endpoint:
            raise ValueError("AddressSpaceBrowser needs an endpoint")
        self.endpoint: str = endpoint
        self._shown = redact_url(endpoint)  # what messages say: never a password
        self._settings = settings or ConnectionSettings(endpoint)
        self._trust, self._identity = trust, identity
        self._start_lock = threading.Lock()
        self._thread: AsyncioThread | None = None
        self._closed = False
        # Touched only on the browser's loop:
        self._client: Client | None = None
        self._connecting: asyncio.Lock | None = None
        self._reader = NodeReader(self._shown)

    # -- public blocking API ---------------------------------------------------------

    def children(self, node_id: str | None = None) -> list[BrowseNode]:
        """Children of ``node_id`` (hierarchical references); ``None``: the Objects folder."""
        return self._call(lambda client: self._reader.children(client, node_id))

    def read(self, node_id: str) -> NodeValue:
        """The current value of a variable; BrowseError for objects, unknown nodes, no access."""
        return self._call(lambda client: self._reader.read(client, node_id))

    def suggest_signal(self, node_id: str, asset_id: str, project: Project | None = None) -> SignalProposal:
        """Propose a signal binding ``node_id`` to ``asset_id``.

        With ``project``, the id avoids those already used (``_2``, ``_3``...) and
        ``bound_as`` names a signal that already binds this node to this asset.
        """
        return self._call(lambda client: self._reader.suggest(client, node_id, asset_id, project))

    def close(self) -> None:
        """Close the session and stop the thread; the browser cannot be used after."""
        with self._start_lock:
            self._closed = True
            thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            thread.submit(self._drop()).result(2.0)
        except Exception:  # noqa: BLE001 - stopping the thread below cancels the rest
            pass
        thread.stop()

    def __enter__(self) -> AddressSpaceBrowser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------

    def _call(self, operation: Callable[[Client], Awaitable[T]]) -> T:
        future = self._running_thread().submit(self._guarded(operation))
        try:
            return future.result(CALL_TIMEOUT_S + 1.0)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise BrowseError(f"{self._shown}: no answer within {CALL_TIMEOUT_S:g} s") from None
        except concurrent.futures.CancelledError:  # close() from another thread meanwhile
            raise BrowseError(f"{self._shown}: the browser was closed during the call") from None

    def _running_thread(self) -> AsyncioThread:
        with self._start_lock:
            if self._closed:
                raise BrowseError(f"{self._shown}: the browser is closed")
            if self._thread is None:
                self._thread = AsyncioThread(name="linetwin-address-space")
                self._thread.start()
            return self._thread

    async def _guarded(self, operation: Callable[[Client], Awaitable[T]]) -> T:
        try:
            return await asyncio.wait_for(self._with_client(operation), CALL_TIMEOUT_S)
        except BrowseError:
            raise
        except asyncio.TimeoutError:
            await self._drop()
            raise BrowseError(f"{self._shown}: the server did not answer in time") from None
        except Exception as exc:  # noqa: BLE001 - every failure becomes a BrowseError
            await self._drop()
            raise BrowseError(f"{self._shown}: {_describe(exc)}") from exc

    async def _with_client(self, operation: Callable[[Client], Awaitable[T]]) -> T:
        """Run ``operation``; once more on a fresh session if the old one was gone."""
        client, fresh = await self._connected()
        try:
            return await operation(client)
        except Exception as exc:
            if fresh or not _session_gone(exc):
                raise
        await self._drop()  # e.g. the server restarted since the last call
        client, _ = await self._connected()
        return await operation(client)

    async def _connected(self) -> tuple[Client, bool]:
        """The open client, connecting first if needed; True if just connected."""
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._client is not None:
                return self._client, False
            client = await self._new_client()
            try:
                await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT_S)
                self._reader.namespaces = await client.get_namespace_array()
            except Exception as exc:  # noqa: BLE001
                await close_client(client, graceful=True)
                raise BrowseError(f"cannot connect to {self._shown}: {_describe(exc)}") from None
            self._client = client
            return client, True

    async def _new_client(self) -> Client:
        settings = self._settings
        if settings.secure and self._trust is None:
            raise BrowseError(f"cannot connect to {self._shown}: a {settings.security_policy}/"
                              f"{settings.security_mode} connection needs the trust store")
        try:
            if settings.secure and self._identity is None:
                self._identity = load_identity(self._trust)  # beside the trust list, as the live client's
            client, _ = await new_client(self.endpoint, settings, self._trust, self._identity,
                                         timeout=REQUEST_TIMEOUT_S, watchdog_intervall=WATCHDOG_S)
        except ConnectionRefused as refused:  # e.g. the server's certificate is not trusted
            raise BrowseError(f"cannot connect to {self._shown}: {refused.problem.message}") from None
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await close_client(client, graceful=True)

def _session_gone(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, BrokenPipeError)):
        return True
    code = getattr(exc, "code", None)
    return isinstance(exc, ua.UaStatusCodeError) and code in _SESSION_GONE
