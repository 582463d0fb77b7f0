"""``linetwin trust list|accept|remove``: the server certificates LineTwin trusts.

The decisions live in the trust store (``<config>/pki``, see
:mod:`linetwin.io.opcua.connection.trust_store`): ``trusted/`` holds what the user accepted,
``rejected/`` what a server offered and nobody accepted yet (``monitor`` and
``record`` save an unknown server's certificate there for review).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the store pulls in cryptography: imported when the command runs, not at start-up
    from linetwin.io.opcua.connection.trust_store import CertificateInfo, TrustStore

MIN_THUMBPRINT = 6  # hex digits a user must give to name a certificate


class TrustCommandError(Exception):
    """What the user asked cannot be done; the message says why."""


def add_trust_parser(commands: argparse._SubParsersAction) -> None:
    trust = commands.add_parser("trust", help="list, accept or remove trusted server certificates")
    actions = trust.add_subparsers(dest="trust_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every trusted and rejected server certificate")
    accept = actions.add_parser("accept", help="trust a certificate file, or a rejected certificate "
                                "by its thumbprint")
    accept.add_argument("certificate", help="PEM or DER file, or the SHA-1/SHA-256 thumbprint "
                        "(or its first digits) of a certificate `trust list` shows as rejected")
    remove = actions.add_parser("remove", help="forget a certificate (trusted or rejected)")
    remove.add_argument("thumbprint", help="SHA-1/SHA-256 thumbprint, or its first digits")


def run_trust(args: argparse.Namespace, store: TrustStore | None = None, out: TextIO | None = None,
              err: TextIO | None = None) -> int:
    from linetwin.io.opcua.connection.trust_store import CertificateError, TrustStore, pki_folder

    store = store or TrustStore(pki_folder())
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if args.trust_action == "list":
            return _list(store, out)
        if args.trust_action == "accept":
            info = _accept(store, args.certificate)
            print(f"trusted server certificate:\n{info.describe()}", file=out)
            return 0
        info = _find(store, args.thumbprint, trusted=None)
        store.remove(info)
        print(f"removed {info.summary()}", file=out)
        return 0
    except (TrustCommandError, CertificateError) as error:
        print(f"linetwin trust: {error}", file=err)
        return 1
    except OSError as error:
        print(f"linetwin trust: {store.folder}: {error.strerror or error}", file=err)
        return 1


def _list(store: TrustStore, out: TextIO) -> int:
    entries = store.listing()
    print(f"trust store: {store.folder}", file=out)
    if not entries:
        print("no server certificates trusted or rejected yet", file=out)
        return 0
    print(f"{'STATUS':<9} {'SHA-1 THUMBPRINT':<40} {'VALID UNTIL':<11} SUBJECT", file=out)
    for trusted, path, info in entries:
        status = "trusted" if trusted else "rejected"
        until = f"{info.not_after:%Y-%m-%d}" + (" EXPIRED" if info.expired else "")
        print(f"{status:<9} {info.thumbprint:<40} {until:<11} {info.subject}", file=out)
        print(f"{'':<9} {path}", file=out)
    return 0


def _accept(store: TrustStore, target: str) -> CertificateInfo:
    path = Path(target).expanduser()
    if path.is_file():
        return store.import_file(path)
    if path.exists() or any(sep in target for sep in ("/", "\\")) or "." in target:
        raise TrustCommandError(f"{target}: no such certificate file")
    info = _find(store, target, trusted=False)
    return store.trust(info)


def _find(store: TrustStore, thumbprint: str, trusted: bool | None) -> CertificateInfo:
    """The one certificate whose SHA-1 or SHA-256 thumbprint starts with ``thumbprint``."""
    wanted = thumbprint.replace(":", "").replace(" ", "").upper()
    if len(wanted) < MIN_THUMBPRINT or any(c not in "0123456789ABCDEF" for c in wanted):
        raise TrustCommandError(
            f"{thumbprint!r} is not a thumbprint: give at least {MIN_THUMBPRINT} hex digits of the "
            "SHA-1 or SHA-256 thumbprint `linetwin trust list` shows")
    kinds = {True: "trusted ", False: "rejected ", None: ""}
    found = {info.sha256: info for is_trusted, _, info in store.listing()
             if (trusted is None or is_trusted == trusted)
             and (info.thumbprint.startswith(wanted) or info.sha256.startswith(wanted))}
    if not found:
        already = trusted is False and any(i.thumbprint.startswith(wanted) for i in store.trusted())
        hint = "it is already trusted" if already else "`linetwin trust list` shows the certificates"
        raise TrustCommandError(f"no {kinds[trusted]}certificate with thumbprint {thumbprint}; {hint}")
    if len(found) > 1:
        names = "; ".join(i.summary() for i in found.values())
        raise TrustCommandError(f"thumbprint {thumbprint} matches {len(found)} certificates ({names}): "
                                "give more digits")
    return next(iter(found.values()))
