"""Secured connections in the GUI: discovery, an unknown certificate, a rejected password."""

import pytest

from linetwin.io.sessions.live_session import LiveSession
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import ClientIdentity, TrustStore
from linetwin.twin.updates import Quality
from linetwin.ui.qt.connection_dialog import ConnectionDialog
from linetwin.ui.qt.main_window import MainWindow
from tests.io.secure_server import PASSWORD, SECURE_PROJECT, SecureTestServer, USERNAME


@pytest.fixture
def secure_server(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # own trust list
    identity = ClientIdentity.load_or_create(_pki(tmp_path) / "own")
    server = SecureTestServer(tmp_path / "server", (identity.certificate_path.read_bytes(),))
    server.start()
    yield server
    server.stop()


def _pki(tmp_path):
    return tmp_path / "config" / "linetwin" / "pki"  # the user's, as XDG_CONFIG_HOME says


def _window(qtbot, tmp_path, server, password):
    settings = ConnectionSettings(server.endpoint, "Basic256Sha256", "SignAndEncrypt",
                                  USERNAME, password)
    session = LiveSession(SECURE_PROJECT, endpoint=server.endpoint, settings=settings,
                          mesh_cache=MeshCache(tmp_path / "cache"), trust=TrustStore(_pki(tmp_path)))
    window = MainWindow(session)
    qtbot.addWidget(window)
    return window, session


def test_dialog_lists_endpoints_and_prefers_basic256sha256_sign_and_encrypt(qtbot, secure_server):
    dialog = ConnectionDialog(secure_server.endpoint, USERNAME)
    qtbot.addWidget(dialog)
    dialog.discover()
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=10_000)
    assert dialog.security.currentText().startswith("Basic256Sha256 - SignAndEncrypt")
    assert dialog.named.isEnabled() and not dialog.anonymous.isEnabled()
    dialog.password.setText(PASSWORD)
    settings = dialog.settings()
    assert (settings.security_policy, settings.security_mode, settings.username) == \
        ("Basic256Sha256", "SignAndEncrypt", USERNAME)
    assert PASSWORD not in repr(settings)


def test_dialog_says_why_an_endpoint_cannot_be_reached(qtbot):
    dialog = ConnectionDialog("opc.tcp://127.0.0.1:1/none/")
    qtbot.addWidget(dialog)
    dialog.discover()
    qtbot.waitUntil(lambda: "127.0.0.1:1" in dialog.status.text(), timeout=10_000)
    assert not dialog.connect_button.isEnabled()


def test_unknown_certificate_is_shown_and_trusted_only_when_accepted(qtbot, tmp_path,
                                                                      secure_server):
    window, session = _window(qtbot, tmp_path, secure_server, PASSWORD)
    asked = []
    window.ask_trust = lambda endpoint, info: asked.append(info) or len(asked) > 1
    window.show()
    session.start()
    window.start()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=15_000)  # first refusal: user says no
    assert asked[0].thumbprint == secure_server.certificate.thumbprint
    assert session.state.reading("cell1.temperature").quality is Quality.NO_DATA
    session.client.retry_now()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=15_000)  # asked again: now trusted
    qtbot.waitUntil(lambda: session.state.reading("cell1.temperature").quality is Quality.GOOD,
                    timeout=15_000)
    assert session.state.reading("cell1.temperature").value == 71.5
    window.close()


def test_rejected_password_is_asked_again(qtbot, tmp_path, secure_server):
    window, session = _window(qtbot, tmp_path, secure_server, "wrong")
    window.ask_trust = lambda endpoint, info: True
    typed = []
    window.ask_password = lambda endpoint, user: typed.append(user) or PASSWORD
    window.show()
    session.start()
    window.start()
    qtbot.waitUntil(lambda: session.state.reading("cell1.temperature").quality is Quality.GOOD,
                    timeout=20_000)
    assert typed == [USERNAME]
    assert [ok for _, ok in secure_server.activations][:2] == [False, True]
    window.close()
