"""What an OPC UA server offers (its endpoints, for the connection dialog), and
an asyncua client set up securely for one of them.

:func:`discover` asks the server for its endpoints over an unsecured channel
(GetEndpoints needs none). Nothing in the answer is trusted: the server
certificate it lists is shown to the user and checked against the
:class:`~linetwin.io.opcua.connection.trust_store.TrustStore` before any secure connection.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from asyncua import Client, ua

from linetwin.io.opcua.connection.security import (
    POLICIES,
    ConnectionProblem,
    ConnectionRefused,
    ConnectionSettings,
    PinnedCertificateValidator,
    ProblemKind,
    apply_credentials,
    apply_security,
    mode_name,
    policy_name,
    redact_url,
    split_credentials,
    untrusted,
)
from linetwin.io.opcua.connection.trust_store import CertificateError, CertificateInfo, ClientIdentity, TrustStore
from linetwin.io.opcua.connection.ua_channel import read_channel_faults

DISCOVERY_TIMEOUT_S = 5.0
_TOKEN_NAMES = {
    ua.UserTokenType.Anonymous: "anonymous",
    ua.UserTokenType.UserName: "username",
    ua.UserTokenType.Certificate: "certificate",
    ua.UserTokenType.IssuedToken: "issued",
}
_MODE_RANK = {"None": 0, "Sign": 1, "SignAndEncrypt": 2}


class EndpointError(Exception):
    """Discovery failed. ``str()`` is ``"<url>: <reason>"`` (any password in the
    URL left out); ``reason`` alone says what went wrong."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{redact_url(url)}: {reason}")
        self.url, self.reason = url, reason


@dataclass(frozen=True)
class EndpointOption:
    """One endpoint a server offers: security policy and mode, login kinds.

    ``supported`` is False for a policy this client cannot speak (e.g. ECC);
    ``deprecated`` marks Basic128Rsa15 and Basic256 (SHA-1, withdrawn by the
    OPC Foundation); ``recommended`` marks a current policy with SignAndEncrypt.
    """

    url: str  # what the server says the endpoint is; connect to the URL you asked
    security_policy: str  # short name, e.g. "Basic256Sha256"
    security_mode: str  # "None" | "Sign" | "SignAndEncrypt"
    security_level: int
    user_tokens: frozenset[str]  # "anonymous", "username", "certificate", "issued"
    server_uri: str
    server_name: str
    server_certificate: bytes | None = field(default=None, repr=False)

    @property
    def supported(self) -> bool:
        return self.security_policy in POLICIES

    @property
    def secure(self) -> bool:
        return self.security_mode != "None"

    @property
    def deprecated(self) -> bool:
        return self.supported and POLICIES[self.security_policy][1]

    @property
    def recommended(self) -> bool:
        return self.supported and self.secure and not self.deprecated and self.security_mode == "SignAndEncrypt"

    @property
    def certificate(self) -> CertificateInfo | None:
        """The server certificate this endpoint lists, or None if absent or unreadable."""
        if not self.server_certificate:
            return None
        try:
            return CertificateInfo.from_der(self.server_certificate)
        except CertificateError:
            return None

    @property
    def label(self) -> str:
        """``Basic256Sha256 - SignAndEncrypt`` plus a note, for a list in the dialog."""
        text = "None (no security)" if not self.secure else f"{self.security_policy} - {self.security_mode}"
        if self.deprecated:
            text += " (deprecated)"
        elif not self.supported:
            text += " (not supported by LineTwin)"
        elif self.recommended and self.security_policy == "Basic256Sha256":
            text += " (recommended)"
        return text

    def matches(self, policy: str, mode: str) -> bool:
        return self.security_policy == policy and self.security_mode == mode

    @classmethod
    def from_description(cls, ep: ua.EndpointDescription) -> "EndpointOption":
        tokens = frozenset(_TOKEN_NAMES.get(t.TokenType, str(t.TokenType)) for t in ep.UserIdentityTokens or [])
        server = ep.Server
        return cls(
            url=ep.EndpointUrl or "",
            security_policy=policy_name(ep.SecurityPolicyUri or ""),
            security_mode=mode_name(ep.SecurityMode),
            security_level=int(ep.SecurityLevel or 0),
            user_tokens=tokens,
            server_uri=(server.ApplicationUri or "") if server else "",
            server_name=(server.ApplicationName.Text or "") if server and server.ApplicationName else "",
            server_certificate=bytes(ep.ServerCertificate) if ep.ServerCertificate else None,
        )


def _strength(option: EndpointOption) -> tuple[int, int, int]:
    return (not option.deprecated, _MODE_RANK.get(option.security_mode, 0), POLICIES[option.security_policy][2])


def default_choice(options: list[EndpointOption]) -> EndpointOption | None:
    """Basic256Sha256/SignAndEncrypt if offered, else the strongest secure option
    LineTwin supports (deprecated policies last), else the None endpoint."""
    usable = [o for o in options if o.supported]
    for option in usable:
        if option.matches("Basic256Sha256", "SignAndEncrypt"):
            return option
    secure = [o for o in usable if o.secure]
    if secure:
        return max(secure, key=_strength)
    return next((o for o in usable if not o.secure), None)


def find_option(options: list[EndpointOption], policy: str, mode: str) -> EndpointOption | None:
    return next((o for o in options if o.matches(policy, mode)), None)


def check_url(url: str) -> str:
    """``url`` without credentials; EndpointError if it is not an opc.tcp URL."""
    clean = split_credentials(url)[0]
    parts = urlsplit(clean)
    if parts.scheme != "opc.tcp":
        raise EndpointError(url, "not an OPC UA address (expected opc.tcp://host:port/...)")
    try:
        port = parts.port
    except ValueError:
        raise EndpointError(url, "the port is not a number") from None
    if not parts.hostname or port is None:
        raise EndpointError(url, "host and port are needed (opc.tcp://host:port/...)")
    return clean


async def discover(url: str, timeout: float = DISCOVERY_TIMEOUT_S) -> list[EndpointOption]:
    """The endpoints the server at ``url`` offers.

    Raises
    ------
    EndpointError : bad URL, unreachable, no answer within ``timeout`` seconds,
        or not an OPC UA server
    """
    client = Client(check_url(url), timeout=timeout)
    try:
        descriptions = await asyncio.wait_for(_get_endpoints(client), timeout)
    except asyncio.TimeoutError:
        raise EndpointError(url, f"no answer within {timeout:g} s (is it an OPC UA server?)") from None
    except _Unreachable as exc:  # refused, unreachable host, unknown name
        raise EndpointError(url, f"unreachable ({exc})") from None
    except ua.UaStatusCodeError as exc:
        raise EndpointError(url, f"refused to list its endpoints ({_brief(exc)})") from None
    except Exception as exc:  # noqa: BLE001
        # Garbage or a closed socket instead of an Acknowledge: something else listens there.
        raise EndpointError(url, f"did not answer as an OPC UA server ({_brief(exc)})") from None
    finally:
        client.disconnect_socket()
    if not descriptions:
        raise EndpointError(url, "offers no endpoints")
    return [EndpointOption.from_description(d) for d in descriptions]


class _Unreachable(Exception):
    pass


async def _get_endpoints(client: Client) -> list[ua.EndpointDescription]:
    """asyncua's connect_and_get_server_endpoints, telling "no connection" from
    "connected, but no OPC UA answer"."""
    try:
        await client.connect_socket()
    except OSError as exc:
        reason = os.strerror(exc.errno) if isinstance(exc.errno, int) and exc.errno > 0 else None
        raise _Unreachable(reason or exc.strerror or str(exc) or type(exc).__name__) from None
    try:
        await client.send_hello()
        await client.open_secure_channel()
        endpoints = await client.get_endpoints()
        try:
            await client.close_secure_channel()
        except Exception:  # noqa: BLE001 - we have what we came for
            pass
        return endpoints
    finally:
        client.disconnect_socket()


async def trusted_server_certificate(url: str, settings: ConnectionSettings, trust: TrustStore,
                                     timeout: float = DISCOVERY_TIMEOUT_S) -> CertificateInfo:
    """The certificate of the endpoint ``settings`` ask for, if the user trusts it.

    Raises
    ------
    EndpointError : discovery failed (may be transient: retry later)
    ConnectionRefused : no such endpoint, no certificate, or an untrusted one
        (the user must act: the problem carries the certificate to show)
    """
    options = await discover(url, timeout)
    option = find_option(options, settings.security_policy, settings.security_mode)
    shown = redact_url(url)
    if option is None:
        offered = ", ".join(sorted({o.label for o in options})) or "nothing"
        raise ConnectionRefused(ConnectionProblem(
            ProblemKind.SECURITY_NOT_OFFERED,
            f"{shown} offers no {settings.security_policy}/{settings.security_mode} endpoint (it offers: {offered})"))
    info = option.certificate
    if info is None:
        raise ConnectionRefused(ConnectionProblem(
            ProblemKind.INVALID_CERTIFICATE, f"{shown} lists no usable certificate for {option.label}"))
    if not trust.is_trusted(info):
        raise ConnectionRefused(untrusted(info, url))
    return info


def load_identity(trust: TrustStore) -> ClientIdentity:
    """The client certificate kept beside ``trust``'s lists (``<pki>/own``), created
    if missing; ConnectionRefused if it cannot be made."""
    try:
        return ClientIdentity.load_or_create(trust.folder / "own")
    except OSError as exc:
        raise ConnectionRefused(ConnectionProblem(
            ProblemKind.CONFIGURATION, f"cannot create the client certificate: {exc}")) from None


async def new_client(url: str, settings: ConnectionSettings, trust: TrustStore | None,
                     identity: ClientIdentity | None,
                     **client_args: Any) -> tuple[Client, PinnedCertificateValidator | None]:
    """An asyncua ``Client`` for ``url`` set up as ``settings`` say, not connected.

    For a secure connection the endpoint's server certificate is discovered
    first and must be trusted (else ConnectionRefused, before the session's
    socket is opened); the client is then pinned to it, and the returned
    validator tells what was wrong if asyncua refuses the session's certificate.
    """
    validator = None
    if settings.secure:
        if trust is None:
            raise ConnectionRefused(ConnectionProblem(
                ProblemKind.CONFIGURATION, f"{redact_url(url)}: a secure connection needs a trust "
                "store (the accepted server certificates); none was given"))
        if identity is None:
            raise ValueError("a secure connection needs a ClientIdentity")
        certificate = await trusted_server_certificate(url, settings, trust, client_args.get("timeout", 3.0))
    client = Client(url, **client_args)
    read_channel_faults(client)  # a refused secure channel names its status code
    if settings.secure:
        try:
            validator = await apply_security(client, settings, identity, certificate, trust)
        except (OSError, ValueError, ua.UaError) as exc:
            raise ConnectionRefused(ConnectionProblem(
                ProblemKind.CONFIGURATION, f"cannot use the client certificate in {identity.folder}: {exc}")) from None
    apply_credentials(client, settings)
    return client, validator


async def close_client(client: Client, graceful: bool) -> None:
    """End a client's session and socket without hanging or logging tracebacks."""
    if graceful:
        try:
            await asyncio.wait_for(client.disconnect(), 1.0)
            return
        except (Exception, asyncio.TimeoutError):  # noqa: BLE001 - fall through to the hard way
            pass
    try:
        # Cancels asyncua's supervisor, watchdog and publish tasks; the
        # CloseSession request itself fails fast on a dead socket.
        await asyncio.wait_for(client.close_session(), 0.5)
    except (Exception, asyncio.TimeoutError):  # noqa: BLE001
        pass
    try:
        # Once asyncua marked the client DISCONNECTED (its watchdog gave up on
        # a silent server), client.disconnect_socket() is a no-op and the
        # socket would leak: close the transport through the protocol.
        protocol = getattr(client.uaclient, "protocol", None)
        if protocol is not None:
            protocol.disconnect_socket()
        client.disconnect_socket()
    except Exception:  # noqa: BLE001
        pass


def discover_blocking(url: str, timeout: float = DISCOVERY_TIMEOUT_S) -> list[EndpointOption]:
    """:func:`discover` for a thread without an event loop (a GUI worker thread)."""
    return asyncio.run(discover(url, timeout))


def _brief(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "..."
