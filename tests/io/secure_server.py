"""A real asyncua server that requires security, for the io tests.

:class:`SecureTestServer` listens on 127.0.0.1 (free port) with its own
self-signed certificate (made in a temporary folder), offers only the
endpoints it is given (Basic256Sha256/SignAndEncrypt by default: no None
endpoint), accepts one user name and password (anonymous refused) and only the
client certificates it was told to trust, through asyncua's own
``CertificateValidator`` + ``TrustStore``. It serves the variables of
:data:`SECURE_PROJECT` and counts ActivateSession attempts, so a test can
check that a client with a wrong password does not hammer it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path

from asyncua import Server, ua
from asyncua.crypto import cert_gen
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.crypto.truststore import TrustStore as AsyncuaTrustStore
from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from linetwin.io.opcua.asyncio_thread import AsyncioThread
from linetwin.io.opcua.connection.trust_store import CertificateInfo
from linetwin.twin.model import Asset, AssetLevel, Project, Signal, SignalKind, SourceConfig

NAMESPACE_URI = "urn:linetwin:secure-test"
SERVER_URI = "urn:linetwin:test:secure-server"
USERNAME, PASSWORD = "operator", "correct horse battery staple"
VALUES = {"Cell1.Temperature": 71.5, "Cell1.Pressure": 2.25, "Cell1.State": 1}
SECURE_PROJECT = Project(
    name="secure cell",
    path=None,
    assets=(Asset("cell1", "Cell 1", AssetLevel.ASSET),),
    signals=(
        Signal("cell1.temperature", "cell1", "ns=2;s=Cell1.Temperature", SignalKind.ANALOG, unit="degC"),
        Signal("cell1.pressure", "cell1", "ns=2;s=Cell1.Pressure", SignalKind.ANALOG, unit="bar"),
        Signal("cell1.state", "cell1", "ns=2;s=Cell1.State", SignalKind.STATE),
    ),
    source=SourceConfig(security_policy="Basic256Sha256", security_mode="SignAndEncrypt", username=USERNAME),
)


def make_certificate(folder: Path, application_uri: str, name: str, server: bool = True) -> CertificateInfo:
    """A self-signed OPC UA application certificate: ``<name>.der`` and ``<name>-key.pem``."""
    folder.mkdir(parents=True, exist_ok=True)
    key = cert_gen.generate_private_key()
    cert = cert_gen.generate_self_signed_app_certificate(
        key,
        name,
        {"organizationName": "LineTwin tests"},
        [x509.UniformResourceIdentifier(application_uri), x509.DNSName("localhost"),
         x509.DNSName(socket.gethostname())],
        extended=[ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH],
        days=30,
    )
    (folder / f"{name}.der").write_bytes(cert.public_bytes(Encoding.DER))
    (folder / f"{name}-key.pem").write_bytes(cert_gen.dump_private_key_as_pem(key))
    return CertificateInfo.from_x509(cert)


class _OneUser:
    """UserManager: exactly one user name/password; counts every attempt."""

    def __init__(self, username: str, password: str) -> None:
        self._username, self._password = username, password
        self.attempts: list[tuple[str | None, bool]] = []
        self._lock = threading.Lock()

    def get_user(self, iserver, username=None, password=None, certificate=None):  # noqa: ANN001
        ok = username == self._username and password == self._password
        with self._lock:
            self.attempts.append((username, ok))
        return User(role=UserRole.User, name=username) if ok else None


class SecureTestServer:
    """Start with :meth:`start` (own thread), stop with :meth:`stop`.

    Parameters
    ----------
    folder : where the server's certificate, key and trusted client list go
    trusted_clients : DER certificates of the clients the server accepts
    policies : the endpoints offered (default: Basic256Sha256/SignAndEncrypt only)
    name : the server certificate's common name (a second server in the same
        folder needs another name to get another certificate)
    tokens : the identity token types accepted (default: user name only)
    """

    def __init__(self, folder: Path, trusted_clients: tuple[bytes, ...] = (),
                 policies: tuple[ua.SecurityPolicyType, ...] = (ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,),
                 name: str = "secure-test-server", port: int = 0,
                 tokens: tuple[type, ...] = (ua.UserNameIdentityToken,)) -> None:
        self.folder = Path(folder)
        self.policies = list(policies)
        self.tokens = list(tokens)
        self.certificate = make_certificate(self.folder / "server", SERVER_URI, name)
        self._name = name
        trusted = self.folder / "server-trusts"
        trusted.mkdir(parents=True, exist_ok=True)
        for i, der in enumerate(trusted_clients):
            (trusted / f"client{i}.der").write_bytes(der)
        if not trusted_clients:  # asyncua cannot build an empty store: trust a stranger
            make_certificate(trusted, "urn:linetwin:test:stranger", "stranger", server=False)
            (trusted / "stranger-key.pem").unlink()
        self._trusted = trusted
        self.users = _OneUser(USERNAME, PASSWORD)
        self.port = port or _free_port()
        self._thread = AsyncioThread(name="secure-test-server")
        self._server: Server | None = None

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/secure/"

    @property
    def activations(self) -> list[tuple[str | None, bool]]:
        """(user name, accepted) for every ActivateSession with a user token."""
        return list(self.users.attempts)

    def start(self) -> "SecureTestServer":
        self._thread.start()
        self._thread.submit(self._start()).result(15)
        return self

    def stop(self) -> None:
        if self._server is not None:
            try:
                self._thread.submit(self._server.stop()).result(5)
            except Exception:  # noqa: BLE001 - the thread teardown cancels the rest
                pass
            self._server = None
        self._thread.stop()

    def __enter__(self) -> "SecureTestServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start(self) -> None:
        server = Server(user_manager=self.users)
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("LineTwin secure test server")
        await server.set_application_uri(SERVER_URI)
        await server.load_certificate(str(self.folder / "server" / f"{self._name}.der"))
        await server.load_private_key(str(self.folder / "server" / f"{self._name}-key.pem"))
        server.set_security_policy(self.policies)
        server.set_identity_tokens(self.tokens)
        store = AsyncuaTrustStore([self._trusted], [])
        await store.load()
        server.set_certificate_validator(CertificateValidator(
            CertificateValidatorOptions.EXT_VALIDATION | CertificateValidatorOptions.TRUSTED
            | CertificateValidatorOptions.PEER_CLIENT, store))
        idx = await server.register_namespace(NAMESPACE_URI)
        folder = await server.nodes.objects.add_folder(idx, "Cell1")
        for name, value in VALUES.items():
            variant = ua.VariantType.Int32 if isinstance(value, int) else ua.VariantType.Double
            await folder.add_variable(ua.NodeId(name, idx), ua.QualifiedName(name, idx), ua.Variant(value, variant))
        await server.start()
        self._server = server
        await asyncio.sleep(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
