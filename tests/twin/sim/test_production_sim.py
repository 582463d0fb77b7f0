"""Units, lots and operator procedures of the simulated line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linetwin.twin.production.events import ComplianceEvent, InspectionEvent, InspectionResult, Lot
from linetwin.twin.sim.production import CHANGEOVER, CLEAR_STOP, ProductionConfig, ProductionModel
from linetwin.twin.sim.scenarios import Jam
from linetwin.twin.sim.simulation import DEFECT_NAMES, DEMO_STATIONS, LineSimulator

pytestmark = pytest.mark.timeout(60)


def events_of(sim: LineSimulator, seconds: float, kind: type) -> list:
    sim.step(seconds)
    return [e for e in sim.take_events() if isinstance(e, kind)]


def test_same_seed_same_events_and_values_unchanged_by_them():
    a = LineSimulator(DEMO_STATIONS, seed=7, scenario="jam")
    b = LineSimulator(DEMO_STATIONS, seed=7, scenario="jam")
    other = LineSimulator(DEMO_STATIONS, seed=8, scenario="jam")
    for sim in (a, b, other):
        sim.step(300)
    first = a.take_events()
    assert first == b.take_events()
    assert first != other.take_events()
    # The production model draws from its own generator: the line's values do not
    # depend on its settings, so the tuned alert figures stay valid.
    c = LineSimulator(DEMO_STATIONS, seed=7, scenario="jam",
                      production=ProductionConfig(units_per_lot=3, violation_rate=1.0))
    c.step(300)
    assert c.values() == a.values()


def test_every_counter_increment_is_one_inspection_event():
    sim = LineSimulator(DEMO_STATIONS, seed=4, scenario="heater-degradation")
    inspections = events_of(sim, 600.0, InspectionEvent)
    values = sim.values()
    passed = [e for e in inspections if e.result is InspectionResult.PASS]
    assert len(passed) == values["inspection.good_count"] > 500
    assert len(inspections) - len(passed) == values["inspection.reject_count"] > 100
    for name in DEFECT_NAMES:
        assert sum(e.defect_type == name for e in inspections) == values[f"inspection.defects.{name}"]
    assert all((e.defect_type is None) == (e.severity is None) == (not e.defective) for e in inspections)
    assert {e.station for e in inspections} == {"inspection"}
    ids = [e.unit_id for e in inspections]
    assert ids[:2] == ["U00000001", "U00000002"] and len(set(ids)) == len(ids)
    assert all(set(e.measured) >= {"seal_temperature", "fill_weight"} for e in inspections)
    cold = [e for e in inspections if e.measured["seal_temperature"] < 174.0]
    assert sum(e.defect_type == "seal_gap" for e in cold) > 0.3 * len(cold)  # from the process model


def test_lots_change_every_n_units():
    sim = LineSimulator(DEMO_STATIONS, seed=2, production=ProductionConfig(units_per_lot=40))
    sim.step(400.0)
    events = sim.take_events()
    lots = [e for e in events if isinstance(e, Lot)]
    assert lots[0] == Lot("2026-12-02-A", lots[0].sku, 0.0)  # open from the start
    closed = [lot for lot in lots if not lot.open]
    assert len(closed) >= 5
    assert [lot.lot_id for lot in closed[:3]] == ["2026-12-02-A", "2026-12-02-B", "2026-12-02-C"]
    units_in = {}
    for e in events:
        if isinstance(e, InspectionEvent):
            units_in.setdefault(e.lot, []).append(e)
    for lot in closed:
        units = units_in[lot.lot_id]
        assert len(units) == 40
        assert {u.sku for u in units} == {lot.sku}
        assert lot.start <= units[0].time and units[-1].time == lot.end
    assert {lot.sku for lot in lots} <= set(ProductionConfig().skus)


def test_a_long_jam_is_cleared_under_lockout_in_order():
    sim = LineSimulator(DEMO_STATIONS, seed=3, scenario=Jam(start_s=10.0, duration_s=60.0, station="labeler"),
                        production=ProductionConfig(violation_rate=0.0, units_per_lot=100_000))
    steps = [e for e in events_of(sim, 80.0, ComplianceEvent) if e.station == "labeler"]
    assert [e.step for e in steps] == [s.name for s in CLEAR_STOP.steps]
    assert all(e.ok and e.sop_id == CLEAR_STOP.sop_id and e.role == "operator" for e in steps)
    assert 10.0 < steps[0].time < steps[-1].time < 70.0
    assert len({e.operator for e in steps}) == 1


def test_violations_at_about_the_configured_rate_with_a_reason():
    model = ProductionModel(seed=5, config=ProductionConfig(violation_rate=0.25))
    for run in range(400):
        model.stop_started(100.0 * run, "sealer", 60.0)
    model.advance(math.inf)
    steps = [e for e in model.take() if isinstance(e, ComplianceEvent)]
    assert model.procedures == 401  # and the set-up for the first SKU
    assert 0.18 < model.violations / 401 < 0.32
    bad = [e for e in steps if not e.ok]
    assert len(bad) == model.violations  # one broken rule per failed procedure
    reasons = {e.reason for e in bad}
    assert "verification skipped: release without verify" in reasons
    assert {"wrong order: clear before lockout", "wrong order: release before verify"} <= reasons
    assert [e.time for e in steps] == sorted(e.time for e in steps)


def test_a_changeover_follows_a_new_sku_and_its_skipped_verification_is_flagged():
    config = ProductionConfig(units_per_lot=1, skus=("A", "B"), violation_rate=1.0)
    model = ProductionModel(seed=11, config=config)
    for unit in range(200):
        model.inspected(100.0 * unit, "inspection", np.array([0]), {})
    model.advance(math.inf)
    events = model.take()
    changes = [e for e in events if isinstance(e, Lot) and e.open][1:]
    steps = [e for e in events if isinstance(e, ComplianceEvent)]
    new_sku = sum(1 for a, b in zip([events[0], *changes], changes) if a.sku != b.sku)
    assert model.procedures == 1 + new_sku and new_sku > 50  # 1: the set-up of the first SKU
    assert {e.sop_id for e in steps} == {CHANGEOVER.sop_id} and {e.station for e in steps} == {"sealer"}
    assert "verification skipped: engage_seal_head without verify_temperature" in {e.reason for e in steps}


def test_bad_production_settings_are_refused():
    with pytest.raises(ValueError, match="units_per_lot"):
        ProductionConfig(units_per_lot=0)
    with pytest.raises(ValueError, match="violation_rate"):
        ProductionConfig(violation_rate=1.5)
    with pytest.raises(ValueError):
        ProductionConfig(first_day="02.12.2026")


def test_a_run_starts_with_the_sealer_set_up_for_its_first_sku():
    model = ProductionModel(seed=2, config=ProductionConfig(violation_rate=0.0))
    model.advance(60.0)
    steps = [e for e in model.take() if isinstance(e, ComplianceEvent)]
    assert [e.step for e in steps] == [s.name for s in CHANGEOVER.steps]
    assert all(e.ok for e in steps) and steps[-1].time < 60.0


def test_take_events_shifts_times_onto_a_clock():
    sim = LineSimulator(DEMO_STATIONS, seed=1)
    sim.step(30.0)
    events = sim.take_events(epoch=1_700_000_000.0)
    assert events[0] == Lot("2026-12-02-A", events[0].sku, 1_700_000_000.0)
    assert all(1_700_000_000.0 < e.time <= 1_700_000_030.0 for e in events[1:])
