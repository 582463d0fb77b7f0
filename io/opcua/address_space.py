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
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from asyncua import Client, ua

from linetwin.io.opcua.asyncio_thread import AsyncioThread, quiet_asyncua_logging
from linetwin.io.opcua.endpoints import close_client
from linetwin.io.opcua.node_ids import parse_node_id, resolve_namespace
from linetwin.io.opcua.security import redact_url
from linetwin.io.opcua.ua_values import (
    is_builtin as _is_builtin,
    plain as _plain,
    value as _value,
    read_attributes as _read_attributes,
    read_many as _read_many,
    utc as _utc,
    text as _text,
    unit as _unit,
    range as _range,
    enum_values as _enum_values,
    describe as _describe,
)
# Re-exported: callers and tests import these from here (they predate the split).
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

_DENIED = {
    ua.StatusCodes.BadUserAccessDenied,
    ua.StatusCodes.BadNotReadable,
    ua.StatusCodes.BadSecurityModeInsufficient,
}
_UNKNOWN = {ua.StatusCodes.BadNodeIdUnknown, ua.StatusCodes.BadNodeIdInvalid}
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
_PLAIN_VARIABLE_TYPES = {ua.ObjectIds.BaseDataVariableType, ua.ObjectIds.PropertyType}
_WANTED_PROPERTIES = ("EngineeringUnits", "EURange", "EnumStrings", "EnumValues")


class BrowseError(Exception):
    """Browsing, reading or proposing failed; the message says where and why."""


@dataclass(frozen=True)
class BrowseNode:
    """One child in the address-space tree."""

    node_id: str  # "ns=2;s=Sealer.SealTemperature", "i=2253", as NodeId.to_string() gives
    browse_name: str
    display_name: str
    node_class: str  # "Object", "Variable", "Method", ...
    has_children: bool  # approximate: Objects yes, plain variables no
    data_type: str | None = None  # variables only: "Double", "UInt32", ...


@dataclass(frozen=True)
class NodeValue:
    """A variable's value with its quality, time and metadata."""

    node_id: str
    browse_name: str
    value: Any
    data_type: str
    status: str  # "Good", "BadWaitingForInitialData", ...
    status_code: int
    source_timestamp: datetime | None  # timezone-aware UTC
    server_timestamp: datetime | None
    description: str = ""
    unit: str = ""  # from the EngineeringUnits property
    eu_range: tuple[float, float] | None = None  # EURange (instrument range, not spec limits)
    enum_values: dict[int, str] | None = None  # from EnumStrings / EnumValues
    readable: bool = True
    writable: bool = False
    is_array: bool = False

    @property
    def is_good(self) -> bool:
        return ua.StatusCode(self.status_code).is_good()


class AddressSpaceBrowser:
    """Blocking browse/read API over one OPC UA endpoint; connects on first use.

    Parameters
    ----------
    endpoint : ``opc.tcp://...`` URL; ``None`` takes ``settings.endpoint``
    settings : optional object with ``endpoint``, ``security_policy``,
        ``security_mode``, ``username`` and ``password`` attributes (duck-typed,
        e.g. ``linetwin.io.opcua.security.ConnectionSettings``). A user name and
        password are passed on to the server. Without ``configure`` only
        security policy/mode ``None`` is accepted.
    configure : optional ``async def configure(client)`` run on every new,
        unconnected asyncua ``Client`` before it connects: where the caller
        sets up certificates and encryption (``security.apply_security``).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        settings: Any = None,
        configure: Callable[[Client], Awaitable[Any]] | None = None,
    ) -> None:
        endpoint = endpoint or getattr(settings, "endpoint", None)
        if not endpoint:
            raise ValueError("AddressSpaceBrowser needs an endpoint")
        self.endpoint: str = endpoint
        self._shown = redact_url(endpoint)  # what messages say: never a password
        self._settings = settings
        self._configure = configure
        self._start_lock = threading.Lock()
        self._thread: AsyncioThread | None = None
        self._closed = False
        # Touched only on the browser's loop:
        self._client: Client | None = None
        self._connecting: asyncio.Lock | None = None
        self._namespaces: list[str] = []
        self._type_names: dict[ua.NodeId, str] = {}
        self._builtin_bases: dict[ua.NodeId, ua.NodeId | None] = {}

    # -- public blocking API ---------------------------------------------------------

    def children(self, node_id: str | None = None) -> list[BrowseNode]:
        """Children of ``node_id`` (hierarchical references); ``None``: the Objects folder."""
        return self._call(lambda client: self._children(client, node_id))

    def read(self, node_id: str) -> NodeValue:
        """The current value of a variable; BrowseError for objects, unknown nodes, no access."""
        return self._call(lambda client: self._read(client, node_id))

    def suggest_signal(self, node_id: str, asset_id: str, project: Project | None = None) -> SignalProposal:
        """Propose a signal binding ``node_id`` to ``asset_id``.

        With ``project``, the id avoids those already used (``_2``, ``_3``...) and
        ``bound_as`` names a signal that already binds this node to this asset.
        """
        return self._call(lambda client: self._suggest(client, node_id, asset_id, project))

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
                quiet_asyncua_logging()
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
            client = Client(self.endpoint, timeout=REQUEST_TIMEOUT_S, watchdog_intervall=WATCHDOG_S)
            self._apply_settings(client)
            try:
                if self._configure is not None:
                    await self._configure(client)
                await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT_S)
                self._namespaces = await client.get_namespace_array()
            except Exception as exc:  # noqa: BLE001
                await close_client(client, graceful=True)
                raise BrowseError(f"cannot connect to {self._shown}: {_describe(exc)}") from None
            self._client = client
            return client, True

    def _apply_settings(self, client: Client) -> None:
        settings = self._settings
        if settings is None:
            return
        policy = getattr(settings, "security_policy", None) or "None"
        mode = getattr(settings, "security_mode", None) or "None"
        if (policy != "None" or mode != "None") and self._configure is None:
            raise BrowseError(
                f"cannot connect to {self._shown}: security {policy}/{mode} is not supported "
                "by the address-space browser yet (only None)"
            )
        username = getattr(settings, "username", None)
        if username:
            client.set_user(username)
            password = getattr(settings, "password", None)
            if password:
                client.set_password(password)

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await close_client(client, graceful=True)

    # -- operations (on the loop) ----------------------------------------------------

    async def _children(self, client: Client, node_id: str | None) -> list[BrowseNode]:
        if node_id is None:
            parent, label = ua.NodeId(ua.ObjectIds.ObjectsFolder), "Objects"
        else:
            parent, label = self._node(node_id), node_id
        refs = await self._browse(client, parent, label, ua.ObjectIds.HierarchicalReferences)
        variables = [_plain(r.NodeId) for r in refs if r.NodeClass == ua.NodeClass.Variable]
        types = await _read_many(client, variables, ua.AttributeIds.DataType)
        type_of = {nid: await self._type_name(client, _value(dv)) for nid, dv in zip(variables, types)}
        return [
            BrowseNode(
                node_id=_plain(r.NodeId).to_string(),
                browse_name=r.BrowseName.Name or "",
                display_name=r.DisplayName.Text or r.BrowseName.Name or "",
                node_class=r.NodeClass.name,
                has_children=_may_have_children(r),
                data_type=type_of.get(_plain(r.NodeId)),
            )
            for r in refs
        ]

    async def _read(self, client: Client, node_id: str) -> NodeValue:
        value, _ = await self._inspect(client, node_id)
        return value

    async def _inspect(self, client: Client, node_id: str) -> tuple[NodeValue, ua.NodeId | None]:
        """A variable's value and metadata, plus its DataType node id."""
        nid = self._node(node_id)
        attrs = (
            ua.AttributeIds.NodeClass,
            ua.AttributeIds.BrowseName,
            ua.AttributeIds.DataType,
            ua.AttributeIds.Value,
            ua.AttributeIds.Description,
            ua.AttributeIds.AccessLevel,
            ua.AttributeIds.UserAccessLevel,
            ua.AttributeIds.ValueRank,
        )
        klass, name, dtype, dv, desc, access, user_access, rank = await _read_attributes(client, nid, attrs)
        self._check(klass.StatusCode, node_id)
        node_class = ua.NodeClass(_value(klass))
        if node_class != ua.NodeClass.Variable:
            raise BrowseError(
                f"{self._shown}: node {node_id} is not a variable (node class {node_class.name}); "
                "only variables have a value"
            )
        if dv.StatusCode is not None and dv.StatusCode.value in _DENIED:
            self._check(dv.StatusCode, node_id)
        level = _value(user_access) if user_access.StatusCode.is_good() else _value(access)
        level = level if isinstance(level, int) else 1
        props = await self._properties(client, nid)
        type_id = _value(dtype) if isinstance(_value(dtype), ua.NodeId) else None
        status = dv.StatusCode or ua.StatusCode(ua.StatusCodes.Good)
        browse_name = _value(name)
        value = NodeValue(
            node_id=nid.to_string(),
            browse_name=browse_name.Name if isinstance(browse_name, ua.QualifiedName) else str(browse_name or ""),
            value=dv.Value.Value if dv.Value is not None else None,
            data_type=await self._type_name(client, type_id),
            status=status.name,
            status_code=status.value,
            source_timestamp=_utc(dv.SourceTimestamp),
            server_timestamp=_utc(dv.ServerTimestamp),
            description=_text(_value(desc)),
            unit=_unit(props.get("EngineeringUnits")),
            eu_range=_range(props.get("EURange")),
            enum_values=_enum_values(props.get("EnumStrings"), props.get("EnumValues")),
            readable=bool(level & ua.AccessLevel.CurrentRead.mask),
            writable=bool(level & ua.AccessLevel.CurrentWrite.mask),
            is_array=isinstance(_value(rank), int) and _value(rank) >= 0,
        )
        return value, type_id

    async def _suggest(self, client: Client, node_id: str, asset_id: str, project: Project | None) -> SignalProposal:
        value, type_id = await self._inspect(client, node_id)
        if value.is_array:
            raise BrowseError(f"{self._shown}: node {node_id} holds an array; only single values can be signals")
        base = await self._builtin_base(client, type_id)
        base_name = await self._type_name(client, base) if base is not None else value.data_type
        guess = guess_kind(base_name, value.browse_name, value.enum_values)
        if guess is None:
            raise BrowseError(
                f"{self._shown}: node {node_id} holds {value.data_type} values; "
                "only numbers and Booleans can be bound as signals"
            )
        kind, states, reason = guess
        taken = {s.id for s in project.signals} if project else set()
        bound = self._bound_as(project, asset_id, value.node_id) if project else None
        return SignalProposal(
            id=free_signal_id(f"{asset_id}.{snake_case(value.browse_name) or 'signal'}", taken),
            asset=asset_id,
            node=value.node_id,
            kind=kind,
            unit=value.unit,
            states=states,
            data_type=value.data_type,
            reason=reason,
            bound_as=bound,
        )

    def _bound_as(self, project: Project, asset_id: str, node: str) -> str | None:
        target = parse_node_id(node)
        for sig in project.signals:
            if sig.asset != asset_id:
                continue
            try:
                if resolve_namespace(parse_node_id(sig.node), self._namespaces) == target:
                    return sig.id
            except (ValueError, KeyError):
                continue
        return None

    # -- helpers on the loop -----------------------------------------------------------

    def _node(self, text: str) -> ua.NodeId:
        try:
            return resolve_namespace(parse_node_id(text), self._namespaces)
        except ValueError:
            raise BrowseError(f"{text!r} is not an OPC UA node id (e.g. 'ns=2;s=Sealer.SealTemperature')") from None
        except KeyError as exc:
            raise BrowseError(f"{self._shown}: node {text}: the server has no namespace {exc.args[0]}") from None

    def _check(self, status: ua.StatusCode | None, node_id: str) -> None:
        if status is None or status.is_good():
            return
        if status.value in _UNKNOWN:
            raise BrowseError(f"{self._shown}: node {node_id} does not exist on this server")
        if status.value in _DENIED:
            raise BrowseError(f"{self._shown}: access to node {node_id} denied ({status.name})")
        raise BrowseError(f"{self._shown}: node {node_id}: {status.name}")

    async def _browse(self, client: Client, nid: ua.NodeId, label: str, ref: int, inverse: bool = False) -> list:
        desc = ua.BrowseDescription()
        desc.NodeId = nid
        desc.BrowseDirection = ua.BrowseDirection.Inverse if inverse else ua.BrowseDirection.Forward
        desc.ReferenceTypeId = ua.NodeId(ref)
        desc.IncludeSubtypes = True
        desc.NodeClassMask = ua.NodeClass.Unspecified
        desc.ResultMask = ua.BrowseResultMask.All
        params = ua.BrowseParameters()
        params.View.Timestamp = ua.get_win_epoch()
        params.NodesToBrowse.append(desc)
        params.RequestedMaxReferencesPerNode = 0
        result = (await client.uaclient.browse(params))[0]
        self._check(result.StatusCode, label)
        refs = list(result.References)
        while result.ContinuationPoint:
            more = ua.BrowseNextParameters()
            more.ContinuationPoints = [result.ContinuationPoint]
            result = (await client.uaclient.browse_next(more))[0]
            self._check(result.StatusCode, label)
            refs.extend(result.References)
        return refs

    async def _properties(self, client: Client, nid: ua.NodeId) -> dict[str, Any]:
        """Values of the metadata properties (units, ranges, enum names) a variable has."""
        refs = await self._browse(client, nid, nid.to_string(), ua.ObjectIds.HasProperty)
        wanted = [(r.BrowseName.Name, _plain(r.NodeId)) for r in refs if r.BrowseName.Name in _WANTED_PROPERTIES]
        values = await _read_many(client, [n for _, n in wanted], ua.AttributeIds.Value)
        return {name: _value(dv) for (name, _), dv in zip(wanted, values) if dv.StatusCode.is_good()}

    async def _type_name(self, client: Client, type_id: ua.NodeId | None) -> str:
        if type_id is None or type_id.is_null():
            return ""
        if type_id.NamespaceIndex == 0 and isinstance(type_id.Identifier, int):
            name = ua.ObjectIdNames.get(type_id.Identifier)
            if name:
                return name
        if type_id not in self._type_names:
            (dv,) = await _read_many(client, [type_id], ua.AttributeIds.BrowseName)
            name = _value(dv)
            self._type_names[type_id] = name.Name if isinstance(name, ua.QualifiedName) else type_id.to_string()
        return self._type_names[type_id]

    async def _builtin_base(self, client: Client, type_id: ua.NodeId | None) -> ua.NodeId | None:
        """The nearest standard type (Double, Int32, Enumeration...) ``type_id`` derives from."""
        if type_id is None:
            return None
        if type_id in self._builtin_bases:
            return self._builtin_bases[type_id]
        current: ua.NodeId | None = type_id
        for _ in range(12):  # type hierarchies are shallow; guard against loops
            if current is None or _is_builtin(current):
                break
            supers = await self._browse(client, current, current.to_string(), ua.ObjectIds.HasSubtype, inverse=True)
            current = _plain(supers[0].NodeId) if supers else None
        base = current if current is not None and _is_builtin(current) else None
        self._builtin_bases[type_id] = base
        return base


def _session_gone(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, BrokenPipeError)):
        return True
    code = getattr(exc, "code", None)
    return isinstance(exc, ua.UaStatusCodeError) and code in _SESSION_GONE


def _may_have_children(ref: ua.ReferenceDescription) -> bool:
    if ref.NodeClass in (ua.NodeClass.Object, ua.NodeClass.View):
        return True
    if ref.NodeClass == ua.NodeClass.Variable:  # structured variables have components
        definition = ref.TypeDefinition
        return not (definition.NamespaceIndex == 0 and definition.Identifier in _PLAIN_VARIABLE_TYPES)
    return False
