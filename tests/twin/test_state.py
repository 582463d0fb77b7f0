import numpy as np

from linetwin.twin.state import TwinState
from linetwin.twin.updates import Quality, ValueUpdate

from tests.twin.helpers import tiny_project

BAD_NODE_ID_UNKNOWN = 0x80340000
UNCERTAIN_LAST_USABLE = 0x40900000


def test_new_state_has_no_data():
    state = TwinState(tiny_project())
    reading = state.reading("sealer.state")
    assert reading.quality is Quality.NO_DATA
    assert np.isnan(reading.age(now=0.0))


def test_latest_update_wins_and_changed_is_emitted():
    state = TwinState(tiny_project())
    seen = []
    state.changed.connect(seen.append)
    changed = state.apply([
        ValueUpdate("sealer.state", 1, 100.0, 100.1),
        ValueUpdate("sealer.state", 4, 101.0, 101.1),
        ValueUpdate("unknown.signal", 9, 101.0, 101.1),
    ])
    assert list(changed) == [0]
    assert list(seen[0]) == [0]
    r = state.reading("sealer.state")
    assert (r.value, r.source_time, r.quality) == (4.0, 101.0, Quality.GOOD)
    assert r.age(now=103.0) == 2.0
    assert state.update_count == 2


def test_quality_follows_status_code_severity():
    assert Quality.from_status_code(0) is Quality.GOOD
    assert Quality.from_status_code(UNCERTAIN_LAST_USABLE) is Quality.UNCERTAIN
    assert Quality.from_status_code(BAD_NODE_ID_UNKNOWN) is Quality.BAD


def test_empty_batch_emits_nothing():
    state = TwinState(tiny_project())
    seen = []
    state.changed.connect(seen.append)
    assert len(state.apply([])) == 0
    assert seen == []


def test_selection_emits_only_real_changes_and_tracks_components():
    from linetwin.twin.selection import Selection

    selection, assets, parts = Selection(), [], []
    selection.changed.connect(assets.append)
    selection.component_changed.connect(lambda a, c: parts.append((a, c)))
    selection.select("sealer")
    selection.select("sealer")
    selection.select("sealer", "seal_head")
    selection.select(None, "seal_head")
    assert assets == ["sealer", None]
    assert parts == [("sealer", "seal_head"), (None, None)]


def _analog_and_state(project):
    return project.signal("oven.temp"), project.signal("sealer.state")


def test_staleness_limits_default_by_kind():
    temp, state_signal = _analog_and_state(tiny_project())
    assert temp.staleness_limit() == 5.0  # 500 ms sampling: 10 intervals, at least 5 s
    assert state_signal.staleness_limit() == float("inf")


def test_silent_analog_turns_stale_and_a_new_value_revives_it():
    state = TwinState(tiny_project())
    state.apply([ValueUpdate("oven.temp", 180.0, 100.0, 100.0),
                 ValueUpdate("sealer.state", 1, 100.0, 100.0)])
    assert len(state.refresh_staleness(now=104.0)) == 0
    changed = state.refresh_staleness(now=106.0)
    assert [state.signal_ids[i] for i in changed] == ["oven.temp"]
    reading = state.reading("oven.temp")
    assert reading.stale and "no new value" in reading.stale_reason
    assert not state.reading("sealer.state").stale  # a state may rest for hours
    state.apply([ValueUpdate("oven.temp", 181.0, 107.0, 107.0)])
    assert not state.reading("oven.temp").stale


def test_lost_link_makes_every_value_stale_at_once():
    state = TwinState(tiny_project())
    state.apply([ValueUpdate("oven.temp", 180.0, 100.0, 100.0),
                 ValueUpdate("sealer.state", 1, 100.0, 100.0)])
    changed = state.set_link_down(np.array([0, 1]), now=101.0)
    assert sorted(changed) == [0, 1]
    assert state.reading("sealer.state").stale_reason == "connection lost"
    state.apply([ValueUpdate("sealer.state", 1, 110.0, 110.0)])  # the link is back
    assert not state.reading("sealer.state").stale
    assert state.reading("oven.temp").stale  # ...but this one has not been heard from


def test_signals_without_data_are_never_stale():
    state = TwinState(tiny_project())
    state.set_link_down(np.array([0, 1]), now=101.0)
    assert not state.stale.any()
