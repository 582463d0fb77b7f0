"""The model card, one click from the what-if panel: monospace, selectable, with a Copy button."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout

from linetwin.twin.whatif.model_card import card_text, model_card
from linetwin.twin.whatif.whatif_model import WhatIfModel


class ModelCardDialog(QDialog):
    def __init__(self, model: WhatIfModel, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("modelCard")
        self.setWindowTitle(f"Model card — {model.version}")
        self.text = QPlainTextEdit(card_text(model_card(model)))
        self.text.setObjectName("modelCardText")
        self.text.setReadOnly(True)  # read-only still selects and copies
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(980, 480)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
