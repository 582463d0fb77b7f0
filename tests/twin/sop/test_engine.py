"""SopEngine: every action kind completes its step, every error kind is caught and
worded, the score follows the rubric (checked by hand against the penalties)."""

from __future__ import annotations

import dataclasses

import pytest

from linetwin.twin.sop.engine import SopEngine
from linetwin.twin.sop.sop_model import Control, ErrorKind, Scoring
from linetwin.twin.sop.sop_result import SopEventKind, TrainingResult
from linetwin.twin.sop.trainee_actions import TraineeAction as Act
from linetwin.twin.sop.trainee_actions import reference_actions
from tests.twin.sop.sops import changeover, demo_project, feed, state_with, with_steps

T0 = 1_800_000_000.0
GOOD = {"sealer__seal_temperature": 185.0, "sealer__seal_pressure": 4.5}


@pytest.fixture(scope="module")
def project():
    return demo_project()


def run(project, sop, actions, temperature=185.0, step_s=2.0):
    """Play ``actions`` on a twin whose readings stay at GOOD (seal temperature
    ``temperature``), observing every second; the finished engine."""
    engine = SopEngine(sop, project, "ana", T0)
    engine.begin()
    t = T0
    state = state_with(project, t, **{**GOOD, "sealer__seal_temperature": temperature})
    for action in actions:
        engine.act(action, state, t)
        for _ in range(int(step_s) if action.kind != "verify" else 12):
            t += 1.0
            feed(state, t, **{**GOOD, "sealer__seal_temperature": temperature})
            engine.observe(state, t)
    engine.finish(t)
    return engine


def kinds(engine):
    return [e.kind for e in engine.errors]


def test_the_reference_run_passes_with_full_score(project):
    sop = changeover()
    engine = run(project, sop, reference_actions(sop))
    result = engine.result()
    assert result.passed and result.score == 100.0 and not result.errors
    assert [s.completed for s in result.steps] == [True] * len(sop.steps)
    assert all(s.time_s is not None and s.time_s >= 0 for s in result.steps)
    # the verify step took its 10 s on the twin's clock, not an instant
    verify = result.steps[sop.number("verify_temperature") - 1]
    assert verify.time_s >= 10.0


def test_swapping_any_two_order_constrained_actions_is_out_of_order(project):
    sop = changeover()
    ref = reference_actions(sop)
    pairs = [(sop.number(p) - 1, i) for i, s in enumerate(sop.steps) for p in s.after]
    assert len(pairs) == 4
    for before, after in pairs:
        actions = list(ref)
        actions[before], actions[after] = actions[after], actions[before]
        engine = run(project, sop, actions)
        assert ErrorKind.OUT_OF_ORDER in kinds(engine), (before, after)
        error = next(e for e in engine.errors if e.kind is ErrorKind.OUT_OF_ORDER)
        assert error.step == after + 1 and sop.steps[before].title in error.message
        assert not engine.result().passed  # 25 off: 75 < 80


def test_skipped_verification_before_engaging(project):
    sop = changeover()
    actions = [a for a in reference_actions(sop) if a.kind != "verify"]
    engine = run(project, sop, actions)
    (order,) = [e for e in engine.errors if e.kind is ErrorKind.OUT_OF_ORDER]
    assert order.step_id == "engage" and "Verify temperature" in order.message
    assert ErrorKind.INCOMPLETE in kinds(engine)  # the verification was never done
    assert not engine.result().passed and engine.result().score == 0.0


def test_wrong_component_then_right_one(project):
    sop = changeover()
    ref = reference_actions(sop)
    i = sop.number("clean_jaws") - 1
    actions = ref[:i] + [Act("pick", target="filler")] + ref[i:]
    engine = run(project, sop, actions)
    assert kinds(engine) == [ErrorKind.WRONG_COMPONENT]
    assert "filler" in engine.errors[0].message and "sealer" in engine.errors[0].message
    assert engine.result().score == 90.0 and engine.result().passed


def test_a_control_on_the_wrong_station_is_a_wrong_component(project):
    sop = changeover()
    ref = reference_actions(sop)
    actions = ref[:1] + [Act("control", target="filler", control=Control.STOP)] + ref[1:]
    engine = run(project, sop, actions)
    assert kinds(engine) == [ErrorKind.WRONG_COMPONENT]
    assert engine.errors[0].step == 2


def test_out_of_range_setpoint_is_refused_then_corrected(project):
    sop = changeover()
    ref = reference_actions(sop)
    i = sop.number("heat_up") - 1
    actions = ref[:i] + [Act("set", signal="sealer.seal_temperature", value=195.0)] + ref[i:]
    engine = run(project, sop, actions)
    assert kinds(engine) == [ErrorKind.OUT_OF_RANGE]
    assert "195" in engine.errors[0].message and "183 .. 187" in engine.errors[0].message


def test_hazard_step_without_lockout_and_lockout_left_on(project):
    sop = changeover()
    no_lockout = [a for a in reference_actions(sop) if a.control is not Control.LOCKOUT]
    engine = run(project, sop, no_lockout)
    assert ErrorKind.HAZARD in kinds(engine)
    hazard = next(e for e in engine.errors if e.kind is ErrorKind.HAZARD)
    assert "without lockout of sealer" in hazard.message and "hot jaws" in hazard.message
    assert not engine.result().passed  # a hazard fails whatever the score

    never_released = [a for a in reference_actions(sop) if a.control is not Control.RELEASE]
    engine = run(project, sop, never_released)
    assert any(e.kind is ErrorKind.HAZARD and "not released" in e.message for e in engine.errors)


def test_a_verify_that_never_holds_times_out(project):
    sop = changeover()
    engine = run(project, sop, reference_actions(sop)[:7], temperature=179.0, step_s=130)
    timeout = [e for e in engine.errors if e.kind is ErrorKind.TIMEOUT]
    assert timeout and timeout[0].step_id == "verify_temperature"
    assert "verify_temperature" not in engine.done


def test_verify_restarts_its_duration_when_the_condition_breaks(project):
    sop = changeover()
    engine = SopEngine(sop, project, "ana", T0)
    engine.begin()
    state = state_with(project, T0, **GOOD)
    for action in reference_actions(sop)[:6]:
        engine.act(action, state, T0)
    engine.act(Act("verify"), state, T0)
    readings = [185.0] * 8 + [190.0] + [185.0] * 9  # broken at 8 s: 10 s more needed
    done_at = None
    for k, value in enumerate(readings, start=1):
        feed(state, T0 + k, **{**GOOD, "sealer__seal_temperature": value})
        if any(e.kind is SopEventKind.STEP_COMPLETED for e in engine.observe(state, T0 + k)):
            done_at = k
    assert done_at is None
    feed(state, T0 + 19, **GOOD)
    assert not engine.observe(state, T0 + 19)  # 9 s since it held again
    feed(state, T0 + 20, **GOOD)
    assert engine.observe(state, T0 + 20) and engine.done["verify_temperature"] == T0 + 20


def test_a_stale_reading_never_verifies_or_checks_an_entry(project):
    sop = changeover()
    engine = SopEngine(sop, project, "ana", T0)
    state = state_with(project, T0, **GOOD)
    state.refresh_staleness(T0 + 3600)  # silent for an hour: stale
    engine.act(Act("enter", signal="sealer.seal_pressure", value=4.5), state, T0 + 3600)
    assert kinds(engine) == [ErrorKind.WRONG_VALUE] and "no good, fresh reading" in engine.errors[0].message


def test_entered_value_and_quiz_answer_are_checked(project):
    sop = changeover()
    ref = reference_actions(sop)
    actions = (ref[:8] + [Act("enter", signal="sealer.seal_pressure", value=4.9)] + ref[8:9]
               + [Act("answer", choice="Speed")] + ref[9:])
    engine = run(project, sop, actions)
    assert kinds(engine) == [ErrorKind.WRONG_VALUE, ErrorKind.WRONG_ANSWER]
    assert "4.9" in engine.errors[0].message and "4.5" in engine.errors[0].message
    assert engine.result().score == 80.0 and engine.result().passed  # exactly the pass score


def test_hints_cost_their_penalty_and_are_counted(project):
    sop = with_steps(changeover(), brief={"hint": "Read the safety brief"})
    engine = SopEngine(sop, project, "ana", T0)
    engine.begin()
    (event,) = engine.act(Act("hint"), state_with(project, T0, **GOOD), T0)
    assert event.kind is SopEventKind.HINT_USED and event.message == "Read the safety brief"
    assert engine.score() == 95.0 and engine.hints == {"brief": 1}


def test_step_and_sop_time_limits(project):
    sop = dataclasses.replace(with_steps(changeover(), brief={"time_limit_s": 5.0}), time_limit_s=60.0)
    engine = SopEngine(sop, project, "ana", T0)
    engine.begin()
    state = state_with(project, T0, **GOOD)
    events = [e for k in range(1, 70) for e in engine.observe(state, T0 + k)]
    timeouts = [e.error for e in events if e.error is not None and e.error.kind is ErrorKind.TIMEOUT]
    assert [t.step for t in timeouts] == [1, 0]  # the step at 6 s, then the SOP at 61 s
    assert timeouts[0].time == T0 + 6 and timeouts[1].time == T0 + 61
    assert engine.finished and not engine.result().passed


def test_scoring_weights_come_from_the_sop(project):
    rubric = Scoring(pass_score=95.0, penalties={ErrorKind.WRONG_COMPONENT: 3.0}, fail_on=())
    sop = changeover(scoring=rubric)
    ref = reference_actions(sop)
    engine = run(project, sop, ref[:3] + [Act("pick", target="labeler")] + ref[3:])
    assert engine.result().score == 97.0 and engine.result().passed


def test_a_refused_control_is_reported_and_judged_no_further(project):
    engine = SopEngine(changeover(), project, "ana", T0)
    engine.begin()
    state = state_with(project, T0, **GOOD)
    (event,) = engine.act(Act("control", target="sealer", control=Control.STOP), state, T0,
                          refused="sealer is locked out")
    assert "refused" in event.message and not engine.done and not engine.errors


def test_the_result_round_trips_through_json(project):
    sop = changeover()
    ref = reference_actions(sop)
    engine = run(project, sop, ref[:3] + [Act("pick", target="labeler")] + ref[3:])
    result = engine.result()
    again = TrainingResult.from_json(result.as_json())
    assert again == result
    data = result.as_json()
    assert {"sop", "version", "trainee", "passed", "score", "errors", "steps"} <= set(data)
    assert data["errors"][0]["kind"] == "wrong_component" and data["errors"][0]["step"] == 4
