"""The training window: a trainee works through one SOP on the simulated line.

The live window's 3D line (same scene, same colours: the pipeline's state
drives them) advanced by a timer at the trainer's speed; the current step's
instruction on the left; the trainee's hands on the right (the current step's
own widget, and the station's controls, setpoints and gauges, always
available so mistakes can be made); every verdict of the engine below, the
latest error over the 3D view. At each new step the camera flies to the
step's target, which is highlighted while the rest of the line fades.

Nothing is judged here: every click becomes a :class:`TraineeAction` for
:meth:`TrainingRun.act`, and what the engine answers is shown.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QScrollArea,
    QVBoxLayout, QWidget,
)
from pyvistaqt import QtInteractor

from linetwin.scene.badges import badge_counts
from linetwin.scene.focus import Focus
from linetwin.scene.line_scene import LineScene
from linetwin.twin.selection import Selection
from linetwin.twin.sim.simulation import TICK_S
from linetwin.twin.sop.constraints import station_of
from linetwin.twin.sop.sop_model import ActionKind
from linetwin.twin.sop.sop_result import SopEvent, SopEventKind
from linetwin.twin.sop.trainee_actions import TraineeAction
from linetwin.ui.qt.training.feedback import ErrorBanner, FeedbackList
from linetwin.ui.qt.training.instruction_panel import InstructionPanel, clock
from linetwin.ui.qt.training.picking import PickWatcher
from linetwin.ui.qt.training.result_dialog import ResultDialog
from linetwin.ui.qt.training.station_box import StationBox
from linetwin.ui.qt.training.step_box import StepBox
from linetwin.ui.qt.view3d import View3D

TICK_MS = 100  # ~10 Hz: the simulator's own tick
SPEEDS = (1.0, 2.0, 5.0, 10.0)
MAX_CATCH_UP_S = 1.0  # a stalled window (a dialog, a debugger) does not fast-forward the line
FAULT_MENU = (("Jam", "jam"), ("Heater sag", "heater-degradation"), ("Sensor freeze", "sensor-freeze"))
TOP_STYLE = "background: #1E3A8A; color: white; font-weight: bold; padding: 4px 10px;"
Area = Qt.DockWidgetArea


class TrainingWindow(QMainWindow):
    """``run`` (a started :class:`TrainingRun`) on the line of its project.

    ``trainee_role``: the trainee's LineTwin role (stored with the record);
    ``history``: the store the record goes to (None: the default one).
    """

    def __init__(self, run, geometries, trainee_role: str, history=None, parent=None) -> None:
        super().__init__(parent)
        self.run, self.trainee_role, self.history = run, trainee_role, history
        sop, engine = run.sop, run.engine
        self.setWindowTitle(f"TRAINING — {sop.id} {sop.title} — {engine.trainee}")
        self.speed = 1.0
        self.result = None  # the TrainingResult once the session ended
        self.result_dialog: ResultDialog | None = None
        self._owed_s = 0.0  # simulated time not yet advanced (whole ticks only)
        self._last_tick: float | None = None
        self._asked = False  # closing without the question (quit signals, tests)
        self.selection = Selection()
        self.plotter = QtInteractor(self, auto_update=False)
        self.plotter.setObjectName("view3d")
        self.scene = LineScene(self.plotter, run.project, geometries)
        self.view3d = View3D(self.plotter, self.scene, self.selection)
        self.focus = Focus(self.scene)
        self.picks = PickWatcher(self.plotter, self.scene, self._on_pick)
        self.banner = ErrorBanner()
        self.instruction = InstructionPanel(engine)
        self.step_box = StepBox(run)
        self.station_box = StationBox(run)
        self.feedback = FeedbackList(engine.start)
        self._build_centre()
        self._build_docks()
        self._build_menus()
        self._build_status_bar()
        self.instruction.hint_requested.connect(lambda: self.guarded(self.act, TraineeAction("hint")))
        self.step_box.acted.connect(lambda action: self.guarded(self.act, action))
        self.station_box.acted.connect(lambda action: self.guarded(self.act, action))
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.guarded(self.tick))
        self._restore_geometry()

    # -- building ------------------------------------------------------------------------

    def _build_centre(self) -> None:
        engine = self.run.engine
        top = QLabel(f"Training: {self.run.sop.title} ({self.run.sop.id} v{self.run.sop.version}) — "
                     f"trainee {engine.trainee} — simulated line, not live")
        top.setObjectName("trainingBanner")
        top.setStyleSheet(TOP_STYLE)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.plotter, 1)
        self.setCentralWidget(centre)

    def _build_docks(self) -> None:
        actions = QWidget()
        column = QVBoxLayout(actions)
        # The station's controls first: the step's own box changes height from step to
        # step, and buttons must not move under the trainee's mouse.
        column.addWidget(self.station_box)
        column.addWidget(self.step_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(actions)
        scroll.setMinimumWidth(actions.sizeHint().width() + 24)
        left = self._dock("Instruction", self.instruction, Area.LeftDockWidgetArea)
        right = self._dock("Actions", scroll, Area.RightDockWidgetArea)
        bottom = self._dock("Feedback", self.feedback, Area.BottomDockWidgetArea)
        self.resizeDocks([left, right], [340, actions.sizeHint().width() + 24], Qt.Orientation.Horizontal)
        self.resizeDocks([bottom], [150], Qt.Orientation.Vertical)

    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"trainingDock{title}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)  # never closed by mistake
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "Save &screenshot…", "Ctrl+Shift+S", self._save_screenshot)
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, QApplication.closeAllWindows)
        trainer = self.menuBar().addMenu("&Trainer")
        faults = trainer.addMenu("Inject &fault")
        for text, name in FAULT_MENU:
            self._action(faults, text, "", lambda _=False, n=name: self.guarded(self.inject_fault, n))
        speeds = trainer.addMenu("&Speed")
        for speed in SPEEDS:
            self._action(speeds, f"{speed:g}x", "", lambda _=False, s=speed: self.set_speed(s))
        trainer.addSeparator()
        self.end_action = self._action(trainer, "&End session", "Ctrl+E",
                                       lambda: self.guarded(self.end_session))
        view = self.menuBar().addMenu("&View")
        self._action(view, "&Fit line", "Home", self.view3d.fit_line)
        self._action(view, "Fly to the step's &target", "F", self._fly_to_target)

    def _action(self, menu, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        self.speed_box = QComboBox()
        self.speed_box.setObjectName("speedBox")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}x", speed)
        self.speed_box.setToolTip("Simulated time per real second (trainer)")
        self.speed_box.currentIndexChanged.connect(lambda _i: self.set_speed(self.speed_box.currentData()))
        self.clock = QLabel()
        self.clock.setObjectName("simClock")
        status = self.statusBar()
        status.addPermanentWidget(self.clock)
        status.addPermanentWidget(QLabel("Speed"))
        status.addPermanentWidget(self.speed_box)

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Show the line and the first step; call once the window is visible."""
        self.scene.apply(self.run.pipeline.appearances())
        self.view3d.fit_line()
        self._handle([e for e in self.run.log if e.kind is SopEventKind.STEP_STARTED][-1:])
        self._refresh()
        self._last_tick = time.monotonic()
        self.timer.start()

    @property
    def running(self) -> bool:
        return self.result is None

    def tick(self, elapsed_s: float | None = None) -> None:
        """Advance the line by the real time since the last tick times the speed
        (``elapsed_s``: the real seconds to use instead, for tests)."""
        if not self.running:
            return
        now = time.monotonic()
        if elapsed_s is None:
            elapsed_s = 0.0 if self._last_tick is None else min(now - self._last_tick, MAX_CATCH_UP_S)
        self._last_tick = now
        self._owed_s += elapsed_s * self.speed
        ticks = int(self._owed_s / TICK_S + 1e-9)
        if ticks <= 0:
            return
        self._owed_s -= ticks * TICK_S
        advance = self.run.advance(ticks * TICK_S)
        restyle = sorted({a for t in advance.ticks for a in t.restyle})
        if restyle:
            self.scene.apply(self.run.pipeline.appearances(restyle))
            self.focus.refresh()
        if any(t.alerts for t in advance.ticks):
            self.scene.badges.show(badge_counts(self.run.pipeline.alerts.book.active()))
        self._handle(advance.events)
        self._refresh()
        self.plotter.render()

    def act(self, action: TraineeAction) -> None:
        """Do ``action`` on the line and show what the engine made of it."""
        if not self.running:
            return
        self._handle(self.run.act(action))
        self._refresh()
        self.plotter.render()

    def inject_fault(self, name: str) -> None:
        if not self.running:
            return
        event = self.run.inject_fault(name)
        if event is not None:
            self._handle([event])

    def set_speed(self, speed: float) -> None:
        self.speed = float(speed)
        index = self.speed_box.findData(self.speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)

    def end_session(self) -> None:
        """Finish now (steps not done count as errors), store the record, show the result."""
        if not self.running:
            return
        before = len(self.run.log)
        self.result = self.run.finish()
        self.timer.stop()
        self._handle(self.run.log[before:])
        self._refresh()
        self.end_action.setEnabled(False)
        for hands in (self.step_box, self.station_box, self.instruction.hint):
            hands.setEnabled(False)  # the line keeps its state; the session takes no more actions
        self.result_dialog = ResultDialog(self.result, self.run.sop, self.trainee_role, self.history, self)
        self.result_dialog.show()

    def guarded(self, work, *args) -> None:
        """Run ``work`` from a click or the timer; a failure stops the session's clock and
        is said in a message box (a trainee never sees a traceback)."""
        try:
            work(*args)
        except Exception as exc:  # noqa: BLE001 - the last line of defence of a Qt slot
            self.timer.stop()
            QMessageBox.warning(self, "Training stopped",
                                f"The session stopped: {type(exc).__name__}: {exc}\n"
                                "Use Trainer ▸ End session to store what was done.")

    # -- the engine's events -------------------------------------------------------------

    def _handle(self, events: list[SopEvent]) -> None:
        for event in events:
            self.feedback.add(event)
            if event.kind is SopEventKind.ERROR:
                self.banner.show_error(event)
            elif event.kind is SopEventKind.STEP_STARTED or (
                    event.kind is SopEventKind.STEP_COMPLETED and self.run.engine.current is None):
                self._show_step()
        if events:
            self.instruction.refresh_progress()
        if self.running and (self.run.engine.complete or self.run.engine.finished):
            self.end_session()

    def _show_step(self) -> None:
        step = self.run.engine.current
        self.instruction.show_step(step)
        self.step_box.show_step(step)
        if step is None:
            self.focus.clear()
            self.station_box.emphasize(None)
            return
        self.station_box.select_station(step.station)
        groups = {ActionKind.CONTROL: self.station_box.controls, ActionKind.SET: self.station_box.setpoints,
                  ActionKind.ENTER: self.station_box.measures}
        self.station_box.emphasize(groups.get(step.action))
        self._fly_to_target()

    def _fly_to_target(self) -> None:
        step = self.run.engine.current
        if step is None:
            return
        target = step.target if step.target in self.scene.actors else step.station
        self.focus.show(target)
        self.view3d.fly_to(target)
        self.plotter.render()

    def _on_pick(self, asset_id: str) -> None:
        """A click on a part in 3D: the trainee picks it (and its station's controls show)."""
        self.station_box.select_station(station_of(self.run.project, asset_id))
        self.act(TraineeAction("pick", target=asset_id))

    def _refresh(self) -> None:
        now = self.run.now
        self.instruction.refresh(now)
        self.step_box.refresh()
        self.station_box.refresh()
        self.clock.setText(f"line {time.strftime('%H:%M:%S', time.localtime(now))}  ·  "
                           f"session {clock(now - self.run.engine.start)}")

    # -- closing -------------------------------------------------------------------------

    def close_without_asking(self) -> None:
        self._asked = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self.running and not self._asked and not self._confirm_abandon():
            event.ignore()
            return
        self.timer.stop()
        QSettings().setValue("training/geometry", self.saveGeometry())
        if self.result_dialog is not None:
            self.result_dialog.close()
        self.focus.clear()
        self.plotter.close()
        super().closeEvent(event)

    def _confirm_abandon(self) -> bool:
        answer = QMessageBox.question(
            self, "End training?",
            "The session is still running. Close the window and abandon it?\n"
            "No record is stored; use Trainer ▸ End session to finish and store one.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("training/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry()
            self.resize(int(screen.width() * 0.9), int(screen.height() * 0.9))

    def _save_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "training.png", "PNG (*.png)")
        if path:
            self.grab().save(path)
            self.statusBar().showMessage(f"Saved {path}", 5000)
