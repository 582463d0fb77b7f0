"""What the commands read before they start: the project and its connection settings.

Each helper prints what is wrong (file, line, key; a bad option) to stderr and
returns None, so a command exits 1 with a clear message and no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path


def load_or_report(path: Path):
    """The project at ``path``, or None after printing each problem to stderr."""
    from linetwin.io.project.project_file import ProjectFileError, load_project

    try:
        return load_project(path)
    except ProjectFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def connection(args, project):
    """(settings or None, ok): trusts ``--trust-server-cert`` files, builds the settings."""
    from linetwin.io.opcua.connection.connection_options import (
        ConnectionOptionError, ConnectionOptions, settings_for, trust_certificates,
    )

    from linetwin.io.opcua.connection.trust_store import TrustStore, pki_folder

    options = ConnectionOptions(args.endpoint, args.user, args.security_policy,
                                args.security_mode, tuple(args.trust_server_cert))
    try:
        for info in trust_certificates(options.trust_files, TrustStore(pki_folder())):
            print(f"trusted server certificate:\n{info.describe()}", file=sys.stderr)
        return settings_for(project, options), True
    except ConnectionOptionError as error:
        print(f"linetwin: {error}", file=sys.stderr)
        return None, False


def live_inputs(args):
    """(project, connection settings), or None after saying what is wrong."""
    project = load_or_report(args.project)
    if project is None:
        return None
    settings, ok = connection(args, project)
    return (project, settings) if ok else None
