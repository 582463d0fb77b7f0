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
