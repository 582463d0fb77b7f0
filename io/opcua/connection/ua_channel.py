"""Read the ServiceFault a server answers to OpenSecureChannel.

A server that refuses the secure channel (most often: it does not trust the
client certificate) may answer the OpenSecureChannel request with a
ServiceFault instead of an ERR message; node-opcua does. asyncua (2.1) then
tries to parse the fault as an OpenSecureChannelResponse, logs the parse
error, drops the socket and raises a bare ``AssertionError``, so the status
code the server sent is lost and the client retries a refusal that cannot heal.

:func:`read_channel_faults` gives one unconnected ``Client`` a socket
protocol that recognises the fault and fails the pending request with the
server's status code (``ua.UaStatusCodeError``), the way asyncua already
reports an ERR message. It relies on two asyncua internals
(``UaClient._make_protocol`` and ``UASocketProtocol._process_received_message``);
tests/io/opcua/test_node_opcua_refusal.py fails if a release moves them.
"""

from __future__ import annotations

import logging
from typing import Any

from asyncua import Client, ua
from asyncua.client.ua_client import UASocketProtocol
from asyncua.common.utils import NotEnoughData
from asyncua.ua.ua_binary import nodeid_from_binary, struct_from_binary

_SERVICE_FAULT = ua.FourByteNodeId(ua.ObjectIds.ServiceFault_Encoding_DefaultBinary)

_log = logging.getLogger(__name__)


def service_fault_code(body: Any) -> int | None:
    """The ServiceResult of a ServiceFault message body, ``None`` for any other body."""
    try:
        if nodeid_from_binary(body) != _SERVICE_FAULT:
            return None
        return int(struct_from_binary(ua.ResponseHeader, body).ServiceResult.value)
    except (NotEnoughData, ValueError, TypeError):
        return None


class _FaultAwareProtocol(UASocketProtocol):
    """asyncua's socket protocol, failing an OpenSecureChannel answered by a ServiceFault."""

    def _process_received_message(self, msg: Any) -> None:
        opening = isinstance(getattr(self, "_open_secure_channel_exchange", None), ua.OpenSecureChannelParameters)
        if opening and isinstance(msg, ua.Message):
            code = service_fault_code(msg.body())
            if code is not None:
                _log.info("OpenSecureChannel refused: %s", ua.StatusCode(code).name)
                raise ua.UaStatusCodeError(code)  # asyncua fails the pending request with it
        super()._process_received_message(msg)


def read_channel_faults(client: Client) -> None:
    """Make ``client`` (not yet connected) report a refused secure channel by its status code."""
    uaclient = client.uaclient
    original = getattr(uaclient, "_make_protocol", None)
    if original is None:  # another asyncua: keep its behaviour
        return

    def make_protocol() -> UASocketProtocol:
        protocol = original()
        if type(protocol) is UASocketProtocol:  # the subclass adds behaviour, no state
            protocol.__class__ = _FaultAwareProtocol
        return protocol

    uaclient._make_protocol = make_protocol
