"""The replay side panels built from a real ReplaySession, their numbers checked by DuckDB.

History: tests/ui/replay/panel_history.py (sealer and inspection inspect, one
minute without inspections, three lots). Each expectation is a query on the
same file, not the prefix counts the panels use.
"""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pytest
import pyvista as pv
from PySide6.QtCore import QSettings

from linetwin.io.mesh.meshes import load_line_geometry
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT
from linetwin.scene.defect_coloring import DefectColoring
from linetwin.scene.line_scene import LineScene
from linetwin.ui.qt.replay.annotations import AUTHOR_KEY, AnnotationsPanel
from linetwin.ui.qt.replay.chart_items import CursorFollower
from linetwin.ui.qt.replay.charts import FpyChart, ParetoChart, SignalTrendChart
from linetwin.ui.qt.replay.coloring_control import ColoringControl
from linetwin.ui.qt.replay.search_panel import UnitLotSearch
from tests.ui.replay.panel_history import HOLE, panel_history
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
AT = T0 + 450.0


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture(scope="module")
def history(project, tmp_path_factory):
    return panel_history(project, tmp_path_factory.mktemp("panels") / "line.duckdb")


@pytest.fixture
def session(project, history):
    with ReplaySession(project, history) as s:
        s.cursor.seek(AT)
        yield s


def sql(path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def test_redraws_follow_the_cursor_at_a_bounded_rate(qtbot, session):
    drawn: list[float] = []
    follower = CursorFollower(session, drawn.append)
    for k in range(200):  # a scrub drag: many moves between two redraws
        session.clock.set(AT + k)
    qtbot.waitUntil(lambda: bool(drawn), timeout=1000)
    qtbot.wait(120)
    assert drawn == [AT + 199]
    follower.detach()


def test_fpy_series_equals_duckdb_and_the_empty_bins_are_gaps(qtbot, session, history):
    chart = FpyChart(session)
    qtbot.addWidget(chart)
    assert chart.stations == ["sealer", "inspection"]
    edges = chart.edges
    for k, station in enumerate(chart.stations):
        rows = sql(history, "SELECT time, result FROM inspection_events WHERE station = ?", [station])
        times = np.array([t for t, _ in rows])
        passed = np.array([r == "pass" for _, r in rows])
        b = np.searchsorted(edges, times, side="left") - 1  # bins are (lo, hi]
        n = np.bincount(b, minlength=len(edges) - 1)
        p = np.bincount(b, weights=passed, minlength=len(edges) - 1)
        with np.errstate(invalid="ignore"):
            expected = np.where(n > 0, 100.0 * p / n, np.nan)
        np.testing.assert_allclose(chart.series[:, k], expected, equal_nan=True)
        _, drawn = chart.curves[station].getData()
        in_hole = (chart.centers > HOLE[0]) & (chart.centers < HOLE[1])
        assert in_hole.sum() >= 4 and np.isnan(drawn[in_hole]).all()  # a gap, never 0 %
    session.cursor.seek(AT + 30)
    chart.follower.flush()
    assert chart.cursor_line.value() == AT + 30


@pytest.mark.parametrize("window,seconds", [("10 min", 600.0), ("1 min", 60.0)])
def test_pareto_counts_equal_a_group_by(qtbot, session, history, window, seconds):
    chart = ParetoChart(session, window=window)
    qtbot.addWidget(chart)
    chart.follower.flush()
    expected = sql(history, "SELECT defect_type, count(*) AS n FROM inspection_events "
                   "WHERE defect_type IS NOT NULL AND time > ? AND time <= ? "
                   "GROUP BY defect_type ORDER BY n DESC, defect_type", [AT - seconds, AT])
    assert sorted(chart.counts, key=lambda c: (-c[1], c[0])) == expected
    assert [n for _, n in chart.counts] == sorted((n for _, n in chart.counts), reverse=True)
    total = sum(n for _, n in expected)
    np.testing.assert_allclose(chart.cumulative_percent(),
                               100.0 * np.cumsum([n for _, n in chart.counts]) / total)
    assert chart.title.text().startswith(f"{total} defects in the {window}")


def test_pareto_of_a_window_without_defects_says_so(qtbot, session):
    chart = ParetoChart(session, window="1 min")
    qtbot.addWidget(chart)
    session.cursor.seek(HOLE[1])
    chart.follower.flush()
    assert chart.counts == [] and chart.title.text().startswith("No defects in the 1 min")


def test_signal_trend_draws_the_samples_around_the_cursor_with_limits(qtbot, session, history):
    chart = SignalTrendChart(session)
    qtbot.addWidget(chart)
    chart.follower.flush()
    assert chart.signal.id == "sealer.seal_temperature"
    assert sorted(line.value() for line in chart.limit_lines) == [175.0, 195.0]
    [(count,)] = sql(history, "SELECT count(*) FROM signal_samples WHERE signal_id = ? AND "
                     "source_time >= ? AND source_time < ? AND status_code >> 30 = 0",
                     ["sealer.seal_temperature", AT - 300, AT + 300])
    _, y = chart.curve.getData()
    assert int(np.isfinite(y).sum()) == count > 0
    [(last,)] = sql(history, "SELECT arg_max(value, source_time) FROM signal_samples "
                    "WHERE signal_id = ? AND source_time <= ?", ["sealer.seal_temperature", AT])
    assert chart.value_at(AT) == pytest.approx(last)
    chart.set_asset("labeler")
    assert chart.signal.id == "labeler.label_offset"
    with pytest.raises(ValueError, match="sealer.state"):
        chart.show_signal("sealer.state")


def test_unit_search_shows_its_path_and_a_click_seeks(qtbot, session, history):
    search = UnitLotSearch(session)
    qtbot.addWidget(search)
    unit = sql(history, "SELECT unit_id FROM inspection_events WHERE station = 'sealer' "
               "AND defect_type IS NOT NULL ORDER BY time LIMIT 1")[0][0]
    assert search.search(unit) == "unit"
    path = sql(history, "SELECT time, station, result, coalesce(defect_type, '') "
               "FROM inspection_events WHERE unit_id = ? ORDER BY time", [unit])
    shown = [tuple(search.table.item(r, c).text() for c in range(1, 4))
             for r in range(search.table.rowCount())]
    assert shown == [row[1:] for row in path] and [r[1] for r in path] == ["sealer", "inspection"]
    with qtbot.waitSignal(search.seek_requested) as seek:
        search.table.cellClicked.emit(1, 0)
    assert seek.args == [path[1][0]]


def test_lot_search_shows_yield_defects_and_seeks_to_its_start(qtbot, session, history):
    search = UnitLotSearch(session)
    qtbot.addWidget(search)
    lot = session.data.lots[1]
    assert search.search(lot) == "lot"
    [(inspected, passed)] = sql(history, "SELECT count(*), count(*) FILTER (result = 'pass') "
                                "FROM inspection_events WHERE lot = ?", [lot])
    assert f"FPY {100 * passed / inspected:.1f} % ({passed} of {inspected}" in search.summary.text()
    defects = dict(sql(history, "SELECT defect_type, count(*) FROM inspection_events "
                       "WHERE lot = ? AND defect_type IS NOT NULL GROUP BY 1", [lot]))
    assert search.lot_defects == defects
    [(start,)] = sql(history, "SELECT min(\"start\") FROM lots WHERE lot_id = ?", [lot])
    with qtbot.waitSignal(search.seek_requested) as seek:
        search.go_to_start.click()
    assert seek.args == [start]


def test_unknown_ids_are_named(qtbot, session):
    search = UnitLotSearch(session)
    qtbot.addWidget(search)
    assert search.search("U-NOPE-1") is None
    assert "No unit or lot 'U-NOPE-1'" in search.summary.text() and search.table.rowCount() == 0


def test_a_read_only_history_refuses_notes_in_the_dialog(qtbot, session, tmp_path):
    panel = AnnotationsPanel(session, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(panel)
    dialog = panel.make_dialog()
    assert "read-only" in dialog.notice.text()
    dialog.author.setText("ana")
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    note = {"time": AT, "station": None, "unit_id": None, "author": "ana", "text": "x"}
    assert not panel.store_note(note) and "not saved" in panel.status.text()


def test_a_note_is_stored_listed_and_its_author_remembered(qtbot, project, history, tmp_path):
    copy = shutil.copy(history, tmp_path / "writable.duckdb")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with ReplaySession(project, copy, writable=True) as s:
        s.cursor.seek(AT)
        panel = AnnotationsPanel(s, settings=settings)
        qtbot.addWidget(panel)
        panel.set_station("sealer")
        panel.set_unit("U00000042")
        dialog = panel.make_dialog()
        assert dialog.station.currentData() == "sealer" and dialog.unit.text() == "U00000042"
        dialog.author.setText("ana")
        dialog.text.setPlainText("seal jaw 8 degC low before the gaps")
        assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
        with qtbot.waitSignal(panel.annotation_added) as added:
            assert panel.store_note(dialog.note())
        assert added.args[0]["text"] == "seal jaw 8 degC low before the gaps"
        assert panel.table.rowCount() == 1 and panel.table.item(0, 4).text() == added.args[0]["text"]
        assert panel.make_dialog().author.text() == "ana"  # remembered
    assert settings.value(AUTHOR_KEY) == "ana"
    assert sql(copy, "SELECT time, station, unit_id, author, text FROM annotations") == [
        (AT, "sealer", "U00000042", "ana", "seal jaw 8 degC low before the gaps")]


def test_coloring_control_density_and_lot_compare_match_duckdb(qtbot, session, history,
                                                                shared_mesh_cache):
    plotter = pv.Plotter(off_screen=True, window_size=(800, 500))
    try:
        scene = LineScene(plotter, session.project, load_line_geometry(session.project,
                                                                       cache=shared_mesh_cache))
        coloring = DefectColoring(plotter, scene)
        control = ColoringControl(session, coloring)
        qtbot.addWidget(control)
        control.window_choice.setCurrentText("10 min")
        with qtbot.waitSignal(control.mode_changed):
            control.set_mode("density")
        control.follower.flush()
        counts = dict(sql(history, "SELECT station, count(defect_type) FROM inspection_events "
                          "WHERE time > ? AND time <= ? GROUP BY 1", [AT - 600, AT]))
        assert {s: t.split()[0] for s, (_, t) in coloring.shown.items() if t} == {
            s: str(n) for s, n in counts.items()}
        assert not control.states_shown
        control.per_thousand.setChecked(True)
        control.set_mode("lots")
        control.follower.flush()
        la, lb = control.lot_a.currentText(), control.lot_b.currentText()
        rates = {lot: dict(sql(history, "SELECT station, 1000.0 * count(defect_type) / count(*) "
                               "FROM inspection_events WHERE lot = ? GROUP BY 1", [lot])) for lot in (la, lb)}
        want = rates[la]["inspection"] - rates[lb]["inspection"]
        assert coloring.shown["inspection"][1] == f"{want:+.1f} per 1,000".replace("-", "\u2212")
        control.set_mode("states")
        assert control.states_shown and not coloring.active
    finally:
        plotter.close()
