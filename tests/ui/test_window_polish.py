"""The real main window under Xvfb: legend, help, panels, Ctrl+K, Open, status bar, tree."""

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from linetwin.scene.badges import BadgeCounts
from linetwin.twin.alerts.alerts import Severity
from linetwin.ui.qt.widgets.elided_label import ElidedLabel
from linetwin.ui.qt.widgets.legend import LegendPanel
from linetwin.ui.qt.widgets.shortcuts_help import ShortcutsDialog


def _menu_action(window, menu_title: str, text: str) -> QAction:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == menu_title)
    return next(a for a in menu.actions() if a.text() == text)


def test_the_legend_names_every_look_of_the_view(qtbot, demo_window):
    legend = demo_window.legend
    assert legend.isVisible()
    names = legend.names()
    for expected in ("running", "idle", "starved", "blocked", "fault", "maintenance",
                     "no data", "stale", "bad quality", "no mesh", "! 1 ALARM",
                     "! 1 WARNING", "1 CLEARED", "Heat sealer: seal temperature"):
        assert any(expected in name for name in names), expected


def test_legend_state_colours_are_the_project_colours(qtbot):
    from linetwin.io.project.project_file import load_project
    from linetwin.main import DEMO_PROJECT

    project = load_project(DEMO_PROJECT)
    panel = LegendPanel(project)
    qtbot.addWidget(panel)
    rule = next(r for r in project.rules if getattr(r, "colors", None))
    shown = {row.name: row.entry.color for row in panel.rows if row.section == "Station state"}
    assert shown == {name: rule.colors[name] for name in project.states}


def test_f1_lists_every_shortcut_of_the_window(qtbot, demo_window):
    window = demo_window
    rows = window.show_shortcuts().rows()
    listed = {(keys, what) for keys, what, _ in rows}
    with_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 10
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(k == keys for k, _ in listed), f"{keys} ({action.text()}) missing from F1"
    assert ("Ctrl+K", "Acknowledge selected") in listed
    assert any(what.startswith("Double-click") for what, *_ in rows)
    # a shortcut added later shows up without touching the help
    extra = QAction("Frobnicate", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+J"))
    window.menuBar().actions()[0].menu().addAction(extra)
    assert ("Ctrl+Alt+J", "Frobnicate", "File") in ShortcutsDialog(window).rows()


def test_view_menu_toggles_each_panel_and_resets_the_layout(qtbot, demo_window):
    window = demo_window
    for dock in window.docks:
        assert _menu_action(window, "&View", dock.windowTitle()) is dock.toggleViewAction()
    alerts = next(d for d in window.docks if d.windowTitle() == "Alerts")
    legend = next(d for d in window.docks if d.windowTitle() == "Legend")
    alerts.toggleViewAction().trigger()
    legend.toggleViewAction().trigger()
    assert not alerts.isVisible() and not legend.isVisible()
    _menu_action(window, "&View", "&Reset layout").trigger()
    qtbot.waitUntil(lambda: alerts.isVisible() and legend.isVisible(), timeout=3_000)
    assert window.dockWidgetArea(alerts).name == "BottomDockWidgetArea"


def test_ctrl_k_without_a_selection_says_what_to_select(qtbot, demo_window):
    window = demo_window
    window.selection.select(None)
    _menu_action(window, "&Alerts", "&Acknowledge selected…").trigger()
    assert "Select a station with an alert" in window.statusBar().currentMessage()


def test_ctrl_k_on_a_selected_station_acknowledges_its_alert(qtbot, demo_window):
    window = demo_window
    book = window.session.alerts.book
    change = book.raise_or_update("limit-high:test", asset_id="sealer",
                                  signal_id="sealer.seal_temperature", rule="limit-high",
                                  severity=Severity.ALARM, message="Seal temperature 199 °C",
                                  value=199.0, limit=195.0, at=1.0)
    window._on_alerts_changed([change])
    assert window.scene.badges.shown["sealer"] == BadgeCounts(alarms=1)
    window.selection.select("sealer")
    window.alerts_panel.ask_comment = lambda alert: "jaw cleaned"
    _menu_action(window, "&Alerts", "&Acknowledge selected…").trigger()
    assert book.get(change.alert.id).comment == "jaw cleaned"
    book.clear("limit-high:test", at=2.0)  # acknowledged and cleared: closed
    window._on_alerts_changed([])
    assert "sealer" not in window.scene.badges.shown


def test_a_cleared_unacknowledged_alarm_badge_does_not_read_as_an_alarm(qtbot, demo_window):
    window = demo_window
    book = window.session.alerts.book
    book.raise_or_update("limit-high:test", asset_id="filler", signal_id="filler.fill_weight",
                         rule="limit-high", severity=Severity.ALARM, message="heavy",
                         value=512.0, limit=510.0, at=1.0)
    book.clear("limit-high:test", at=2.0)
    window._on_alerts_changed([])
    assert window.scene.badges.text("filler") == "1 CLEARED"
    assert "badges-cleared-labels" in window.plotter.renderer.actors


def test_opening_a_history_file_as_a_project_says_use_replay(qtbot, demo_window, tmp_path,
                                                             monkeypatch):
    from linetwin.io.history.history_store import HistoryStore

    window = demo_window
    history = tmp_path / "shift.bin"  # a DuckDB file with an unhelpful name: the magic decides
    HistoryStore(history).close()
    said, emitted = [], []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: said.append(args[2]))
    window.open_project_requested.connect(emitted.append)
    assert not window.open_project(str(history))
    assert said and "LineTwin history" in said[0] and "replay" in said[0]
    assert emitted == []
    project = tmp_path / "line.toml"
    project.write_text("[project]\nname = 'x'\n")
    assert window.open_project(str(project)) and emitted == [str(project)]


def test_status_bar_texts_elide_with_a_tooltip_instead_of_clipping(qtbot, demo_window):
    window = demo_window
    connection = window.connection_labels[window.session.endpoint]
    record = window.recording.label
    problem = ("REC history-of-packaging-line-1-night-shift.duckdb: 1,234,567 values — write "
               "problem: IO Error: could not write to the file system: no space left on device")
    record.set_text(problem, dot_color="#B42318")
    window.resize(640, 600)
    labels = [connection, record, window.rate_label]

    def fits(label):
        return label.fontMetrics().horizontalAdvance(label.shown_text()) <= label.width()

    qtbot.waitUntil(lambda: "…" in record.shown_text(), timeout=3_000)
    assert all(fits(label) for label in labels)
    assert record.toolTip() == problem
    window.resize(1900, 900)
    qtbot.waitUntil(lambda: record.shown_text() == problem, timeout=3_000)
    assert all(fits(label) for label in labels)
    assert connection.shown_text() == connection.full_text()


def test_elided_label_alone(qtbot):
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.set_text("opc.tcp://very-long-host-name.plant.example.com:4840/line: connected",
                   dot_color="#1B7F3B")
    label.resize(120, 20)
    label.show()
    assert "…" in label.shown_text() and label.toolTip() == label.full_text()
    assert "#1B7F3B" in label.text()


def test_tree_shows_part_names_unless_raw_names_are_asked(qtbot, demo_window):
    window = demo_window
    station = window.tree.items["sealer"]
    names = [station.child(i).text(0) for i in range(station.childCount())]
    assert "Seal head" in names and "Heater jaw" in names
    assert not any("_" in n for n in names)
    raw = _menu_action(window, "&View", "Show &raw part names")
    raw.trigger()
    assert "seal_head" in [station.child(i).text(0) for i in range(station.childCount())]
    raw.trigger()
    assert "Seal head" in [station.child(i).text(0) for i in range(station.childCount())]


@pytest.mark.parametrize("raw, shown", [("seal_head", "Seal head"),
                                        ("seal_head_geometry_0", "Seal head"),
                                        ("Body.001", "Body"), ("mesh_12", "Part 12"),
                                        ("HeaterJaw", "Heater Jaw")])
def test_part_display_names(raw, shown):
    from linetwin.ui.qt.widgets.part_names import part_display_name

    assert part_display_name(raw) == shown
