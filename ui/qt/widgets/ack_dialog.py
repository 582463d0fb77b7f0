"""Acknowledge an alert with a comment; an empty comment keeps the dialog open."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout,
)

HINT = "A comment is required: say what was seen or done."


class AcknowledgeDialog(QDialog):
    """Shows the alert and asks why; :meth:`comment` is the text once accepted."""

    def __init__(self, message: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Acknowledge alert")
        self.setObjectName("acknowledgeDialog")
        text = QLabel(f"{message}\n\nComment (required: what was seen or done):")
        text.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("ackComment")
        self.hint = QLabel(HINT)
        self.hint.setObjectName("ackHint")
        self.hint.setStyleSheet("color: #B42318")
        self.hint.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Acknowledge")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.editor.textChanged.connect(lambda: self.hint.setVisible(False))
        layout = QVBoxLayout(self)
        for widget in (text, self.editor, self.hint, self.buttons):
            layout.addWidget(widget)
        self.resize(440, 260)

    def comment(self) -> str:
        return self.editor.toPlainText().strip()

    def accept(self) -> None:
        if not self.comment():
            self.hint.show()  # stay open: the typed-nothing case is a hint, not an error box
            self.editor.setFocus()
            return
        super().accept()
