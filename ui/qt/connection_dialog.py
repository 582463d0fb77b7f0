"""Connect to a server: endpoint URL, the security the server offers, the user.

Discovery runs on a worker thread; the dialog never waits on the network.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QMessageBox, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from linetwin.io.opcua.connection.endpoints import EndpointError, EndpointOption, default_choice, discover_blocking
from linetwin.io.opcua.connection.security import ConnectionSettings

DISCOVERY_TIMEOUT_S = 5.0


class _DiscoverySignals(QObject):
    found = Signal(list)
    failed = Signal(str)


class _Discovery(QRunnable):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.signals = url, _DiscoverySignals()

    def run(self) -> None:
        try:
            self.signals.found.emit(discover_blocking(self.url, DISCOVERY_TIMEOUT_S))
        except EndpointError as error:
            self.signals.failed.emit(str(error))


class ConnectionDialog(QDialog):
    """Returns :meth:`settings` after ``exec()`` is accepted."""

    def __init__(self, endpoint: str, username: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to OPC UA server")
        self.options: list[EndpointOption] = []
        self.url = QLineEdit(endpoint)
        self.find = QPushButton("Find endpoints")
        self.find.clicked.connect(self.discover)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.find)
        self.security = QComboBox()
        self.security.currentIndexChanged.connect(self._on_option_change)
        self.status = QLabel("Press “Find endpoints” to ask the server what it offers.")
        self.status.setWordWrap(True)
        self.anonymous, self.named = QRadioButton("Anonymous"), QRadioButton("User name")
        group = QButtonGroup(self)
        for button in (self.anonymous, self.named):
            group.addButton(button)
        self.user, self.password = QLineEdit(username or ""), QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.named.setChecked(bool(username))
        self.anonymous.setChecked(not username)
        form = QFormLayout()
        form.addRow("Endpoint URL", _wrap(url_row))
        form.addRow("Security", self.security)
        form.addRow("", self.anonymous)
        form.addRow("", self.named)
        form.addRow("User name", self.user)
        form.addRow("Password", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, 300)

    def discover(self) -> None:
        self.find.setEnabled(False)
        self.status.setText(f"Asking {self.url.text().strip()}…")
        job = _Discovery(self.url.text().strip())
        job.signals.found.connect(self._on_found)
        job.signals.failed.connect(self._on_failed)
        self._job = job  # keep the signals object alive until it reports
        QThreadPool.globalInstance().start(job)

    def _on_found(self, options: list[EndpointOption]) -> None:
        self.find.setEnabled(True)
        self.options = [o for o in options if o.supported]
        self.security.clear()
        for option in self.options:
            self.security.addItem(option.label)
        best = default_choice(self.options)
        if best is not None:
            self.security.setCurrentIndex(self.options.index(best))
        self.connect_button.setEnabled(bool(self.options))
        self.status.setText(f"{len(self.options)} endpoint(s) offered." if self.options
                            else "The server offers no endpoint LineTwin supports.")

    def _on_failed(self, message: str) -> None:
        self.find.setEnabled(True)
        self.status.setText(f"<span style='color:#B42318'>{message}</span>")

    def _on_option_change(self, index: int) -> None:
        option = self.options[index] if 0 <= index < len(self.options) else None
        users = option is not None and "username" in option.user_tokens
        anonymous = option is None or "anonymous" in option.user_tokens
        self.named.setEnabled(users)
        self.anonymous.setEnabled(anonymous)
        if not users:
            self.anonymous.setChecked(True)
        elif not anonymous:
            self.named.setChecked(True)

    def settings(self) -> ConnectionSettings:
        option = self.options[self.security.currentIndex()]
        named = self.named.isChecked()
        return ConnectionSettings(
            self.url.text().strip(), option.security_policy, option.security_mode,
            self.user.text().strip() if named else None,
            self.password.text() if named else None)


def ask_retry_after_refusal(parent, endpoint: str, message: str) -> bool:
    """The server refused LineTwin's own certificate: say which file its administrator
    must trust; True if the user says it is trusted now and wants to retry."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Server refused LineTwin", message, parent=parent)
    box.setInformativeText("Send the certificate file to the server's administrator. Once the server "
                           "trusts it, press Retry. LineTwin does not retry by itself meanwhile.")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # paths can be copied
    retry = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Close", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is retry


def _wrap(layout) -> QWidget:
    holder = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder
