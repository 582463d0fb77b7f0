"""TwinPipeline: one path, one clock, same alerts however the stream is stepped."""

import math
from datetime import datetime
import subprocess
import sys

import numpy as np
import pytest

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.clock import LiveClock, ReplayClock
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.production.events import (
    ComplianceEvent, InspectionEvent, InspectionResult, Lot, Severity,
)
from linetwin.twin.updates import ConnectionChange, ConnectionState, Quality, ValueUpdate
from tests.twin.streams import T0, simulated_stream


@pytest.fixture(scope="module")
def project():
    return load_project(DEMO_PROJECT)


@pytest.fixture(scope="module")
def stream(project):
    """15 minutes of a degrading heater with a one-minute outage."""
    return simulated_stream(project, 900, outage=(500, 560))


def alert_trace(changes):
    return [(c.kind.value, c.alert.key, c.alert.updated_at, c.alert.value) for c in changes]


def item_time(item):
    return item.source_time if isinstance(item, ValueUpdate) else item.time


def play(project, items, seconds_per_tick):
    """Play ``items`` as a replay cursor would: each tick hands over what its clock passed."""
    clock = ReplayClock(item_time(items[0]))
    pipeline = TwinPipeline(project, clock)
    changes, i = [], 0
    while i < len(items):
        clock.advance(seconds_per_tick)
        j = i
        while j < len(items) and item_time(items[j]) <= clock.now():
            j += 1
        changes += pipeline.step(items[i:j]).alerts
        i = j
    return changes


def test_importing_the_pipeline_loads_no_gui_network_or_database_library():
    code = ("import sys, linetwin.twin.pipeline, linetwin.twin.clock\n"
            "print(','.join(m for m in ('PySide6', 'vtk', 'vtkmodules', 'pyvista', 'asyncua', "
            "'duckdb', 'trimesh') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_same_alerts_at_the_same_instants_at_1x_100x_and_stepped(project, stream):
    at_1x = play(project, stream, 0.033)  # a 30 Hz timer on a 1x replay
    at_100x = play(project, stream, 3.3)
    stepped = []
    pipeline = TwinPipeline(project, ReplayClock())
    for item in stream:  # one item per step, the clock moved by hand
        pipeline.clock.set(item_time(item))
        stepped += pipeline.step([item]).alerts
    kinds = {c.alert.rule for c in at_1x}
    assert {"trend", "limit-low", "fpy-low"} <= kinds  # the stream really exercises the rules
    assert alert_trace(at_1x) == alert_trace(at_100x) == alert_trace(stepped)


def test_staleness_follows_the_injected_clock_not_the_wall_clock(project):
    signal = "sealer.seal_temperature"
    limit = project.signal(signal).staleness_limit()
    update = ValueUpdate(signal, 185.0, T0, T0)
    replay = TwinPipeline(project, ReplayClock(T0 + 1))
    replay.step([update])
    assert not replay.state.reading(signal).stale  # 2026 data read in a replay is live then
    result = replay.step([], now=T0 + limit + 1)
    assert replay.state.reading(signal).stale
    assert list(result.changed_signals) == [replay.state.index[signal]]
    live = TwinPipeline(project, LiveClock())
    live.step([update])  # the same old value on a live line is stale at once
    assert live.state.reading(signal).stale


def test_a_lost_link_makes_its_signals_stale_and_breaks_windows_at_its_source_time(project):
    pipeline = TwinPipeline(project, ReplayClock(T0 + 5), default_endpoint="opc.tcp://a")
    pipeline.step([ValueUpdate("sealer.seal_temperature", 185.0, T0, T0)])
    lost = ConnectionChange("opc.tcp://a", ConnectionState.LOST, "gone", T0 + 2)
    result = pipeline.step([lost])
    assert result.connections == [lost]
    assert pipeline.state.reading("sealer.seal_temperature").stale_reason == "connection lost"
    reason = pipeline.alerts.quiet_reason("sealer.seal_temperature")
    clock = datetime.fromtimestamp(T0 + 2).strftime("%H:%M:%S")  # the loss's source time
    assert reason is not None and f"lost at {clock};" in reason
    other = ConnectionChange("opc.tcp://b", ConnectionState.LOST, "gone", T0 + 3)
    pipeline.step([ValueUpdate("sealer.seal_temperature", 185.0, T0 + 4, T0 + 4), other])
    assert not pipeline.state.reading("sealer.seal_temperature").stale  # b carries none of it


def test_values_before_a_loss_in_one_batch_do_not_revive_the_signal(project):
    pipeline = TwinPipeline(project, ReplayClock(T0 + 1), default_endpoint="opc.tcp://a")
    pipeline.step([ValueUpdate("sealer.state", 1, T0, T0),
                   ConnectionChange("opc.tcp://a", ConnectionState.LOST, "gone", T0 + 0.5)])
    assert pipeline.state.reading("sealer.state").stale


def test_production_events_reach_the_result_and_the_station_log(project):
    pipeline = TwinPipeline(project, ReplayClock(T0 + 4000))
    lot = Lot("2026-05-28-A", "SKU-200", T0)
    gap = InspectionEvent(T0 + 10, "U000001", lot.lot_id, lot.sku, "inspection",
                          InspectionResult.FAIL, "seal_gap", Severity.MAJOR, {"seal_width_mm": 3.1})
    wrinkle = InspectionEvent(T0 + 3700, "U000002", lot.lot_id, lot.sku, "inspection",
                              InspectionResult.REWORK, "wrinkle", Severity.MINOR)
    ok = InspectionEvent(T0 + 3800, "U000003", lot.lot_id, lot.sku, "inspection",
                         InspectionResult.PASS)
    skipped = ComplianceEvent(T0 + 3900, "sealer", "ana", "operator", "SOP-SEAL-01", "3",
                              "engage seal head", ok=False, reason="verification skipped")
    result = pipeline.step([lot, gap, wrinkle, ok, skipped])
    assert result.events == [lot, gap, wrinkle, ok, skipped]
    log = pipeline.production
    station = log.stations["inspection"]
    assert (station.units, station.defects, station.last_defect) == (3, 2, wrinkle)
    assert log.defects_by_type("inspection", now=T0 + 3900) == {"wrinkle": 1}  # gap: > 1 h ago
    assert log.current_lot == lot
    assert log.stations["sealer"].last_violation == skipped
    pipeline.step([Lot(lot.lot_id, lot.sku, T0, end=T0 + 3950)])
    assert log.current_lot is None


def test_reset_empties_every_part_and_rebuilding_matches_a_fresh_pipeline(project, stream):
    seek = T0 + 450
    before = [i for i in stream if item_time(i) <= seek]
    after = [i for i in stream if item_time(i) > seek]
    pipeline = TwinPipeline(project, ReplayClock())
    pipeline.step(before, now=seek)
    assert pipeline.alerts.book.active()  # there is something to forget
    resets = []
    pipeline.reset_done.connect(resets.append)
    pipeline.reset(seek)
    assert resets == [seek]
    assert pipeline.alerts.book.active() == [] and pipeline.alerts.book.history() == []
    assert not pipeline.history.count.any()
    assert (pipeline.state.qualities == int(Quality.NO_DATA)).all()
    assert pipeline.production.stations == {}
    rebuilt = pipeline.step(after, now=item_time(after[-1])).alerts
    fresh = TwinPipeline(project, ReplayClock()).step(after, now=item_time(after[-1])).alerts
    assert alert_trace(rebuilt) == alert_trace(fresh)


def test_tick_result_reports_what_changed(project):
    pipeline = TwinPipeline(project, ReplayClock(T0))
    result = pipeline.step([ValueUpdate("filler.state", 4, T0, T0), object()])
    assert result.values == 1 and result.ignored == 1
    assert list(result.changed_signals) == [pipeline.state.index["filler.state"]]
    assert result.restyle == ["filler"]
    assert pipeline.step([], now=T0).empty
    assert math.isclose(result.now, T0)
    assert np.isnan(ReplayClock().now())


def test_joining_mid_lot_the_units_name_the_running_lot(project):
    pipeline = TwinPipeline(project, ReplayClock(T0 + 10))
    unit = InspectionEvent(T0 + 5, "U000101", "2026-05-28-C", "SKU-500", "inspection",
                           InspectionResult.PASS)
    pipeline.step([unit])
    lot = pipeline.production.current_lot
    assert (lot.lot_id, lot.sku) == ("2026-05-28-C", "SKU-500") and math.isnan(lot.start)
    started = Lot("2026-05-28-D", "SKU-200", T0 + 20)
    pipeline.step([started, InspectionEvent(T0 + 21, "U000102", started.lot_id, started.sku,
                                            "inspection", InspectionResult.PASS)])
    assert pipeline.production.current_lot == started  # a seen start is kept
