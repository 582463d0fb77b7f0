"""The inspector built from a bare pipeline: no simulator, no session, no network.

Items are stepped through a :class:`TwinPipeline` on a :class:`ReplayClock`, so
ages, staleness and "the last hour" are judged at the clock's time, far from
the wall clock, as in a replay.
"""

import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.alerts.alerts import Severity
from linetwin.twin.clock import ReplayClock
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.production.events import (
    ComplianceEvent, InspectionEvent, InspectionResult, Lot, Severity as DefectSeverity,
)
from linetwin.twin.selection import Selection
from linetwin.twin.updates import ValueUpdate
from linetwin.ui.qt.formatting import format_clock
from linetwin.ui.qt.inspector import Inspector
from linetwin.ui.qt.trend_plot import TrendPlot
from linetwin.ui.qt.widgets.line_summary import LineSummary

T0 = 1_780_000_000.0  # 2026-05-28: a replayed history, far from the wall clock


@pytest.fixture
def pipeline():
    return TwinPipeline(load_project(DEMO_PROJECT), ReplayClock(T0))


def _inspector(qtbot, pipeline, trend=False):
    selection = Selection()
    summary = LineSummary(pipeline.project, pipeline.state, pipeline.alerts.book,
                          lambda: "connected", lambda: 42.0)
    plot = TrendPlot(pipeline.project, pipeline.history) if trend else None
    inspector = Inspector(pipeline, selection, trend=plot, summary=summary)
    qtbot.addWidget(inspector)
    inspector.show()
    return inspector


def _values(at, **values):
    return [ValueUpdate(sid.replace("__", "."), float(v), at, at) for sid, v in values.items()]


def _cell(inspector, signal_id, column):
    return inspector.table.item(inspector.signal_ids.index(signal_id), column).text()


def _unit(n, at, defect=None, severity=DefectSeverity.MAJOR, lot="L-0614-B"):
    return InspectionEvent(at, f"U-{n:05d}", lot, "SKU-250G", "inspection",
                           InspectionResult.REWORK if defect else InspectionResult.PASS,
                           defect, severity if defect else None)


def test_before_a_selection_the_line_summary_is_shown(qtbot, pipeline):
    pipeline.step(_values(T0, infeed__state=1, filler__state=1, sealer__state=4,
                          labeler__state=0))
    book = pipeline.alerts.book
    book.raise_or_update("limit-high:s", asset_id="sealer", signal_id="sealer.seal_temperature",
                         rule="limit-high", severity=Severity.ALARM, message="hot", value=199.0,
                         limit=195.0, at=T0)
    book.raise_or_update("trend:f", asset_id="filler", signal_id="filler.fill_weight",
                         rule="trend", severity=Severity.WARNING, message="drift", value=1.0,
                         limit=510.0, at=T0)
    inspector = _inspector(qtbot, pipeline)
    inspector.refresh()
    assert inspector.pages.currentWidget() is inspector.summary
    text = inspector.summary.text()
    assert "2 running" in text and "1 fault" in text and "1 idle" in text
    assert "3 no data" in text  # inspection, packer, outfeed: nothing received yet
    assert "1 alarm, 1 warning active" in text
    assert "connected" in text and "42 values/s" in text
    inspector.selection.select("sealer")
    assert inspector.pages.currentWidget() is not inspector.summary
    assert "Heat sealer" in inspector.title.text()
    inspector.selection.select(None)
    assert inspector.pages.currentWidget() is inspector.summary


def test_age_and_staleness_follow_the_pipeline_clock(qtbot, pipeline):
    clock = pipeline.clock
    pipeline.step(_values(T0, sealer__state=1, sealer__seal_temperature=186.0))
    inspector = _inspector(qtbot, pipeline)
    inspector.selection.select("sealer")
    sid = "sealer.seal_temperature"  # stale after 5 s without a value
    assert _cell(inspector, sid, 1) == "186.00"
    assert _cell(inspector, sid, 3) == "Good" and _cell(inspector, sid, 4) == "0 ms"
    clock.advance(3.0)
    inspector.refresh()
    assert _cell(inspector, sid, 3) == "Good" and _cell(inspector, sid, 4) == "3.0 s"
    clock.advance(9.0)  # the wall clock is years away: only the replay clock counts
    pipeline.step([])
    inspector.refresh()
    assert _cell(inspector, sid, 3) == "Stale: no new value for 12.0 s (limit 5 s)"
    assert _cell(inspector, sid, 4) == "12.0 s"


def test_a_quiet_when_running_rule_says_why(qtbot, pipeline):
    pipeline.step([*_values(T0, infeed__state=0), *_values(T0 + 0.1, infeed__line_speed=0.0)])
    inspector = _inspector(qtbot, pipeline)
    inspector.selection.select("infeed")
    context = inspector.alert_context.text()
    assert "Line speed alerts: suppressed while Infeed conveyor is not running " \
           "(state: idle)" in context
    assert pipeline.alerts.book.for_asset("infeed") == []  # quiet, and saying why
    pipeline.step([*_values(T0 + 1, infeed__state=1), *_values(T0 + 1.1, infeed__line_speed=120.0)])
    inspector.refresh()
    assert "suppressed" not in inspector.alert_context.text()


def test_a_cleared_alert_reads_as_cleared_not_active(qtbot, pipeline):
    book = pipeline.alerts.book
    book.raise_or_update("limit-low:i", asset_id="infeed", signal_id="infeed.line_speed",
                         rule="limit-low", severity=Severity.ALARM, message="slow", value=0.0,
                         limit=100.0, at=T0)
    book.clear("limit-low:i", at=T0 + 1)
    inspector = _inspector(qtbot, pipeline)
    inspector.selection.select("infeed")
    text = inspector.alert_context.text()
    assert "cleared, unacked" in text and "#B42318" not in text  # grey, not alarm red


def test_the_inspection_station_shows_its_production(qtbot, pipeline):
    clock = pipeline.clock
    pipeline.step([Lot("L-0614-B", "SKU-250G", T0), _unit(1, T0 + 10),
                   _unit(2, T0 + 20, "seal gap"), _unit(3, T0 + 30, "seal gap"),
                   _unit(4, T0 + 40, "misprint", DefectSeverity.MINOR), _unit(5, T0 + 50)])
    clock.set(T0 + 50)
    inspector = _inspector(qtbot, pipeline)
    inspector.selection.select("inspection")
    production = inspector.production
    assert production.isVisible()
    text = production.text()
    assert "Lot L-0614-B (SKU SKU-250G)" in text and f"since {format_clock(T0)}" in text
    assert "5 units inspected, 3 defective (60.0 %)" in text
    assert (f"Last defect: misprint (rework, minor) on unit U-00004, lot L-0614-B, "
            f"{format_clock(T0 + 40)}") in text
    assert "Defects in the last hour: seal gap 2, misprint 1" in text
    clock.set(T0 + 50 + 60)
    inspector.refresh()
    assert f"{format_clock(T0 + 40)} (70.0 s ago)" in production.text()
    clock.set(T0 + 20 + 3600.5)  # the first seal gap is more than an hour old
    inspector.refresh()
    assert "Defects in the last hour: seal gap 1, misprint 1" in production.text()
    clock.set(T0 + 40 + 3601)
    inspector.refresh()
    assert "No defects in the last hour" in production.text()
    assert "5 units inspected, 3 defective" in production.text()  # counts stay


def test_operator_steps_and_violations_of_a_station(qtbot, pipeline):
    verify = ComplianceEvent(T0, "sealer", "op-17", "operator", "SOP-SEAL-03", "2",
                             "verify seal head")
    skipped = ComplianceEvent(T0 + 60, "sealer", "op-17", "operator", "SOP-SEAL-03", "3",
                              "engage seal head", ok=False,
                              reason="seal head engaged before verification")
    done = ComplianceEvent(T0 + 90, "sealer", "op-17", "operator", "SOP-SEAL-03", "4",
                           "release")
    pipeline.step([verify, skipped])
    inspector = _inspector(qtbot, pipeline)
    inspector.selection.select("sealer")
    text = inspector.production.text()
    assert "Last operator step: SOP-SEAL-03 step 3: engage seal head by op-17 (operator)" in text
    assert "violation: seal head engaged before verification" in text
    assert "Last violation" not in text  # the last step is the violation: said once
    assert "units inspected" not in text  # the sealer inspects nothing
    pipeline.step([done])
    inspector.refresh()
    text = inspector.production.text()
    assert "Last operator step: SOP-SEAL-03 step 4: release" in text
    assert ("Last violation: SOP-SEAL-03 step 3: engage seal head by op-17 (operator), "
            f"{format_clock(T0 + 60)}") in text
    inspector.selection.select("packer")  # nothing produced there, no lot running
    assert not inspector.production.isVisible()


def test_a_reset_empties_what_the_inspector_shows(qtbot, pipeline):
    sid = "sealer.seal_temperature"
    items = [Lot("L-1", "SKU-250G", T0), _unit(1, T0 + 1, "seal gap", lot="L-1"),
             ComplianceEvent(T0 + 2, "sealer", "op-1", "operator", "SOP-1", "1", "verify")]
    items += _values(T0, sealer__state=1)
    items += [ValueUpdate(sid, 186.0 + 15 * (k > 20), T0 + k * 0.25, T0 + k * 0.25)
              for k in range(40)]  # over the 195 °C limit from sample 21 on: an alarm
    pipeline.step(items)
    inspector = _inspector(qtbot, pipeline, trend=True)
    inspector.selection.select("sealer")
    trend = inspector.trend
    assert trend.signal_ids == [sid] and trend.points(sid) == 40
    assert trend.mark_positions() and "above high limit" in inspector.alert_context.text()
    assert "Lot L-1" in inspector.production.text()
    pipeline.clock.set(T0 - 600)  # a replay seek back
    pipeline.reset(T0 - 600)
    assert trend.points(sid) == 0 and trend.mark_positions() == []
    assert "above high limit" not in inspector.alert_context.text()  # the book is empty
    assert _cell(inspector, sid, 1) == "—" and _cell(inspector, sid, 3) == "no data"
    assert not inspector.production.isVisible()
    inspector.selection.select("inspection")
    assert not inspector.production.isVisible()  # its units went with the reset
    pipeline.step(_values(T0 - 599, sealer__seal_temperature=180.0))
    inspector.selection.select("sealer")
    assert _cell(inspector, sid, 1) == "180.00" and trend.points(sid) == 1
