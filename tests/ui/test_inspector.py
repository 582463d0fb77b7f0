"""The inspector built from bare model objects: line summary, quiet rules, alerts."""

import time

import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import AlertBook, Severity
from linetwin.twin.selection import Selection
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate
from linetwin.ui.qt.inspector import Inspector
from linetwin.ui.qt.widgets.line_summary import LineSummary

STATES = {"idle": 0, "running": 1, "fault": 4}


@pytest.fixture
def model():
    project = load_project(DEMO_PROJECT)
    return project, TwinState(project), AlertBook(), Selection()


def _set(state, **values):
    now = time.time()
    state.apply([ValueUpdate(sid.replace("__", "."), float(v), now, now)
                 for sid, v in values.items()])


def _inspector(qtbot, model, **kwargs):
    project, state, book, selection = model
    summary = LineSummary(project, state, book, lambda: "connected", lambda: 42.0)
    inspector = Inspector(project, state, selection, alert_book=book, summary=summary, **kwargs)
    qtbot.addWidget(inspector)
    inspector.show()
    return inspector


def test_before_a_selection_the_line_summary_is_shown(qtbot, model):
    project, state, book, selection = model
    _set(state, infeed__state=1, filler__state=1, sealer__state=4, labeler__state=0)
    book.raise_or_update("limit-high:s", asset_id="sealer", signal_id="sealer.seal_temperature",
                         rule="limit-high", severity=Severity.ALARM, message="hot", value=199.0,
                         limit=195.0, at=1.0)
    book.raise_or_update("trend:f", asset_id="filler", signal_id="filler.fill_weight",
                         rule="trend", severity=Severity.WARNING, message="drift", value=1.0,
                         limit=510.0, at=1.0)
    inspector = _inspector(qtbot, model)
    inspector.refresh()
    assert inspector.pages.currentWidget() is inspector.summary
    text = inspector.summary.text()
    assert "2 running" in text and "1 fault" in text and "1 idle" in text
    assert "3 no data" in text  # inspection, packer, outfeed: nothing received yet
    assert "1 alarm, 1 warning active" in text
    assert "connected" in text and "42 values/s" in text
    selection.select("sealer")
    assert inspector.pages.currentWidget() is not inspector.summary
    assert "Heat sealer" in inspector.title.text()
    selection.select(None)
    assert inspector.pages.currentWidget() is inspector.summary


def test_a_quiet_when_running_rule_says_why(qtbot, model):
    project, state, book, selection = model
    engine = AlertEngine(project, book=book)
    t = time.time()

    def feed(infeed_state, speed, at):
        updates = [ValueUpdate("infeed.state", float(infeed_state), at, at),
                   ValueUpdate("infeed.line_speed", speed, at + 0.1, at + 0.1)]
        engine.process(updates)
        state.apply(updates)

    feed(0, 0.0, t)  # a stopped infeed reads 0 packs/min, under its 100 limit
    inspector = _inspector(qtbot, model, quiet_reason=engine.quiet_reason)
    selection.select("infeed")
    inspector.refresh()
    context = inspector.alert_context.text()
    assert "Line speed alerts: suppressed while Infeed conveyor is not running " \
           "(state: idle)" in context
    assert book.for_asset("infeed") == []  # quiet, and saying why
    feed(1, 120.0, t + 1)
    inspector.refresh()
    assert "suppressed" not in inspector.alert_context.text()


def test_a_cleared_alert_reads_as_cleared_not_active(qtbot, model):
    project, state, book, selection = model
    book.raise_or_update("limit-low:i", asset_id="infeed", signal_id="infeed.line_speed",
                         rule="limit-low", severity=Severity.ALARM, message="slow", value=0.0,
                         limit=100.0, at=1.0)
    book.clear("limit-low:i", at=2.0)
    inspector = _inspector(qtbot, model)
    selection.select("infeed")
    inspector.refresh()
    text = inspector.alert_context.text()
    assert "cleared, unacked" in text and "#B42318" not in text  # grey, not alarm red
