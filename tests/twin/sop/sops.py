"""SOPs built by hand for the engine and compliance tests (no SOP file needed), on
the demo project's stations and signals."""

from __future__ import annotations

import dataclasses

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.model import Project
from linetwin.twin.sop.sop_model import ActionKind, Control, Hazard, Sop, SopStep
from linetwin.twin.state import TwinState
from linetwin.twin.updates import ValueUpdate

A = ActionKind


def demo_project() -> Project:
    return load_project(DEMO_PROJECT)


def step(id: str, action: ActionKind, target: str = "sealer", station: str = "", **fields) -> SopStep:
    return SopStep(id=id, title=id.replace("_", " ").capitalize(), action=action, target=target,
                   station=station or target.split(".")[0], **fields)


def changeover(**sop_fields) -> Sop:
    """Every action kind, a verify-before-engage constraint, a hazard under lockout."""
    steps = (
        step("brief", A.ACKNOWLEDGE),
        step("stop", A.CONTROL, control=Control.STOP),
        step("lockout", A.CONTROL, control=Control.LOCKOUT, reported_as="lockout"),
        step("clean_jaws", A.PICK, target="sealer", after=("lockout",), reported_as="clean"),
        step("release", A.CONTROL, control=Control.RELEASE, after=("clean_jaws",), reported_as="release"),
        step("heat_up", A.SET, signal="sealer.seal_temperature", low=183.0, high=187.0, value=185.0,
             reported_as="heat_up"),
        step("verify_temperature", A.VERIFY, signal="sealer.seal_temperature", low=182.0, high=188.0,
             duration_s=10.0, after=("heat_up",), time_limit_s=120.0, reported_as="verify_temperature"),
        step("engage", A.CONTROL, control=Control.START, after=("verify_temperature",),
             reported_as="engage_seal_head"),
        step("pressure", A.ENTER, signal="sealer.seal_pressure", tolerance=0.15),
        step("quiz", A.QUIZ, question="Why verify first?", choices=("Speed", "Seal gaps"), answer="Seal gaps"),
    )
    fields = dict(id="SOP-TEST-1", title="Test changeover", version="1.0", author="a", approver="b",
                  approved="2026-11-01", steps=steps, station="sealer",
                  hazards=(Hazard("jaws", "sealer", ("clean_jaws",), "hot jaws"),))
    fields.update(sop_fields)
    return Sop(**fields)


def with_steps(sop: Sop, **changes) -> Sop:
    """``sop`` with some steps changed: ``with_steps(sop, quiz={"time_limit_s": 5})``."""
    steps = tuple(dataclasses.replace(s, **changes.get(s.id, {})) for s in sop.steps)
    return dataclasses.replace(sop, steps=steps)


def state_with(project: Project, t: float, **values: float) -> TwinState:
    """A twin state with good, fresh readings at ``t`` (``sealer__seal_temperature=185``)."""
    state = TwinState(project)
    feed(state, t, **values)
    return state


def feed(state: TwinState, t: float, **values: float) -> None:
    state.apply([ValueUpdate(k.replace("__", "."), v, t, t, 0) for k, v in values.items()])
    state.refresh_staleness(t)
