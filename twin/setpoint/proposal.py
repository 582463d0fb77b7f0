"""A setpoint change proposal and the guards it names.

A proposal holds the absolute value to write (a relative change such as
``sealer.dwell_time=-10%`` is resolved against the value the line held when it
was proposed) together with the words it was asked in, so the approver sees both.
Its status moves ``proposed`` -> ``rejected``, or ``proposed`` -> ``approved``
(the write is under way) -> ``written`` | ``rolled-back`` | ``failed``; a
proposal left ``approved`` was interrupted mid-write and is never written again.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

PROPOSED = "proposed"
APPROVED = "approved"
REJECTED = "rejected"
WRITTEN = "written"
ROLLED_BACK = "rolled-back"
FAILED = "failed"
STATUSES = (PROPOSED, APPROVED, REJECTED, WRITTEN, ROLLED_BACK, FAILED)

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_GUARD = re.compile(rf"^\s*(?P<signal>[A-Za-z_][\w.\-]*)\s*:\s*(?P<low>{_NUMBER})\s*\.\.\s*(?P<high>{_NUMBER})\s*$")


@dataclass(frozen=True)
class GuardSpec:
    """A condition the line must keep after the write: ``low <= signal <= high``."""

    signal_id: str
    low: float
    high: float

    @property
    def text(self) -> str:
        return f"{self.signal_id}:{self.low:g}..{self.high:g}"

    def as_json(self) -> dict[str, Any]:
        return {"signal": self.signal_id, "low": self.low, "high": self.high}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "GuardSpec":
        return cls(str(data["signal"]), float(data["low"]), float(data["high"]))


def parse_guard(text: str) -> GuardSpec:
    """``SIGNAL:LOW..HIGH`` (``sealer.seal_temperature:180..190``); ValueError saying the form."""
    match = _GUARD.match(text)
    if match is None:
        raise ValueError(f"--guard {text!r}: write SIGNAL:LOW..HIGH, e.g. sealer.seal_temperature:180..190")
    low, high = float(match["low"]), float(match["high"])
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"--guard {text!r}: the limits must be finite numbers")
    if low > high:
        raise ValueError(f"--guard {text!r}: low {low:g} is above high {high:g}")
    return GuardSpec(match["signal"], low, high)


@dataclass(frozen=True)
class SetpointProposal:
    """One proposed change of one writable signal, and what became of it.

    ``old_value`` is what the line held when proposed (None: not read);
    ``whatif`` the summary of the what-if result it rests on (predicted rates);
    ``outcome`` why it ended as it did (the rejection reason, the rollback cause).
    """

    proposal_id: str
    created_at: float
    proposer: str
    signal_id: str
    node: str
    change: str  # as asked: "sealer.dwell_time=-10"
    new_value: float
    reason: str
    old_value: float | None = None
    certified_low: float | None = None
    certified_high: float | None = None
    whatif: dict[str, Any] | None = None
    model_version: str | None = None
    model_hash: str | None = None
    guards: tuple[GuardSpec, ...] = field(default_factory=tuple)
    watch_s: float = 60.0
    status: str = PROPOSED
    approver: str | None = None
    decided_at: float | None = None
    outcome: str | None = None
    written_old: float | None = None  # read from the line just before the write
    read_back: float | None = None

    @property
    def limits_text(self) -> str:
        return limits_text(self.certified_low, self.certified_high)

    def audit_details(self, **extra: Any) -> dict[str, Any]:
        """What every audit entry about this proposal carries (who, what, why, values, model)."""
        details: dict[str, Any] = {
            "proposal": self.proposal_id, "signal": self.signal_id, "node": self.node,
            "change": self.change, "old": self.old_value, "new": self.new_value, "reason": self.reason,
            "proposer": self.proposer, "approver": self.approver,
            "model_version": self.model_version, "model_hash": self.model_hash,
        }
        details.update(extra)
        return details


def limits_text(low: float | None, high: float | None) -> str:
    """``280..420``; an open side as ``-inf`` / ``+inf``."""
    return f"{'-inf' if low is None else f'{low:g}'}..{'+inf' if high is None else f'{high:g}'}"


def proposal_id_of(number: int) -> str:
    return f"SP-{number:04d}"
