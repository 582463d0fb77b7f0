"""A proposed change to one process value: ``SIGNAL=VALUE``, ``SIGNAL=+DELTA`` or
``SIGNAL=-10%``.

The same words serve the what-if models (``linetwin whatif --set``), the
simulator's truth (``linetwin history generate --set``), the virtual trial and
a setpoint proposal, so "dwell time -10 %" means one thing everywhere: relative
to the value the line holds now (its setpoint, or the mean of what it ran at).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum

_CHANGE = re.compile(r"^\s*(?P<signal>[A-Za-z_][\w.\-]*)\s*=\s*(?P<amount>[+-]?[0-9.eE+-]+)\s*(?P<pct>%)?\s*$")


class ChangeKind(Enum):
    SET = "set"  # VALUE: the new value
    DELTA = "delta"  # +DELTA / -DELTA: added to the current value
    PERCENT = "percent"  # +P% / -P%: relative to the current value


@dataclass(frozen=True)
class ProposedChange:
    signal_id: str
    kind: ChangeKind
    amount: float

    def target(self, current: float) -> float:
        """The value asked for when the line holds ``current`` now."""
        if self.kind is ChangeKind.SET:
            return self.amount
        if self.kind is ChangeKind.DELTA:
            return current + self.amount
        return current * (1.0 + self.amount / 100.0)

    def shift(self, current: float) -> float:
        """How far the value moves from ``current``."""
        return self.target(current) - current

    @property
    def text(self) -> str:
        """The change as it is written: ``sealer.dwell_time=-10%``."""
        if self.kind is ChangeKind.SET:
            return f"{self.signal_id}={self.amount:g}"
        suffix = "%" if self.kind is ChangeKind.PERCENT else ""
        return f"{self.signal_id}={self.amount:+g}{suffix}"


def parse_change(text: str) -> ProposedChange:
    """``SIGNAL=VALUE``, ``SIGNAL=+DELTA`` (or ``-DELTA``) or ``SIGNAL=+P%``.

    Raises ValueError with a message that quotes the text and says the form.
    """
    match = _CHANGE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a change: write SIGNAL=VALUE, SIGNAL=+DELTA or SIGNAL=-10%")
    raw = match["amount"]
    try:
        amount = float(raw)
    except ValueError:
        raise ValueError(f"{text!r}: {raw!r} is not a number") from None
    if not math.isfinite(amount):
        raise ValueError(f"{text!r}: the amount must be a finite number")
    if match["pct"]:
        kind = ChangeKind.PERCENT
    elif raw[0] in "+-":
        kind = ChangeKind.DELTA
    else:
        kind = ChangeKind.SET
    if kind is ChangeKind.PERCENT and amount <= -100.0:
        raise ValueError(f"{text!r}: a change of {amount:g} % leaves nothing of the value")
    return ProposedChange(match["signal"], kind, amount)


def parse_changes(texts: list[str]) -> list[ProposedChange]:
    """Several changes; one signal may be changed once only."""
    changes = [parse_change(t) for t in texts]
    seen: set[str] = set()
    for change in changes:
        if change.signal_id in seen:
            raise ValueError(f"{change.signal_id} is changed twice; give one change per signal")
        seen.add(change.signal_id)
    return changes
