"""TrainingResults built by hand, as the SOP engine would hand them over, for the record tests."""

from __future__ import annotations

from linetwin.io.training import identities
from linetwin.twin.sop.sop_model import ErrorKind
from linetwin.twin.sop.sop_result import SopError, StepResult, TrainingResult

START = 1_780_000_000.0  # 2026-05-28T20:26:40Z
STEP_TITLES = ("Stop the sealer", "Lock out the sealer", "Change the seal jaws",
               "Verify seal temperature 185 ± 3 °C for 10 s", "Release the lockout", "Start the sealer")


def made_result(trainee: str = "Bo Chen", passed: bool = True, score: float = 85.0,
                sop: str = "sealer-changeover", version: str = "1.2", started_at: float = START,
                errors: tuple[tuple[ErrorKind, int], ...] = ((ErrorKind.OUT_OF_RANGE, 3),
                                                             (ErrorKind.WRONG_COMPONENT, 2))) -> TrainingResult:
    """A six-step session: 20 s, 35 s, ... per step, with ``errors`` as (kind, step)."""
    steps, t = [], started_at
    for n, title in enumerate(STEP_TITLES, 1):
        took = 15.0 + 5.0 * n + 0.25
        steps.append(StepResult(n, f"s{n}", title, True, t, t + took,
                                errors=sum(1 for _, step in errors if step == n)))
        t += took
    made = tuple(SopError(kind, step, f"s{step}", f"{kind.value} at step {step}", started_at + 10.0 * step)
                 for kind, step in errors)
    return TrainingResult(sop, version, "Sealer changeover", trainee, passed, score, started_at, t,
                          tuple(steps), made, hints=1, extra={"seed": 1})


def add_users(*users: tuple[str, str]) -> None:
    """Users in the LINETWIN_CONFIG_DIR the ``users`` fixture points at."""
    for name, role in users:
        identities.add_user(name, role)
