"""The replay window under Xvfb on a recorded history: play, keys, loop, next event, event table."""

from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from linetwin.twin.clock import ReplayClock
from linetwin.twin.colors import Look
from linetwin.twin.replay.event_search import EventSearch
from linetwin.twin.replay.replay_data import RESULTS
from linetwin.twin.production.events import InspectionResult
from linetwin.ui.qt.replay import replay_bridge
from linetwin.ui.qt.replay.event_table import EventTable
from linetwin.ui.qt.replay.timeline import CURSOR_COLOR
from tests.twin.replay.test_window_counts import replay_data

PASS = RESULTS.index(InspectionResult.PASS)


def _cursor_column(timeline) -> int:
    """x of the timeline's red cursor line, read from the painted pixels."""
    image = timeline.grab().toImage()
    y = timeline.height() // 2
    red = [x for x in range(image.width()) if QColor(image.pixel(x, y)) == CURSOR_COLOR]
    assert red, "no cursor painted"
    return red[len(red) // 2]


def _drawn_as_rules(window) -> bool:
    for look in window.session.pipeline.appearances():
        actor = window.scene.actors.get(look.asset_id)
        if actor is None or look.asset_id in window.scene.placeholders:
            continue
        if look.look is Look.LIVE and not np.allclose(actor.prop.color.int_rgb, look.color, atol=1):
            return False
    return True


def test_marked_as_not_live(replay_window):
    window = replay_window
    assert window.windowTitle().startswith("REPLAY — line.duckdb")
    assert "not live" in window.banner.text() and window.banner.isVisible()
    assert window.instant.text().startswith("20") and "+00:00:00 of 00:08:00" in window.instant.text()


def test_playing_at_100x_moves_cursor_timeline_and_colours(qtbot, replay_window):
    window, cursor = replay_window, replay_window.session.cursor
    start = cursor.position
    x_before = _cursor_column(window.timeline)
    restyled = []
    window.bridge.stepped.connect(lambda result: restyled.extend(result.restyle))
    window.transport.set_speed(100.0)
    assert cursor.speed == 100.0
    window.transport.toggle_play()
    qtbot.waitUntil(lambda: cursor.position > start + 60.0, timeout=10_000)
    window.transport.toggle_play()
    window.bridge.finish()
    assert not cursor.playing
    assert _cursor_column(window.timeline) > x_before + 5
    assert "+00:0" in window.instant.text() and "+00:00:00" not in window.instant.text()
    assert restyled, "no asset was restyled while playing"
    assert _drawn_as_rules(window)
    assert any(look.look is Look.LIVE for look in window.session.pipeline.appearances())


def test_space_toggles_play_and_brackets_set_a_loop(qtbot, replay_window):
    window, cursor, data = replay_window, replay_window.session.cursor, replay_window.session.data
    qtbot.keyClick(window.plotter, Qt.Key.Key_Space)
    assert cursor.playing and window.transport.play_button.text() == "|| Pause"
    qtbot.keyClick(window.plotter, Qt.Key.Key_Space)
    assert not cursor.playing
    window.bridge.seek(data.start + 100.0)
    window.bridge.finish()
    qtbot.keyClick(window.plotter, Qt.Key.Key_BracketLeft)
    window.bridge.seek(data.start + 160.0)
    window.bridge.finish()
    qtbot.keyClick(window.plotter, Qt.Key.Key_BracketRight)
    assert cursor.loop == (data.start + 100.0, data.start + 160.0)
    assert window.transport.loop.isChecked()
    qtbot.keyClick(window.plotter, Qt.Key.Key_Left)
    window.bridge.finish()
    assert cursor.position == data.start + 159.0
    window.transport.loop.setChecked(False)
    assert cursor.loop is None


def test_next_event_of_one_defect_type_lands_on_the_first_match(qtbot, replay_window):
    window, cursor, data = replay_window, replay_window.session.cursor, replay_window.session.data
    wanted = "label_skew"
    combo = window.transport.filters["defect type"]
    combo.setCurrentIndex(combo.findText(wanted))
    c = data.inspections
    matches = np.flatnonzero((c.defect == data.defect_types.index(wanted)) & (c.result != PASS))
    assert len(matches) >= 2, "the recording should hold a few label skews"
    qtbot.keyClick(window.plotter, Qt.Key.Key_N)
    window.bridge.finish()
    assert cursor.position == c.time[matches[0]]
    assert window.events.selected_event() == matches[0]
    qtbot.keyClick(window.plotter, Qt.Key.Key_N)
    window.bridge.finish()
    assert cursor.position == c.time[matches[1]]
    qtbot.keyClick(window.plotter, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    window.bridge.finish()
    assert cursor.position == c.time[matches[0]]
    assert wanted in window.transport.found.full_text()


def test_event_table_and_cursor_follow_each_other(qtbot, replay_window):
    window, cursor, data = replay_window, replay_window.session.cursor, replay_window.session.data
    table, c = window.events, data.inspections
    defects = np.flatnonzero(c.result != PASS)  # the default filter: defects only
    assert table.model().rowCount() == len(defects)
    assert table.model_.cell(int(defects[5]), 3) == data.stations[c.station[defects[5]]]
    table.selectRow(5)
    window.bridge.finish()
    assert cursor.position == c.time[defects[5]] and table.selected_event() == defects[5]
    between = (c.time[defects[20]] + c.time[defects[21]]) / 2
    if between == c.time[defects[20]]:
        between = c.time[defects[21]] - 1e-3
    window.bridge.seek(between)
    window.bridge.finish()
    expected = int(np.searchsorted(c.time[defects], between, side="right")) - 1
    assert table.currentIndex().row() == expected
    assert cursor.position == between  # following the cursor did not seek back to the event


def test_a_far_seek_is_spread_over_ticks_and_ends_as_an_immediate_one(qtbot, replay_window, monkeypatch):
    window, cursor, data = replay_window, replay_window.session.cursor, replay_window.session.data
    monkeypatch.setattr(replay_bridge, "TICK_BUDGET_S", 0.0)  # one chunk per tick
    shares = []
    window.bridge.progress.connect(shares.append)
    window.bridge.seek(data.end - 10.0)
    pending = window.bridge.pending
    assert pending > 2 * replay_bridge.CHUNK_ITEMS
    window.bridge.tick()
    assert window.bridge.pending == pending - replay_bridge.CHUNK_ITEMS and 0 < shares[-1] < 1
    assert window.seek_progress.isVisibleTo(window)
    qtbot.waitUntil(lambda: window.bridge.pending == 0 and shares[-1] == 1.0, timeout=10_000)
    assert not window.seek_progress.isVisibleTo(window)
    spread = {a.asset_id: (a.color, a.look) for a in window.session.pipeline.appearances()}
    assert _drawn_as_rules(window)
    cursor.seek(data.start)  # the same instant again, applied at once by the cursor itself
    cursor.seek(data.end - 10.0)
    assert {a.asset_id: (a.color, a.look) for a in window.session.pipeline.appearances()} == spread
    window.bridge.tick()  # a seek made past the bridge: every asset restyled on its next tick
    assert _drawn_as_rules(window)


def test_dragging_on_the_timeline_seeks_fast_and_exactly_on_release(qtbot, replay_window):
    window, cursor, data = replay_window, replay_window.session.cursor, replay_window.session.data
    timeline = window.timeline
    y = timeline.height() // 2
    x_end = int(timeline.x_of(data.start + 400.0))
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(timeline.x_of(data.start + 300.0)), y))
    qtbot.mouseMove(timeline, QPoint(x_end, y))
    assert window.bridge._rough
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x_end, y))
    window.bridge.finish()
    assert not window.bridge._rough
    assert abs(cursor.position - timeline.time_at(x_end)) < 1e-6
    exact = {a.asset_id: (a.color, a.look) for a in window.session.pipeline.appearances()}
    at = cursor.position
    cursor.seek(data.start)
    cursor.seek(at)
    assert {a.asset_id: (a.color, a.look) for a in window.session.pipeline.appearances()} == exact


def test_the_event_table_reads_only_the_rows_on_screen(qtbot):
    data = replay_data(7, n=200_000)
    session = SimpleNamespace(data=data, cursor=SimpleNamespace(search=EventSearch(data)),
                              clock=ReplayClock())
    table = EventTable(session)
    read = []
    cell = table.model_.cell
    table.model_.cell = lambda row, column: read.append(row) or cell(row, column)
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    qtbot.waitExposed(table)
    c = data.inspections
    defects = np.flatnonzero(c.result != PASS)
    assert table.model().rowCount() == len(defects) > 50_000
    table.grab()  # paint now
    assert 0 < len(set(read)) < 200  # the rows shown, not the column
    session.clock.set(30.5)
    expected = np.flatnonzero(c.time[defects] <= 30.5)[-1]
    assert table.currentIndex().row() == expected
