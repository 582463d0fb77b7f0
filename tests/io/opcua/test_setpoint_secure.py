"""The guarded setpoint writer over Basic256Sha256/SignAndEncrypt with a user name,
through the same connection factory and trust store as the live client: a
session only to a trusted server, refusals told plainly."""

from __future__ import annotations

import dataclasses

import pytest

from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import ClientIdentity, TrustStore
from linetwin.io.opcua.setpoint_writer import SetpointError, WriteRequest, read_value_blocking, write_guarded_blocking
from tests.io.secure_server import PASSWORD, USERNAME, SecureTestServer

pytestmark = pytest.mark.timeout(60)

TEMPERATURE = "nsu=urn:linetwin:secure-test;s=Cell1.Temperature"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return tmp_path_factory.mktemp("client-pki")


@pytest.fixture(scope="module")
def server(tmp_path_factory, pki):
    """Trusts the client certificate the writer will use (``<pki>/own``, as load_identity makes it)."""
    identity = ClientIdentity.load_or_create(pki / "own")
    with SecureTestServer(tmp_path_factory.mktemp("server"), trusted_clients=(identity.info.der,)) as srv:
        yield srv


def settings(server, password: str = PASSWORD) -> ConnectionSettings:
    return ConnectionSettings(server.endpoint, "Basic256Sha256", "SignAndEncrypt", USERNAME, password)


def test_a_trusted_secure_server_is_read_and_its_read_only_node_refused(server, pki):
    trust = TrustStore(pki)
    trust.trust(server.certificate)
    assert read_value_blocking(server.endpoint, settings(server), trust, TEMPERATURE) == 71.5
    outcome = write_guarded_blocking(server.endpoint, settings(server), trust, WriteRequest(TEMPERATURE, 70.0))
    assert [s.what for s in outcome.steps] == ["read-old", "write", "done"] and outcome.old == 71.5
    assert not outcome.written and "BadUserAccessDenied" in outcome.reason


def test_an_untrusted_server_certificate_stops_the_write_before_any_session(server, pki, tmp_path):
    trust = TrustStore(tmp_path / "empty-pki")
    sessions_before = len(server.activations)
    outcome = write_guarded_blocking(server.endpoint, settings(server), trust, WriteRequest(TEMPERATURE, 70.0))
    assert not outcome.written and outcome.old is None
    assert outcome.reason.startswith(f"cannot connect to {server.endpoint}: ")
    assert server.certificate.thumbprint in outcome.reason
    assert len(server.activations) == sessions_before  # the password never went out


def test_a_wrong_password_and_a_missing_trust_store_are_told_plainly(server, pki):
    trust = TrustStore(pki)
    trust.trust(server.certificate)
    outcome = write_guarded_blocking(server.endpoint, settings(server, "wrong"), trust, WriteRequest(TEMPERATURE, 70.0))
    assert not outcome.written and "user name or password rejected" in outcome.reason
    assert "wrong" not in outcome.reason
    with pytest.raises(SetpointError, match="a secure connection needs a trust store"):
        read_value_blocking(server.endpoint, settings(server), None, TEMPERATURE)
    plain = dataclasses.replace(settings(server), security_policy="None", security_mode="None")
    with pytest.raises(SetpointError, match="offers no endpoint without security"):
        read_value_blocking(server.endpoint, plain, None, TEMPERATURE)
