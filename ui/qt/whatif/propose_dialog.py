"""Propose this change…: the what-if panel's setting as a guarded setpoint proposal.

Nothing is written here. The dialog checks the value against the signal's
certified limits as it is typed (and refuses outside them, in the rules' own
words), then stores the proposal through :func:`linetwin.io.setpoint.workflow.propose`
with the prediction's summary and the model's version and hash as its evidence.
A second person approves it in the "Setpoint proposals" dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit,
    QVBoxLayout,
)

from linetwin.io.history.history_store import HistoryStoreError
from linetwin.io.setpoint import proposal_store as proposals
from linetwin.io.setpoint.workflow import Evidence, Line, propose
from linetwin.io.training import identities
from linetwin.twin.model import Project
from linetwin.twin.setpoint import rules
from linetwin.twin.setpoint.proposal import SetpointProposal, limits_text, parse_guard
from linetwin.twin.whatif.changes import ChangeKind, ProposedChange
from linetwin.twin.whatif.prediction import WhatIfPrediction
from linetwin.twin.whatif.whatif_model import WhatIfModel

REFUSALS = (ValueError, OSError, HistoryStoreError)  # SetpointRefused, IdentityError are ValueErrors


def evidence_of(prediction: WhatIfPrediction | None, model: WhatIfModel, signal_id: str) -> Evidence:
    """What the proposal rests on: the prediction's rates (a summary) and the model's identity."""
    summary = None
    if prediction is not None:
        full = prediction.as_json()
        summary = {k: full[k] for k in ("station", "changes", "defects", "fpy", "extrapolation")}
        summary.update(signal=signal_id, model_version=model.version, file="what-if panel")
    return Evidence(summary, model.version, model.hash)


class ProposeDialog(QDialog):
    """``proposal`` holds the stored proposal once accepted."""

    def __init__(self, project: Project, signal_id: str, value: float, evidence: Evidence,
                 line: Callable[[], Line | None], store_path: Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("proposeDialog")
        self.project, self.evidence, self.line = project, evidence, line
        self.signal = project.signal(signal_id)
        self.store_path = store_path or proposals.default_store_path()
        self.proposal: SetpointProposal | None = None
        self.setWindowTitle(f"Propose a setpoint change — {signal_id}")
        low, high = rules.certified_limits(self.signal)
        unit = f" {self.signal.unit}" if self.signal.unit else ""
        self.value = QDoubleSpinBox()
        self.value.setObjectName("proposedValue")
        self.value.setDecimals(3)
        self.value.setRange(-1e9, 1e9)  # out-of-limit values can be typed: they are refused in words
        self.value.setSuffix(unit)
        self.value.setValue(value)
        self.proposer = QComboBox()
        self.proposer.setObjectName("proposer")
        self.proposer.setEditable(True)
        self.proposer.addItems(_users_with(rules.PROPOSER_ROLES))
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("CAPA number, what the what-if showed…")
        self.guards = QLineEdit()
        self.guards.setObjectName("guards")
        self.guards.setPlaceholderText("SIGNAL:LOW..HIGH, … (roll back if one leaves its range)")
        self.watch = QDoubleSpinBox()
        self.watch.setRange(0, 3600)
        self.watch.setValue(60)
        self.watch.setSuffix(" s")
        self.problem = QLabel("")
        self.problem.setObjectName("proposeProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B42318")
        form = QFormLayout()
        form.addRow("Signal", QLabel(f"{signal_id}  ({self.signal.write_node})"))
        form.addRow("Certified", QLabel(f"{limits_text(low, high)}{unit}"))
        form.addRow("New value", self.value)
        form.addRow("Proposed by", self.proposer)
        form.addRow("Reason", self.reason)
        form.addRow("Guards", self.guards)
        form.addRow("Watch after write", self.watch)
        form.addRow("Model", QLabel(evidence.model_version or "-"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Propose", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("proposeButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Nothing is written now: a second person (an approver) must approve it."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.value.valueChanged.connect(self._check_value)
        self._check_value(value)

    def change(self) -> ProposedChange:
        return ProposedChange(self.signal.id, ChangeKind.SET, self.value.value())

    def _check_value(self, value: float) -> None:
        try:
            rules.check_value(self.signal, value)
        except rules.SetpointRefused as exc:
            self.problem.setText(str(exc))
            self.ok.setEnabled(False)
        else:
            self.problem.setText("")
            self.ok.setEnabled(True)

    def submit(self) -> bool:
        """Store the proposal; on a refusal say why and stay open."""
        try:
            rules.check_value(self.signal, self.value.value())  # also when Enter beat the check
            guards = tuple(parse_guard(t) for t in self.guards.text().split(",") if t.strip())
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.proposal = propose(self.store_path, self.project, self.change(), self.reason.text(),
                                        self.proposer.currentText(), guards, self.watch.value(),
                                        self.evidence, self.line())
            finally:
                QApplication.restoreOverrideCursor()
        except REFUSALS as exc:
            self.problem.setText(str(exc))
            return False
        self.accept()
        return True


def _users_with(roles: tuple[str, ...]) -> list[str]:
    try:
        return [u.name for u in identities.load_users() if u.role in roles]
    except ValueError:  # a broken users file: the name typed is checked (and refused) on submit
        return []
