"""Setpoint proposals: the list, and an approver's decision on one.

Approve shows the dry run's diff first (the value read from the line now ->
the new value, limits, guards, watch), asks to confirm, then writes on a worker
thread (the write watches the guards for the proposal's watch time, which the
window must not wait for) and shows how it ended: written, rolled back or
failed, with the reason. Reject asks for the reason. Refusals (the proposer
approving their own change, a user who is not an approver) are shown in the
rules' own words.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox, QDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton, QTableWidgetItem, QVBoxLayout,
)

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.setpoint import proposal_store as proposals
from linetwin.io.setpoint.workflow import Line, approve, plan, reject
from linetwin.io.training.records import iso_time
from linetwin.twin.model import Project
from linetwin.twin.setpoint import rules
from linetwin.twin.setpoint.proposal import PROPOSED, WRITTEN, SetpointProposal
from linetwin.ui.cli.setpoint.setpoint import dry_run_lines
from linetwin.ui.qt.whatif.propose_dialog import REFUSALS, _users_with
from linetwin.ui.qt.widgets.row_table import row_table

COLUMNS = ["ID", "Created", "Signal", "Old", "New", "Status", "Proposer", "Approver", "Reason / outcome"]
STATUS_COLORS = {WRITTEN: "#1B7F3B", "rolled-back": "#9A6700", "failed": "#B42318", "rejected": "#6B7280"}


class ProposalsDialog(QDialog):
    """Lists the store's proposals; ``decided(SetpointProposal)`` after an approval ends or a rejection."""

    decided = Signal(object)

    def __init__(self, project: Project, line: Callable[[], Line | None], store_path: Path | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("proposalsDialog")
        self.setWindowTitle("Setpoint proposals")
        self.project, self.line = project, line
        self.store_path = store_path or proposals.default_store_path()
        self.found: list[SetpointProposal] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="setpoint-approve")
        self.table = row_table(COLUMNS, "proposalsTable")
        self.approver = QComboBox()
        self.approver.setObjectName("approver")
        self.approver.setEditable(True)
        self.approver.addItems(_users_with(rules.APPROVER_ROLES))
        self.approve_button = QPushButton("Approve…")
        self.approve_button.setObjectName("approveButton")
        self.reject_button = QPushButton("Reject…")
        self.refresh_button = QPushButton("Refresh")
        self.message = QLabel("")
        self.message.setObjectName("proposalsMessage")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Approver"))
        row.addWidget(self.approver, 1)
        for button in (self.approve_button, self.reject_button, self.refresh_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Store: {self.store_path}"))
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.approve_button.clicked.connect(self.ask_approve)
        self.reject_button.clicked.connect(self.ask_reject)
        self.refresh_button.clicked.connect(self.refresh)
        self._written.connect(self._on_written)
        self.resize(1100, 420)
        self.refresh()

    _written = Signal(object)  # (SetpointProposal | None, problem text) from the worker

    def refresh(self) -> None:
        try:
            with HistoryStore(proposals.existing(self.store_path), read_only=True) as store:
                self.found = proposals.select(store)
        except (HistoryStoreError, OSError, ValueError) as exc:
            self.found = []
            self.message.setText(f"No proposals yet: {exc}")
        self.table.setRowCount(len(self.found))
        for r, p in enumerate(self.found):
            cells = [p.proposal_id, iso_time(p.created_at), p.signal_id, _num(p.old_value), _num(p.new_value),
                     p.status, p.proposer, p.approver or "-",
                     p.reason if p.status == PROPOSED else f"{p.reason} → {p.outcome or p.status}"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 5 and p.status in STATUS_COLORS:
                    item.setForeground(QBrush(QColor(STATUS_COLORS[p.status])))
                self.table.setItem(r, c, item)

    def selected(self) -> SetpointProposal | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.found[rows.pop()] if len(rows) == 1 else None

    def select_id(self, proposal_id: str) -> None:
        ids = [p.proposal_id for p in self.found]
        if proposal_id in ids:
            self.table.selectRow(ids.index(proposal_id))

    def dry_run_text(self, proposal: SetpointProposal) -> str:
        """The diff an approval would make (ValueError and friends for a refusal)."""
        line = self.line()
        if line is None:
            raise ValueError("no line to write to: connect first")
        return "\n".join(dry_run_lines(plan(self.store_path, self.project, proposal.proposal_id,
                                            self.approver.currentText(), line)))

    def ask_approve(self) -> None:
        proposal = self.selected()
        if proposal is None:
            self.message.setText("Select a proposal first.")
            return
        try:
            diff = self.dry_run_text(proposal)
        except REFUSALS as exc:
            self.message.setText(f"Refused: {exc}")
            return
        answer = QMessageBox.question(self, "Approve and write?", f"{diff}\n\nWrite it to the line now?")
        if answer == QMessageBox.StandardButton.Yes:
            self.start_approval(proposal)

    def start_approval(self, proposal: SetpointProposal) -> None:
        line, approver = self.line(), self.approver.currentText()
        self.message.setText(f"Writing {proposal.proposal_id}: write, read back, watch the guards for "
                             f"{proposal.watch_s:g} s…")
        self.approve_button.setEnabled(False)
        self._pool.submit(self._approve, proposal.proposal_id, approver, line)

    def _approve(self, proposal_id: str, approver: str, line: Line) -> None:
        try:
            result = (approve(self.store_path, self.project, proposal_id, approver, line), "")
        except REFUSALS as exc:
            result = (None, str(exc))
        try:
            self._written.emit(result)
        except RuntimeError:  # the dialog was closed meanwhile: the audit log has the outcome
            pass

    def _on_written(self, result) -> None:
        ended, problem = result
        self.approve_button.setEnabled(True)
        self.refresh()
        if ended is None:
            self.message.setText(f"Refused: {problem}")
            return
        back = "?" if ended.read_back is None else f"{ended.read_back:g}"
        self.message.setText(f"{ended.proposal_id} {ended.status}: {ended.signal_id} {_num(ended.written_old)} -> "
                             f"{ended.new_value:g} (read back {back})"
                             + (f" — {ended.outcome}" if ended.outcome else ""))
        self.decided.emit(ended)

    def ask_reject(self) -> None:
        proposal = self.selected()
        if proposal is None:
            self.message.setText("Select a proposal first.")
            return
        reason, ok = QInputDialog.getText(self, "Reject proposal", f"Why is {proposal.proposal_id} rejected?")
        if ok:
            self.reject_selected(reason)

    def reject_selected(self, reason: str) -> SetpointProposal | None:
        proposal = self.selected()
        try:
            rejected = reject(self.store_path, proposal.proposal_id, self.approver.currentText(), reason)
        except REFUSALS as exc:
            self.message.setText(f"Refused: {exc}")
            return None
        self.refresh()
        self.message.setText(f"{rejected.proposal_id} rejected by {rejected.approver}: {rejected.outcome}")
        self.decided.emit(rejected)
        return rejected

    def done(self, result: int) -> None:  # noqa: D102 - Qt's
        self._pool.shutdown(wait=False)  # a write under way finishes and is audited; not waited for
        super().done(result)


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"
