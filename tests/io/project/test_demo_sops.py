"""The demo line's three SOPs: they load, fit the simulator they train on, and
their reference runs do one action per step."""

from __future__ import annotations

import math

import pytest

from linetwin.io.project.project_file import load_project
from linetwin.twin.model import AssetLevel
from linetwin.twin.sim.production import CHANGEOVER, CLEAR_STOP
from linetwin.twin.sim.sim_feed import stations_of
from linetwin.twin.sim.simulation_process import PROCESS_VARIABLES
from linetwin.twin.sop.sop_model import ActionKind
from linetwin.twin.sop.trainee_actions import reference_actions

from tests.io.conftest import DEMO_DIR


@pytest.fixture(scope="module")
def demo():
    return load_project(DEMO_DIR / "line.toml")


def test_the_three_sops_load_with_their_stations(demo):
    assert [(s.id, s.station) for s in demo.sops] == [
        ("SOP-SEAL-03", "sealer"), ("SOP-LOTO-07", "labeler"), ("SOP-SHIFT-01", "infeed")]
    for sop in demo.sops:
        assert 5 <= len(sop.steps) <= 9, sop.id
        assert sop.revisions and sop.approver and sop.author


def test_every_action_kind_is_used(demo):
    used = {step.action for sop in demo.sops for step in sop.steps}
    assert used == set(ActionKind)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_reference_run_has_one_action_per_step(demo, index):
    sop = demo.sops[index]
    actions = reference_actions(sop)
    assert len(actions) == len(sop.steps)
    kinds = {"quiz": "answer"}
    assert [a.kind for a in actions] == [kinds.get(s.action.value, s.action.value) for s in sop.steps]


@pytest.mark.parametrize("procedure", [CHANGEOVER, CLEAR_STOP], ids=lambda p: p.sop_id)
def test_reported_steps_match_the_simulators_procedure(demo, procedure):
    """Each step the simulated line reports is an SOP step, ordered the same way."""
    sop = next(s for s in demo.sops if s.id == procedure.sop_id)
    for line_step in procedure.steps:
        step = sop.reported(line_step.name)
        assert step is not None, line_step.name
        if line_step.must_follow:
            before = sop.reported(line_step.must_follow)
            assert before is not None and before.id in step.after


def test_the_changeover_verifies_before_the_head_engages(demo):
    sop = next(s for s in demo.sops if s.id == "SOP-SEAL-03")
    engage, verify = sop.reported("engage_seal_head"), sop.reported("verify_temperature")
    assert verify.id in engage.after and sop.number(verify.id) < sop.number(engage.id)
    assert (verify.low, verify.high, verify.duration_s) == (182.0, 188.0, 10.0)


def test_the_jam_is_cleared_only_under_lockout(demo):
    sop = next(s for s in demo.sops if s.id == "SOP-LOTO-07")
    (hazard,) = sop.hazards
    lockout, release = sop.number(sop.reported("lockout").id), sop.number(sop.reported("release").id)
    assert "clear_jam" in hazard.steps and hazard.station == "labeler"
    assert all(lockout < sop.number(name) < release for name in hazard.steps)


def test_windows_hold_the_simulators_normal_values(demo):
    """Verify windows contain each process value's mean +- 4 sigma, set ranges its
    mean (the setpoint); verify steps get time for the heater's ~1 degC/s ramp."""
    process = {v.signal_id: (v.mean, 4 * math.hypot(v.std, v.noise)) for v in PROCESS_VARIABLES}
    for sop in demo.sops:
        for step in sop.steps:
            mean, spread = process.get(step.signal, (None, None))
            if step.action is ActionKind.SET:
                assert step.low <= mean <= step.high and step.value == mean, (sop.id, step.id)
            if step.action is ActionKind.VERIFY and mean is not None:
                assert step.low <= mean - spread and mean + spread <= step.high, (sop.id, step.id)
            if step.action is ActionKind.VERIFY:
                assert step.time_limit_s >= 60, (sop.id, step.id)


def test_components_to_pick_leave_the_stations_unchanged(demo):
    components = [a for a in demo.assets if a.level is AssetLevel.COMPONENT]
    assert len(components) == 8
    assert all(a.mesh is not None and a.mesh.is_file() and not demo.signals_of(a.id) for a in components)
    assert stations_of(demo) == ["infeed", "filler", "sealer", "inspection", "labeler", "packer", "outfeed"]
    picked = {s.target for sop in demo.sops for s in sop.steps if s.action is ActionKind.PICK}
    assert picked <= {a.id for a in components}
