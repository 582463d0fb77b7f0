"""Endpoint discovery against a real asyncua server offering several security
policies, the default choice, and clear errors for what is not a server."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest
from asyncua import ua

from linetwin.io.opcua.connection.endpoints import EndpointError, EndpointOption, default_choice, discover, discover_blocking
from tests.io.secure_server import SERVER_URI, SecureTestServer

pytestmark = pytest.mark.timeout(30)

OFFERED = (
    ua.SecurityPolicyType.NoSecurity,
    ua.SecurityPolicyType.Basic128Rsa15_SignAndEncrypt,
    ua.SecurityPolicyType.Basic256_Sign,
    ua.SecurityPolicyType.Basic256Sha256_Sign,
    ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
    ua.SecurityPolicyType.Aes256Sha256RsaPss_SignAndEncrypt,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    tokens = (ua.AnonymousIdentityToken, ua.UserNameIdentityToken)
    with SecureTestServer(folder, policies=OFFERED, tokens=tokens) as srv:
        yield srv


@pytest.fixture(scope="module")
def options(server) -> list[EndpointOption]:
    return discover_blocking(server.endpoint, timeout=5)


def _option(policy: str, mode: str, **kwargs) -> EndpointOption:
    return EndpointOption(url="opc.tcp://h:1/", security_policy=policy, security_mode=mode, security_level=0,
                          user_tokens=frozenset({"anonymous"}), server_uri="urn:s", server_name="s", **kwargs)


def test_discovery_lists_every_endpoint_with_its_policy_and_mode(options, server):
    found = {(o.security_policy, o.security_mode) for o in options}
    assert found == {
        ("None", "None"),
        ("Basic128Rsa15", "SignAndEncrypt"),
        ("Basic256", "Sign"),
        ("Basic256Sha256", "Sign"),
        ("Basic256Sha256", "SignAndEncrypt"),
        ("Aes256_Sha256_RsaPss", "SignAndEncrypt"),
    }
    for option in options:
        assert option.server_uri == SERVER_URI
        assert option.user_tokens == {"anonymous", "username"}
        assert option.supported
        if option.secure:  # the certificate to show the user before trusting it
            assert option.certificate == server.certificate
            assert option.certificate.thumbprint == server.certificate.thumbprint


def test_deprecated_and_recommended_flags(options):
    flags = {(o.security_policy, o.security_mode): (o.deprecated, o.recommended) for o in options}
    assert flags[("Basic128Rsa15", "SignAndEncrypt")] == (True, False)
    assert flags[("Basic256", "Sign")] == (True, False)
    assert flags[("Basic256Sha256", "SignAndEncrypt")] == (False, True)
    assert flags[("Aes256_Sha256_RsaPss", "SignAndEncrypt")] == (False, True)
    assert flags[("Basic256Sha256", "Sign")] == (False, False)
    assert flags[("None", "None")] == (False, False)
    labels = {o.label for o in options}
    assert "Basic128Rsa15 - SignAndEncrypt (deprecated)" in labels
    assert "Basic256Sha256 - SignAndEncrypt (recommended)" in labels
    assert "None (no security)" in labels


def test_the_default_is_basic256sha256_sign_and_encrypt(options):
    choice = default_choice(options)
    assert (choice.security_policy, choice.security_mode) == ("Basic256Sha256", "SignAndEncrypt")


@pytest.mark.parametrize("offered, expected", [
    ([("None", "None"), ("Basic256", "SignAndEncrypt"), ("Aes128_Sha256_RsaOaep", "Sign")],
     ("Aes128_Sha256_RsaOaep", "Sign")),  # a current policy before a deprecated one
    ([("Basic256Sha256", "Sign"), ("Aes256_Sha256_RsaPss", "SignAndEncrypt")],
     ("Aes256_Sha256_RsaPss", "SignAndEncrypt")),
    ([("Basic128Rsa15", "Sign"), ("Basic256", "SignAndEncrypt")], ("Basic256", "SignAndEncrypt")),
    ([("None", "None"), ("ECC_nistP256", "SignAndEncrypt")], ("None", "None")),  # unsupported is never chosen
    ([("ECC_nistP256", "SignAndEncrypt")], None),
    ([], None),
])
def test_default_choice_without_basic256sha256(offered, expected):
    choice = default_choice([_option(p, m) for p, m in offered])
    assert (None if choice is None else (choice.security_policy, choice.security_mode)) == expected


def test_an_unsupported_policy_is_listed_but_marked():
    option = _option("ECC_nistP256", "SignAndEncrypt")
    assert not option.supported and not option.recommended and not option.deprecated
    assert "not supported" in option.label


def test_discover_blocking_works_from_a_worker_thread(server):
    result: list = []
    worker = threading.Thread(target=lambda: result.append(discover_blocking(server.endpoint, 5)))
    worker.start()
    worker.join(10)
    assert len(result[0]) == len(OFFERED)


# --- errors ---------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_is_named():
    url = f"opc.tcp://127.0.0.1:{_closed_port()}/x"
    with pytest.raises(EndpointError, match="unreachable") as info:
        discover_blocking(url, timeout=2)
    assert url in str(info.value) and info.value.url == url


def test_a_silent_peer_times_out_within_the_timeout():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"opc.tcp://127.0.0.1:{listener.getsockname()[1]}/"
        started = time.monotonic()
        with pytest.raises(EndpointError, match=r"no answer within 1 s"):
            discover_blocking(url, timeout=1.0)
        assert time.monotonic() - started < 10.0  # a hang guard, not a timing


def test_something_else_than_an_opc_ua_server_is_recognised():
    async def run() -> str:
        async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(100)
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(http, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            await discover(f"opc.tcp://127.0.0.1:{port}/", timeout=2)
        except EndpointError as exc:
            return str(exc)
        finally:
            server.close()
        return "no error"

    assert "did not answer as an OPC UA server" in asyncio.run(run())


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:4840/", "not an OPC UA address"),
    ("opc.tcp://127.0.0.1/", "host and port are needed"),
    ("opc.tcp://127.0.0.1:port/", "port is not a number"),
])
def test_a_malformed_url_is_refused_before_any_network(url, reason):
    with pytest.raises(EndpointError, match=reason):
        discover_blocking(url)


def test_a_password_in_the_url_never_shows_in_an_error():
    url = f"opc.tcp://op:s3cret-pw@127.0.0.1:{_closed_port()}/"
    with pytest.raises(EndpointError) as info:
        discover_blocking(url, timeout=2)
    assert "s3cret-pw" not in str(info.value)
    assert "op@127.0.0.1" in str(info.value)


def test_a_secure_connection_without_a_trust_store_is_refused_saying_why():
    # No store is ever made up from the user's folder behind the caller's back.
    from linetwin.io.opcua.connection.endpoints import new_client
    from linetwin.io.opcua.connection.security import ConnectionRefused, ConnectionSettings, ProblemKind

    url = "opc.tcp://127.0.0.1:4840/nowhere"
    settings = ConnectionSettings(url, "Basic256Sha256", "SignAndEncrypt")
    with pytest.raises(ConnectionRefused, match="needs a trust store") as refused:
        asyncio.run(new_client(url, settings, None, None))
    assert refused.value.problem.kind is ProblemKind.CONFIGURATION
