"""``linetwin trust`` and what ``monitor`` tells a command-line user about an
unknown server certificate, against a real secured asyncua server."""

import json
import subprocess

from linetwin.io.opcua.connection.trust_store import TrustStore
from tests.cli.test_cli_security import ENTRY, _monitor, secure_server, secured  # noqa: F401 - fixtures


def _trust(env, *args):
    return subprocess.run([*ENTRY, "trust", *args], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)


def _store(env) -> TrustStore:
    return TrustStore(f"{env['XDG_CONFIG_HOME']}/linetwin/pki")


def test_an_unknown_server_certificate_is_saved_for_review_and_accepted_by_thumbprint(secured):
    server, project, env = secured
    refused = _monitor(project, env)
    assert refused.returncode == 1
    saved = _store(env).rejected_folder / f"{server.certificate.thumbprint}.der"
    assert saved.is_file() and str(saved) in refused.stderr
    assert "--trust-server-cert" in refused.stderr
    assert f"linetwin trust accept {server.certificate.thumbprint}" in refused.stderr
    listed = _trust(env, "list")
    assert listed.returncode == 0
    assert "rejected" in listed.stdout and server.certificate.thumbprint in listed.stdout
    accepted = _trust(env, "accept", server.certificate.thumbprint[:10].lower())
    assert accepted.returncode == 0, accepted.stderr
    assert server.certificate.thumbprint[:2] in accepted.stdout and not saved.exists()
    run = _monitor(project, env)
    assert run.returncode == 0, run.stderr
    assert any(r["type"] == "value" for r in map(json.loads, run.stdout.splitlines()))
    assert "trusted" in _trust(env, "list").stdout
    removed = _trust(env, "remove", server.certificate.sha256[:12])
    assert removed.returncode == 0, removed.stderr
    assert _monitor(project, env).returncode == 1  # unknown again


def test_accept_takes_a_certificate_file(secured, tmp_path):
    server, project, env = secured
    cert = server.folder / "server" / "secure-test-server.der"
    accepted = _trust(env, "accept", str(cert))
    assert accepted.returncode == 0, accepted.stderr
    assert _store(env).is_trusted(server.certificate)


def test_bad_trust_arguments_get_clear_messages(secured, tmp_path):
    _, _, env = secured
    cases = {
        ("accept", str(tmp_path / "missing.der")): "no such",
        ("accept", "zz-not-hex"): "not a thumbprint",
        ("accept", "ABCDEF12"): "no rejected certificate with thumbprint ABCDEF12",
        ("remove", "ABCDEF12"): "no certificate with thumbprint ABCDEF12",
    }
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    cases[("accept", str(junk))] = "not an X.509 certificate"
    for args, expected in cases.items():
        run = _trust(env, *args)
        assert run.returncode == 1, args
        assert expected in run.stderr and "Traceback" not in run.stderr, (args, run.stderr)
    assert _trust(env, "frobnicate").returncode == 2  # argparse's usage error


def test_monitor_that_never_connects_exits_1_with_the_reason(tmp_path):
    project = tmp_path / "line.toml"
    project.write_text('[project]\nname = "gone"\n[source]\nendpoint = "opc.tcp://127.0.0.1:9/none/"\n'
                       '[[assets]]\nid = "a"\nname = "A"\nlevel = "asset"\n'
                       '[[signals]]\nid = "a.t"\nasset = "a"\nnode = "ns=2;s=T"\nkind = "analog"\n')
    run = subprocess.run([*ENTRY, "monitor", str(project), "--duration", "2"], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 1
    assert "never connected" in run.stderr and "127.0.0.1:9" in run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert records[-1]["type"] == "summary" and records[-1]["values"] == 0
