"""Ctrl+C and SIGTERM end the GUI the way Ctrl+Q does: cleanly, exit status 0.

A Python signal handler runs between two bytecodes of the main thread, which
in a Qt/VTK application is often inside a paint event or a VTK render
callback. Closing the window there finalizes the OpenGL context under a
running render (VTK then warns "pop framebuffer beyond beginning of the
stack" and the process may abort), and raising KeyboardInterrupt there
unwinds through C++ frames. So the handler only records the request; the C
level handler also writes a byte to a wakeup socket, whose QSocketNotifier
makes the Qt event loop call the quit routine from the top of the loop.

Standard library only at import time: ``install()`` runs before Qt, VTK and
asyncua are imported, so a Ctrl+C during the seconds of start-up is caught
too (checked with :attr:`QuitSignals.requested` between start-up steps).
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

HANDLED = (signal.SIGINT, signal.SIGTERM)


class QuitSignals:
    """Turns SIGINT/SIGTERM into a request the Qt event loop acts on."""

    def __init__(self) -> None:
        self.requested = False
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._notifier = None
        self._on_quit: Callable[[], None] | None = None

    def install(self) -> "QuitSignals":
        """Catch SIGINT and SIGTERM from now on (main thread only), for the rest of
        the process: the GUI's last act is to exit."""
        signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for number in HANDLED:
            signal.signal(number, self._on_signal)
        return self

    def _on_signal(self, _number, _frame) -> None:
        # Only a flag: this may run in the middle of a render (see module doc).
        self.requested = True

    def connect(self, on_quit: Callable[[], None]) -> None:
        """Call ``on_quit`` from the Qt event loop once a signal arrives (at once
        if one arrived already). Needs a QCoreApplication."""
        from PySide6.QtCore import QSocketNotifier, QTimer

        self._on_quit = on_quit
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._on_wakeup)
        if self.requested:
            QTimer.singleShot(0, self._quit)

    def _on_wakeup(self, *_args) -> None:
        try:
            while self._reader.recv(512):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        if self.requested:
            # Queued, not called here: a notifier can fire inside a nested loop.
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self._quit)

    def _quit(self) -> None:
        on_quit, self._on_quit = self._on_quit, None  # once, however many signals came
        if on_quit is not None:
            on_quit()
