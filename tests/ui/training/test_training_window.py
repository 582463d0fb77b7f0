"""The training window driven as a trainee drives it: its widgets clicked with
qtbot, the line advanced by the window's own tick with a given elapsed time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from linetwin.twin.sop.constraints import reading
from linetwin.twin.sop.sop_model import Control
from linetwin.twin.sop.sop_result import SopEventKind
from tests.ui.training.conftest import TRAINEE, TRAINER


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def current_id(window) -> str | None:
    step = window.run.engine.current
    return step.id if step is not None else None


def pick_in_3d(window, asset_id: str) -> str | None:
    """Click the asset where it is drawn (a real VTK pick at its display position)."""
    window.view3d._fly_timer.stop()
    window.scene.set_pose(window.scene.fly_to(asset_id)[-1])
    window.plotter.render()
    x, y = window.scene.to_display(window.scene.asset_center(asset_id))
    return window.picks.click(int(x), int(y))


def run_for(window, seconds: float, until=lambda: False) -> None:
    for _ in range(int(seconds)):
        window.tick(1.0)
        if until():
            return


def operate(qtbot, window, station: str, control: Control) -> None:
    window.station_box.select_station(station)
    click(qtbot, window.station_box.buttons[control])


def set_value(qtbot, window, signal: str, value: float) -> None:
    box = window.station_box
    box.select_station(signal.split(".")[0])
    box.select_signal(box.set_signal, signal)
    box.set_value.setValue(value)
    click(qtbot, box.set_button)


def errors(window) -> list[str]:
    return window.feedback.texts(SopEventKind.ERROR)


def test_opens_on_the_first_step_focused(window, sop):
    assert window.instruction.position.text().startswith(f"Step 1 of {len(sop.steps)}")
    assert window.instruction.title.text() == sop.steps[0].title
    assert window.focus.target == sop.steps[0].target == "sealer"
    assert window.focus.faded("filler") and not window.focus.faded("sealer")
    assert window.step_box.acknowledge.isVisible()
    assert "▶" in window.instruction.progress.item(0).text()


def test_reference_run_through_the_widgets_passes_and_is_stored(qtbot, window, users):
    click(qtbot, window.step_box.acknowledge)
    assert current_id(window) == "stop_sealer"
    operate(qtbot, window, "sealer", Control.STOP)
    assert "held" in window.station_box.status.text()
    assert window.focus.target == "sealer.temperature_controller"
    set_value(qtbot, window, "sealer.seal_temperature", 185.0)
    assert current_id(window) == "verify_temperature"
    assert "182 .. 188" in window.step_box.condition.text()
    click(qtbot, window.step_box.verify)
    run_for(window, 3)
    assert window.step_box.verify_progress.text().startswith(("held", "watching"))
    run_for(window, 170, until=lambda: current_id(window) != "verify_temperature")
    assert current_id(window) == "check_seal_head" and window.focus.target == "sealer.seal_head"
    assert pick_in_3d(window, "sealer.seal_head") == "sealer.seal_head"
    operate(qtbot, window, "sealer", Control.START)
    run_for(window, 3)
    box = window.station_box
    box.select_signal(box.enter_signal, "sealer.seal_pressure")
    box.enter_value.setValue(reading(window.run.pipeline.state, "sealer.seal_pressure"))
    click(qtbot, box.enter_button)
    assert current_id(window) == "quiz_temperature_drop"
    window.step_box.choice_group.buttons()[1].setChecked(True)
    click(qtbot, window.step_box.answer)
    assert not window.running, errors(window)
    dialog = window.result_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.result.passed and errors(window) == []
    assert dialog.verdict.text().startswith("PASSED")
    assert dialog.record_id and dialog.record_id in dialog.record_line.text()
    assert dialog.store_path == users / "records.duckdb" and dialog.store_path.exists()


def test_a_wrong_pick_is_a_red_line_with_the_engines_message(qtbot, window):
    click(qtbot, window.step_box.acknowledge)
    operate(qtbot, window, "sealer", Control.STOP)
    set_value(qtbot, window, "sealer.seal_temperature", 185.0)
    click(qtbot, window.step_box.verify)
    run_for(window, 170, until=lambda: current_id(window) == "check_seal_head")
    assert pick_in_3d(window, "sealer.isolator") == "sealer.isolator"
    message = window.run.engine.errors[-1].message
    assert "needs sealer.seal_head" in message
    assert any(message in text and "[wrong_component]" in text for text in errors(window))
    assert window.banner.isVisible() and message in window.banner.text()
    assert current_id(window) == "check_seal_head"


def test_engaging_before_verification_and_out_of_range_are_caught(qtbot, window):
    click(qtbot, window.step_box.acknowledge)
    operate(qtbot, window, "sealer", Control.STOP)
    set_value(qtbot, window, "sealer.seal_temperature", 195.0)
    assert "[out_of_range]" in errors(window)[-1] and "183 .. 187" in errors(window)[-1]
    set_value(qtbot, window, "sealer.seal_temperature", 185.0)
    operate(qtbot, window, "sealer", Control.START)  # skipped verification
    assert "[out_of_order]" in errors(window)[-1] and "Verify the seal temperature" in errors(window)[-1]
    assert current_id(window) == "verify_temperature"
    assert "✗" in window.instruction.progress.item(5).text()


def test_a_hazardous_step_without_lockout_is_caught(qtbot, users, project, geometries):
    from linetwin.twin.sop.training_run import TrainingRun
    from linetwin.ui.qt.training.training_window import TrainingWindow
    from tests.ui.training.conftest import EPOCH, demo_sop

    run = TrainingRun(project, demo_sop(project, "SOP-LOTO-07"), TRAINEE, epoch=EPOCH)
    window = TrainingWindow(run, geometries, "operator", history=users / "records.duckdb")
    qtbot.addWidget(window)
    window.show()
    window.start()
    window.timer.stop()
    try:
        operate(qtbot, window, "labeler", Control.STOP)
        assert pick_in_3d(window, "labeler.guard") == "labeler.guard"  # no lockout first
        kinds = [e.kind.value for e in window.run.engine.errors]
        assert "hazard" in kinds and any("[hazard]" in t and "lockout of labeler" in t for t in errors(window))
    finally:
        window.close_without_asking()


def test_an_injected_fault_shows_in_the_feedback(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Trainer")
    faults = next(a.menu() for a in menu.actions() if a.text() == "Inject &fault")
    next(a for a in faults.actions() if a.text() == "Heater sag").trigger()
    lines = window.feedback.texts(SopEventKind.FAULT_INJECTED)
    assert len(lines) == 1 and "seal_temperature" in lines[0]
    assert window.run.engine.faults == ["heater-degradation"]


def test_speed_box_runs_the_line_faster(window):
    before = window.run.now
    window.speed_box.setCurrentIndex(window.speed_box.findData(5.0))
    window.tick(1.0)
    assert window.speed == 5.0 and window.run.now - before == pytest.approx(5.0)


def test_ending_early_stores_a_failed_record_that_cannot_be_signed(window, said):
    window.end_action.trigger()
    dialog = window.result_dialog
    assert not window.result.passed and dialog.verdict.text().startswith("FAILED")
    assert window.result.errors_by_kind()["incomplete"] == len(window.run.sop.steps)
    assert dialog.record_id and not dialog.sign_button.isEnabled()
    assert not window.station_box.isEnabled()
    window.tick(5.0)  # ended: the line no longer advances
    assert window.run.engine.finished


def test_closing_a_running_session_asks_first(window, said, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    window.close()
    assert window.isVisible() and window.running


def test_hint_button_shows_the_steps_hint_and_costs_points(qtbot, window):
    click(qtbot, window.step_box.acknowledge)
    click(qtbot, window.instruction.hint)
    lines = window.feedback.texts(SopEventKind.HINT_USED)
    assert len(lines) == 1 and window.run.sop.step("stop_sealer").hint in lines[0]
    assert window.run.engine.score() == 100 - window.run.sop.scoring.hint_penalty


def test_ctrl_q_closes_the_window_after_the_question(qtbot, window, said):
    from PySide6.QtGui import QKeySequence

    ctrl_q = QKeySequence(QKeySequence.StandardKey.Quit)
    quit_action = next(a for a in window.actions() if a.shortcut() == ctrl_q)
    quit_action.trigger()  # QApplication.closeAllWindows
    qtbot.waitUntil(lambda: not window.isVisible())
    assert said[-1][0] == "question" and "abandon" in said[-1][2]


def test_a_failure_in_the_line_is_a_message_not_a_traceback(window, said, monkeypatch):
    def broken(_seconds):
        raise RuntimeError("simulator broke")

    monkeypatch.setattr(window.run, "advance", broken)
    window._last_tick -= 1.0  # a second of real time has passed since the last tick
    window.timer.start()
    window.timer.timeout.emit()
    assert said[-1][1] == "Training stopped" and "simulator broke" in said[-1][2]
    assert not window.timer.isActive()
