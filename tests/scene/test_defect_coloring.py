"""Replay's defect colourings of the 3D line, checked against DuckDB on the same history.

The history (tests/ui/replay/panel_history.py) has two inspecting stations
(sealer, inspection) and a minute without inspections. Counts per station
come from prefix counts in the scene; the expected ones from a GROUP BY.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
import pyvista as pv

from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.scene.annotation_markers import AnnotationMarkers, marker_text
from linetwin.scene.defect_coloring import (
    NO_UNITS_COLOR, DefectColoring, deltas, density_rgb, lot_figures, window_figures,
)
from linetwin.scene.line_scene import LineScene
from tests.scene.pixels import asset_pixels, hue_degrees
from tests.ui.replay.panel_history import HOLE, panel_history
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
AT = T0 + 450.0


@pytest.fixture(scope="module")
def history(demo_line, tmp_path_factory):
    return panel_history(demo_line[0], tmp_path_factory.mktemp("coloring") / "line.duckdb")


@pytest.fixture
def session(demo_line, history):
    with ReplaySession(demo_line[0], history) as s:
        s.cursor.seek(AT)
        yield s


@pytest.fixture
def drawn(demo_line, session):
    project, geometries = demo_line
    plotter = pv.Plotter(off_screen=True, window_size=(1200, 700))
    scene = LineScene(plotter, project, geometries)
    scene.apply(session.pipeline.appearances())
    yield plotter, scene, DefectColoring(plotter, scene)
    plotter.close()


def sql_station_counts(path, where: str, params: list) -> dict[str, tuple[int, int]]:
    """{station: (defects, inspected)} by DuckDB."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(f"SELECT station, count(defect_type), count(*) FROM inspection_events "
                           f"WHERE {where} GROUP BY station", params).fetchall()
    return {s: (d, n) for s, d, n in rows}


def test_density_counts_per_station_equal_a_group_by(session, drawn, history):
    plotter, scene, coloring = drawn
    figures = window_figures(session.cursor.windows, AT - 600, AT)
    expected = sql_station_counts(history, "time > ? AND time <= ?", [AT - 600, AT])
    got = {s: (int(d), int(n)) for s, d, n in zip(figures.stations, figures.defects, figures.inspected) if n}
    assert got == expected and set(got) == {"sealer", "inspection"}

    coloring.show_density(figures, title="defects, 10 min to cursor")
    top = max(d for d, _ in expected.values())
    for station, (defects, inspected) in expected.items():
        rgb, text = coloring.shown[station]
        assert rgb == tuple(density_rgb(np.array([defects / top]))[0])
        assert text == f"{defects} defects\nof {inspected} units"
    assert coloring.shown["filler"] == (NO_UNITS_COLOR, "")  # inspected nothing: no density
    assert coloring.value_range == (0.0, float(top))
    plotter.render()
    image = plotter.screenshot(return_img=True)
    # the busiest station is drawn dark red, the other in the orange of its share
    red = hue_degrees(np.median(asset_pixels(scene, image, "inspection"), axis=0))
    assert min(red, 360 - red) < 25  # hue wraps at red
    assert 15 < hue_degrees(np.median(asset_pixels(scene, image, "sealer"), axis=0)) < 45


def test_per_thousand_units_and_a_window_with_nothing_inspected(session, drawn):
    _, _, coloring = drawn
    figures = window_figures(session.cursor.windows, AT - 600, AT)
    per_k = figures.values(per_thousand=True)
    i = figures.stations.index("sealer")
    assert per_k[i] == pytest.approx(1000 * figures.defects[i] / figures.inspected[i])
    empty = window_figures(session.cursor.windows, HOLE[0] + 1, HOLE[1])
    assert not empty.inspected.any() and np.isnan(empty.values(True)).all()
    coloring.show_density(empty, per_thousand=True)
    assert {rgb for rgb, _ in coloring.shown.values()} == {NO_UNITS_COLOR}
    assert not any(text for _, text in coloring.shown.values())


def test_compare_windows_and_lots_give_signed_deltas(session, drawn, history):
    _, _, coloring = drawn
    windows = session.cursor.windows
    a, b = window_figures(windows, AT - 120, AT), window_figures(windows, AT - 420, AT - 300)
    want_a = sql_station_counts(history, "time > ? AND time <= ?", [AT - 120, AT])
    want_b = sql_station_counts(history, "time > ? AND time <= ?", [AT - 420, AT - 300])
    delta = deltas(a, b, per_thousand=False)
    for station in ("sealer", "inspection"):
        assert delta[a.stations.index(station)] == want_a[station][0] - want_b[station][0]
    coloring.show_delta(a.stations, delta)
    worse = a.stations[int(np.nanargmax(delta))]
    assert coloring.shown[worse][1].startswith("+") and coloring.shown[worse][0][0] > 150  # red side

    lot_a, lot_b = session.data.lots[1], session.data.lots[0]
    la, lb = lot_figures(session.data, lot_a), lot_figures(session.data, lot_b)
    sa, sb = (sql_station_counts(history, "lot = ?", [lot]) for lot in (lot_a, lot_b))
    lot_delta = deltas(la, lb, per_thousand=True)
    for station in ("sealer", "inspection"):
        expected = 1000 * (sa[station][0] / sa[station][1] - sb[station][0] / sb[station][1])
        assert lot_delta[la.stations.index(station)] == pytest.approx(expected)
    assert np.isnan(lot_delta[la.stations.index("packer")])
    with pytest.raises(KeyError, match="LOT-NONE"):
        lot_figures(session.data, "LOT-NONE")


def test_clear_brings_the_state_colours_back(session, drawn):
    plotter, scene, coloring = drawn
    before = {a: tuple(actor.prop.color) for a, actor in scene.actors.items()}
    coloring.show_density(window_figures(session.cursor.windows, AT - 600, AT))
    assert tuple(scene.actors["inspection"].prop.color) != before["inspection"]
    coloring.clear(session.pipeline.appearances())
    assert {a: tuple(actor.prop.color) for a, actor in scene.actors.items()} == before
    assert "defect-colorbar" not in plotter.actors and not coloring.active


def test_annotation_markers_one_tag_per_station(drawn):
    plotter, _, _ = drawn
    scene = drawn[1]
    markers = AnnotationMarkers(plotter, scene)
    notes = [{"time": T0 + 5, "station": "sealer", "author": "ana", "text": "jaw temperature low"},
             {"time": T0 + 9, "station": "sealer", "author": "bo", "text": "cleaned the seal bar " * 3},
             {"time": T0 + 7, "station": None, "author": "ana", "text": "line-wide"},
             {"time": T0 + 8, "station": "nowhere", "author": "ana", "text": "unknown station"}]
    markers.show(notes)
    assert list(markers.shown) == ["sealer"]
    assert markers.shown["sealer"] == marker_text(notes[:2])
    assert markers.shown["sealer"].startswith("Note (bo): cleaned the seal bar")
    assert markers.shown["sealer"].endswith("\u2026  +1 more")
    markers.show([])
    assert markers.shown == {} and "annotation-markers-labels" not in plotter.actors
