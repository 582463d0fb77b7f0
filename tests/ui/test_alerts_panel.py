"""The alerts panel from a bare pipeline: acknowledging with a comment, Ctrl+K on a
station, the pipeline's clock on an acknowledgement and its reset."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.alerts.alerts import Severity
from linetwin.twin.clock import ReplayClock
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.selection import Selection
from linetwin.twin.updates import ValueUpdate
from linetwin.ui.qt.alerts_panel import AlertsPanel
from linetwin.ui.qt.widgets.ack_dialog import AcknowledgeDialog

T0 = 1_780_000_000.0  # a replayed history, far from the wall clock


@pytest.fixture
def pipeline():
    return TwinPipeline(load_project(DEMO_PROJECT), ReplayClock(T0))


@pytest.fixture
def panel(qtbot, pipeline):
    widget = AlertsPanel(pipeline, Selection())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _raise(book, key, severity, asset="sealer", at=1.0):
    return book.raise_or_update(key, asset_id=asset, signal_id=f"{asset}.x", rule=key,
                                severity=severity, message=f"{key} message", value=1.0,
                                limit=None, at=at).alert


def test_an_empty_comment_keeps_the_dialog_open_with_the_hint(qtbot):
    dialog = AcknowledgeDialog("Seal temperature 199 °C above high limit 195 °C")
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.hint.isVisible()
    assert dialog.result() == 0
    dialog.editor.setPlainText("   ")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.hint.isVisible()
    qtbot.keyClicks(dialog.editor, "heater contactor replaced")
    assert not dialog.hint.isVisible()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.comment() == "heater contactor replaced"


def test_the_panel_acknowledges_through_the_real_dialog(qtbot, panel):
    alert = _raise(panel.book, "limit-high:a", Severity.ALARM)
    panel.refresh()
    panel.table.selectRow(0)

    def type_and_accept():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AcknowledgeDialog)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # empty: stays
        assert dialog.isVisible() and dialog.hint.isVisible()
        dialog.editor.setPlainText("checked the jaw")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(200, type_and_accept)
    assert panel.acknowledge_selected()
    assert panel.book.get(alert.id).comment == "checked the jaw"


def test_ctrl_k_with_nothing_selected_says_what_to_select(panel):
    assert "Select a station with an alert" in panel.acknowledge_for_selection()


def test_ctrl_k_on_a_station_without_alerts_says_so(panel):
    panel.selection.select("filler")
    assert panel.acknowledge_for_selection() == "Filler has no alert to acknowledge"


def test_ctrl_k_on_a_station_acknowledges_its_most_urgent_alert(panel):
    book = panel.book
    warning = _raise(book, "trend:a", Severity.WARNING, at=1.0)
    alarm = _raise(book, "limit-high:a", Severity.ALARM, at=2.0)
    cleared = _raise(book, "limit-low:b", Severity.ALARM, at=3.0)
    book.clear("limit-low:b", at=4.0)
    _raise(book, "limit-high:z", Severity.ALARM, asset="filler", at=5.0)
    panel.selection.select("sealer")
    asked = []
    panel.ask_comment = lambda alert: asked.append(alert.id) or "seen"
    assert panel.acknowledge_for_selection() is None
    assert asked == [alarm.id]  # the active alarm before the warning and the cleared one
    assert panel.acknowledge_for_selection() is None
    assert asked[-1] == warning.id
    assert panel.acknowledge_for_selection() is None
    assert asked[-1] == cleared.id
    assert panel.acknowledge_for_selection() == "Heat sealer has no alert to acknowledge"
    assert not book.current("limit-high:z").acknowledged  # another station's: untouched


def test_a_cleared_alarm_row_is_grey_not_alarm_red(panel):
    _raise(panel.book, "limit-high:a", Severity.ALARM, at=1.0)
    _raise(panel.book, "limit-high:b", Severity.ALARM, at=2.0)
    panel.book.clear("limit-high:a", at=3.0)
    panel.refresh()
    colors = {panel.table.item(r, 5).text(): panel.table.item(r, 5).foreground().color().name()
              for r in range(panel.table.rowCount())}
    assert colors == {"active, unacked": "#b42318", "cleared, unacked": "#4b5563"}
    assert panel.summary.text() == "1 active, 2 to acknowledge"


def _overheat(at):
    """The sealer running, its seal temperature over the 195 °C limit: an alarm."""
    return [ValueUpdate("sealer.state", 1.0, at, at),
            ValueUpdate("sealer.seal_temperature", 199.0, at + 0.25, at + 0.25)]


def test_an_acknowledgement_is_stamped_with_the_pipeline_clock(panel, pipeline):
    result = pipeline.step(_overheat(T0))
    assert [c.alert.rule for c in result.alerts] == ["limit-high"]
    panel.refresh()
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 3).text() == "limit-high"
    pipeline.clock.set(T0 + 42.5)
    panel.table.selectRow(0)
    panel.ask_comment = lambda alert: "jaw cleaned"
    assert panel.acknowledge_selected()
    alert = pipeline.alerts.book.get(result.alerts[0].alert.id)
    assert alert.acknowledged_at == T0 + 42.5  # the replay's time, not the wall clock's
    assert alert.comment == "jaw cleaned" and alert.acknowledged_by == panel.user


def test_a_reset_empties_the_list(panel, pipeline):
    pipeline.step(_overheat(T0))
    panel.refresh()
    assert panel.summary.text() == "1 active, 1 to acknowledge"
    pipeline.reset(T0 - 60)  # a replay seek back: the alarm has not happened yet
    assert panel.table.rowCount() == 0 and panel.summary.text() == "No alerts"
    pipeline.step(_overheat(T0 - 59))
    panel.refresh()
    assert panel.table.rowCount() == 1
