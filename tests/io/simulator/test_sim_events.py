"""Production events over real OPC UA: the simulator raises them, a LiveClient maps them."""

from __future__ import annotations

import dataclasses
import queue

import pytest

from linetwin.io.opcua.opcua_client import LiveClient
from linetwin.twin.model import EVENT_FIELDS, EventKind, EventSource
from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, InspectionResult, Lot
from linetwin.twin.sim.production import ProductionConfig
from tests.io.conftest_opcua import QueueReader, demo_project, running_server

pytestmark = pytest.mark.timeout(30)

PROJECT = demo_project()
SPEED = 40.0  # simulated seconds per wall second


def collect(project, endpoint: str, done, timeout: float = 8.0,
            subscribed=None) -> tuple[QueueReader, LiveClient]:
    """Subscribe with a LiveClient until ``done(reader, client)`` holds (or the timeout).

    ``subscribed()`` runs once the first unit has arrived: events raised before a
    client subscribes are nobody's, so a test starts what it watches only then.
    """
    updates: queue.SimpleQueue = queue.SimpleQueue()
    client = LiveClient(project, updates, endpoint=endpoint)
    reader = QueueReader(updates)
    client.start()
    try:
        if subscribed is not None:
            assert reader.wait_for(lambda: bool(of(reader, InspectionEvent)), timeout)
            subscribed()
        reader.wait_for(lambda: done(reader, client), timeout)
    finally:
        client.stop()
    return reader, client


def of(reader: QueueReader, kind: type) -> list:
    return [i for i in reader.items if isinstance(i, kind)]


@pytest.fixture(scope="module")
def cold_line():
    """A fast line with a cold seal head (seal gaps) and short lots."""
    with running_server(PROJECT, seed=2, speed=SPEED,
                        production=ProductionConfig(units_per_lot=30, violation_rate=0.0)) as server:
        server.on_model(lambda sim: sim.force("sealer.seal_temperature", 172.0))
        yield server


def test_inspections_arrive_one_per_unit_with_lots_and_defect_types(cold_line):
    reader, client = collect(PROJECT, cold_line.endpoint, lambda r, c: len(of(r, Lot)) >= 4)
    assert client.event_problems == {}
    inspections = of(reader, InspectionEvent)
    assert len(inspections) > 60
    numbers = [int(e.unit_id.removeprefix("U")) for e in inspections]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # none dropped, in order
    assert {e.station for e in inspections} == {"inspection"}
    assert "seal_gap" in {e.defect_type for e in inspections}
    gaps = [e for e in inspections if e.defect_type == "seal_gap"]
    assert all(e.result is InspectionResult.FAIL and e.severity.value == "critical" for e in gaps)
    assert all(e.measured["seal_temperature"] == 172.0 for e in inspections)
    # Lots of 30 units: a closed lot, then the next one open at the same instant.
    lots = of(reader, Lot)
    closed = next(i for i, lot in enumerate(lots) if not lot.open)
    ended, started = lots[closed], lots[closed + 1]
    assert started.open and started.start == ended.end
    assert ended.lot_id.startswith("2026-12-02-") and ended.lot_id != started.lot_id
    in_next = [e for e in inspections if e.lot == started.lot_id]
    assert in_next and all(e.sku == started.sku and e.time > started.start for e in in_next)


def test_event_time_is_the_simulated_source_time(cold_line):
    reader, _ = collect(PROJECT, cold_line.endpoint, lambda r, c: len(of(r, InspectionEvent)) > 20)
    inspections = of(reader, InspectionEvent)
    times = [e.time for e in inspections]
    assert times == sorted(times)
    # The line makes at most ~2.2 packs per simulated second: in source time units
    # are >= 0.45 s apart, though at 40x dozens arrive in one wall-clock publish.
    span = times[-1] - times[0]
    assert span / (len(times) - 1) > 0.4


def jam(server, station: str) -> None:
    server.on_model(lambda sim: sim.trigger_fault(station, 40.0))


def test_a_jam_is_cleared_under_lockout_as_compliance_steps():
    with running_server(PROJECT, seed=4, speed=SPEED,
                        production=ProductionConfig(violation_rate=0.0)) as server:
        reader, _ = collect(PROJECT, server.endpoint,
                            lambda r, c: any(e.step == "release" and e.station == "labeler"
                                             for e in of(r, ComplianceEvent)),
                            subscribed=lambda: jam(server, "labeler"))
    steps = [e for e in of(reader, ComplianceEvent) if e.station == "labeler"]  # not a random stop's
    assert [e.step for e in steps] == ["lockout", "clear", "verify", "release"]
    assert {(e.sop_id, e.role) for e in steps} == {("SOP-LOTO-07", "operator")}
    assert len({e.operator for e in steps}) == 1
    assert all(e.ok and e.reason == "" for e in steps)
    assert steps[-1].time - steps[0].time == pytest.approx(40.0 - 1.0 - 3.0, abs=0.2)


def test_a_violation_carries_its_reason():
    with running_server(PROJECT, seed=4, speed=SPEED,
                        production=ProductionConfig(violation_rate=1.0)) as server:
        reader, _ = collect(PROJECT, server.endpoint,
                            lambda r, c: any(not e.ok and e.station == "filler" for e in of(r, ComplianceEvent)),
                            subscribed=lambda: jam(server, "filler"))
    bad = [e for e in of(reader, ComplianceEvent) if not e.ok and e.station == "filler"]
    assert bad
    assert bad[0].reason.startswith(("verification skipped:", "wrong order:"))


def test_the_project_mapping_decides_which_event_field_is_which(cold_line):
    inspection = next(s for s in PROJECT.event_sources if s.kind is EventKind.INSPECTION)
    # A line whose events carry the SKU where we expect the lot and the other way
    # round, no station, and only one measured value we care about.
    swapped = dataclasses.replace(
        inspection, station="inspection", measured={"temperature": "SealTemperature"},
        fields={**EVENT_FIELDS[EventKind.INSPECTION], "lot": "Sku", "sku": "LotId", "station": "NoSuchField"})
    missing = EventSource(EventKind.COMPLIANCE, "NoSuchEventType")
    project = dataclasses.replace(PROJECT, event_sources=(swapped, missing))
    reader, client = collect(project, cold_line.endpoint, lambda r, c: len(of(r, InspectionEvent)) > 5)
    inspections = of(reader, InspectionEvent)
    assert len(inspections) > 5
    assert all(e.lot.startswith("PCH-") and e.sku.startswith("2026-12-02-") for e in inspections)
    assert {e.station for e in inspections} == {"inspection"}  # from the source: the field is absent
    assert all(e.measured == {"temperature": 172.0} for e in inspections)
    assert not of(reader, Lot) and not of(reader, ComplianceEvent)  # not subscribed
    absent, refused = client.event_problems.values()  # the absent field is named, the source still served
    assert "event_sources[0]" in absent and "'NoSuchField' (station)" in absent
    assert "event_sources[1]" in refused and "NoSuchEventType" in refused


def test_a_type_without_a_required_field_is_refused_by_name(cold_line):
    lot = next(s for s in PROJECT.event_sources if s.kind is EventKind.LOT)
    wrong = dataclasses.replace(lot, fields={**lot.fields, "lot": "LotNumber"})
    project = dataclasses.replace(PROJECT, event_sources=(wrong,))
    reader, client = collect(project, cold_line.endpoint, lambda r, c: bool(c.event_problems))
    (problem,) = client.event_problems.values()
    assert "LotChangeEventType" in problem and "'LotNumber'" in problem
    assert not of(reader, Lot)

