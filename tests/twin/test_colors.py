import numpy as np
import pytest

from linetwin.twin.colors import ColorEngine, Look
from linetwin.twin.palette import (
    BAD_QUALITY_COLOR, NO_DATA_COLOR, OKABE_ITO_STATES, STRUCTURE_COLOR, UNKNOWN_STATE_COLOR,
    colormap_rgb, hex_to_rgb,
)
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate

from tests.twin.helpers import tiny_project


@pytest.fixture
def live():
    project = tiny_project()
    return ColorEngine(project), TwinState(project)


def test_no_data_before_any_update(live):
    engine, state = live
    look = engine.appearance(state, "sealer")
    assert (look.color, look.look) == (NO_DATA_COLOR, Look.NO_DATA)


def test_state_color_uses_rule_then_default_palette(live):
    engine, state = live
    state.apply([ValueUpdate("sealer.state", 4, 1.0, 1.0)])
    assert engine.appearance(state, "sealer").color == (255, 0, 0)  # the rule's override
    state.apply([ValueUpdate("sealer.state", 1, 2.0, 2.0)])
    a = engine.appearance(state, "sealer")
    assert (a.color, a.look, a.label) == (OKABE_ITO_STATES["running"], Look.LIVE, "running")


def test_unknown_state_code_is_not_a_state_color(live):
    engine, state = live
    state.apply([ValueUpdate("sealer.state", 42, 1.0, 1.0)])
    assert engine.appearance(state, "sealer").color == UNKNOWN_STATE_COLOR


def test_bad_and_uncertain_quality_never_show_the_state(live):
    engine, state = live
    for status in (0x80000000, 0x40000000):
        state.apply([ValueUpdate("sealer.state", 1, 1.0, 1.0, status)])
        a = engine.appearance(state, "sealer")
        assert (a.color, a.look) == (BAD_QUALITY_COLOR, Look.BAD_QUALITY)


def test_analog_value_maps_onto_colormap(live):
    engine, state = live
    state.apply([ValueUpdate("oven.temp", 150.0, 1.0, 1.0)])
    a = engine.appearance(state, "oven")
    assert a.color == tuple(int(v) for v in colormap_rgb("viridis", np.array([0.5]))[0])
    assert a.label == "150.0 °C"


def test_unbound_asset_is_structure(live):
    engine, state = live
    assert engine.appearance(state, "frame").look is Look.STRUCTURE
    assert engine.appearance(state, "frame").color == STRUCTURE_COLOR


def test_assets_affected_by_changed_signals(live):
    engine, state = live
    changed = state.apply([ValueUpdate("oven.temp", 120.0, 1.0, 1.0)])
    assert engine.assets_affected_by(state, changed) == ["oven"]


def test_colormap_clips_and_tolerates_nan():
    rgb = colormap_rgb("cividis", np.array([-1.0, 0.0, 1.0, 2.0, np.nan]))
    assert (rgb[0] == rgb[1]).all() and (rgb[2] == rgb[3]).all() and (rgb[4] == rgb[1]).all()


def test_hex_colors():
    assert hex_to_rgb("#009E73") == (0, 158, 115)
    with pytest.raises(ValueError):
        hex_to_rgb("green")


def test_stale_look_hides_the_last_state_color(live):
    engine, state = live
    state.apply([ValueUpdate("sealer.state", 4, 1.0, 1.0)])
    state.set_link_down(np.array([state.index["sealer.state"]]), now=2.0)
    a = engine.appearance(state, "sealer")
    assert a.look is Look.STALE and a.color != (255, 0, 0) and a.label == "stale"
