"""The replay cursor drives the one pipeline from a recorded history (issue 8).

The history is written as ``record`` writes one (tests/io/history/replay_history.py):
its alerts table holds what the live twin raised. Replayed at 1x and at 100x,
continuously or after seeks, the twin must raise the same alerts at the same
instants and show the same readings.
"""

from __future__ import annotations


import numpy as np
import pytest

from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT
from linetwin.twin.replay.cursor import ReplayCursor
from linetwin.twin.replay.event_search import EventFilter
from linetwin.twin.updates import ConnectionState, ValueUpdate
from tests.io.history.replay_history import played_trace, record_history, recorded_trace
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
SECONDS = 900.0


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture(scope="module")
def history(project, tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "line.duckdb"
    record_history(project, path, SECONDS)
    return path


@pytest.mark.parametrize("speed, tick_s", [(1.0, 0.25), (100.0, 0.033)])
def test_replayed_alerts_equal_those_recorded_live(project, history, speed, tick_s):
    live = recorded_trace(history)
    assert {rule for rule, *_ in live} >= {"trend", "limit-low"}, "the scenario must raise alerts"
    assert played_trace(project, history, speed, tick_s) == live


def readings(session: ReplaySession) -> dict:
    now = session.cursor.position
    return {s: session.pipeline.state.reading(s, now) for s in session.pipeline.state.signal_ids}


def active_alerts(session: ReplaySession) -> list[tuple]:
    return sorted((a.key, a.raised_at) for a in session.pipeline.alerts.book.active() if a.active)


def test_a_far_seek_shows_what_a_continuous_play_shows(project, history):
    target = T0 + 700.25
    with ReplaySession(project, history) as continuous, \
            ReplaySession(project, history, warmup_s=None) as exact, \
            ReplaySession(project, history, warmup_s=300.0) as warm:
        for t in np.arange(T0, target, 7.0):
            continuous.cursor.seek(t)
        continuous.cursor.seek(target)
        exact.cursor.seek(T0 + 850)  # then back: a reset and a replay from the start
        exact.cursor.seek(target)
        warm.cursor.seek(target)  # a reset 300 s before, primed with what held then
        assert readings(exact) == readings(continuous)
        assert active_alerts(exact) == active_alerts(continuous)
        assert readings(warm) == readings(continuous)
        # A warm-up rebuilds the rule windows, not alerts raised before it began: what
        # it raises is a subset of the continuous play's (by condition), never more.
        assert {k for k, _ in active_alerts(warm)} <= {k for k, _ in active_alerts(continuous)}


def test_a_seek_into_the_outage_shows_every_signal_stale(project, history):
    with ReplaySession(project, history) as session:
        session.cursor.seek(T0 + 415)
        stale = {s for s, r in readings(session).items() if r.stale}
        assert stale == {s for s, r in readings(session).items() if r.source_time == r.source_time}
        assert all(r.stale_reason == "connection lost" for r in readings(session).values() if r.stale)
        session.cursor.seek(T0 + 440)
        assert not any(r.stale for r in readings(session).values())


def test_items_keep_the_live_order_at_one_instant(project, history):
    with ReplaySession(project, history) as session:
        items = session.cursor.items_between(T0 + 399, T0 + 431)
    kinds = [(type(i).__name__, getattr(i, "state", None)) for i in items]
    lost = kinds.index(("ConnectionChange", ConnectionState.LOST))
    back = kinds.index(("ConnectionChange", ConnectionState.CONNECTED))
    times = [i.source_time if type(i) is ValueUpdate else i.time for i in items]
    assert times == sorted(times)
    assert not any(type(i) is ValueUpdate for i in items[lost:back])  # nothing while the link is down
    assert type(items[back + 1]) is ValueUpdate and items[back + 1].source_time == items[back].time


def test_next_event_lands_on_the_first_matching_defect(project, history):
    with ReplaySession(project, history) as session:
        cursor, c = session.cursor, session.data.inspections
        cursor.seek(session.data.start)
        seal_gap = session.data.defect_types.index("seal_gap")
        expected = c.time[c.defect == seal_gap]
        row = cursor.next_event(EventFilter.of(defect_types=["seal_gap"]))
        assert cursor.position == expected[0] == c.time[row]
        cursor.next_event(EventFilter.of(defect_types=["seal_gap"]))
        assert cursor.position == expected[expected > expected[0]][0]
        cursor.previous_event(EventFilter.of(defect_types=["seal_gap"]))
        assert cursor.position == expected[0]
        assert cursor.next_event(EventFilter.of(lots=["no such lot"])) is None


def test_speed_loop_and_end_of_range(project, history):
    with ReplaySession(project, history) as session:
        cursor = session.cursor
        with pytest.raises(ValueError, match="0.1x..1000x"):
            cursor.speed = 2000
        cursor.seek(T0 + 100)
        cursor.loop = (T0 + 100, T0 + 110)
        cursor.speed = 10
        cursor.playing = True
        cursor.apply(cursor.advance(0.5))
        assert cursor.position == T0 + 105
        cursor.apply(cursor.advance(1.0))  # past the loop's end: back to its start
        assert cursor.position == T0 + 100 and cursor.playing
        cursor.loop = None
        cursor.speed = 1000
        cursor.apply(cursor.advance(10.0))
        assert cursor.position == session.data.end and not cursor.playing


def test_the_cursor_needs_a_replay_clock(project, history):
    from linetwin.twin.pipeline import TwinPipeline

    with ReplaySession(project, history) as session:
        with pytest.raises(TypeError, match="ReplayClock"):
            ReplayCursor(session.data, TwinPipeline(project))


def test_lot_changes_keep_their_units_in_their_lot(project, history):
    """At a changeover the last unit of a lot, its close and the next lot's open share
    one instant: the twin must follow them in that order, never lose the lot's start."""
    with ReplaySession(project, history) as session:
        lots = session.data.lot_rows
        assert len(lots) >= 3 and lots[0].end == lots[1].start  # changeovers happened
        for lot in lots[1:]:
            session.cursor.seek(lot.start + 1.0)
            current = session.pipeline.production.current_lot
            assert (current.lot_id, current.start) == (lot.lot_id, lot.start)
