"""What the headless commands saw of their links, for their exit codes.

``monitor`` and ``record`` read every endpoint of a project; each must have
been reached at least once, or the command says which was not and why.
"""

from __future__ import annotations

from linetwin.io.opcua.opcua_client import STOPPED
from linetwin.twin.updates import ConnectionChange, ConnectionState


class LinkWatch:
    """Endpoints ever connected during a run, and the latest failure of each."""

    def __init__(self) -> None:
        self.connected: set[str] = set()
        self.failures: dict[str, str] = {}  # endpoint -> why the latest attempt failed

    def saw(self, change: ConnectionChange) -> None:
        if change.state is ConnectionState.CONNECTED:
            self.connected.add(change.endpoint)
        elif change.state in (ConnectionState.DISCONNECTED, ConnectionState.LOST) and change.message != STOPPED:
            self.failures[change.endpoint] = change.message

    def never_connected(self, endpoints: list[str]) -> list[tuple[str, str]]:
        """(endpoint, why) of each endpoint never reached, in the order given."""
        return [(ep, self.failures.get(ep) or f"no answer from {ep}")
                for ep in endpoints if ep not in self.connected]
