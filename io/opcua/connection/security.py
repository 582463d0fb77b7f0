"""OPC UA security for the client: connection settings, server certificate
validation, why a secure connection was refused, passwords kept out of logs.

DESIGN section 9: prefer Basic256Sha256 with SignAndEncrypt; the client has
its own application certificate, created on first run in the user's config
folder; a server certificate is trusted only after the user accepted it
(:class:`~linetwin.io.opcua.connection.trust_store.TrustStore`); passwords are never written to
disk or logs.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from asyncua import ua
from asyncua.common.utils import ServiceError
from asyncua.crypto import security_policies
from cryptography import x509

from linetwin.io.opcua import DEPRECATED_POLICIES, SECURITY_MODES, SECURITY_POLICIES
from linetwin.io.opcua.connection.trust_store import CertificateInfo, ClientIdentity, TrustStore
from linetwin.twin.model import SourceConfig

# Short policy name (the URI's fragment, as project files and dialogs spell it)
# -> (asyncua class, deprecated, strength rank: higher is stronger). asyncua's
# class names are the short names without underscores.
POLICIES: dict[str, tuple[type | None, bool, int]] = {
    name: (getattr(security_policies, "SecurityPolicy" + name.replace("_", "")) if name != "None" else None,
           name in DEPRECATED_POLICIES, rank)
    for rank, name in enumerate(SECURITY_POLICIES)
}
MODES: dict[str, ua.MessageSecurityMode] = {
    name: getattr(ua.MessageSecurityMode, "None_" if name == "None" else name) for name in SECURITY_MODES}
_CREDENTIAL_CODES = {
    ua.StatusCodes.BadUserAccessDenied,
    ua.StatusCodes.BadIdentityTokenRejected,
    ua.StatusCodes.BadIdentityTokenInvalid,
}
_CLIENT_CERT_CODES = {
    ua.StatusCodes.BadSecurityChecksFailed,
    ua.StatusCodes.BadCertificateUntrusted,
    ua.StatusCodes.BadCertificateInvalid,
    ua.StatusCodes.BadCertificateUriInvalid,
    ua.StatusCodes.BadCertificateUseNotAllowed,
    ua.StatusCodes.BadCertificateTimeInvalid,
    ua.StatusCodes.BadCertificateRevoked,
}

_log = logging.getLogger(__name__)


def policy_name(uri: str) -> str:
    """``http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256`` -> ``Basic256Sha256``."""
    return uri.rpartition("#")[2] if "#" in uri else uri


def mode_name(mode: ua.MessageSecurityMode | int) -> str:
    return {int(v): k for k, v in MODES.items()}.get(int(mode), "Invalid")


# --- connection settings ---------------------------------------------------------


@dataclass(frozen=True)
class ConnectionSettings:
    """How to connect to one endpoint. The password lives in memory only.

    ``repr``/``str`` mask the password, :meth:`to_dict` leaves it out: use
    that to persist settings (project file, recent connections).
    """

    endpoint: str
    security_policy: str = "None"
    security_mode: str = "None"
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.security_policy not in POLICIES:
            raise ValueError(f"unknown security policy {self.security_policy!r}; one of {', '.join(POLICIES)}")
        if self.security_mode not in MODES:
            raise ValueError(f"unknown security mode {self.security_mode!r}; one of {', '.join(MODES)}")
        if (self.security_policy == "None") != (self.security_mode == "None"):
            raise ValueError(
                f"security policy {self.security_policy} does not go with mode {self.security_mode}: "
                "both are None, or neither is"
            )

    @classmethod
    def from_source(cls, source: SourceConfig, endpoint: str | None = None,
                    password: str | None = None) -> "ConnectionSettings":
        """Settings from a project's ``[source]`` table (which never holds a password)."""
        return cls(endpoint or source.endpoint, source.security_policy, source.security_mode,
                   source.username, password)

    @property
    def secure(self) -> bool:
        return self.security_policy != "None"

    @property
    def deprecated(self) -> bool:
        return self.security_policy in DEPRECATED_POLICIES

    def to_dict(self) -> dict[str, Any]:
        """Everything but the password, for saving."""
        return {"endpoint": self.endpoint, "security_policy": self.security_policy,
                "security_mode": self.security_mode, "username": self.username}

    def __repr__(self) -> str:
        masked = "None" if self.password is None else "'********'"
        return (f"ConnectionSettings(endpoint={redact_url(self.endpoint)!r}, "
                f"security_policy={self.security_policy!r}, security_mode={self.security_mode!r}, "
                f"username={self.username!r}, password={masked})")

    __str__ = __repr__


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``opc.tcp://user:pw@host:4840/x`` -> (``opc.tcp://host:4840/x``, ``user``, ``pw``)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_pw, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=host))
    return clean, unquote(user) or None, unquote(password) if has_pw else None


def redact_url(url: str) -> str:
    """The URL without any password in it, fit for messages and logs."""
    clean, user, password = split_credentials(url)
    if user is None and password is None:
        return url
    parts = urlsplit(clean)
    return urlunsplit(parts._replace(netloc=f"{user or ''}@{parts.netloc}"))


# --- why a secure connection cannot go on ---------------------------------------------


class ProblemKind(enum.Enum):
    """A refusal that retrying does not cure: the user has to act first."""

    UNTRUSTED_CERTIFICATE = "untrusted-certificate"  # accept it, then retry
    INVALID_CERTIFICATE = "invalid-certificate"  # expired, wrong URI, changed mid-connect
    CREDENTIALS_REJECTED = "credentials-rejected"  # user name or password wrong
    CLIENT_CERTIFICATE_REJECTED = "client-certificate-rejected"  # the server must trust us
    SECURITY_NOT_OFFERED = "security-not-offered"  # no such policy/mode on the server
    CONFIGURATION = "configuration"  # our own certificate or settings are unusable


@dataclass(frozen=True)
class ConnectionProblem:
    kind: ProblemKind
    message: str
    certificate: CertificateInfo | None = None  # the server's, when it is the issue


class ConnectionRefused(Exception):
    """Raised inside a connection attempt for a :class:`ConnectionProblem`."""

    def __init__(self, problem: ConnectionProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def client_certificate_refused(url: str, code_name: str, identity: ClientIdentity | None) -> str:
    """What to tell the user when a server refuses LineTwin's own certificate."""
    if identity is None:
        return f"the server {url} refused LineTwin's client certificate ({code_name}); its administrator must trust it"
    return (f"the server {url} refused LineTwin's client certificate (SHA-1 thumbprint {identity.thumbprint}, "
            f"{code_name}); its administrator must trust it: {identity.certificate_path} "
            f"(PEM: {identity.certificate_pem_path}, application URI {identity.application_uri})")


ACCEPT_HINT = "; accept it to connect"  # what a window user does; the command line says more


def untrusted(info: CertificateInfo, url: str) -> ConnectionProblem:
    return ConnectionProblem(
        ProblemKind.UNTRUSTED_CERTIFICATE,
        f"server certificate of {redact_url(url)} is not trusted: {info.summary()}{ACCEPT_HINT}",
        info,
    )


class PinnedCertificateValidator:
    """asyncua ``certificate_validator``: the session's server certificate must
    be the trusted one discovery found, currently valid, and name the server.

    Runs inside ``create_session``; what it found wrong is kept in
    :attr:`problem` so the caller reports it instead of a bare status code.
    """

    def __init__(self, expected: CertificateInfo, trust: TrustStore, url: str) -> None:
        self.expected, self.trust, self.url = expected, trust, url
        self.problem: ConnectionProblem | None = None

    async def __call__(self, cert: x509.Certificate, app: ua.ApplicationDescription) -> None:
        info = CertificateInfo.from_x509(cert)
        if info.sha256 != self.expected.sha256 or not self.trust.is_trusted(info):
            self._fail(untrusted(info, self.url), ua.StatusCodes.BadCertificateUntrusted)
        if info.expired or info.not_yet_valid:
            when = (f"expired on {info.not_after:%Y-%m-%d}" if info.expired
                    else f"is valid only from {info.not_before:%Y-%m-%d}")
            text = f"server certificate of {redact_url(self.url)} {when}: {info.summary()}"
            self._fail(ConnectionProblem(ProblemKind.INVALID_CERTIFICATE, text, info),
                       ua.StatusCodes.BadCertificateTimeInvalid)
        if app is not None and app.ApplicationUri and app.ApplicationUri != info.application_uri:
            self._fail(ConnectionProblem(
                ProblemKind.INVALID_CERTIFICATE,
                f"server certificate of {redact_url(self.url)} is for {info.application_uri or 'no application URI'}, "
                f"but the server calls itself {app.ApplicationUri}: {info.summary()}", info),
                ua.StatusCodes.BadCertificateUriInvalid)

    def _fail(self, problem: ConnectionProblem, code: int) -> None:
        self.problem = problem
        raise ServiceError(code)


async def apply_security(client: Any, settings: ConnectionSettings, identity: ClientIdentity,
                         server_certificate: CertificateInfo, trust: TrustStore) -> PinnedCertificateValidator:
    """Configure an unconnected asyncua ``Client`` for ``settings``.

    ``server_certificate`` must be the trusted certificate of the chosen
    endpoint: asyncua encrypts to it and refuses a session whose server
    presents another ("Server certificate mismatch"); the returned validator
    additionally checks trust and validity when the session is created.
    """
    policy_class = POLICIES[settings.security_policy][0]
    client.application_uri = identity.application_uri
    client.name = client.description = "LineTwin"
    client.product_uri = "urn:linetwin"
    await client.set_security(
        policy_class,
        str(identity.certificate_path),
        str(identity.private_key_path),
        server_certificate=server_certificate.der,
        mode=MODES[settings.security_mode],
    )
    validator = PinnedCertificateValidator(server_certificate, trust, settings.endpoint)
    client.certificate_validator = validator
    return validator


def apply_credentials(client: Any, settings: ConnectionSettings) -> None:
    if settings.username:
        client.set_user(settings.username)
        if settings.password is not None:
            client.set_password(settings.password)


def classify_failure(exc: BaseException, settings: ConnectionSettings,
                     identity: ClientIdentity | None) -> ConnectionProblem | None:
    """The :class:`ConnectionProblem` behind a failed connect, or ``None`` when
    the failure may be transient (network, server restarting): retry then."""
    if isinstance(exc, ConnectionRefused):
        return exc.problem
    code = getattr(exc, "code", None)
    url = redact_url(settings.endpoint)
    if code in _CREDENTIAL_CODES:
        if settings.username:
            text = f"user name or password rejected by the server {url} ({ua.StatusCode(code).name})"
        else:
            text = f"{url} refused anonymous access; a user name and password are needed ({ua.StatusCode(code).name})"
        return ConnectionProblem(ProblemKind.CREDENTIALS_REJECTED, text)
    if code in _CLIENT_CERT_CODES and settings.secure:
        return ConnectionProblem(ProblemKind.CLIENT_CERTIFICATE_REJECTED,
                                 client_certificate_refused(url, ua.StatusCode(code).name, identity))
    if isinstance(exc, ua.UaError) and "no matching endpoints" in str(exc).lower():
        wanted = "endpoint without security" if not settings.secure else \
            f"{settings.security_policy}/{settings.security_mode} endpoint"
        return ConnectionProblem(ProblemKind.SECURITY_NOT_OFFERED,
                                 f"{url} offers no {wanted}; choose one it offers in the connection dialog")
    if isinstance(exc, ua.UaError) and "certificate mismatch" in str(exc).lower():
        return ConnectionProblem(ProblemKind.INVALID_CERTIFICATE,
                                 f"{url} presented another certificate than its endpoint list announced")
    return None


# --- keeping passwords out of logs -------------------------------------------------------

_SECRET_TYPES = (ua.ActivateSessionRequest, ua.ActivateSessionParameters, ua.UserNameIdentityToken)
_PASSWORD_IN_TEXT = re.compile(r"""(Password=)(b?'(?:[^'\\]|\\.)*'|b?"(?:[^"\\]|\\.)*")""")
# The loggers that see request objects: asyncua's client logs every request
# it sends at DEBUG, ActivateSession (with the user token) included.
_ASYNCUA_LOGGERS = (
    "asyncua", "asyncua.client.client", "asyncua.client.ua_client", "asyncua.client.ua_client.UASocketProtocol",
    "asyncua.client.ua_client.UaClient", "asyncua.client.ua_session", "asyncua.client.ua_session.UaSession",
    "asyncua.uaprotocol", "asyncua.server.uaprocessor", "asyncua.server.internal_session",
)


class PasswordRedactor(logging.Filter):
    """Replaces identity tokens in log records with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, _SECRET_TYPES):
            record.msg = _withheld(record.msg)
        if isinstance(record.args, tuple) and any(isinstance(a, _SECRET_TYPES) for a in record.args):
            record.args = tuple(_withheld(a) if isinstance(a, _SECRET_TYPES) else a for a in record.args)
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's business, not ours
            return True
        if "Password=" in text:
            record.msg, record.args = _PASSWORD_IN_TEXT.sub(r"\1<withheld>", text), ()
        return True


def _withheld(obj: object) -> str:
    return f"{type(obj).__name__}(<identity token withheld>)"


_REDACTOR = PasswordRedactor()


def protect_passwords_in_logs() -> None:
    """Install :class:`PasswordRedactor` on asyncua's loggers (idempotent)."""
    names = set(_ASYNCUA_LOGGERS) | {n for n in logging.Logger.manager.loggerDict if n.startswith("asyncua.client")}
    for name in names:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)
