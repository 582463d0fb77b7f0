"""Helpers for the OPC UA tests: the demo project, a running simulator, a queue
reader, and a TCP proxy that can freeze to fake a server that hangs.

Imported explicitly (``from tests.io.conftest_opcua import ...``); everything
talks real OPC UA over 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.project.project_file import load_project
from linetwin.io.opcua.simulator.sim_server import SimulatorServer
from linetwin.twin.model import Project, Signal, SignalKind
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "line.toml"

# A signal the simulator does not model (served Bad) and one whose node no
# server has (the client must report it Bad, not drop it).
UNMODELLED = Signal("sealer.jaw_wear", "sealer", "ns=2;s=Sealer.JawWear", SignalKind.ANALOG, unit="%")
MISSING = Signal("sealer.ghost", "sealer", "ns=2;s=Sealer.DoesNotExist", SignalKind.ANALOG)


def demo_project(*extra: Signal) -> Project:
    project = load_project(DEMO)
    return dataclasses.replace(project, signals=project.signals + tuple(extra))


@contextlib.contextmanager
def running_server(project: Project, **kwargs) -> Iterator[SimulatorServer]:
    server = SimulatorServer(project, **kwargs)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


class QueueReader:
    """Collects everything a LiveClient puts on its queue, for assertions."""

    def __init__(self, updates: queue.SimpleQueue) -> None:
        self._queue = updates
        self.items: list[ValueUpdate | ConnectionChange] = []

    def pump(self) -> None:
        while True:
            try:
                self.items.append(self._queue.get_nowait())
            except queue.Empty:
                return

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if predicate():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def values(self, since: int = 0) -> list[ValueUpdate]:
        return [i for i in self.items[since:] if isinstance(i, ValueUpdate)]

    def states(self, since: int = 0) -> list[ConnectionState]:
        return [i.state for i in self.items[since:] if isinstance(i, ConnectionChange)]

    def signals_seen(self, since: int = 0, good: bool = True) -> set[str]:
        return {v.signal_id for v in self.values(since) if (v.status_code == 0) == good}


class FreezableProxy:
    """TCP pass-through to ``target_port`` that can stop forwarding.

    Frozen, it keeps every socket open but forwards nothing: to the client the
    server looks alive and silent, the case only a watchdog can detect.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.frozen = False
        self.port = 0
        self._thread = AsyncioThread(name="test-proxy")
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self._thread.start()
        self._thread.submit(self._listen()).result(5)

    def stop(self) -> None:
        self._thread.submit(self._close()).result(5)
        self._thread.stop()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        await asyncio.sleep(0)  # let the transports finish closing

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._pipe_both, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _pipe_both(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if not self.frozen:
                    writer.write(data)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
