"""The form that confirms a proposed signal before it is written to the project."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout,
)

from linetwin.io.project.signal_proposal import SignalProposal

KINDS = ("state", "analog", "counter")
DEFAULT_SAMPLING_MS = 500
WARNING_COLOR, ERROR_COLOR, MUTED_COLOR = "#9A6700", "#B42318", "#6B7280"


class SignalFormDialog(QDialog):
    """Edit id, kind, unit, sampling and limits of a proposed signal.

    ``initial``: fields entered before (a refused save), shown instead of the
    proposal's so nothing typed is lost.
    """

    def __init__(self, proposal: SignalProposal, asset_name: str,
                 initial: dict[str, Any] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("bindSignalDialog")
        self.setWindowTitle("Bind node as a signal")
        self.proposal = proposal
        start = dict(proposal.to_fields(), **(initial or {}))
        limits = start.get("limits") or {}

        self.id_edit = QLineEdit(str(start["id"]))
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(KINDS)
        self.kind_combo.setCurrentText(str(start["kind"]))
        self.unit_edit = QLineEdit(str(start.get("unit", "")))
        self.unit_edit.setPlaceholderText("none")
        self.sampling_spin = QSpinBox()
        self.sampling_spin.setRange(10, 3_600_000)
        self.sampling_spin.setSingleStep(50)
        self.sampling_spin.setSuffix(" ms")
        self.sampling_spin.setValue(int(start.get("sampling_ms", DEFAULT_SAMPLING_MS)))
        self.low_edit, self.high_edit = _limit_edit(limits.get("low")), _limit_edit(limits.get("high"))
        self.kind_combo.currentTextChanged.connect(self._on_kind_change)

        form = QFormLayout()
        form.addRow("Node:", _selectable(proposal.node))
        form.addRow("Asset:", _selectable(f"{asset_name} ({proposal.asset})"))
        form.addRow("Signal id:", self.id_edit)
        form.addRow("Kind:", self.kind_combo)
        form.addRow("Unit:", self.unit_edit)
        form.addRow("Sampling:", self.sampling_spin)
        form.addRow("Low limit:", self.low_edit)
        form.addRow("High limit:", self.high_edit)

        self.reason_label = QLabel(self._reason_text())
        self.reason_label.setWordWrap(True)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("bindWarning")
        self.warning_label.setWordWrap(True)
        if proposal.bound_as:
            self.warning_label.setText(
                f"<span style='color:{WARNING_COLOR}'>⚠ This node is already bound to "
                f"{html.escape(asset_name)} as signal <b>{html.escape(proposal.bound_as)}</b>; "
                "the project will refuse a second binding.</span>")
        self.warning_label.setVisible(bool(proposal.bound_as))
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR}")
        self.error_label.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save to project")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._on_kind_change(self.kind_combo.currentText())
        self.setMinimumWidth(440)

    def _reason_text(self) -> str:
        reason = html.escape(self.proposal.reason or "")
        dtype = html.escape(self.proposal.data_type or "")
        states = self.proposal.states
        extra = ""
        if states:
            extra = "<br>States: " + html.escape(", ".join(f"{k} = {v}" for k, v in states.items()))
        return (f"<span style='color:{MUTED_COLOR}'>Proposed kind: {reason}"
                f"{' (data type ' + dtype + ')' if dtype else ''}{extra}</span>")

    def _on_kind_change(self, kind: str) -> None:
        # Limits are spec limits of a process value; states and counts have none.
        for edit in (self.low_edit, self.high_edit):
            edit.setEnabled(kind == "analog")

    def fields(self) -> dict[str, Any]:
        """The ``[[signals]]`` keys as entered (raises ValueError on a bad entry)."""
        signal_id = self.id_edit.text().strip()
        if not signal_id:
            raise ValueError("the signal needs an id")
        kind = self.kind_combo.currentText()
        fields: dict[str, Any] = {"id": signal_id, "asset": self.proposal.asset,
                                  "node": self.proposal.node, "kind": kind}
        if self.unit_edit.text().strip():
            fields["unit"] = self.unit_edit.text().strip()
        if kind == "analog":
            low, high = _number(self.low_edit, "low limit"), _number(self.high_edit, "high limit")
            if low is not None and high is not None and low > high:
                raise ValueError(f"the low limit ({low:g}) is above the high limit ({high:g})")
            limits = {k: v for k, v in (("low", low), ("high", high)) if v is not None}
            if limits:
                fields["limits"] = limits
        fields["sampling_ms"] = self.sampling_spin.value()
        if kind == "state" and self.proposal.states:
            fields["states"] = dict(self.proposal.states)
        return fields

    def accept(self) -> None:
        try:
            self.fields()
        except ValueError as error:  # keep the dialog open with what was typed
            self.error_label.setText(str(error).capitalize())
            return
        super().accept()


def ask_signal_fields(proposal: SignalProposal, asset_name: str,
                      initial: dict[str, Any] | None = None, parent=None) -> dict[str, Any] | None:
    """Show the form modally; the fields on OK, ``None`` on Cancel."""
    dialog = SignalFormDialog(proposal, asset_name, initial, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.fields()
    finally:
        dialog.deleteLater()


def _limit_edit(value: Any) -> QLineEdit:
    edit = QLineEdit("" if value is None else f"{float(value):g}")
    edit.setPlaceholderText("none")
    validator = QDoubleValidator(edit)
    validator.setNotation(QDoubleValidator.Notation.StandardNotation)
    validator.setLocale(QLocale.c())  # the file stores '1.5', whatever the desktop's locale
    edit.setValidator(validator)
    return edit


def _number(edit: QLineEdit, what: str) -> float | None:
    text = edit.text().strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"the {what} {text!r} is not a number") from None


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
