"""The trend plot as a real pyqtgraph widget, fed from a bare SignalHistory."""

import numpy as np
import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.alerts.alerts import AlertBook, Severity
from linetwin.twin.history_buffer import SignalHistory
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate
from linetwin.ui.qt.trend_plot import TrendPlot, break_gaps

T0 = 1_700_000_000.0


@pytest.fixture
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture
def trend(qtbot, project):
    history = SignalHistory(TwinState(project).index)
    plot = TrendPlot(project, history)
    qtbot.addWidget(plot)
    plot.resize(500, 400)
    plot.show()
    return plot


def _feed(trend, signal_id, times, values, status=0):
    trend.history.extend(ValueUpdate(signal_id, float(v), float(t), float(t), status)
                         for t, v in zip(times, values))


def _drawn_segments(curve) -> int:
    """Runs of consecutive finite points: what connect="finite" draws as separate lines."""
    _, y = curve.getData()
    finite = np.isfinite(y)
    return int(finite[0]) + int(np.sum(finite[1:] & ~finite[:-1]))


def test_a_source_time_gap_breaks_the_line(trend):
    sid = "sealer.seal_temperature"  # sampled every 250 ms
    before = T0 + np.arange(40) * 0.25
    after = before[-1] + 30.0 + np.arange(40) * 0.25  # 30 s silence: a lost link
    _feed(trend, sid, np.r_[before, after], np.full(80, 186.0))
    trend.show_signals([sid])
    curve = trend.curves[sid]
    assert curve.opts["connect"] == "finite"
    assert _drawn_segments(curve) == 2
    assert trend.points(sid) == 80


def test_bad_quality_stretch_breaks_the_line(trend):
    sid = "sealer.dwell_time"  # 500 ms
    times = T0 + np.arange(60) * 0.5
    _feed(trend, sid, times[:20], np.full(20, 300.0))
    _feed(trend, sid, times[20:40], np.full(20, 300.0), status=0x80000000)  # Bad
    _feed(trend, sid, times[40:], np.full(20, 300.0))
    trend.show_signals([sid])
    assert _drawn_segments(trend.curves[sid]) == 2


def test_uncertain_values_break_the_line_too(trend):
    sid = "sealer.seal_pressure"
    times = T0 + np.arange(30) * 0.5
    _feed(trend, sid, times[:10], np.full(10, 4.5))
    _feed(trend, sid, times[10:12], np.full(2, 4.5), status=0x40000000)  # Uncertain
    _feed(trend, sid, times[12:], np.full(18, 4.5))
    trend.show_signals([sid])
    assert _drawn_segments(trend.curves[sid]) == 2
    assert trend.points(sid) == 28


def test_steady_sampling_with_jitter_is_one_line():
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.2, 0.3, 200))
    bt, bv = break_gaps(t, np.ones(200), 5 * 0.25)
    assert len(bt) == 200 and np.isfinite(bv).all()


def test_each_unit_gets_its_own_axis_and_labelled_limit_lines(qtbot, trend):
    ids = ["sealer.seal_temperature", "sealer.dwell_time", "sealer.seal_pressure"]
    for sid, level in zip(ids, (186.0, 300.0, 4.5)):
        _feed(trend, sid, T0 + np.arange(20) * 0.5, np.full(20, level))
    trend.show_signals(ids)
    assert set(trend.panes) == {"°C", "ms", "bar"}
    assert trend.panes["°C"].getAxis("left").labelText == "°C"
    assert trend.panes["bar"].getAxis("left").labelText == "bar"
    labels = {sid: [line.label.format for line in trend.limit_lines[sid]] for sid in ids}
    assert labels["sealer.seal_temperature"] == ["low 175 °C", "high 195 °C"]
    assert labels["sealer.seal_pressure"] == ["low 3.5 bar", "high 5.5 bar"]
    colors = {line.pen.color().name() for sid in ids for line in trend.limit_lines[sid]}
    assert len(colors) == 3  # one colour per signal, its curve's
    for sid in ids:
        assert trend.limit_lines[sid][0].pen.color() == trend.curves[sid].opts["pen"].color()
    # all panes share the time axis, which covers the data

    def one_time_axis():
        ranges = {tuple(np.round(p.viewRange()[0], 3)) for p in trend.panes.values()}
        return len(ranges) == 1 and next(iter(ranges))[0] <= T0 + 1 <= next(iter(ranges))[1]

    qtbot.waitUntil(one_time_axis, timeout=5_000)


def test_alert_marks_sit_on_the_plotted_samples(trend):
    sid = "sealer.seal_temperature"
    times = T0 + np.arange(240) * 0.25
    values = 186.0 + np.sin(np.arange(240) / 7.0)
    _feed(trend, sid, times, values)
    book = AlertBook()
    # A Nelson alert carries a subgroup mean, not a sample value; its time is a
    # sample's source time. The mark must sit on that sample, not at the mean.
    book.raise_or_update("nelson-1:x", asset_id="sealer", signal_id=sid, rule="nelson-1",
                         severity=Severity.WARNING, message="m", value=184.0, limit=None,
                         at=times[100])
    book.raise_or_update("limit-high:x", asset_id="sealer", signal_id=sid, rule="limit-high",
                         severity=Severity.ALARM, message="m", value=999.0, limit=195.0,
                         at=times[200] + 0.01)
    trend.show_signals([sid])
    trend.set_alerts(book.history())
    trend.refresh()
    marks = sorted(trend.mark_positions())
    assert marks == [(times[100], values[100]), (times[200], values[200])]


def test_a_mark_whose_sample_has_left_the_window_is_not_drawn(trend):
    sid = "sealer.seal_temperature"
    times = T0 + 1000 + np.arange(20) * 0.25
    _feed(trend, sid, times, np.full(20, 186.0))
    book = AlertBook()
    book.raise_or_update("limit-high:x", asset_id="sealer", signal_id=sid, rule="limit-high",
                         severity=Severity.ALARM, message="m", value=199.0, limit=195.0, at=T0)
    trend.show_signals([sid])
    trend.set_alerts(book.history())
    trend.refresh()
    assert trend.mark_positions() == []


def test_alerts_set_before_their_signal_is_plotted_are_marked_when_it_is(trend):
    sid = "sealer.seal_temperature"
    times = T0 + np.arange(40) * 0.25
    _feed(trend, sid, times, np.full(40, 199.0))
    book = AlertBook()
    book.raise_or_update("limit-high:x", asset_id="sealer", signal_id=sid, rule="limit-high",
                         severity=Severity.ALARM, message="m", value=199.0, limit=195.0,
                         at=times[10])
    trend.set_alerts(book.history())  # the inspector sets them, then a row picks the signal
    trend.show_signals([sid])
    assert trend.mark_positions() == [(times[10], 199.0)]


def test_an_emptied_history_leaves_nothing_drawn(trend):
    sid = "sealer.seal_temperature"
    times = T0 + np.arange(40) * 0.25
    _feed(trend, sid, times, np.full(40, 199.0))
    book = AlertBook()
    book.raise_or_update("limit-high:x", asset_id="sealer", signal_id=sid, rule="limit-high",
                         severity=Severity.ALARM, message="m", value=199.0, limit=195.0,
                         at=times[10])
    trend.show_signals([sid])
    trend.set_alerts(book.history())
    trend.refresh()
    assert trend.points(sid) == 40 and len(trend.mark_positions()) == 1
    trend.history.reset()  # a replay seek: the pipeline empties its history
    trend.refresh()
    assert trend.points(sid) == 0 and trend.mark_positions() == []
    _feed(trend, sid, times[:3], np.full(3, 186.0))
    trend.refresh()
    assert trend.points(sid) == 3
