"""OPC UA node id strings from the project file -> asyncua ``NodeId``.

Project files write node ids as text (``ns=2;s=Sealer.SealTemperature`` or the
portable ``nsu=urn:...;s=...``). A namespace *index* only means something on
one server, so ``nsu=`` forms are resolved against that server's namespace
array once connected.
"""

from __future__ import annotations

from asyncua import ua


def parse_node_id(text: str) -> ua.NodeId:
    """Parse a node id string; ``ValueError`` with the text if it is malformed."""
    try:
        return ua.NodeId.from_string(text.strip())
    except (ua.UaStringParsingError, ValueError) as exc:
        raise ValueError(f"malformed OPC UA node id {text!r}") from exc


def resolve_namespace(node_id: ua.NodeId, namespaces: list[str]) -> ua.NodeId:
    """Replace a namespace URI by its index in ``namespaces`` (a server's array).

    ``KeyError`` if the server does not know the URI.
    """
    uri = getattr(node_id, "NamespaceUri", None)  # only ExpandedNodeId has one
    if not uri:
        return node_id
    if uri not in namespaces:
        raise KeyError(uri)
    # A plain NodeId (not ExpandedNodeId) so it compares equal to the server's.
    return ua.NodeId(node_id.Identifier, namespaces.index(uri), node_id.NodeIdType)


def node_in_namespace(text: str, namespaces: list[str], namespace: int) -> ua.NodeId:
    """The node id ``text`` if it lies in ``namespace`` of a server with ``namespaces``
    (a server creating nodes can only create its own); ``ValueError`` says why not."""
    try:
        node_id = resolve_namespace(parse_node_id(text), namespaces)
    except KeyError as exc:
        raise ValueError(f"unknown namespace {exc}") from None
    if node_id.NamespaceIndex != namespace:
        raise ValueError("outside the simulator's namespace")
    return node_id


def browse_name_of(node_id: ua.NodeId) -> str:
    """A readable browse name: the last dotted part of a string id ("SealTemperature")."""
    if node_id.NodeIdType == ua.NodeIdType.String:
        return str(node_id.Identifier).rsplit(".", 1)[-1] or str(node_id.Identifier)
    return str(node_id.Identifier)
