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
    assert np.isnan(reading.age())


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
