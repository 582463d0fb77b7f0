"""The GUI when a server (node-opcua) refuses LineTwin's client certificate at
the secure-channel level: the user is told which file to hand over, and the
client waits for Retry instead of hammering the server."""

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from linetwin.io.sessions.live_session import LiveSession
from linetwin.io.mesh.mesh_cache import MeshCache
from linetwin.io.opcua.connection.security import ConnectionSettings
from linetwin.io.opcua.connection.trust_store import ClientIdentity, TrustStore
from linetwin.ui.qt.connection_dialog import ask_retry_after_refusal
from linetwin.ui.qt.main_window import MainWindow
from tests.io.node_opcua_server import NodeOpcuaServer
from tests.io.opcua.test_node_opcua_refusal import PROJECT


def test_the_refusal_prompt_shows_the_message_and_offers_retry(qtbot):
    seen = []

    def press_retry():
        box = QApplication.activeModalWidget()
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == "Retry").click()

    QTimer.singleShot(0, press_retry)
    assert ask_retry_after_refusal(None, "opc.tcp://x:4840/", "the server refused LineTwin's client certificate")
    assert seen == ["the server refused LineTwin's client certificate"]
    QTimer.singleShot(0, lambda: next(b for b in QApplication.activeModalWidget().buttons()
                                      if b.text() == "Close").click())
    assert not ask_retry_after_refusal(None, "opc.tcp://x:4840/", "refused")


@pytest.mark.timeout(180)
def test_a_refused_client_certificate_is_explained_in_the_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    pki = tmp_path / "config" / "linetwin" / "pki"
    identity = ClientIdentity.load_or_create(pki / "own")
    with NodeOpcuaServer(tmp_path / "node") as server:
        TrustStore(pki).trust(server.certificate)
        asked = []
        monkeypatch.setattr("linetwin.ui.qt.main_window.ask_retry_after_refusal",
                            lambda parent, endpoint, message: asked.append(message) and False)
        settings = ConnectionSettings(server.endpoint, "Basic256Sha256", "SignAndEncrypt")
        session = LiveSession(PROJECT, endpoint=server.endpoint, settings=settings,
                              mesh_cache=MeshCache(tmp_path / "cache"), trust=TrustStore(pki))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        session.start()
        window.start()
        try:
            qtbot.waitUntil(lambda: len(asked) == 1, timeout=30_000)
            assert identity.thumbprint in asked[0] and str(identity.certificate_path) in asked[0]
            label = window.connection_labels[server.endpoint]
            assert "refused LineTwin's client certificate" in label.toolTip()
        finally:
            window.close()
            session.stop()
