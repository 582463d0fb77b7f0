"""Pick the SOP and the trainee before a session (``linetwin train PROJECT``
without ``--sop`` or ``--trainee``). The last choices are remembered."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel

from linetwin.io.training import identities

ADD_USER = "linetwin train users add NAME --role operator"


class StartDialog(QDialog):
    """SOPs of ``project`` and the LineTwin users; preselects ``sop_id``/``trainee``,
    else the last ones chosen."""

    def __init__(self, project, sop_id: str | None = None, trainee: str | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Start training — {project.name}")
        settings = QSettings()
        self.sops = QComboBox()
        self.sops.setObjectName("sopChoice")
        for sop in project.sops:
            self.sops.addItem(f"{sop.id} — {sop.title} (v{sop.version}, {len(sop.steps)} steps)", sop.id)
        self.trainees = QComboBox()
        self.trainees.setObjectName("traineeChoice")
        self.problem = QLabel()
        self.problem.setObjectName("startProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B91C1C;")
        try:
            users = identities.load_users()
        except identities.IdentityError as exc:
            users = []
            self.problem.setText(str(exc))
        for user in users:
            self.trainees.addItem(f"{user.name} ({user.role})", user.name)
        _choose(self.sops, sop_id or settings.value("training/last_sop", ""))
        _choose(self.trainees, trainee or settings.value("training/last_trainee", ""))
        if not users and not self.problem.text():
            self.problem.setText(f"There are no LineTwin users yet. Add the trainee with\n{ADD_USER}")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start training")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(users) and bool(project.sops))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("SOP", self.sops)
        layout.addRow("Trainee", self.trainees)
        layout.addRow(self.problem)
        layout.addRow(self.buttons)

    def sop_id(self) -> str:
        return self.sops.currentData() or ""

    def trainee(self) -> str:
        return self.trainees.currentData() or ""

    def accept(self) -> None:
        settings = QSettings()
        settings.setValue("training/last_sop", self.sop_id())
        settings.setValue("training/last_trainee", self.trainee())
        super().accept()


def _choose(combo: QComboBox, value) -> None:
    index = combo.findData(value) if value else -1
    if index >= 0:
        combo.setCurrentIndex(index)
