"""The end of a session: the result, the stored record, the trainer's sign-off.

Passed or failed, the score, the time, the errors by kind and each step's
time. The record is stored as the dialog opens (in ``--history`` or the
user's default store); "Sign off…" asks which trainer signs and shows a
refusal (the trainee signing their own record, a user who is not a trainer,
a failed record) in the refusal's own words; "Save certificate PDF…" prints
the record as it stands (NOT CERTIFIED until passed and signed).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from linetwin.io.history.history_store import HistoryStoreError
from linetwin.io.training import identities, records
from linetwin.twin.sop.sop_result import TrainingResult
from linetwin.ui.qt.training.instruction_panel import clock

STORE_FAILURES = (ValueError, OSError, HistoryStoreError)


def store(result: TrainingResult, history: Path | None, role: str, certification_days: int):
    """(record id, store path, problem): the record stored, or why it was not."""
    path = Path(history) if history is not None else records.default_store_path()
    try:
        return records.store_record(path, result, role, certification_days), path, ""
    except STORE_FAILURES as exc:
        return None, path, f"{path}: the record was not stored: {exc}"


class ResultDialog(QDialog):
    """The session's result; stores its record on opening."""

    def __init__(self, result: TrainingResult, sop, trainee_role: str, history: Path | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.result = result
        self.setWindowTitle(f"Training result — {result.sop} — {result.trainee}")
        self.setObjectName("trainingResult")
        self.record_id, self.store_path, self.store_problem = store(
            result, history, trainee_role, sop.certification_days)
        self.signed = None  # the TrainingRecord once signed
        self.verdict = QLabel()
        self.verdict.setObjectName("resultVerdict")
        self.record_line = QLabel()
        self.record_line.setObjectName("resultRecord")
        self.record_line.setWordWrap(True)
        self.sign_button = QPushButton("Sign off…")
        self.sign_button.setObjectName("signOffButton")
        self.sign_button.clicked.connect(self.ask_sign_off)
        self.pdf_button = QPushButton("Save certificate PDF…")
        self.pdf_button.setObjectName("certificateButton")
        self.pdf_button.clicked.connect(self.save_certificate)
        self._build()
        self._show_record()

    def _build(self) -> None:
        r = self.result
        self.verdict.setText(f"{'PASSED' if r.passed else 'FAILED'} — score {r.score:.0f} / 100")
        color = "#166534" if r.passed else "#B91C1C"
        self.verdict.setStyleSheet(f"font-size: 20px; font-weight: bold; color: {color};")
        facts = QFormLayout()
        facts.addRow("SOP", QLabel(f"{r.sop} v{r.version} — {r.title}"))
        facts.addRow("Trainee", QLabel(r.trainee))
        facts.addRow("Time", QLabel(f"{clock(r.duration_s)} (simulated)"))
        facts.addRow("Hints", QLabel(str(r.hints)))
        by_kind = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in sorted(r.errors_by_kind().items()))
        facts.addRow("Errors", QLabel(by_kind or "none"))
        if r.faults:
            facts.addRow("Faults injected", QLabel(", ".join(r.faults)))
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addLayout(facts)
        layout.addWidget(QLabel("Steps"))
        layout.addWidget(self._steps_table())
        layout.addWidget(QLabel("Errors"))
        layout.addWidget(self._errors_table())
        layout.addWidget(self.record_line)
        layout.addLayout(buttons)
        self.resize(820, 680)

    def _steps_table(self) -> QTableWidget:
        table = _table(["#", "Step", "Done", "Time", "Errors", "Hints"], "resultSteps", stretch=1)
        for s in self.result.steps:
            _row(table, [str(s.step), s.title, "✓" if s.completed else "✗",
                         clock(s.time_s) if s.time_s is not None else "—", str(s.errors), str(s.hints)])
        return table

    def _errors_table(self) -> QTableWidget:
        table = _table(["Step", "Kind", "Message"], "resultErrors", stretch=2)
        for e in self.result.errors:
            _row(table, [str(e.step) if e.step else "SOP", e.kind.value, e.message])
        return table

    def _show_record(self) -> None:
        if self.store_problem:
            self.record_line.setText(f"⚠ {self.store_problem}")
            self.record_line.setStyleSheet("color: #B91C1C;")
            self.sign_button.setEnabled(False)
            self.pdf_button.setEnabled(False)
            return
        signed = f" — signed by {self.signed.signed_by}" if self.signed is not None else " — not signed"
        self.record_line.setText(f"Record {self.record_id} stored in {self.store_path}{signed}")
        self.sign_button.setEnabled(self.signed is None and self.result.passed)
        if not self.result.passed:
            self.sign_button.setToolTip("A failed record is not signed: the trainee trains again")

    # -- sign-off and certificate --------------------------------------------------------

    def ask_sign_off(self) -> None:
        dialog = SignOffDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.sign_off(dialog.trainer(), dialog.comment())

    def sign_off(self, trainer: str, comment: str = "") -> bool:
        """Sign the record as ``trainer``; a refusal is shown in its own words."""
        try:
            self.signed = records.sign(self.store_path, self.record_id, trainer, comment)
        except STORE_FAILURES as exc:
            QMessageBox.warning(self, "Sign-off refused", str(exc))
            return False
        self._show_record()
        return True

    def save_certificate(self) -> None:
        default = str(Path.home() / f"{self.record_id}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Save certificate PDF", default, "PDF (*.pdf)")
        if path:
            self.write_certificate(Path(path))

    def write_certificate(self, path: Path) -> bool:
        from linetwin.ui.report.certificate import write_certificates  # reportlab: only when asked

        try:
            record = self.signed or records.find_record(self.store_path, self.record_id)
            write_certificates([record], path, time.time())
        except STORE_FAILURES as exc:
            QMessageBox.warning(self, "Certificate not saved", f"{path}: {exc}")
            return False
        QMessageBox.information(self, "Certificate saved", f"Saved {path}")
        return True


class SignOffDialog(QDialog):
    """Which trainer signs (the LineTwin users with the trainer role, or a typed name) and a comment."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign off the record")
        self.trainers = QComboBox()
        self.trainers.setObjectName("trainerChoice")
        self.trainers.setEditable(True)  # a name typed in is checked by sign(), refused in words
        try:
            names = [u.name for u in identities.load_users() if u.role == "trainer"]
        except identities.IdentityError as exc:
            names = []
            self.trainers.setToolTip(str(exc))
        self.trainers.addItems(names)
        self.note = QLineEdit()
        self.note.setObjectName("signComment")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("Trainer", self.trainers)
        layout.addRow("Comment", self.note)
        if not names:
            layout.addRow(QLabel("No LineTwin user has the trainer role yet: add one with\n"
                                 "linetwin train users add NAME --role trainer"))
        layout.addRow(buttons)

    def trainer(self) -> str:
        return self.trainers.currentText().strip()

    def comment(self) -> str:
        return self.note.text().strip()


def _table(headers: list[str], name: str, stretch: int) -> QTableWidget:
    """A read-only table; column ``stretch`` takes the width the others leave."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        mode = QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    return table


def _row(table: QTableWidget, cells: list[str]) -> None:
    row = table.rowCount()
    table.insertRow(row)
    for column, text in enumerate(cells):
        table.setItem(row, column, QTableWidgetItem(text))
