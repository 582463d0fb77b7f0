"""The what-if dock in the live window, on a model fitted on a generated hour of the demo line."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QGuiApplication

from linetwin.ui.qt.whatif.model_card_dialog import ModelCardDialog


def _show_station(panel, station: str):
    panel.station.setCurrentText(station)
    return panel.controls


def _modelled_on(model, signal_id: str) -> str:
    """The first defect type whose model uses ``signal_id`` (the fit chose it, so it matters)."""
    return next(d for d, m in sorted(model.models.items()) if any(t.signal_id == signal_id for t in m.terms))


def _predicted(panel, defect: str) -> float | None:
    return panel.prediction.defects[defect].predicted if panel.prediction else None


def test_moving_a_slider_changes_the_prediction_and_colours_the_scene(qtbot, whatif_window):
    window, whatif = whatif_window
    panel = whatif.panel
    qtbot.waitUntil(lambda: panel.prediction is not None, timeout=10000)
    assert panel.stations()[0] != panel.model.station  # stations with process values, not the inspector
    defect = _modelled_on(panel.model, "sealer.dwell_time")
    before = _predicted(panel, defect)
    assert before is not None and not whatif.coloring.active  # nothing changed: live colours
    dwell = _show_station(panel, "sealer")["sealer.dwell_time"]
    low, high = panel.model.scales["sealer.dwell_time"].low, panel.model.scales["sealer.dwell_time"].high
    target = low + 0.1 * (high - low)
    dwell.slider.setValue(dwell._position(target))  # as a drag leaves it
    qtbot.waitUntil(lambda: panel.prediction.targets.get("sealer.dwell_time") is not None, timeout=10000)
    after = _predicted(panel, defect)
    assert abs(after - before) > 1e-4
    assert abs(panel.prediction.targets["sealer.dwell_time"][1] - target) < (high - low) / 100
    assert np.isclose(panel.chart.values[defect][1], after * 1000)
    assert "→ predicted" in panel.fpy.text()
    shown = whatif.coloring.shown
    assert set(shown) == {panel.model.station, "sealer"}
    assert all(text.startswith("PREDICTED") for _, text in shown.values())
    whatif.dock.hide()  # panel off: the live colours come back
    assert not whatif.coloring.active
    sealer = window.scene.actors["sealer"].GetProperty().GetColor()
    assert tuple(round(c * 255) for c in sealer) != shown["sealer"][0]


def test_a_value_outside_the_data_range_warns_of_extrapolation(qtbot, whatif_window):
    _window, whatif = whatif_window
    panel = whatif.panel
    dwell = _show_station(panel, "sealer")["sealer.dwell_time"]
    scale = panel.model.scales["sealer.dwell_time"]
    inside = (scale.low + scale.high) / 2
    dwell.set_value(inside)
    assert dwell.warning.text() == ""
    outside = scale.high + 0.3 * (scale.high - scale.low)
    dwell.set_value(outside)
    assert "extrapolation" in dwell.warning.text()
    qtbot.waitUntil(lambda: panel.prediction is not None and bool(panel.prediction.extrapolated), timeout=10000)
    assert "EXTRAPOLATION" in panel.extrapolation.text()
    assert "sealer.dwell_time" in panel.extrapolation.text()
    assert any(text.startswith("PREDICTED (extrapolation)") for _, text in whatif.coloring.shown.values())


def test_the_model_card_is_one_click_away(qtbot, whatif_window, model):
    _window, whatif = whatif_window
    whatif.panel.card_button.click()
    dialog = whatif.panel.findChild(ModelCardDialog, "modelCard")
    text = dialog.text.toPlainText()
    assert model.version in text and model.hash in text
    assert "ranges seen (1..99 %)" in text and "sealer.dwell_time" in text
    dialog.copy()
    assert QGuiApplication.clipboard().text() == text


def test_a_virtual_trial_shows_its_outcome_and_can_be_cancelled(qtbot, whatif_window):
    _window, whatif = whatif_window
    panel = whatif.panel
    qtbot.waitUntil(lambda: panel.prediction is not None, timeout=10000)
    panel.trial_minutes.setValue(5)
    panel.start_trial()
    qtbot.waitUntil(lambda: "Virtual line" in panel.trial_result.text(), timeout=30000)
    assert "simulator's truth" in panel.trial_result.text()
    assert len(panel.chart.trial.data) > 0  # the observed rates beside the prediction
    panel.trial_minutes.setValue(24 * 60)  # a day of line time: it is cancelled long before the end
    panel.start_trial()
    assert panel.cancel_button.isEnabled() and panel.trial_progress.isVisible()
    qtbot.waitUntil(lambda: panel.trial_progress.value() > 0, timeout=30000)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.trial_result.text().startswith("Cancelled"), timeout=30000)
    assert not panel.trials.running and not panel.cancel_button.isEnabled()
    assert panel.trial_button.isEnabled()


def test_now_is_the_live_line_when_its_buffers_hold_enough(qtbot, whatif_window):
    _window, whatif = whatif_window
    panel = whatif.panel
    qtbot.waitUntil(lambda: panel.prediction is not None, timeout=10000)
    assert "the last hour the model saw" in panel.now_label.text()  # a fresh window: too little live data
    n = 900  # fifteen minutes of a line running 8 ms shorter than the model's last hour
    live = {sid: np.full(n, float(np.median(v))) for sid, v in panel.model.reference.items()}
    live["sealer.dwell_time"] = live["sealer.dwell_time"] - 8.0
    panel.set_now_source(lambda: (live, 900.0))
    panel.reset()
    assert panel.now_label.text() == "now: the live line's last 15 min"
    assert np.isclose(panel.now_value("sealer.dwell_time"), live["sealer.dwell_time"][0])
    dwell = _show_station(panel, "sealer")["sealer.dwell_time"]
    dwell.set_value(live["sealer.dwell_time"][0] - 5.0)
    qtbot.waitUntil(lambda: "sealer.dwell_time" in panel.prediction.targets, timeout=10000)
    now, proposed = panel.prediction.targets["sealer.dwell_time"]
    assert np.isclose(now, live["sealer.dwell_time"][0])  # moved from the live line's value
    assert abs(proposed - (now - 5.0)) <= 1.0  # the spin box's step
