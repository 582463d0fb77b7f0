"""What reading the nodes' value types costs a (re)connect, against the same client without it.

Since issue 6 every new session reads the DataType of each subscribed node
(``io/opcua/value_types.py``, one Read per 1,000 nodes, plus a walk up the type
hierarchy for custom types) so values keep their type. That delays the first
values after a connect or a reconnect. Against the built-in simulator serving
the demo line plus ``--signals`` probe variables (on its own thread in this
process), alternately:

- *untyped*: ``LiveClient`` with the type read switched off (values typed only
  from what asyncua decodes): the baseline, the client as it was before;
- *typed*: ``LiveClient`` as shipped.

Each run connects fresh and times ``start()`` -> every signal's first value.
The figure is median(typed) / median(untyped).

Run: ``.venv/bin/python benchmarks/bind_types.py [--signals 5000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import dataclasses
import queue
import statistics
import time

from linetwin.io.opcua import opcua_client
from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.main import DEMO_PROJECT
from linetwin.twin.model import Signal, SignalKind
from linetwin.twin.updates import ValueUpdate

TYPED_READ = opcua_client.read_node_types


async def _no_types(client, node_ids):
    return {}


def first_values_s(project, endpoint: str, typed: bool) -> float:
    opcua_client.read_node_types = TYPED_READ if typed else _no_types
    updates: queue.SimpleQueue = queue.SimpleQueue()
    client = LiveClient(project, updates, endpoint=endpoint)
    wanted, seen = len(project.signals), set()
    start = time.perf_counter()
    client.start()
    try:
        while len(seen) < wanted:
            item = updates.get(timeout=60)
            if isinstance(item, ValueUpdate):
                seen.add(item.signal_id)
        return time.perf_counter() - start
    finally:
        client.stop()
        opcua_client.read_node_types = TYPED_READ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=5000, help="probe variables beside the demo line")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    demo = load_project(DEMO_PROJECT)
    probes = tuple(Signal(f"sealer.probe_{k:05d}", "sealer", f"ns=2;s=Sealer.Probe{k:05d}", SignalKind.ANALOG)
                   for k in range(args.signals))
    project = dataclasses.replace(demo, signals=demo.signals + probes)
    server = SimulatorServer(project, port=0)
    server.start_in_thread()
    times: dict[bool, list[float]] = {False: [], True: []}
    try:
        first_values_s(project, server.endpoint, typed=True)  # warm-up: imports, server caches
        for _ in range(args.runs):
            for typed in (False, True):
                times[typed].append(first_values_s(project, server.endpoint, typed))
    finally:
        server.stop_thread()
    untyped, typed = statistics.median(times[False]), statistics.median(times[True])
    print(f"{len(project.signals)} signals, {args.runs} runs each, start() -> every first value:")
    print(f"  untyped (baseline): median {untyped:.3f} s  {[round(t, 3) for t in times[False]]}")
    print(f"  typed:              median {typed:.3f} s  {[round(t, 3) for t in times[True]]}")
    print(f"  ratio typed/untyped: {typed / untyped:.2f}")


if __name__ == "__main__":
    main()
