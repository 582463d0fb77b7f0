"""The real window under Xvfb, on the demo line, with the simulator running."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from linetwin.twin.colors import Look
from linetwin.twin.updates import ConnectionState, Quality

LIVE_TIMEOUT_MS = 15_000


def _wait_live(qtbot, window, signal_id: str) -> None:
    state = window.session.state
    qtbot.waitUntil(lambda: state.reading(signal_id).quality is Quality.GOOD,
                    timeout=LIVE_TIMEOUT_MS)


def test_selecting_in_the_tree_shows_live_values(qtbot, demo_window):
    window = demo_window
    _wait_live(qtbot, window, "sealer.seal_temperature")
    window.tree.items["sealer"].setSelected(True)
    assert window.selection.asset_id == "sealer"
    assert window.scene.selected == "sealer"

    def shows_temperature():
        window.inspector.refresh()
        text = window.inspector.value_text("sealer.seal_temperature")
        return 100.0 < float(text) < 300.0

    qtbot.waitUntil(shows_temperature, timeout=LIVE_TIMEOUT_MS)
    row = window.inspector.signal_ids.index("sealer.seal_temperature")
    assert window.inspector.table.item(row, 3).text() == "Good"
    assert window.inspector.table.item(row, 2).text() == "°C"


def test_status_bar_shows_connection_and_rate(qtbot, demo_window):
    window = demo_window
    label = window.connection_labels[window.session.endpoint]
    qtbot.waitUntil(lambda: "connected" in label.text() and "lost" not in label.text(),
                    timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.bridge.rate() > 0, timeout=LIVE_TIMEOUT_MS)


def test_station_colors_follow_live_state(qtbot, demo_window):
    window = demo_window
    _wait_live(qtbot, window, "filler.state")
    engine = window.bridge.pipeline.colors
    state = window.session.state

    def drawn_matches_rule():
        expected = engine.appearance(state, "filler")
        drawn = np.array(window.scene.actors["filler"].prop.color.int_rgb)
        return expected.look is Look.LIVE and np.allclose(drawn, expected.color, atol=1)

    qtbot.waitUntil(drawn_matches_rule, timeout=LIVE_TIMEOUT_MS)
    window.session.server.on_model(lambda sim: sim.trigger_fault("filler", 60.0))
    qtbot.waitUntil(lambda: state.reading("filler.state").value == 4, timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(drawn_matches_rule, timeout=2_000)
    assert window.scene.labels.status["filler"] == "fault"


def test_clicking_a_station_in_3d_selects_it(qtbot, demo_window):
    window = demo_window
    scene, widget = window.scene, window.plotter
    window.plotter.render()
    x, y = _a_pixel_on(scene, "labeler")
    height = widget.height()
    ratio = widget.devicePixelRatioF()
    point = QPoint(int(x / ratio), int(height - 1 - y / ratio))
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.selection.asset_id == "labeler", timeout=3_000)
    assert window.tree.items["labeler"].isSelected()
    assert window.inspector.signal_ids[0].startswith("labeler.")


def test_resting_the_cursor_on_a_station_shows_its_label(qtbot, demo_window):
    window = demo_window
    scene, widget = window.scene, window.plotter
    window.plotter.render()
    x, y = _a_pixel_on(scene, "filler")
    ratio = widget.devicePixelRatioF()
    qtbot.mouseMove(widget, pos=QPoint(int(x / ratio), int(widget.height() - 1 - y / ratio)))
    qtbot.waitUntil(lambda: scene.labels.hovered == "filler", timeout=3_000)
    assert "filler" in scene.labels.placed()


def test_closing_stops_client_and_simulator(qtbot, demo_window):
    window = demo_window
    session = window.session
    label = window.connection_labels[session.endpoint]
    qtbot.waitUntil(lambda: ConnectionState.CONNECTED.name.lower() in label.text(),
                    timeout=LIVE_TIMEOUT_MS)
    window.close()
    assert session.server is None
    assert not session.client.running


def _a_pixel_on(scene, asset_id: str) -> tuple[int, int]:
    """A display pixel (VTK convention) where a pick lands on ``asset_id``."""
    cx, cy = scene.to_display(scene.asset_center(asset_id))
    for radius in range(0, 60, 2):
        for dx, dy in ((0, 0), (radius, 0), (-radius, 0), (0, radius), (0, -radius)):
            if scene.pick(cx + dx, cy + dy) == asset_id:
                return int(cx + dx), int(cy + dy)
    raise AssertionError(f"no pixel of {asset_id} found near its centre")


def test_selecting_a_component_in_the_tree_highlights_that_part(qtbot, demo_window):
    window = demo_window
    station = window.tree.items["sealer"]
    leaf = next(station.child(i) for i in range(station.childCount())
                if station.child(i).text(0) == "Seal head")
    leaf.setSelected(True)
    assert (window.selection.asset_id, window.selection.component) == ("sealer", "seal_head")
    assert "component-highlight" in window.plotter.renderer.actors
    window.tree.items["filler"].setSelected(True)
    assert "component-highlight" not in window.plotter.renderer.actors


def test_inspector_plots_the_selected_asset_process_values(qtbot, demo_window):
    window = demo_window
    window.selection.select("sealer")
    trend = window.inspector.trend
    assert trend.signal_ids == ["sealer.seal_temperature"]
    qtbot.waitUntil(lambda: (trend.refresh(), trend.points("sealer.seal_temperature"))[1] >= 3,
                    timeout=LIVE_TIMEOUT_MS)
    window.inspector.table.selectRow(window.inspector.signal_ids.index("sealer.dwell_time"))
    assert trend.signal_ids == ["sealer.dwell_time"]


def test_server_restart_shows_stale_within_2s_then_live_again(qtbot, demo_window):
    import time

    window = demo_window
    session, state = window.session, window.session.state
    _wait_live(qtbot, window, "sealer.state")
    port = session.server.port
    session.server.stop_thread()
    stopped = time.monotonic()
    qtbot.waitUntil(lambda: state.reading("sealer.state").stale, timeout=5_000)
    assert time.monotonic() - stopped < 2.0
    assert window.bridge.pipeline.colors.appearance(state, "sealer").look is Look.STALE
    assert window.scene.actors["sealer"].prop.show_edges  # drawn stale, not as its last state
    label = window.connection_labels[session.endpoint]
    assert "lost" in label.text()

    from linetwin.io.opcua.simulator.sim_server import SimulatorServer

    session.server = SimulatorServer(session.project, port=port, seed=5)
    session.server.start_in_thread()
    qtbot.waitUntil(lambda: not state.reading("sealer.state").stale, timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.bridge.pipeline.colors.appearance(state, "sealer").look is Look.LIVE,
                    timeout=LIVE_TIMEOUT_MS)
    assert "connected" in label.text() and "lost" not in label.text()


def test_record_toggle_writes_every_value_then_closes_the_file(qtbot, demo_window, tmp_path):
    from linetwin.io.history.history_store import HistoryStore

    window = demo_window
    recording = window.recording
    path = tmp_path / "session.duckdb"
    recording.choose_file = lambda: path
    _wait_live(qtbot, window, "sealer.seal_temperature")
    recording.action.setChecked(True)
    assert recording.recorder is not None
    qtbot.waitUntil(lambda: recording.recorder.samples_written > 50, timeout=LIVE_TIMEOUT_MS)
    # The slowest signals send once a second (a fresh timestamp on an unchanged
    # value): 50 samples can come before them on a fast tick.
    qtbot.wait(2_500)
    recording.action.setChecked(False)
    assert recording.recorder is None and "saved" in recording.label.text()
    with HistoryStore(path, read_only=True) as store:
        assert store.count("signal_samples") > 50
        assert len(set(store.samples()["signal_id"])) == len(window.session.project.signals)


def test_record_into_a_bad_file_says_why_and_stays_off(qtbot, demo_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window = demo_window
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a database")
    window.recording.choose_file = lambda: bad
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    window.recording.action.setChecked(True)
    assert not window.recording.action.isChecked() and window.recording.recorder is None
    assert "notes.duckdb" in shown[0]
    assert bad.read_text() == "not a database"


def test_limit_alert_shows_in_panel_badge_and_inspector_and_is_acknowledged(qtbot, demo_window,
                                                                           monkeypatch):
    window = demo_window
    panel, book = window.alerts_panel, window.session.alerts.book
    _wait_live(qtbot, window, "sealer.seal_temperature")
    window.session.server.on_model(lambda sim: sim.force("sealer.seal_temperature", 168.0))

    def limit_alert():
        return next((a for a in book.active() if a.signal_id == "sealer.seal_temperature"
                     and a.rule.startswith("limit")), None)

    qtbot.waitUntil(lambda: limit_alert() is not None, timeout=LIVE_TIMEOUT_MS)
    panel.refresh()
    assert panel.table.rowCount() >= 1
    assert "sealer" in window.scene.badges.shown
    row = next(r for r in range(panel.table.rowCount())
               if panel.table.item(r, 2).text() == "sealer.seal_temperature")
    panel.table.selectRow(row)
    assert window.selection.asset_id == "sealer"
    window.inspector.refresh()
    assert "175" in window.inspector.alert_context.text()

    panel.ask_comment = lambda alert: ""  # an empty comment is refused, nothing changes
    from PySide6.QtWidgets import QMessageBox
    refused = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: refused.append(args[2]))
    assert not panel.acknowledge_selected()
    assert refused and "comment" in refused[0]
    panel.ask_comment = lambda alert: "heater contactor replaced"
    assert panel.acknowledge_selected()
    assert limit_alert().acknowledged and limit_alert().comment == "heater contactor replaced"


def test_the_update_rate_spreads_a_stall_over_its_length(qtbot, demo_window):
    """After the GUI thread stalled 1.5 s, the values taken at once came in over
    those 1.5 s: the rate must not read them as one tick's worth."""
    bridge = demo_window.bridge
    bridge.stop()  # no live tick in between
    bridge._arrivals.clear()
    bridge._last_tick = None
    for count, now in ((30, 100.0), (30, 100.033), (1_500, 101.533), (30, 101.566)):
        bridge._count_rate(count, now)
    assert bridge.rate() == pytest.approx((30 + 30 + 1_500 + 30) / (0.033 + 0.033 + 1.5 + 0.033))


def test_live_renders_leave_the_gui_thread_time_after_a_slow_frame(qtbot, demo_window):
    """A frame that took 0.2 s (software GL, 2,000 assets): the next live render
    waits about as long, and the last change is still drawn."""
    import time

    bridge = demo_window.bridge
    bridge.stop()
    drawn = []

    def slow_render():
        drawn.append(time.monotonic())
        time.sleep(0.2)

    bridge.render = slow_render
    bridge._render_after = 0.0
    bridge._request_render()  # drawn at once
    bridge._request_render()  # too soon: deferred, not dropped
    assert len(drawn) == 1 and bridge._render_timer.isActive()
    qtbot.waitUntil(lambda: len(drawn) == 2, timeout=2_000)
    assert drawn[1] - drawn[0] >= 0.2 + 0.19  # the frame's own time, then as long again
