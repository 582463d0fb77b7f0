"""SimFeed: what a client of the simulator server receives, without the server."""

from __future__ import annotations

import numpy as np
import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.production.events import PRODUCTION_TYPES
from linetwin.twin.sim.sim_feed import BAD_WAITING_FOR_INITIAL_DATA, SimFeed
from linetwin.twin.updates import ValueUpdate
from tests.twin.helpers import tiny_project

EPOCH = 1_780_000_000.0
UNCERTAIN_LAST_USABLE_VALUE = 0x40900000


@pytest.fixture(scope="module")
def demo():
    return load_project(DEMO_PROJECT)


def test_signals_the_model_does_not_know_are_bad_once_and_known_ones_start_at_epoch():
    feed = SimFeed(tiny_project(), epoch=EPOCH)  # oven.temp: no such value in the model
    first = [i for i in feed.tick() if type(i) is ValueUpdate]
    assert [(u.signal_id, u.source_time, u.status_code) for u in first[:2]] == [
        ("oven.temp", EPOCH, BAD_WAITING_FOR_INITIAL_DATA), ("sealer.state", EPOCH, 0)]
    later = [u for _ in range(50) for u in feed.tick() if type(u) is ValueUpdate]
    assert all(u.signal_id == "sealer.state" for u in later)


def test_unchanged_values_are_resent_every_second_and_times_follow_the_ticks(demo):
    feed = SimFeed(demo, seed=2, epoch=EPOCH)
    updates = [u for _ in range(600) for u in feed.tick() if type(u) is ValueUpdate]
    assert {u.signal_id for u in updates} == {s.id for s in demo.signals}
    for signal_id in ("outfeed.state", "inspection.defects.contamination"):
        times = np.array([u.source_time for u in updates if u.signal_id == signal_id])
        assert np.max(np.diff(times)) == pytest.approx(1.0, abs=1e-6)  # the heartbeat
    stamps = np.unique([u.source_time for u in updates])
    assert np.allclose(np.diff(stamps), 0.1) and stamps[-1] == pytest.approx(EPOCH + 60.0)


def test_tick_by_tick_and_in_blocks_give_the_same_items(demo):
    one = SimFeed(demo, seed=4, scenario="heater-degradation", epoch=EPOCH)
    items = [i for _ in range(450) for i in one.tick()]
    blocks = SimFeed(demo, seed=4, scenario="heater-degradation", epoch=EPOCH)
    values, events = [], []
    for ticks in (1, 299, 150):
        block, more = blocks.advance(ticks)
        values += block.updates(blocks.names)
        events += more
    assert [i for i in items if type(i) is ValueUpdate] == values
    assert [i for i in items if isinstance(i, PRODUCTION_TYPES)] == events and len(events) > 50


def test_a_stuck_sensor_is_sent_as_uncertain_with_its_frozen_value(demo):
    feed = SimFeed(demo, seed=1, scenario="sensor-freeze", epoch=EPOCH)
    seal = [u for _ in range(600) for u in feed.tick()
            if type(u) is ValueUpdate and u.signal_id == "sealer.seal_temperature"]
    uncertain = [u for u in seal if u.status_code == UNCERTAIN_LAST_USABLE_VALUE]
    assert uncertain and all(u.status_code in (0, UNCERTAIN_LAST_USABLE_VALUE) for u in seal)
    assert len({u.value for u in uncertain}) == 1  # frozen
    gaps = np.diff([u.source_time for u in uncertain])
    assert np.allclose(gaps, 1.0)  # nothing changes any more: the heartbeat only
