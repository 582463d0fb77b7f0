"""A real asyncua server with one variable of each type a line exposes, for the io tests.

Boolean, Int32, UInt16, Float, Double, String, DateTime, LocalizedText, the
standard enumeration ServerState (names in the EnumStrings property), and an
enumeration of its own (``Mode``, names only in its DataTypeDefinition), each
under ``ns=2;s=Cell.<Name>``.
"""

from __future__ import annotations

import socket
from datetime import datetime, timezone

from asyncua import Server, ua
from asyncua.common.structures104 import new_enum

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.twin.model import Asset, AssetLevel, Limits, Project, Signal, SignalKind

STARTED = datetime(2024, 5, 17, 6, 30, 15, 250000, tzinfo=timezone.utc)
VARIABLES: dict[str, ua.Variant] = {
    "Running": ua.Variant(True, ua.VariantType.Boolean),
    "Count": ua.Variant(-42, ua.VariantType.Int32),
    "Speed": ua.Variant(1200, ua.VariantType.UInt16),
    "Ratio": ua.Variant(0.5, ua.VariantType.Float),
    "Temperature": ua.Variant(71.25, ua.VariantType.Double),
    "Recipe": ua.Variant("PET-500 ml", ua.VariantType.String),
    "BatchStart": ua.Variant(STARTED, ua.VariantType.DateTime),
    "Operator": ua.Variant(ua.LocalizedText("Jana Nováková", "cs"), ua.VariantType.LocalizedText),
    "ServerState": ua.Variant(0, ua.VariantType.Int32),  # ServerState 0: Running
}
MODE_NAMES = ["Off", "Setup", "Production", "Cleaning"]


def signal(name: str, kind: SignalKind = SignalKind.ANALOG, **kwargs) -> Signal:
    return Signal(f"cell.{name.lower()}", "cell", f"ns=2;s=Cell.{name}", kind, **kwargs)


def typed_project(*extra: Signal) -> Project:
    """Every variable as an analog signal without rules, plus ``extra``."""
    signals = tuple(signal(name) for name in [*VARIABLES, "Mode"])
    return Project("typed cell", None, (Asset("cell", "Cell", AssetLevel.ASSET),), signals + extra)


# A String with limits and a DateTime with a trend rule: nothing numeric to use.
RECIPE_WITH_LIMITS = Signal("cell.recipe_limited", "cell", "ns=2;s=Cell.Recipe", SignalKind.ANALOG,
                            limits=Limits(low=0.0, high=10.0))


class TypedServer:
    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}/typed/"
        self._thread = AsyncioThread(name="typed-test-server")
        self._server: Server | None = None

    async def _start(self) -> None:
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        ns = await server.register_namespace("urn:linetwin:typed-test")
        cell = await server.nodes.objects.add_object(ua.NodeId("Cell", ns), "Cell")
        for name, variant in VARIABLES.items():
            var = await cell.add_variable(ua.NodeId(f"Cell.{name}", ns), name, variant)
            if name == "ServerState":
                await var.write_attribute(ua.AttributeIds.DataType, ua.DataValue(ua.NodeId(852)))
        mode_type = await new_enum(server, ns, "MachineMode", MODE_NAMES)
        await cell.add_variable(ua.NodeId("Cell.Mode", ns), "Mode", ua.Variant(2, ua.VariantType.Int32),
                                datatype=mode_type.nodeid)
        await server.start()
        self._server = server

    def __enter__(self) -> "TypedServer":
        self._thread.start()
        self._thread.submit(self._start()).result(30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._thread.submit(self._server.stop()).result(10)
        self._thread.stop()
