"""OPC UA load server for ``benchmarks/ingest.py``: N Double variables rewritten at a fixed rate.

Serves the node ids of ``benchmarks/gui_tick.py``'s synthetic line, one station
per 10 signals: ``ns=2;s=st0000.State`` and ``ns=2;s=st0000.Pv0`` .. ``Pv8``
(all Double here; the client converts every value to float anyway). Every
variable is rewritten ``--rate`` times a second with a fresh value and
SourceTimestamp, spread evenly over the period in 10 ms slices so the load is
smooth rather than one burst per period.

Runs in its own process so it does not compete for the GIL with the client
being measured. Prints the endpoint as the first stdout line, then once a
second ``stat <unix time> <values written so far> <10 ms slices that started
late>``, and runs until killed (or, with ``--exit-on-eof``, until its stdin
closes: how ``ingest.py`` makes sure no server outlives it).

asyncua's server is the bottleneck long before a client is: stock, it manages
about 4,000-5,000 values/s to one subscriber on a 2-core machine. Two patches
of pure overhead (see :func:`_speed_up_asyncua`; ``--stock`` leaves them out)
bring that to about 10,000-11,000 values/s; what goes over the wire is the same.

Run: ``python benchmarks/ingest_server.py --signals 10000 --rate 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import random
import socket
import sys
import threading
import time
from datetime import datetime, timezone

from asyncua import Server, ua
from asyncua.server import monitored_item_service

NAMESPACE_URI = "urn:linetwin:ingest-bench"
SLICE_S = 0.01  # write a share of the variables every 10 ms
ANALOG_PER_STATION = 9  # as benchmarks/gui_tick.py


def node_names(signals: int) -> list[str]:
    """The string node ids (ns=2) of ``signals`` signals, gui_tick's order."""
    if signals % (ANALOG_PER_STATION + 1):
        raise ValueError(f"--signals must be a multiple of {ANALOG_PER_STATION + 1}, got {signals}")
    names = []
    for k in range(signals // (ANALOG_PER_STATION + 1)):
        sid = f"st{k:04d}"
        names.append(f"{sid}.State")
        names.extend(f"{sid}.Pv{j}" for j in range(ANALOG_PER_STATION))
    return names


def _keep_datavalue(self, cur_val: ua.DataValue) -> None:
    """``MonitoredItemValues.set_current_datavalue`` without its ``copy.deepcopy``.

    asyncua deep-copies every written DataValue once per monitored item; with
    one subscriber that is ~60 % of this server's time. Every DataValue written here is a fresh
    object never touched again, so keeping a reference is safe. The load
    generator must not be the bottleneck: both clients face the same server.
    """
    self.old_dvalue = self.current_dvalue
    self.current_dvalue = cur_val


_EMPTY_VALUE = ua.DataValue()


def _notification_init(self, ClientHandle: int = 0, Value: ua.DataValue = _EMPTY_VALUE) -> None:
    """``MonitoredItemNotification.__init__`` with a shared default Value.

    The server's datachange callback builds ``MonitoredItemNotification()`` and
    then sets its Value; the default it builds first (``DataValue(Variant(None))``,
    whose type guess goes through a failing ``hasattr`` on an Enum) is a
    quarter of this server's time. That call site (its only one in the server)
    overwrites Value at once, so a shared default is never sent.
    """
    self.ClientHandle = ClientHandle
    self.Value = Value


def _speed_up_asyncua() -> None:
    """Make the load generator cheaper per value; see the two functions above."""
    monitored_item_service.MonitoredItemValues.set_current_datavalue = _keep_datavalue
    ua.MonitoredItemNotification.__init__ = _notification_init


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _build(signals: int) -> tuple[Server, list[ua.NodeId]]:
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{_free_port()}/ingest/")
    server.set_server_name("LineTwin ingest benchmark")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    index = await server.register_namespace(NAMESPACE_URI)
    if index != 2:
        raise RuntimeError(f"namespace got index {index}, expected 2")
    bench = await server.nodes.objects.add_folder(index, "Bench")
    ids, items, folders = [], [], {}
    for name in node_names(signals):
        # A folder per station: asyncua checks a parent's references linearly,
        # so 10,000 variables in one folder would take minutes to add.
        station = name.split(".")[0]
        folder = folders.get(station)
        if folder is None:
            folder = folders[station] = await bench.add_folder(index, station)
        node_id = ua.NodeId(name, index)
        items.append(_variable_item(folder.nodeid, node_id, ua.QualifiedName(name, index)))
        ids.append(node_id)
    # Added in one go without the reference-type checks (what node.add_variable
    # does per node, with them): 10,000 variables in seconds, not tens of seconds.
    if list(server.iserver.node_mgt_service.try_add_nodes(items, check=False)):
        raise RuntimeError("could not add the benchmark variables")
    return server, ids


def _variable_item(parent: ua.NodeId, node_id: ua.NodeId, name: ua.QualifiedName) -> ua.AddNodesItem:
    attrs = ua.VariableAttributes(
        DisplayName=ua.LocalizedText(name.Name), DataType=ua.NodeId(ua.ObjectIds.Double),
        Value=ua.Variant(0.0, ua.VariantType.Double), ValueRank=ua.ValueRank.Scalar,
        AccessLevel=ua.AccessLevel.CurrentRead.mask, UserAccessLevel=ua.AccessLevel.CurrentRead.mask)
    return ua.AddNodesItem(
        ParentNodeId=parent, ReferenceTypeId=ua.NodeId(ua.ObjectIds.HasComponent),
        RequestedNewNodeId=node_id, BrowseName=name, NodeClass=ua.NodeClass.Variable,
        NodeAttributes=attrs, TypeDefinition=ua.NodeId(ua.ObjectIds.BaseDataVariableType))


async def _rewrite(server: Server, ids: list[ua.NodeId], rate: float, stats: list[int]) -> None:
    """Write every variable ``rate`` times a second, a slice every SLICE_S, without drift."""
    loop = asyncio.get_running_loop()
    per_second = len(ids) * rate
    write = server.write_attribute_value
    rng = random.Random(7)
    start = due = loop.time()
    cursor, n = 0, len(ids)
    owed_done = 0  # values paid for so far, skipped ones included
    max_slice = max(1, math.ceil(per_second * SLICE_S))
    while True:
        due += SLICE_S
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            stats[1] += 1  # overran: the server cannot keep this rate
            await asyncio.sleep(0)
        target = int((loop.time() - start) * per_second)  # values owed by now
        if target - owed_done > per_second:  # over a second behind: skip, do not burst later
            owed_done = target - int(per_second)
        # At most two slices' worth per slice: a server that falls behind shows it
        # in its stat lines instead of blocking its loop (and its publishing) for seconds.
        count = min(target - owed_done, n, 2 * max_slice)
        if count <= 0:
            continue
        now = datetime.now(timezone.utc)
        for _ in range(count):
            value = float(rng.randrange(6)) if cursor % 10 == 0 else 100.0 + rng.gauss(0.0, 1.0)
            dv = ua.DataValue(ua.Variant(value, ua.VariantType.Double),
                              SourceTimestamp=now, ServerTimestamp=now)
            await write(ids[cursor], dv)
            cursor = cursor + 1 if cursor + 1 < n else 0
        owed_done += count
        stats[0] += count


async def _report(stats: list[int]) -> None:
    while True:
        await asyncio.sleep(1.0)
        print(f"stat {time.time():.3f} {stats[0]} {stats[1]}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1.0, help="writes per variable per second")
    parser.add_argument("--stock", action="store_true",
                        help="run asyncua's server code unpatched (about half the capacity)")
    parser.add_argument("--exit-on-eof", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()
    if not args.stock:
        _speed_up_asyncua()
    if not (args.rate > 0 and math.isfinite(args.rate)):
        sys.exit(f"--rate must be > 0, got {args.rate}")
    for name in ("asyncua", "asyncua.server"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        server, ids = await _build(args.signals)
    except ValueError as exc:
        sys.exit(str(exc))
    if args.exit_on_eof:  # the parent is gone (or closed our stdin): stop at once
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    async with server:
        print(server.endpoint.geturl(), flush=True)
        stats = [0, 0]  # values written, slices that started late
        await asyncio.gather(_rewrite(server, ids, args.rate, stats), _report(stats))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
