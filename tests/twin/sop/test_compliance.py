"""Compliance mode against the simulator's known truth: the simulator decides which
procedure runs break a rule (and marks those steps ``ok=False``); the checker,
knowing only the SOPs, must flag exactly those steps. Then through the pipeline:
a violation is an alert on the station, cleared at once and listed until acked."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import numpy as np
import pytest

from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.production.events import ComplianceEvent
from linetwin.twin.sim.production import ProductionConfig, ProductionModel
from linetwin.twin.sop.compliance import RULE, ComplianceChecker
from linetwin.twin.sop.sop_model import ActionKind as A
from linetwin.twin.sop.sop_model import Control, ErrorKind, Hazard, Sop
from linetwin.twin.updates import ValueUpdate
from tests.twin.sop.sops import demo_project, step

T0 = 1_800_000_000.0


def simulator_sops() -> tuple[Sop, Sop]:
    """The two procedures the simulator runs, as SOP files would describe them, with
    steps the line does not report (acknowledge, quiz) in between."""
    seal = Sop("SOP-SEAL-03", "Changeover", "3", "a", "b", "2026-11-01", (
        step("brief", A.ACKNOWLEDGE),
        step("heat_up", A.SET, signal="sealer.seal_temperature", low=183.0, high=187.0, reported_as="heat_up"),
        step("verify", A.VERIFY, signal="sealer.seal_temperature", low=182.0, high=188.0, duration_s=10.0,
             after=("heat_up", "brief"), reported_as="verify_temperature"),
        step("engage", A.CONTROL, control=Control.START, after=("verify",), reported_as="engage_seal_head"),
    ), run_gap_s=100.0)
    loto = Sop("SOP-LOTO-07", "Clear a jam", "7", "a", "b", "2026-11-01", (
        step("lockout", A.CONTROL, target="labeler", control=Control.LOCKOUT, reported_as="lockout"),
        step("clear", A.ACKNOWLEDGE, target="labeler", after=("lockout",), reported_as="clear"),
        step("verify", A.PICK, target="labeler", reported_as="verify"),
        step("release", A.CONTROL, target="labeler", control=Control.RELEASE, after=("verify",),
             reported_as="release"),
    ), hazards=(Hazard("jam", "labeler", ("clear",)),), run_gap_s=100.0)
    return seal, loto


def simulated_steps(runs: int, seed: int) -> list[ComplianceEvent]:
    """Operator steps of ``runs`` changeovers and ``runs`` cleared stops (on several
    stations), half of them with a violation."""
    model = ProductionModel(seed, ProductionConfig(units_per_lot=1, violation_rate=0.5, skus=("A", "B")))
    rng = np.random.default_rng(seed)
    t = 0.0
    for _ in range(runs):
        t += 200.0
        model.inspected(t, "inspection", np.zeros(1, dtype=np.int64), {})  # a lot change
        model.stop_started(t + 60.0, str(rng.choice(["labeler", "filler", "sealer"])), 60.0)
        model.advance(t + 199.0)
    return [e for e in model.take(T0) if isinstance(e, ComplianceEvent)]


def test_the_checker_flags_exactly_the_steps_the_simulator_broke():
    events = simulated_steps(runs=400, seed=3)
    truth = {(e.time, e.station, e.step) for e in events if not e.ok}
    assert 250 < len(truth) < 550  # the sample holds plenty of both kinds
    checker = ComplianceChecker(simulator_sops())
    flagged = checker.check(events)
    assert {(v.event.time, v.event.station, v.event.step) for v in flagged} == truth
    assert checker.checked == len(events) and checker.unknown == 0
    kinds = {v.kind for v in flagged}
    assert kinds == {ErrorKind.OUT_OF_ORDER, ErrorKind.HAZARD}  # clear before lockout is both


def test_violations_are_worded_for_the_operator():
    seal, _ = simulator_sops()
    t = datetime(2027, 1, 15, 14, 2, 11, tzinfo=timezone.utc).timestamp()
    events = [ComplianceEvent(t - 30, "sealer", "tech-031", "technician", seal.id, "heat_up", "set"),
              ComplianceEvent(t, "sealer", "tech-031", "technician", seal.id, "engage_seal_head", "engage")]
    (violation,) = ComplianceChecker([seal]).check(events)
    reason = violation.event.reason
    assert not violation.event.ok and violation.kind is ErrorKind.OUT_OF_ORDER
    assert reason.startswith("Engage before step 3 (Verify)") and reason.endswith("sealer, 14:02:11 UTC")
    assert "tech-031" in reason


def test_unknown_sops_and_steps_are_counted_not_judged():
    checker = ComplianceChecker(simulator_sops())
    events = [ComplianceEvent(T0, "sealer", "x", "y", "SOP-OTHER", "a", "b"),
              ComplianceEvent(T0, "sealer", "x", "y", "SOP-SEAL-03", "not-a-step", "b")]
    assert checker.check(events) == [] and checker.unknown == 2


@pytest.fixture(scope="module")
def project():
    return dataclasses.replace(demo_project(), sops=simulator_sops())


def _temperatures(t0: float, values) -> list[ValueUpdate]:
    return [ValueUpdate("sealer.seal_temperature", v, t0 + k, t0 + k, 0) for k, v in enumerate(values)]


def test_through_the_pipeline_a_violation_is_a_listed_station_alert(project):
    pipeline = TwinPipeline(project)
    seal = project.sops[0]
    step_at = T0 + 20
    items = _temperatures(T0, [185.0] * 21) + [
        ComplianceEvent(step_at - 10, "sealer", "tech-045", "technician", seal.id, "heat_up", "set"),
        ComplianceEvent(step_at, "sealer", "tech-045", "technician", seal.id, "engage_seal_head", "engage")]
    result = pipeline.step(items, step_at)
    assert [v.step for v in result.violations] == ["engage_seal_head"]
    (alert,) = [a for a in pipeline.alerts.book.active() if a.rule == RULE]
    assert alert.asset_id == "sealer" and not alert.active and not alert.acknowledged  # listed until acked
    assert "SOP-SEAL-03" in alert.message and "Engage before" in alert.message


def test_a_verification_while_the_condition_did_not_hold_is_flagged(project):
    pipeline = TwinPipeline(project)
    seal = project.sops[0]
    items = _temperatures(T0, [185.0] * 12 + [179.5] + [185.0] * 8) + [
        ComplianceEvent(T0 + 5, "sealer", "tech-045", "technician", seal.id, "heat_up", "set"),
        ComplianceEvent(T0 + 20, "sealer", "tech-045", "technician", seal.id, "verify_temperature", "check")]
    result = pipeline.step(items, T0 + 20)
    (violation,) = result.violations
    assert "179.5" in violation.reason and "182 .. 188" in violation.reason
    # the same steps with the condition held throughout: nothing
    pipeline = TwinPipeline(project)
    items = _temperatures(T0, [185.0] * 21) + items[-2:]
    assert pipeline.step(items, T0 + 20).violations == []


def test_a_seek_forgets_open_runs(project):
    pipeline = TwinPipeline(project)
    seal = project.sops[0]
    pipeline.step([ComplianceEvent(T0, "sealer", "t", "r", seal.id, "heat_up", "set")], T0)
    pipeline.reset(T0 + 100)
    # after the reset the run starts again: engaging now lacks heat-up and verification
    result = pipeline.step([ComplianceEvent(T0 + 101, "sealer", "t", "r", seal.id, "engage_seal_head", "e")],
                           T0 + 101)
    assert len(result.violations) == 1 and "step 3" in result.violations[0].reason
