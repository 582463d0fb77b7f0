"""The client's PKI folder: its own certificate (:class:`ClientIdentity`) and
which OPC UA server certificates the user has accepted (DESIGN section 9).

A server certificate is trusted only after the user accepted it, in the
connection dialog or with ``--trust-server-cert FILE``. The decision persists
as a DER file in ``<config>/pki/trusted/``; a certificate the user declined is
kept in ``<config>/pki/rejected/`` so an administrator can see what was offered.
Trust is by exact certificate (SHA-256 of its DER bytes): a server that
presents another certificate, even with the same subject, is unknown again.

An administrator may also drop PEM or DER files into ``trusted/`` by hand; any
file name works.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import platformdirs
from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from cryptography.x509.oid import ExtendedKeyUsageOID

APP_NAME = "linetwin"
CERT_VALID_DAYS = 730

_log = logging.getLogger(__name__)


class CertificateError(ValueError):
    """A file or byte string that is not a usable X.509 certificate."""


def pki_folder() -> Path:
    """``<user config folder>/pki``: own certificate, trusted and rejected lists."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "pki"


def first_certificate(der: bytes) -> bytes:
    """The first certificate of a DER chain (servers may send their chain as one blob)."""
    if len(der) < 2 or der[0] != 0x30:
        raise CertificateError("not a DER certificate")
    first = der[1]
    if first < 0x80:
        header, length = 2, first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(der) < 2 + count:
            raise CertificateError("not a DER certificate")
        header, length = 2 + count, int.from_bytes(der[2 : 2 + count], "big")
    if header + length > len(der):
        raise CertificateError("truncated DER certificate")
    return der[: header + length]


@dataclass(frozen=True)
class CertificateInfo:
    """What a user needs to decide about a certificate, and its DER bytes.

    ``thumbprint`` is the SHA-1 hex digest OPC UA tools (UaExpert, the .NET
    stack) show; ``sha256`` is what trust is decided on.
    """

    subject: str
    common_name: str
    issuer: str
    thumbprint: str
    sha256: str
    not_before: datetime
    not_after: datetime
    application_uri: str | None
    dns_names: tuple[str, ...]
    serial_number: str
    der: bytes = field(repr=False, compare=False)

    @classmethod
    def from_der(cls, der: bytes) -> "CertificateInfo":
        der = first_certificate(bytes(der))
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError as exc:
            raise CertificateError(f"not an X.509 certificate: {exc}") from exc
        return cls.from_x509(cert)

    @classmethod
    def from_x509(cls, cert: x509.Certificate) -> "CertificateInfo":
        der = cert.public_bytes(Encoding.DER)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            uris = san.get_values_for_type(x509.UniformResourceIdentifier)
            dns = tuple(san.get_values_for_type(x509.DNSName))
        except x509.ExtensionNotFound:
            uris, dns = [], ()
        names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return cls(
            subject=cert.subject.rfc4514_string(),
            common_name=str(names[0].value) if names else "",
            issuer=cert.issuer.rfc4514_string(),
            thumbprint=hashlib.sha1(der).hexdigest().upper(),  # noqa: S324 - a display id, not security
            sha256=hashlib.sha256(der).hexdigest().upper(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            application_uri=uris[0] if uris else None,
            dns_names=dns,
            serial_number=f"{cert.serial_number:X}",
            der=der,
        )

    @property
    def expired(self) -> bool:
        return datetime.now(timezone.utc) > self.not_after

    @property
    def not_yet_valid(self) -> bool:
        return datetime.now(timezone.utc) < self.not_before

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer

    def summary(self) -> str:
        """One line for a status bar or log: subject and SHA-1 thumbprint."""
        return f"{self.subject or '(no subject)'}, SHA-1 thumbprint {self.thumbprint}"

    def describe(self) -> str:
        """Several lines for a dialog or the terminal."""
        validity = f"{self.not_before:%Y-%m-%d} to {self.not_after:%Y-%m-%d}"
        if self.expired:
            validity += " (EXPIRED)"
        elif self.not_yet_valid:
            validity += " (NOT YET VALID)"
        lines = [
            f"Subject:         {self.subject}",
            f"Issuer:          {'(self-signed)' if self.self_signed else self.issuer}",
            f"Application URI: {self.application_uri or '(none)'}",
            f"Valid:           {validity}",
            f"SHA-1:           {_grouped(self.thumbprint)}",
            f"SHA-256:         {_grouped(self.sha256)}",
        ]
        return "\n".join(lines)


def _grouped(hex_digest: str) -> str:
    return ":".join(hex_digest[i : i + 2] for i in range(0, len(hex_digest), 2))


def as_info(cert: "CertificateInfo | x509.Certificate | bytes") -> CertificateInfo:
    if isinstance(cert, CertificateInfo):
        return cert
    if isinstance(cert, x509.Certificate):
        return CertificateInfo.from_x509(cert)
    return CertificateInfo.from_der(cert)


def read_certificate_file(path: Path | str) -> CertificateInfo:
    """The first certificate in a PEM or DER file; errors name the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CertificateError(f"{path}: no such file") from None
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return CertificateInfo.from_x509(x509.load_pem_x509_certificates(data)[0])
        return CertificateInfo.from_der(data)
    except (CertificateError, ValueError):
        raise CertificateError(f"{path}: not an X.509 certificate (expected PEM or DER)") from None


class TrustStore:
    """The server certificates this user trusts, persisted under ``folder``.

    Parameters
    ----------
    folder : the PKI root; ``trusted/`` and ``rejected/`` live in it. The app and
        the commands pass :func:`pki_folder`; tests a temporary folder. There is
        no default: nothing reads or writes the user's real trust list unasked.
    """

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.trusted_folder = self.folder / "trusted"
        self.rejected_folder = self.folder / "rejected"

    def is_trusted(self, cert: CertificateInfo | x509.Certificate | bytes) -> bool:
        return as_info(cert).sha256 in {c.sha256 for c in self.trusted()}

    def is_rejected(self, cert: CertificateInfo | x509.Certificate | bytes) -> bool:
        return as_info(cert).sha256 in {c.sha256 for c in _read_folder(self.rejected_folder)}

    def trusted(self) -> list[CertificateInfo]:
        """Every readable certificate in ``trusted/`` (unreadable files are skipped)."""
        return _read_folder(self.trusted_folder)

    def trust(self, cert: CertificateInfo | x509.Certificate | bytes) -> CertificateInfo:
        """Trust ``cert`` from now on (persisted); undoes an earlier rejection."""
        info = as_info(cert)
        write_private_file(self.trusted_folder / f"{info.thumbprint}.der", info.der)
        _remove_matching(self.rejected_folder, info)
        return info

    def reject(self, cert: CertificateInfo | x509.Certificate | bytes) -> CertificateInfo:
        """Record that the user declined ``cert``; it is no longer trusted."""
        info = as_info(cert)
        _remove_matching(self.trusted_folder, info)
        write_private_file(self.rejected_folder / f"{info.thumbprint}.der", info.der)
        return info

    def import_file(self, path: Path | str) -> CertificateInfo:
        """Trust the certificate in a PEM or DER file (``--trust-server-cert FILE``)."""
        return self.trust(read_certificate_file(path))

    def keep_offered(self, cert: CertificateInfo | x509.Certificate | bytes) -> Path:
        """Save a certificate a server offered but nobody has decided on yet in
        ``rejected/`` (for review: ``linetwin trust accept``); its file."""
        info = as_info(cert)
        path = self.rejected_folder / f"{info.thumbprint}.der"
        if not self.is_trusted(info):
            write_private_file(path, info.der)
        return path

    def listing(self) -> list[tuple[bool, Path, CertificateInfo]]:
        """(trusted, file, certificate) for every readable file, trusted ones first."""
        return ([(True, p, c) for p, c in _files_in(self.trusted_folder)]
                + [(False, p, c) for p, c in _files_in(self.rejected_folder)])

    def remove(self, cert: CertificateInfo) -> None:
        """Forget ``cert``: neither trusted nor rejected (a server offering it is unknown again)."""
        _remove_matching(self.trusted_folder, cert)
        _remove_matching(self.rejected_folder, cert)


def _read_folder(folder: Path) -> list[CertificateInfo]:
    return [info for _, info in _files_in(folder)]


def _files_in(folder: Path) -> list[tuple[Path, CertificateInfo]]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            try:
                found.append((path, read_certificate_file(path)))
            except CertificateError:
                continue  # a stray README or a broken file trusts nothing
    return found


def _remove_matching(folder: Path, info: CertificateInfo) -> None:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            if path.is_file() and read_certificate_file(path).sha256 == info.sha256:
                path.unlink()
        except (CertificateError, OSError):
            continue


def write_private_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` atomically, readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _restrict(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _restrict(folder: Path, mode: int) -> None:
    try:
        os.chmod(folder, mode)
    except OSError:  # not ours (a shared folder): leave it
        pass


# --- the client's own certificate ---------------------------------------------------


@dataclass(frozen=True)
class ClientIdentity:
    """LineTwin's application instance certificate and its private key.

    The certificate's application URI (``urn:linetwin:client:<host>``) is what
    the client must announce as its ``application_uri``; servers check it.
    Hand :attr:`certificate_pem_path` to a server's administrator so the
    server can trust this client.
    """

    folder: Path
    certificate_path: Path  # DER, what OPC UA stacks exchange
    certificate_pem_path: Path
    private_key_path: Path  # PEM (PKCS#8, unencrypted, mode 0600)
    application_uri: str
    info: CertificateInfo

    @classmethod
    def load_or_create(cls, folder: Path | str, hostname: str | None = None) -> "ClientIdentity":
        """The identity in ``folder`` (the app's: ``pki_folder() / "own"``), created if missing.

        A missing, unreadable, expired or mismatched pair is replaced by a new
        one (old files are kept with a ``.old`` suffix); servers then need to
        trust the new certificate.
        """
        folder = Path(folder)
        cert_path, key_path = folder / "cert.der", folder / "key.pem"
        identity = cls._load(folder)
        if identity is not None:
            return identity
        for path in (cert_path, key_path, folder / "cert.pem"):
            if path.exists():
                os.replace(path, path.with_name(path.name + ".old"))
        host = hostname or socket.gethostname()
        uri = f"urn:linetwin:client:{host}"
        key = cert_gen.generate_private_key()
        cert = cert_gen.generate_self_signed_app_certificate(
            key,
            f"LineTwin@{host}",
            {"organizationName": "LineTwin"},
            [x509.UniformResourceIdentifier(uri)] + ([x509.DNSName(host)] if host.isascii() else []),
            extended=[ExtendedKeyUsageOID.CLIENT_AUTH],
            days=CERT_VALID_DAYS,
        )
        # Key first: a crash in between leaves a key without certificate,
        # which the next start replaces, never a certificate without its key.
        write_private_file(key_path, cert_gen.dump_private_key_as_pem(key))
        write_private_file(folder / "cert.pem", cert.public_bytes(Encoding.PEM), mode=0o644)
        write_private_file(cert_path, cert.public_bytes(Encoding.DER), mode=0o644)
        _log.info("created the LineTwin client certificate %s", cert_path)
        loaded = cls._load(folder)
        if loaded is None:  # pragma: no cover - we just wrote it
            raise RuntimeError(f"cannot read back the client certificate in {folder}")
        return loaded

    @classmethod
    def _load(cls, folder: Path) -> "ClientIdentity | None":
        cert_path, key_path = folder / "cert.der", folder / "key.pem"
        try:
            info = CertificateInfo.from_der(cert_path.read_bytes())
            key = load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            if cert_path.exists() or key_path.exists():
                _log.warning("client certificate in %s unusable (%s); creating a new one", folder, exc)
            return None
        cert = x509.load_der_x509_certificate(info.der)
        if cert.public_key().public_numbers() != key.public_key().public_numbers():  # type: ignore[union-attr]
            _log.warning("client certificate and key in %s do not match; creating a new one", folder)
            return None
        if info.expired or info.application_uri is None:
            _log.warning("client certificate in %s expired or has no application URI; creating a new one", folder)
            return None
        return cls(folder, cert_path, folder / "cert.pem", key_path, info.application_uri, info)

    @property
    def thumbprint(self) -> str:
        return self.info.thumbprint
