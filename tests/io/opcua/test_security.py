"""OPC UA security: the client's own certificate, the trust list, connection
settings, and LiveClient against a real server that requires
Basic256Sha256/SignAndEncrypt and a user name (all over 127.0.0.1)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import logging
import queue
import stat
import time

import pytest
from asyncua.common.utils import ServiceError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.opcua.connection.security import (
    ConnectionSettings,
    PinnedCertificateValidator,
    ProblemKind,
    redact_url,
    split_credentials,
)
from linetwin.io.opcua.address_space import AddressSpaceBrowser, BrowseError
from linetwin.io.opcua.connection.trust_store import CertificateError, CertificateInfo, ClientIdentity, TrustStore
from linetwin.twin.model import SourceConfig
from linetwin.twin.updates import ConnectionState
from tests.io.conftest_opcua import FreezableProxy, QueueReader
from tests.io.secure_server import PASSWORD, SECURE_PROJECT, USERNAME, SecureTestServer, make_certificate

pytestmark = pytest.mark.timeout(30)

SIGNAL_IDS = {s.id for s in SECURE_PROJECT.signals}


@pytest.fixture(scope="module")
def identity(tmp_path_factory) -> ClientIdentity:
    return ClientIdentity.load_or_create(tmp_path_factory.mktemp("pki") / "own")


@pytest.fixture(scope="module")
def server(tmp_path_factory, identity):
    """Requires Basic256Sha256/SignAndEncrypt and USERNAME; trusts ``identity``."""
    with SecureTestServer(tmp_path_factory.mktemp("server"), trusted_clients=(identity.info.der,)) as srv:
        yield srv


@pytest.fixture
def trust(tmp_path) -> TrustStore:
    return TrustStore(tmp_path / "pki")


@pytest.fixture
def connect(identity, trust):
    """Start LiveClients with secure settings; every one is stopped after the test."""
    clients: list[LiveClient] = []

    def start(endpoint: str, password: str | None = PASSWORD, identity: ClientIdentity = identity,
              **changes) -> tuple[LiveClient, QueueReader]:
        settings = ConnectionSettings(endpoint, "Basic256Sha256", "SignAndEncrypt", USERNAME, password)
        settings = dataclasses.replace(settings, **changes)
        updates: queue.SimpleQueue = queue.SimpleQueue()
        client = LiveClient(SECURE_PROJECT, updates, settings=settings, identity=identity, trust=trust)
        client.start()
        clients.append(client)
        return client, QueueReader(updates)

    yield start
    for client in clients:
        client.stop()


def _messages(reader: QueueReader) -> list[str]:
    return [getattr(i, "message", "") for i in reader.items if hasattr(i, "state")]


# --- the client's own certificate ----------------------------------------------------


def test_identity_is_created_once_with_a_private_key_only_the_user_can_read(tmp_path):
    first = ClientIdentity.load_or_create(tmp_path / "own", hostname="station-7")
    again = ClientIdentity.load_or_create(tmp_path / "own", hostname="ignored-once-created")
    assert again.thumbprint == first.thumbprint
    assert first.application_uri == "urn:linetwin:client:station-7"
    assert stat.S_IMODE(first.private_key_path.stat().st_mode) == 0o600
    cert = x509.load_der_x509_certificate(first.certificate_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["urn:linetwin:client:station-7"]
    assert ExtendedKeyUsageOID.CLIENT_AUTH in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and usage.data_encipherment
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=700) < lifetime < dt.timedelta(days=800)
    assert x509.load_pem_x509_certificate(first.certificate_pem_path.read_bytes()) == cert


def test_a_broken_identity_is_replaced_and_the_old_files_kept(tmp_path, caplog):
    first = ClientIdentity.load_or_create(tmp_path / "own")
    first.private_key_path.write_text("not a key")
    with caplog.at_level(logging.WARNING):
        second = ClientIdentity.load_or_create(tmp_path / "own")
    assert second.thumbprint != first.thumbprint
    assert (tmp_path / "own" / "key.pem.old").read_text() == "not a key"
    assert "creating a new one" in caplog.text


# --- settings -------------------------------------------------------------------------


def test_settings_never_show_the_password():
    settings = ConnectionSettings("opc.tcp://h:4840/", "Basic256Sha256", "SignAndEncrypt", "op", "hunter2-secret")
    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in str(settings)
    assert "hunter2-secret" not in repr([settings])  # inside containers too
    assert "password" not in settings.to_dict()
    assert settings.password == "hunter2-secret"  # kept in memory for the session
    source = SourceConfig("opc.tcp://h:4840/", "Basic256Sha256", "SignAndEncrypt", "op")
    assert ConnectionSettings.from_source(source, password="x") == settings  # password not compared


@pytest.mark.parametrize("policy, mode", [("Basic512", "SignAndEncrypt"), ("Basic256Sha256", "Encrypt"),
                                          ("Basic256Sha256", "None"), ("None", "Sign")])
def test_bad_settings_are_refused_clearly(policy, mode):
    with pytest.raises(ValueError, match="security"):
        ConnectionSettings("opc.tcp://h:4840/", policy, mode)


def test_credentials_in_a_url_are_split_off_and_never_shown():
    assert split_credentials("opc.tcp://op:p%40ss@h:4840/x") == ("opc.tcp://h:4840/x", "op", "p@ss")
    assert redact_url("opc.tcp://op:p%40ss@h:4840/x") == "opc.tcp://op@h:4840/x"
    assert redact_url("opc.tcp://h:4840/x") == "opc.tcp://h:4840/x"


# --- trust store and certificate details -------------------------------------------------


def _certificate(tmp_path, days_from: int = -1, days_to: int = 30) -> CertificateInfo:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old-plc")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days_from)).not_valid_after(now + dt.timedelta(days=days_to))
            .sign(key, hashes.SHA256()))
    return CertificateInfo.from_x509(cert)


def test_certificate_info_shows_what_the_user_decides_on(server):
    info = server.certificate
    assert info.common_name == "secure-test-server"
    assert "CN=secure-test-server" in info.subject
    assert info.thumbprint == hashlib.sha1(info.der).hexdigest().upper()
    assert info.sha256 == hashlib.sha256(info.der).hexdigest().upper()
    assert info.application_uri == "urn:linetwin:test:secure-server"
    assert not info.expired and not info.not_yet_valid and info.self_signed
    assert info.thumbprint in info.summary()
    text = info.describe()
    assert "urn:linetwin:test:secure-server" in text and info.thumbprint[:2] in text
    assert CertificateInfo.from_der(info.der + info.der) == info  # a chain: its first certificate


def test_expired_and_future_certificates_are_flagged(tmp_path):
    assert _certificate(tmp_path, -60, -1).expired
    assert "EXPIRED" in _certificate(tmp_path, -60, -1).describe()
    assert _certificate(tmp_path, 2, 30).not_yet_valid


def test_trust_persists_and_reject_undoes_it(tmp_path, server):
    store = TrustStore(tmp_path / "pki")
    cert = server.certificate
    assert not store.is_trusted(cert)
    store.trust(cert.der)
    assert TrustStore(tmp_path / "pki").is_trusted(cert)  # a new instance reads it from disk
    assert [c.thumbprint for c in store.trusted()] == [cert.thumbprint]
    assert (tmp_path / "pki" / "trusted" / f"{cert.thumbprint}.der").read_bytes() == cert.der
    store.reject(cert)
    assert not store.is_trusted(cert) and store.is_rejected(cert)
    store.trust(cert)
    assert store.is_trusted(cert) and not store.is_rejected(cert)


def test_import_file_takes_pem_or_der_and_names_a_bad_file(tmp_path, server):
    pem = tmp_path / "plc.pem"
    pem.write_bytes(x509.load_der_x509_certificate(server.certificate.der).public_bytes(Encoding.PEM))
    store = TrustStore(tmp_path / "pki")
    assert store.import_file(pem).thumbprint == server.certificate.thumbprint
    other = make_certificate(tmp_path / "other", "urn:other", "other-plc")
    assert store.import_file(tmp_path / "other" / "other-plc.der") == other
    assert store.is_trusted(server.certificate) and store.is_trusted(other)
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(CertificateError, match="notes.txt: not an X.509 certificate"):
        store.import_file(junk)
    with pytest.raises(CertificateError, match="missing.der: no such file"):
        store.import_file(tmp_path / "missing.der")
    (tmp_path / "pki" / "trusted" / "README").write_text("stray files trust nothing")
    assert len(store.trusted()) == 2


def test_the_validator_refuses_another_certificate_than_the_pinned_one(tmp_path, server, trust):
    trust.trust(server.certificate)
    validator = PinnedCertificateValidator(server.certificate, trust, server.endpoint)
    impostor = make_certificate(tmp_path / "x", "urn:linetwin:test:secure-server", "secure-test-server")
    with pytest.raises(ServiceError):
        asyncio.run(validator(x509.load_der_x509_certificate(impostor.der), None))
    assert validator.problem.kind is ProblemKind.UNTRUSTED_CERTIFICATE
    assert impostor.thumbprint in validator.problem.message


# --- LiveClient against the secured server ----------------------------------------------


def test_right_credentials_and_trusted_certificate_give_good_values(server, trust, connect):
    trust.trust(server.certificate)
    client, reader = connect(server.endpoint)
    assert reader.wait_for(lambda: SIGNAL_IDS <= reader.signals_seen(), timeout=10)
    assert reader.states()[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    temps = [v.value for v in reader.values() if v.signal_id == "cell1.temperature"]
    assert temps[0] == pytest.approx(71.5)
    assert client.problem is None and client.pending_certificate is None
    assert (USERNAME, True) in server.activations


def test_an_untrusted_server_certificate_is_refused_until_the_user_trusts_it(server, trust, connect):
    before = len(server.activations)
    client, reader = connect(server.endpoint)
    assert reader.wait_for(lambda: ConnectionState.DISCONNECTED in reader.states(), timeout=10)
    message = _messages(reader)[-1]
    assert "not trusted" in message
    assert "CN=secure-test-server" in message and server.certificate.thumbprint in message
    assert client.pending_certificate == server.certificate
    assert client.problem.kind is ProblemKind.UNTRUSTED_CERTIFICATE
    time.sleep(1.5)  # no retries meanwhile, no session ever opened
    reader.pump()
    assert ConnectionState.CONNECTED not in reader.states()
    assert len(server.activations) == before
    assert not trust.is_trusted(server.certificate)

    trust.trust(client.pending_certificate)  # what the dialog does when the user accepts
    client.retry_now()
    assert reader.wait_for(lambda: SIGNAL_IDS <= reader.signals_seen(), timeout=10)
    assert client.problem is None


def test_accept_pending_certificate_trusts_and_connects(server, trust, connect):
    client, reader = connect(server.endpoint)
    assert reader.wait_for(lambda: client.pending_certificate is not None, timeout=10)
    assert client.accept_pending_certificate() == server.certificate
    assert reader.wait_for(lambda: ConnectionState.CONNECTED in reader.states(), timeout=10)
    assert TrustStore(trust.folder).is_trusted(server.certificate)


def test_a_wrong_password_is_reported_once_and_not_retried(server, trust, connect):
    trust.trust(server.certificate)
    before = len(server.activations)
    client, reader = connect(server.endpoint, password="wrong password")
    assert reader.wait_for(lambda: ConnectionState.DISCONNECTED in reader.states(), timeout=10)
    assert "user name or password rejected by the server" in _messages(reader)[-1]
    assert client.problem.kind is ProblemKind.CREDENTIALS_REJECTED
    time.sleep(3.0)  # backoff would have retried ~3 times by now
    reader.pump()
    assert server.activations[before:] == [(USERNAME, False)]
    assert reader.states()[-1] == ConnectionState.DISCONNECTED
    # The user types the right password: the same client connects.
    client.retry_now(dataclasses.replace(client.settings, password=PASSWORD))
    assert reader.wait_for(lambda: SIGNAL_IDS <= reader.signals_seen(), timeout=10)


def test_no_password_reaches_the_logs_or_the_messages(server, trust, connect, caplog):
    trust.trust(server.certificate)
    caplog.set_level(logging.DEBUG)
    for name in ("asyncua", "asyncua.client", "linetwin"):
        caplog.set_level(logging.DEBUG, logger=name)
    _, good = connect(server.endpoint)
    assert good.wait_for(lambda: SIGNAL_IDS <= good.signals_seen(), timeout=10)
    _, bad = connect(server.endpoint, password="Wr0ng-but-still-secret")
    assert bad.wait_for(lambda: ConnectionState.DISCONNECTED in bad.states(), timeout=10)
    text = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    assert "ActivateSession" in text  # asyncua did log the requests ...
    assert "identity token withheld" in text  # ... with the token taken out
    for secret in (PASSWORD, "Wr0ng-but-still-secret"):
        assert secret not in text
        assert secret not in "\n".join(_messages(good) + _messages(bad))


def test_a_client_certificate_the_server_does_not_trust_is_explained(server, trust, connect, tmp_path):
    trust.trust(server.certificate)
    stranger = ClientIdentity.load_or_create(tmp_path / "stranger")
    client, reader = connect(server.endpoint, identity=stranger)
    assert reader.wait_for(lambda: client.problem is not None, timeout=10)
    assert client.problem.kind is ProblemKind.CLIENT_CERTIFICATE_REJECTED
    assert stranger.thumbprint in client.problem.message


def test_a_policy_the_server_does_not_offer_is_named(server, trust, connect):
    trust.trust(server.certificate)
    client, reader = connect(server.endpoint, security_mode="Sign")
    assert reader.wait_for(lambda: client.problem is not None, timeout=10)
    assert client.problem.kind is ProblemKind.SECURITY_NOT_OFFERED
    assert "Basic256Sha256 - SignAndEncrypt" in client.problem.message


def test_no_security_against_a_secure_only_server_says_so(server, trust):
    updates: queue.SimpleQueue = queue.SimpleQueue()
    reader = QueueReader(updates)
    client = LiveClient(SECURE_PROJECT, updates, endpoint=server.endpoint, trust=trust)  # no settings: None
    client.start()
    try:
        assert reader.wait_for(lambda: client.problem is not None, timeout=10)
    finally:
        client.stop()
    assert client.problem.kind is ProblemKind.SECURITY_NOT_OFFERED
    assert "offers no endpoint without security" in client.problem.message


class _SwitchingProxy(FreezableProxy):
    """Forwards the first connection (discovery) to one server, later ones to another."""

    def __init__(self, first_port: int, then_port: int) -> None:
        super().__init__(first_port)
        self._then = then_port
        self.connections = 0

    async def _pipe_both(self, reader, writer) -> None:
        self.connections += 1
        if self.connections > 1:
            self.target_port = self._then
        await super()._pipe_both(reader, writer)


def test_a_certificate_that_changes_after_discovery_is_refused(server, trust, connect, tmp_path, identity):
    """Discovery sees the trusted server; the session lands on an impostor."""
    trust.trust(server.certificate)
    with SecureTestServer(tmp_path / "impostor", trusted_clients=(identity.info.der,), name="impostor") as impostor:
        proxy = _SwitchingProxy(server.port, impostor.port)
        proxy.start()
        try:
            client, reader = connect(f"opc.tcp://127.0.0.1:{proxy.port}/secure/")
            assert reader.wait_for(lambda: client.pending_certificate is not None, timeout=15)
            assert client.pending_certificate == impostor.certificate
            assert ConnectionState.CONNECTED not in reader.states()
            assert impostor.activations == []
        finally:
            proxy.stop()


def test_the_address_space_browser_connects_through_the_same_security(server, trust, identity):
    settings = ConnectionSettings(server.endpoint, "Basic256Sha256", "SignAndEncrypt",
                                  USERNAME, PASSWORD)
    with AddressSpaceBrowser(settings=settings, trust=trust, identity=identity) as browser, \
            pytest.raises(BrowseError) as info:
        browser.children(None)  # the server's certificate is not trusted yet
    assert "not trusted" in str(info.value) and PASSWORD not in str(info.value)
    trust.trust(server.certificate)
    with AddressSpaceBrowser(settings=settings, trust=trust, identity=identity) as browser:
        assert browser.read("ns=2;s=Cell1.Temperature").value == 71.5
        assert {n.display_name for n in browser.children(None)} >= {"Cell1"}
