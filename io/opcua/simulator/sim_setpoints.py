"""Writable setpoint nodes of the built-in simulator: where a guarded change lands.

Each writable signal (``writable = true`` in the project) whose value the model
simulates gets a writable Double variable at its ``setpoint_node``, in its
station's folder, holding the model's setpoint (:meth:`LineSimulator.nominal`).
A client's write moves the model's setpoint (:meth:`LineSimulator.set_setpoint`),
and the measured value ramps there as the line's controller would.

Writes are found by polling, once per update of the server: a node holding
another value than the one last put there was written by a client. That keeps
the 100 ms update loop the only place the model is touched. A value the model
cannot take (not finite) is refused by writing the setpoint back at once.
Every other node stays read-only.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from asyncua import Server, ua

from linetwin.io.opcua.node_ids import browse_name_of, node_in_namespace
from linetwin.twin.model import Project, Signal
from linetwin.twin.sim.simulation import LineSimulator

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Setpoint:
    signal_id: str
    node_id: ua.NodeId


class SetpointNodes:
    """The simulator's setpoint variables and the value each last held."""

    def __init__(self, setpoints: list[_Setpoint]) -> None:
        self._setpoints = setpoints
        self._held: dict[ua.NodeId, float] = {}  # what the server last put in each node

    @property
    def node_ids(self) -> dict[str, ua.NodeId]:
        """Signal id -> its setpoint node."""
        return {sp.signal_id: sp.node_id for sp in self._setpoints}

    @classmethod
    async def create(cls, server: Server, project: Project, simulator: LineSimulator,
                     folders: dict[str, ua.NodeId], taken: set[ua.NodeId], namespace: int) -> SetpointNodes:
        """Add a writable variable per writable, simulated signal; ``taken``: nodes already served."""
        namespaces = await server.get_namespace_array()
        simulated = set(simulator.process_signal_ids())
        setpoints = []
        for sig in project.signals:
            if not sig.writable or sig.id not in simulated or sig.asset not in folders:
                continue
            node_id = _setpoint_node_id(sig, namespaces, namespace)
            if node_id is None or node_id in taken:
                continue
            taken.add(node_id)
            folder = server.get_node(folders[sig.asset])
            initial = ua.Variant(simulator.nominal(sig.id), ua.VariantType.Double)
            variable = await folder.add_variable(node_id, ua.QualifiedName(browse_name_of(node_id), namespace),
                                                 initial, ua.VariantType.Double)
            await variable.set_writable()
            setpoints.append(_Setpoint(sig.id, node_id))
        nodes = cls(setpoints)
        await nodes.sync(server, simulator)
        return nodes

    async def sync(self, server: Server, simulator: LineSimulator) -> None:
        """Apply what clients wrote since the last call, then show the model's setpoints
        (moved by a client, or by the model's own tools such as ``on_model``)."""
        for sp in self._setpoints:
            held = _number(server.read_attribute_value(sp.node_id))
            if sp.node_id in self._held and held != self._held[sp.node_id]:
                if held is not None and math.isfinite(held):
                    simulator.set_setpoint(sp.signal_id, held)
                    self._held[sp.node_id] = held
                else:  # the model cannot take it: the old setpoint is written back below
                    _log.warning("setpoint of %s: refused the value %r written to %s",
                                 sp.signal_id, held, sp.node_id.to_string())
                    self._held.pop(sp.node_id)
            nominal = simulator.nominal(sp.signal_id)
            if self._held.get(sp.node_id) != nominal:
                now = datetime.now(timezone.utc)
                dv = ua.DataValue(ua.Variant(nominal, ua.VariantType.Double),
                                  SourceTimestamp=now, ServerTimestamp=now)
                await server.write_attribute_value(sp.node_id, dv)
                self._held[sp.node_id] = nominal


def _number(dv: ua.DataValue) -> float | None:
    raw = dv.Value.Value if dv.Value is not None else None
    return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None


def _setpoint_node_id(sig: Signal, namespaces: list[str], namespace: int) -> ua.NodeId | None:
    """Where ``sig``'s setpoint is served; None (logged) when the simulator cannot serve it."""
    if sig.setpoint_node is None or sig.setpoint_node == sig.node:
        # The signal's own node carries the measured value, which is not the setpoint.
        _log.info("signal %s: no setpoint_node of its own; the simulator serves no setpoint for it", sig.id)
        return None
    try:
        return node_in_namespace(sig.setpoint_node, namespaces, namespace)
    except ValueError as exc:
        _log.warning("signal %s: cannot serve setpoint node %r (%s)", sig.id, sig.setpoint_node, exc)
        return None
