"""An asyncio event loop on its own daemon thread (DESIGN section 3).

asyncua is asyncio-only and the GUI thread must never wait on the network, so
OPC UA work (client and built-in simulator server) runs on a loop hosted by a
plain thread, the pattern of asyncua's own ``ThreadLoop``. Unlike ``ThreadLoop``
this one cancels and awaits whatever tasks are still pending on ``stop()``,
so shutting down leaves no "Task was destroyed but it is pending" noise.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_log = logging.getLogger(__name__)


class AsyncioThread:
    """A daemon thread running an event loop that other threads submit work to."""

    def __init__(self, name: str = "linetwin-asyncio") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the asyncio thread is not running")
        return self._loop

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; returns once its loop is running."""
        if self.is_running():
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop from any thread."""
        if not self.is_running():
            coro.close()  # never awaited otherwise: avoid the RuntimeWarning
            raise RuntimeError("the asyncio thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call_soon(self, callback: Any, *args: Any) -> None:
        """Run a plain callable on the loop thread (thread-safe)."""
        self.loop.call_soon_threadsafe(callback, *args)

    def stop(self, timeout: float = 2.0) -> bool:
        """Cancel pending tasks, stop the loop and join. True if the thread ended."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return True
        if thread.is_alive():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:  # loop already closed
                pass
        thread.join(timeout)
        ended = not thread.is_alive()
        if not ended:
            _log.warning("asyncio thread %s did not stop within %.1f s", self._name, timeout)
        self._thread = None
        return ended

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.call_soon(self._ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                _cancel_pending(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    """What ``asyncio.run`` does on exit: cancel every task and let it unwind."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
