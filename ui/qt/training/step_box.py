"""The widget of the current step, when the step has one of its own.

Acknowledge: a button. Verify: the watched condition, a Verify button that
starts watching it, and how long it has held ("held 4.0 of 10 s"). Quiz: the
question, one radio button per choice, Answer. Pick, control, set and enter
steps are done with the 3D view and the station box; this box then says
where.
"""

from __future__ import annotations

import math
import textwrap

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup, QGroupBox, QLabel, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from linetwin.twin.sop.constraints import reading
from linetwin.twin.sop.sop_model import ActionKind, SopStep
from linetwin.twin.sop.trainee_actions import TraineeAction

CHOICE_WRAP = 44  # characters per line of a quiz choice: the panel stays narrow
_HOW = {
    ActionKind.PICK: "Click the part in the 3D view.",
    ActionKind.CONTROL: "Use the station's controls below.",
    ActionKind.SET: "Use “Set value” below.",
    ActionKind.ENTER: "Read the gauge and use “Enter measured value” below.",
}


class StepBox(QGroupBox):
    """Shows the widget the current step is done with; emits the trainee's action."""

    acted = Signal(object)  # TraineeAction

    def __init__(self, run, parent=None) -> None:
        super().__init__("This step", parent)
        self.run = run
        self.step: SopStep | None = None
        self.how = QLabel()
        self.how.setObjectName("stepHow")
        self.how.setWordWrap(True)
        self.acknowledge = self._button("Acknowledge", "acknowledgeButton",
                                        lambda: self._act(TraineeAction("acknowledge", step=self._id())))
        self.condition = QLabel()
        self.condition.setObjectName("verifyCondition")
        self.condition.setWordWrap(True)
        self.verify = self._button("Verify", "verifyButton",
                                   lambda: self._act(TraineeAction("verify", step=self._id())))
        self.verify_progress = QLabel()
        self.verify_progress.setObjectName("verifyProgress")
        self.question = QLabel()
        self.question.setObjectName("quizQuestion")
        self.question.setWordWrap(True)
        self.question.setFont(QFont(self.font().family(), self.font().pointSize() + 1, QFont.Weight.Bold))
        self.choices = QWidget()
        self.choice_group = QButtonGroup(self)
        self.answer = self._button("Answer", "answerButton", self._answer)
        self._choice_layout = QVBoxLayout(self.choices)
        self._choice_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        for widget in (self.how, self.acknowledge, self.condition, self.verify_progress, self.verify,
                       self.question, self.choices, self.answer):
            layout.addWidget(widget)
        self.show_step(None)

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setMinimumHeight(32)
        button.clicked.connect(slot)
        return button

    def _id(self) -> str:
        return self.step.id if self.step is not None else ""

    def _act(self, action: TraineeAction) -> None:
        self.acted.emit(action)

    def show_step(self, step: SopStep | None) -> None:
        self.step = step
        kind = step.action if step is not None else None
        self.how.setText(_HOW.get(kind, "") if kind else "All steps done.")
        self.how.setVisible(kind not in (ActionKind.ACKNOWLEDGE, ActionKind.VERIFY, ActionKind.QUIZ))
        self.acknowledge.setVisible(kind is ActionKind.ACKNOWLEDGE)
        for widget in (self.condition, self.verify, self.verify_progress):
            widget.setVisible(kind is ActionKind.VERIFY)
        for widget in (self.question, self.choices, self.answer):
            widget.setVisible(kind is ActionKind.QUIZ)
        if kind is ActionKind.VERIFY:
            self.condition.setText(f"Condition: {step.signal} in {step.range_text()} "
                                   f"for {step.duration_s:g} s")
            self.verify_progress.setText("not watched yet: press Verify")
        if kind is ActionKind.QUIZ:
            self._show_quiz(step)

    def _show_quiz(self, step: SopStep) -> None:
        self.question.setText(step.question)
        for button in self.choice_group.buttons():
            self.choice_group.removeButton(button)
            button.deleteLater()
        for n, choice in enumerate(step.choices):
            radio = QRadioButton(textwrap.fill(choice, CHOICE_WRAP))  # radio buttons do not wrap
            radio.setProperty("choice", choice)
            radio.setObjectName(f"choice_{n}")
            self.choice_group.addButton(radio)
            self._choice_layout.addWidget(radio)

    def _answer(self) -> None:
        chosen = self.choice_group.checkedButton()
        if chosen is not None:
            self.acted.emit(TraineeAction("answer", choice=chosen.property("choice"), step=self._id()))

    def refresh(self) -> None:
        """The verify step's live progress (engine.watching: since when it holds)."""
        step = self.step
        if step is None or step.action is not ActionKind.VERIFY:
            return
        engine, now = self.run.engine, self.run.now
        value = reading(self.run.pipeline.state, step.signal or "")
        shown = "no good reading" if math.isnan(value) else f"now {value:.4g}"
        if step.id not in engine.watching:
            self.verify_progress.setText(f"not watched ({shown}): press Verify")
            return
        since = engine.watching[step.id]
        if math.isnan(since):
            self.verify_progress.setText(f"watching: condition not holding ({shown})")
        else:
            self.verify_progress.setText(f"held {now - since:.1f} of {step.duration_s:g} s ({shown})")
