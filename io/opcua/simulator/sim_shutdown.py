"""Stopping the simulator's asyncua server cleanly: the port free at once, every
connection and session gone, nothing left on the loop that could log later."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from asyncua import Server


async def shut_down(server: Server) -> None:
    """Stop ``server`` step by step, each step awaiting the event that ends it.

    asyncua's ``Server.stop`` closes the listener last and does not wait for a
    closed connection's cleanup, so a reconnecting client or a request still in
    progress raced the internal server's shutdown. Here: listener, connections
    (each seen lost), internal server, sessions kept for reconnecting clients.
    """
    bserver = server.bserver
    bserver._server.close()  # closes the listening socket now: the port is free
    await _stop_clock(server)
    await _drop_connections(bserver)
    await server.stop()  # no connection left: stops the cleanup task, internal session, history
    await _close_orphan_sessions(server)


async def _drop_connections(bserver: Any) -> None:
    """Abort every connection; wait until each one's message loop ended and its
    cleanup (``UaProcessor.close``) ran. ``abort``, not ``close``: a client that
    stopped reading keeps a closing transport open until its buffer drains."""
    while bserver.clients:
        protocols = list(bserver.clients)
        for protocol in protocols:
            if protocol.transport is not None:
                protocol.transport.abort()  # connection_lost runs on the next loop turn
        loops = [p._task for p in protocols if p._task is not None]
        await asyncio.gather(*loops, return_exceptions=True)
        while bserver.closing_tasks:  # created by connection_lost, one per connection
            await asyncio.gather(bserver.closing_tasks.pop(), return_exceptions=True)
        await asyncio.sleep(0)  # a connection_lost still queued runs before the next check


async def _close_orphan_sessions(server: Server) -> None:
    """Close sessions asyncua keeps for reconnecting clients (spec Part 4 6.7): ``Server.stop``
    leaves them, with their subscription tasks, running until they time out (minutes),
    logging "subscription expired" long after the server is gone."""
    sessions = getattr(server.iserver, "_external_sessions", {})
    for session in list(sessions.values()):
        with contextlib.suppress(Exception):
            await session.close_session(True)


async def _stop_clock(server: Server) -> None:
    """Cancel asyncua's 1 Hz clock task, which ``Server.stop`` waits up to 1 s for."""
    iserver = server.iserver
    task = getattr(iserver, "time_task", None)
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        iserver.time_task = None
