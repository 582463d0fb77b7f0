"""One recorded stream, three drivers of the one pipeline: the GUI's bridge,
``monitor`` and ``record`` raise the same alerts at the same instants, and so
does the pipeline however the stream is cut into batches (issue 7, "Done when").

The stream is the pure simulator model run faster than real time: what a
client would have put on the queue, with a lost link in the middle.
"""

from __future__ import annotations

import io
import json
import queue
from datetime import datetime

import pytest

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.recorder import Recorder
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.clock import ReplayClock
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.production.events import InspectionEvent, InspectionResult, Lot
from linetwin.twin.sim.scenarios import HeaterDegradation
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate
from tests.twin.streams import T0, simulated_stream
from linetwin.ui.cli.monitor import Monitor
from linetwin.ui.cli.record import Recording

pytestmark = pytest.mark.timeout(300)

SECONDS, OUTAGE = 900, (300, 320)  # line time, and the lost link within it


def recorded_stream() -> list:
    """The demo line with a sagging heater, sampled every second, as queue items."""
    project = load_project(DEMO_PROJECT)
    endpoint = project.source.endpoint

    def a_unit_every_30_s(t: float, now: float) -> list:
        return [InspectionEvent(now, f"U-{int(t):06d}", "L-1", "PET-500", "inspection",
                                InspectionResult.PASS)] if int(t) % 30 == 0 else []

    return [ConnectionChange(endpoint, ConnectionState.CONNECTED, "connected", T0),
            Lot("L-1", "PET-500", T0),
            *simulated_stream(project, SECONDS, seed=3, outage=OUTAGE, endpoint=endpoint,
                              scenario=HeaterDegradation(start_s=120, rate_c_per_s=0.05),
                              extra=a_unit_every_30_s)]


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture(scope="module")
def stream() -> list:
    return recorded_stream()


class QueueFeed:
    """A feed with no network: hands out a recorded stream ``batch`` items per poll."""

    def __init__(self, items: list, batch: int = 500) -> None:
        self.items, self.batch = list(items), batch

    def drain(self, limit: int | None = None) -> list:
        taken, self.items = self.items[:self.batch], self.items[self.batch:]
        return taken


def _key(rule, key, raised_at, cleared_at) -> tuple:
    return (raised_at, key, rule, cleared_at)


def _final(alerts: dict) -> list[tuple]:
    """(rule, key, raised_at, cleared_at) of each alert, by raising time."""
    rows = sorted(_key(*a) for a in alerts.values())
    return [(rule, key, raised, cleared) for raised, key, rule, cleared in rows]


def _seconds(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def through_the_gui_bridge(project, stream) -> tuple[list, list]:
    from linetwin.ui.qt.live_bridge import LiveBridge

    class Scene:
        def apply(self, appearances) -> None:
            self.last = appearances

    updates: queue.SimpleQueue = queue.SimpleQueue()
    for item in stream:
        updates.put(item)
    bridge = LiveBridge(TwinPipeline(project), updates, Scene(), render=lambda: None)
    changes: list = []
    bridge.alerts_changed.connect(changes.extend)
    bridge.tick()
    while bridge.backlog:
        bridge.tick()
    final = {c.alert.id: (c.alert.rule, c.alert.key, c.alert.raised_at, c.alert.cleared_at)
             for c in changes}
    return _final(final), [(c.kind.value, c.alert.key) for c in changes]


def through_monitor(project, stream) -> tuple[list, list, dict]:
    out = io.StringIO()
    monitor = Monitor(project, out=out, feed=QueueFeed(stream))
    while monitor.poll() is not None:
        pass
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    alerts = [r for r in records if r["type"] == "alert"]
    final = {r["id"]: (r["rule"], r["key"], _seconds(r["raised_at"]), _seconds(r["cleared_at"]))
             for r in alerts}
    return _final(final), [(r["change"], r["key"]) for r in alerts], monitor.counts


def through_record(project, stream, path) -> tuple[list, HistoryStore]:
    store = HistoryStore(path)
    recorder = Recorder(store, project)
    recording = Recording(QueueFeed(stream), TwinPipeline(project), recorder)
    recorder.start()
    while recording.poll():
        pass
    recorder.stop()
    final = {a["alert_id"]: (a["rule"], a["key"], a["raised_at"], a["cleared_at"]) for a in store.alerts()}
    return _final(final), store


def test_the_stream_holds_what_the_proof_needs(project, stream):
    rules = {rule for rule, *_ in through_monitor(project, stream)[0]}
    assert {"limit-low", "trend", "fpy-low"} <= rules
    assert any(type(i) is ConnectionChange and i.state is ConnectionState.LOST for i in stream)


def test_gui_monitor_and_record_raise_identical_alerts(qtbot, project, stream, tmp_path):
    gui, gui_changes = through_the_gui_bridge(project, stream)
    monitored, monitor_changes, counts = through_monitor(project, stream)
    recorded, store = through_record(project, stream, tmp_path / "proof.duckdb")
    try:
        assert len(gui) >= 4 and any(cleared is not None for *_, cleared in gui)
        assert gui == monitored == recorded
        assert gui_changes == monitor_changes  # every raise, update and clear, in order
        assert counts["inspection"] == SECONDS // 30 - 1  # one fell into the outage
        assert counts["lot"] == 1 and counts["connection"] == 3
        assert len(store.inspection_events()) == counts["inspection"] and len(store.lots()) == 1
        assert [e["state"] for e in store.connection_events()] == ["connected", "lost", "connected"]
        assert store.connection_events()[1]["time"] == T0 + OUTAGE[0]  # the change's own time
    finally:
        store.close()


def _item_time(item) -> float:
    return item.source_time if type(item) is ValueUpdate else item.time


def _stepped(project, stream, cut) -> list[tuple]:
    """Every alert change of ``stream`` stepped in the batches ``cut`` makes, the
    clock moved to the newest item of each batch first."""
    clock = ReplayClock()
    pipeline = TwinPipeline(project, clock)
    changes = []
    for batch in cut(stream):
        clock.set(max(_item_time(i) for i in batch))
        changes += pipeline.step(batch).alerts
    return [(c.kind.value, c.alert.key, c.alert.raised_at, c.alert.updated_at, c.alert.cleared_at)
            for c in changes]


def test_one_batch_batches_of_seven_and_item_by_item_give_the_same_alerts(project, stream):
    whole = _stepped(project, stream, lambda s: [s])
    by_seven = _stepped(project, stream, lambda s: [s[i:i + 7] for i in range(0, len(s), 7)])
    one_by_one = _stepped(project, stream, lambda s: [[i] for i in s])
    assert len(whole) > 10
    assert whole == by_seven == one_by_one
