"""Connection options shared by the commands that read live data (gui, monitor, record).

Turns the project's ``[source]`` plus command-line overrides into
:class:`ConnectionSettings`. The password never comes from a file or an
argument (it would sit in shell history): from ``LINETWIN_PASSWORD`` or a prompt.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from linetwin.io.opcua.connection.security import ACCEPT_HINT, ConnectionProblem, ConnectionSettings, ProblemKind
from linetwin.io.opcua.connection.trust_store import CertificateError, CertificateInfo, TrustStore
from linetwin.twin.model import Project

PASSWORD_VARIABLE = "LINETWIN_PASSWORD"


class ConnectionOptionError(ValueError):
    """Options that cannot work; the message says which and why."""


@dataclass(frozen=True)
class ConnectionOptions:
    endpoint: str | None = None
    username: str | None = None
    security_policy: str | None = None
    security_mode: str | None = None
    trust_files: tuple[Path, ...] = ()


def trust_certificates(files: tuple[Path, ...], store: TrustStore) -> list[CertificateInfo]:
    """Add server certificates to the trust list (``--trust-server-cert FILE``)."""
    try:
        return [store.import_file(path) for path in files]
    except CertificateError as error:
        raise ConnectionOptionError(str(error)) from error


def settings_for(project: Project, options: ConnectionOptions,
                 ask_password=getpass.getpass) -> ConnectionSettings | None:
    """Settings for the project's default endpoint; None for a plain, anonymous one."""
    source = project.source
    policy = options.security_policy or source.security_policy
    mode = options.security_mode or source.security_mode
    username = options.username or source.username
    endpoint = options.endpoint or source.endpoint
    if policy == "None" and mode == "None" and username is None:
        return None
    password = None
    if username is not None:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            if not sys.stdin.isatty():
                raise ConnectionOptionError(
                    f"user {username!r} needs a password: set {PASSWORD_VARIABLE} "
                    "(no terminal to ask on)")
            password = ask_password(f"Password for {username} at {endpoint}: ")
    try:
        return ConnectionSettings(endpoint, policy, mode, username, password)
    except ValueError as error:
        raise ConnectionOptionError(f"{project.path or project.name}: {error}") from error


def headless_reason(problem: ConnectionProblem, trust: TrustStore) -> str:
    """``problem`` told to a command-line user, with what to do about it.

    An unknown server certificate is saved in the trust store's ``rejected/``
    folder, so the user can review it and trust it without the server's files.
    """
    info = problem.certificate
    if problem.kind is not ProblemKind.UNTRUSTED_CERTIFICATE or info is None:
        return problem.message
    refused = problem.message.removesuffix(ACCEPT_HINT)
    try:
        path = trust.keep_offered(info)
    except OSError as error:
        return f"{refused}; cannot save it for review: {error}"
    return (f"{refused}.\n"
            f"The certificate it offered is saved in {path}.\n"
            f"Check its SHA-1 thumbprint {info.thumbprint} with the server's administrator, then trust it:\n"
            f"  linetwin trust accept {info.thumbprint}\n"
            f"or run again with --trust-server-cert {path}")
