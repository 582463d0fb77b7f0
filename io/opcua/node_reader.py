"""What the address-space browser does on its event loop: browse a node's
children, read a variable with its metadata, and propose a signal for it.

:class:`NodeReader` holds what these operations share across calls: the
endpoint as messages show it, the server's namespace array (refreshed on every
connect) and caches of type names and builtin bases. It runs only on the
browser's loop; :mod:`linetwin.io.opcua.address_space` wraps it in a blocking API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncua import Client, ua

from linetwin.io.opcua.node_ids import parse_node_id, resolve_namespace
from linetwin.io.opcua.ua_values import (
    enum_values as _enum_values,
    is_builtin as _is_builtin,
    plain as _plain,
    range as _range,
    read_attributes as _read_attributes,
    read_many as _read_many,
    text as _text,
    unit as _unit,
    utc as _utc,
    value as _value,
)
from linetwin.io.project.signal_proposal import SignalProposal, free_signal_id, guess_kind, snake_case
from linetwin.twin.model import Project
from linetwin.twin.updates import Quality

DENIED = {
    ua.StatusCodes.BadUserAccessDenied,
    ua.StatusCodes.BadNotReadable,
    ua.StatusCodes.BadSecurityModeInsufficient,
}
_UNKNOWN = {ua.StatusCodes.BadNodeIdUnknown, ua.StatusCodes.BadNodeIdInvalid}
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
    def quality(self) -> Quality:
        return Quality.from_status_code(self.status_code)

    @property
    def is_good(self) -> bool:
        return self.quality is Quality.GOOD


class NodeReader:
    """The browse/read/propose operations over a connected asyncua ``Client``.

    ``shown`` is the endpoint as messages name it (no password); ``namespaces``
    is set by the browser after each connect (node ids are resolved against it).
    """

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.namespaces: list[str] = []
        self._type_names: dict[ua.NodeId, str] = {}
        self._builtin_bases: dict[ua.NodeId, ua.NodeId | None] = {}

    async def children(self, client: Client, node_id: str | None) -> list[BrowseNode]:
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

    async def read(self, client: Client, node_id: str) -> NodeValue:
        value, _ = await self.inspect(client, node_id)
        return value

    async def inspect(self, client: Client, node_id: str) -> tuple[NodeValue, ua.NodeId | None]:
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
                f"{self.shown}: node {node_id} is not a variable (node class {node_class.name}); "
                "only variables have a value"
            )
        if dv.StatusCode is not None and dv.StatusCode.value in DENIED:
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

    async def suggest(self, client: Client, node_id: str, asset_id: str, project: Project | None) -> SignalProposal:
        value, type_id = await self.inspect(client, node_id)
        if value.is_array:
            raise BrowseError(f"{self.shown}: node {node_id} holds an array; only single values can be signals")
        base = await self._builtin_base(client, type_id)
        base_name = await self._type_name(client, base) if base is not None else value.data_type
        guess = guess_kind(base_name, value.browse_name, value.enum_values)
        if guess is None:
            raise BrowseError(
                f"{self.shown}: node {node_id} holds {value.data_type} values; "
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
                if resolve_namespace(parse_node_id(sig.node), self.namespaces) == target:
                    return sig.id
            except (ValueError, KeyError):
                continue
        return None

    # -- helpers on the loop -----------------------------------------------------------

    def _node(self, text: str) -> ua.NodeId:
        try:
            return resolve_namespace(parse_node_id(text), self.namespaces)
        except ValueError:
            raise BrowseError(f"{text!r} is not an OPC UA node id (e.g. 'ns=2;s=Sealer.SealTemperature')") from None
        except KeyError as exc:
            raise BrowseError(f"{self.shown}: node {text}: the server has no namespace {exc.args[0]}") from None

    def _check(self, status: ua.StatusCode | None, node_id: str) -> None:
        if status is None or status.is_good():
            return
        if status.value in _UNKNOWN:
            raise BrowseError(f"{self.shown}: node {node_id} does not exist on this server")
        if status.value in DENIED:
            raise BrowseError(f"{self.shown}: access to node {node_id} denied ({status.name})")
        raise BrowseError(f"{self.shown}: node {node_id}: {status.name}")

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


def _may_have_children(ref: ua.ReferenceDescription) -> bool:
    if ref.NodeClass in (ua.NodeClass.Object, ua.NodeClass.View):
        return True
    if ref.NodeClass == ua.NodeClass.Variable:  # structured variables have components
        definition = ref.TypeDefinition
        return not (definition.NamespaceIndex == 0 and definition.Identifier in _PLAIN_VARIABLE_TYPES)
    return False
