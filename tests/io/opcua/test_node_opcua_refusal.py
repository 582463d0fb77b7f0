"""A node-opcua server that refuses LineTwin's client certificate at the
secure-channel level: a clear, named refusal, no retry loop, and a connection
once the server's administrator trusts the certificate."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import subprocess
import sys

import pytest

from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.io.opcua.connection.security import ConnectionSettings, ProblemKind
from linetwin.io.opcua.connection.trust_store import ClientIdentity, TrustStore
from linetwin.twin.updates import ConnectionState
from tests.io.conftest_opcua import FreezableProxy, QueueReader
from tests.io.node_opcua_server import NodeOpcuaServer
from tests.io.secure_server import SECURE_PROJECT

pytestmark = pytest.mark.timeout(240)

PROJECT = dataclasses.replace(SECURE_PROJECT, signals=SECURE_PROJECT.signals[:1])  # Cell1.Temperature


class CountingProxy(FreezableProxy):
    """Counts the TCP connections a client opens (discovery and sessions alike)."""

    connections = 0

    async def _pipe_both(self, reader, writer) -> None:
        self.connections += 1
        await super()._pipe_both(reader, writer)


@pytest.fixture(scope="module")
def node_server(tmp_path_factory):
    with NodeOpcuaServer(tmp_path_factory.mktemp("node-opcua")) as server:
        yield server


def _client(endpoint: str, identity: ClientIdentity, trust: TrustStore) -> tuple[LiveClient, QueueReader]:
    updates: queue.SimpleQueue = queue.SimpleQueue()
    settings = ConnectionSettings(endpoint, "Basic256Sha256", "SignAndEncrypt")
    return LiveClient(PROJECT, updates, settings=settings, identity=identity, trust=trust), QueueReader(updates)


def test_a_channel_level_refusal_names_the_certificate_and_is_not_retried(node_server, tmp_path):
    identity = ClientIdentity.load_or_create(tmp_path / "own")
    trust = TrustStore(tmp_path / "pki")
    trust.trust(node_server.certificate)
    proxy = CountingProxy(node_server.port)
    proxy.start()
    client, reader = _client(f"opc.tcp://127.0.0.1:{proxy.port}/refusing", identity, trust)
    client.start()
    try:
        assert reader.wait_for(lambda: client.problem is not None, timeout=30), reader.items
        problem = client.problem
        assert problem.kind is ProblemKind.CLIENT_CERTIFICATE_REJECTED
        assert identity.thumbprint in problem.message
        assert str(identity.certificate_path) in problem.message
        assert "must trust it" in problem.message and "AssertionError" not in problem.message
        assert "BadSecurityChecksFailed" in problem.message or "BadCertificate" in problem.message
        seen = proxy.connections
        # Longer than the client's longest backoff (2 s): a retrying client would reconnect.
        reader.wait_for(lambda: False, timeout=5)
        assert proxy.connections == seen
        assert reader.states()[-1] is ConnectionState.DISCONNECTED
        assert ConnectionState.CONNECTED not in reader.states()
    finally:
        client.stop()
        proxy.stop()


def test_once_the_administrator_trusts_it_a_retry_connects(node_server, tmp_path):
    identity = ClientIdentity.load_or_create(tmp_path / "own")
    trust = TrustStore(tmp_path / "pki")
    trust.trust(node_server.certificate)
    client, reader = _client(node_server.endpoint, identity, trust)
    client.start()
    try:
        assert reader.wait_for(lambda: client.problem is not None, timeout=30), reader.items
        # What the administrator does: move the refused certificate to the trusted list.
        refused = [p for p in node_server.rejected_folder.iterdir() if identity.thumbprint.lower() in p.name.lower()]
        assert len(refused) == 1, list(node_server.rejected_folder.iterdir())
        node_server.trusted_folder.mkdir(parents=True, exist_ok=True)
        shutil.move(refused[0], node_server.trusted_folder / refused[0].name)

        def retried_and_good() -> bool:
            # node-opcua notices the moved file through a folder watcher, a moment
            # later: until then it refuses again, and the user presses retry again.
            if client.problem is not None:
                client.retry_now()
            return any(v.status_code == 0 for v in reader.values())

        assert reader.wait_for(retried_and_good, timeout=30), \
            [m for m in reader.items if not hasattr(m, "value")]
        assert reader.values()[0].value == 71.5
    finally:
        client.stop()


def test_monitor_exits_1_naming_the_refusal(node_server, tmp_path):
    config = tmp_path / "config"
    project = tmp_path / "cell.toml"
    project.write_text(f'[project]\nname = "cell"\n[source]\nendpoint = "{node_server.endpoint}"\n'
                       'security_policy = "Basic256Sha256"\nsecurity_mode = "SignAndEncrypt"\n'
                       '[[assets]]\nid = "cell1"\nname = "Cell 1"\nlevel = "asset"\n'
                       '[[signals]]\nid = "cell1.temperature"\nasset = "cell1"\n'
                       'node = "ns=2;s=Cell1.Temperature"\nkind = "analog"\n')
    run = subprocess.run(
        [sys.executable, "-m", "linetwin.main", "monitor", str(project), "--duration", "60",
         "--trust-server-cert", str(node_server.certificate_file)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env=dict(os.environ, XDG_CONFIG_HOME=str(config)))
    identity = ClientIdentity.load_or_create(config / "linetwin" / "pki" / "own")  # the one monitor made
    assert run.returncode == 1
    assert "refused LineTwin's client certificate" in run.stderr and identity.thumbprint in run.stderr
    assert str(identity.certificate_path) in run.stderr and "AssertionError" not in run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert records[-1]["type"] == "summary" and records[-1]["values"] == 0
    assert records[-1]["duration_s"] < 60  # stopped at the refusal, not at the end of --duration
