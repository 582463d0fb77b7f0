"""``linetwin sim``: the built-in simulator served until Ctrl+C or SIGTERM.

The server (:mod:`linetwin.io.opcua.simulator.sim_server`) is a library class;
this command is the one place of the simulator that prints and installs signal
handlers. The GUI starts it as a child process
(:class:`~linetwin.io.opcua.simulator.sim_process.SimulatorProcess`) with
``--until-stdin-closes``: it then also ends when its parent is gone, even by SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.twin.model import Project


def run_simulator_cli(
    project: Project,
    host: str = "127.0.0.1",
    port: int = 4840,
    seed: int = 1,
    speed: float = 1.0,
    scenario: str = "normal",
    until_stdin_closes: bool = False,
) -> int:
    """``linetwin sim``: serve until Ctrl+C / SIGTERM, return 0 (2: bad arguments,
    1: cannot listen).

    Prints the endpoint as the first line of stdout (scripts read it), then a
    line naming the scenario and what it does.
    """
    try:
        server = SimulatorServer(project, host=host, port=port, seed=seed, speed=speed, scenario=scenario)
    except ValueError as exc:
        print(f"linetwin sim: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve_until_signalled(server, until_stdin_closes))
    except KeyboardInterrupt:  # platforms without loop signal handlers
        pass
    except OSError as exc:
        print(f"linetwin sim: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


async def _serve_until_signalled(server: SimulatorServer, until_stdin_closes: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    if until_stdin_closes:  # EOF: the parent is gone
        stdin = sys.stdin.fileno()
        loop.add_reader(stdin, lambda: os.read(stdin, 4096) or stop.set())
    await server.start()
    print(server.endpoint, flush=True)
    model = server.simulator.scenario_model
    print(f"scenario: {model.name}: {model.describe()}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
