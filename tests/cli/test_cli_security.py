"""The command line against a server that requires Basic256Sha256 SignAndEncrypt and a user."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from linetwin.io.opcua.connection.trust_store import ClientIdentity
from tests.io.secure_server import PASSWORD, SecureTestServer, USERNAME

ENTRY = [sys.executable, "-m", "linetwin.main"]
PROJECT_TOML = """
[project]
name = "secure cell"

[source]
endpoint = "{endpoint}"
security_policy = "Basic256Sha256"
security_mode = "SignAndEncrypt"
username = "{user}"

[[assets]]
id = "cell1"
name = "Cell 1"
level = "asset"

[[signals]]
id = "cell1.temperature"
asset = "cell1"
node = "ns=2;s=Cell1.Temperature"
kind = "analog"
"""


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory):
    """One secured server for the module (a start costs seconds), trusting one
    client identity made here; each test gets that identity in a fresh config."""
    folder = tmp_path_factory.mktemp("secure")
    identity = ClientIdentity.load_or_create(folder / "own")
    server = SecureTestServer(folder / "server", (identity.certificate_path.read_bytes(),))
    server.start()
    yield server, folder / "own"
    server.stop()


@pytest.fixture
def secured(secure_server, tmp_path):
    """The shared secured server, and the env to run as the identity it trusts,
    with this test's own (empty) trusted and rejected lists."""
    server, own = secure_server
    config = tmp_path / "config"
    shutil.copytree(own, config / "linetwin" / "pki" / "own")
    project = tmp_path / "cell.toml"
    project.write_text(PROJECT_TOML.format(endpoint=server.endpoint, user=USERNAME))
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), LINETWIN_PASSWORD=PASSWORD)
    return server, project, env


def _monitor(project, env, *extra):
    return subprocess.run([*ENTRY, "monitor", str(project), "--duration", "4", *extra],
                          capture_output=True, text=True, timeout=90, env=env, stdin=subprocess.DEVNULL)


def test_untrusted_server_certificate_is_refused_with_its_thumbprint(secured):
    server, project, env = secured
    run = _monitor(project, env)
    assert run.returncode == 1
    assert "not trusted" in run.stderr and server.certificate.thumbprint[:8].lower() in \
        run.stderr.lower()
    assert not any(r["type"] == "value" for r in map(json.loads, run.stdout.splitlines()))


def test_trusted_certificate_and_password_give_live_values(secured, tmp_path):
    server, project, env = secured
    cert = server.folder / "server" / "secure-test-server.der"
    run = _monitor(project, env, "--trust-server-cert", str(cert))
    assert run.returncode == 0, run.stderr
    values = [r for r in map(json.loads, run.stdout.splitlines()) if r["type"] == "value"]
    assert values and values[0]["quality"] == "good" and values[0]["value"] == 71.5
    assert PASSWORD not in run.stderr + run.stdout
    again = _monitor(project, env)  # the trust list persists between runs
    assert again.returncode == 0, again.stderr


def test_wrong_password_is_a_clear_error_and_not_retried(secured, tmp_path):
    server, project, env = secured
    cert = server.folder / "server" / "secure-test-server.der"
    earlier = len(server.activations)  # the server is shared by the module's tests
    run = _monitor(project, dict(env, LINETWIN_PASSWORD="wrong"), "--trust-server-cert", str(cert))
    assert run.returncode == 1
    assert "rejected" in run.stderr and "wrong" not in run.stderr
    assert [ok for _, ok in server.activations[earlier:]] == [False]


def test_missing_password_without_terminal_and_bad_cert_file(secured, tmp_path):
    _, project, env = secured
    no_password = {k: v for k, v in env.items() if k != "LINETWIN_PASSWORD"}
    run = _monitor(project, no_password)
    assert run.returncode == 1 and "LINETWIN_PASSWORD" in run.stderr
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    run = _monitor(project, env, "--trust-server-cert", str(junk))
    assert run.returncode == 1 and "junk.pem" in run.stderr and "Traceback" not in run.stderr
