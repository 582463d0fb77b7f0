"""Log levels for the libraries LineTwin uses, set by the application only.

Library code (io/, scene/, twin/) never changes logging: a program that embeds
it keeps its own configuration. ``main.py`` calls :func:`quiet_libraries` once
at start-up for the GUI and every command; the test suite calls it too.
"""

from __future__ import annotations

import logging

# asyncua logs every connect, publish and subscription at INFO, and warns about
# missing security policies on every server start; that drowns our own logs.
_QUIET_LEVELS = {
    "asyncua": logging.WARNING,
    # "No signing policy available ..." on every start, "subscription expired"
    # and "session timed out" whenever a client goes away without saying so.
    "asyncua.server": logging.ERROR,
    # Logs a traceback for a failed bind, then raises it to us anyway.
    "asyncua.server.server": logging.CRITICAL,
    # A lost server makes the client log tracebacks at ERROR ("Publish iteration
    # crashed", "close_session raised ..."); LiveClient reports the loss itself.
    "asyncua.client": logging.CRITICAL,
    "asyncua.common.subscription": logging.ERROR,
}


def quiet_libraries() -> None:
    """Raise asyncua's log levels (except on loggers someone configured already),
    and give trimesh's logger a handler: it logs warnings, some with tracebacks,
    for files we report in our own words, and without a handler Python prints
    them to stderr."""
    for name, level in _QUIET_LEVELS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)
    trimesh_log = logging.getLogger("trimesh")
    if not trimesh_log.handlers:
        trimesh_log.addHandler(logging.NullHandler())
