"""What a what-if model predicts under proposed changes.

"Now" is a set of units as the line runs now (by default the last hour the
model saw; or the last hour of another history; or the live trend buffers).
Each proposed change moves its process value in every one of those units by
the same amount (``=VALUE``: so that their mean lands on VALUE; ``+DELTA``;
``-P%`` of their mean), keeping the wander around the setpoint that the line
really has. The predicted rate is the mean probability over the moved units.

The 90 % interval holds two uncertainties, drawn together:
- the fitted coefficients' (drawn from their sampling distribution), plus the
  hour-to-hour drift of the rate that the held-out validation found beyond
  what the process values explain (:mod:`.validation`);
- the operating conditions': the next hour will not wander exactly as the
  last one did. The "now" units are cut into :data:`BLOCKS` consecutive
  blocks (five minutes each for an hour) and each draw resamples the blocks
  with replacement (a moving-block bootstrap, Künsch 1989), so the interval is
  for the rate over an hour run like this one, not for these units only.

Honesty:
- a changed value whose new mean lies outside the 1..99 % range of what the
  model was fitted on is an extrapolation, flagged on every defect type (no
  model saw the line there, so none can rule out an effect it never met);
- a defect type with too few defects has no model: its rate is reported as
  the historic one, with no prediction and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from linetwin.twin.whatif.changes import ProposedChange
from linetwin.twin.whatif.defect_model import DRAWS, coefficient_draws, expit, interval
from linetwin.twin.whatif.whatif_model import WhatIfModel


@dataclass(frozen=True)
class DefectPrediction:
    defect: str
    now: float
    predicted: float | None  # None: no model (see ``reason``)
    low: float | None
    high: float | None
    extrapolation: bool
    reason: str | None = None

    def as_json(self) -> dict:
        out = {"now": self.now, "predicted": self.predicted, "low": self.low, "high": self.high,
               "extrapolation": self.extrapolation}
        if self.reason:
            out["no_model"] = self.reason
        return out


@dataclass(frozen=True)
class WhatIfPrediction:
    station: str
    changes: tuple[ProposedChange, ...]
    targets: dict[str, tuple[float, float]]  # signal -> (mean now, mean under the change)
    defects: dict[str, DefectPrediction]
    fpy: dict[str, float]  # now, predicted, low, high
    extrapolated: list[str] = field(default_factory=list)  # why, one line per changed value
    model_version: str = ""
    model_hash: str = ""

    def as_json(self) -> dict:
        return {"station": self.station, "defects": {k: v.as_json() for k, v in sorted(self.defects.items())},
                "fpy": self.fpy, "changes": [c.text for c in self.changes],
                "settings": {k: {"now": a, "proposed": b} for k, (a, b) in self.targets.items()},
                "extrapolation": self.extrapolated,
                "model": {"version": self.model_version, "hash": self.model_hash}}


class UnknownSignal(ValueError):
    """A change of a value the model knows nothing about."""


def predict(model: WhatIfModel, changes: list[ProposedChange], now: dict[str, np.ndarray] | None = None,
            seed: int = 0) -> WhatIfPrediction:
    now = {k: np.asarray(v, dtype=np.float64) for k, v in (now or model.reference).items()}
    missing = [sid for sid in model.scales if sid not in now or len(now[sid]) == 0]
    if missing:
        raise ValueError(f"no recent values of {', '.join(missing)} to predict from")
    moved, targets = apply_changes(model, changes, now)
    extrapolated = _extrapolations(model, targets)
    rng = np.random.default_rng(seed)
    rows = len(next(iter(now.values())))
    resample = BlockResample.of(rows, rng)
    defects, draws = {}, {}
    for defect in model.defect_types:
        if defect in model.models:
            defects[defect], draws[defect] = _predict_one(model, defect, now, moved, rows, rng, resample,
                                                          bool(extrapolated))
        else:
            defects[defect] = DefectPrediction(defect, model.base_rates[defect], None, None, None,
                                               bool(extrapolated), model.insufficient[defect])
            draws[defect] = _historic_draws(model, defect, rng)
    return WhatIfPrediction(model.station, tuple(changes), targets, defects, _fpy(defects, draws),
                            extrapolated, model.version, model.hash)


def apply_changes(model: WhatIfModel, changes: list[ProposedChange], now: dict[str, np.ndarray]):
    """(the units moved by the changes, signal -> (mean now, mean after))."""
    moved = dict(now)
    targets = {}
    for change in changes:
        if change.signal_id not in model.scales:
            known = ", ".join(sorted(model.scales)) or "none"
            raise UnknownSignal(f"the model has no data on {change.signal_id} (it was fitted on: {known})")
        current = float(np.mean(now[change.signal_id]))
        shift = change.shift(current)
        moved[change.signal_id] = now[change.signal_id] + shift
        targets[change.signal_id] = (current, current + shift)
    return moved, targets


def _extrapolations(model: WhatIfModel, targets: dict[str, tuple[float, float]]) -> list[str]:
    out = []
    for signal_id, (_, after) in targets.items():
        scale = model.scales[signal_id]
        if not scale.low <= after <= scale.high:
            out.append(f"{signal_id} {after:.4g} is outside the {scale.low:.4g}..{scale.high:.4g} "
                       f"the model saw (1..99 % of its data)")
    return out


BLOCKS = 6


@dataclass(frozen=True)
class BlockResample:
    """Which block of consecutive units each unit is in, and for each draw the
    blocks it takes (with replacement); shared by every defect type of a
    prediction so that their draws, and FPY's, describe the same hours."""

    block_of: np.ndarray  # block index per unit
    sizes: np.ndarray  # units per block
    picks: np.ndarray  # (DRAWS, blocks) block indices

    @classmethod
    def of(cls, rows: int, rng: np.random.Generator) -> "BlockResample":
        blocks = max(1, min(BLOCKS, rows))
        block_of = (np.arange(rows) * blocks) // max(rows, 1)
        sizes = np.bincount(block_of, minlength=blocks).astype(np.float64)
        return cls(block_of, sizes, rng.integers(0, blocks, (DRAWS, blocks)))

    def rates(self, p: np.ndarray) -> np.ndarray:
        """Per draw, the mean of ``p`` (units x draws) over that draw's blocks."""
        sums = np.zeros((len(self.sizes), p.shape[1]))
        np.add.at(sums, self.block_of, p)
        draws = np.arange(p.shape[1])
        return sums[self.picks, draws[:, None]].sum(axis=1) / self.sizes[self.picks].sum(axis=1)


def _predict_one(model: WhatIfModel, defect: str, now: dict, moved: dict, rows: int,
                 rng: np.random.Generator, resample: BlockResample, extrapolation: bool):
    dm = model.models[defect]
    x_now = dm.design(now, model.scales, rows)
    x_new = dm.design(moved, model.scales, rows)
    betas = coefficient_draws(dm.coef, dm.cov, rng, DRAWS)
    drift = float(model.validation.get(defect, {}).get("drift_sd", 0.0))  # held-out calibration
    eta = x_new @ betas.T + drift * rng.standard_normal(DRAWS)
    samples = resample.rates(expit(eta))
    low, high = interval(samples)
    prediction = DefectPrediction(defect, float(dm.probabilities(x_now).mean()),
                                  float(dm.probabilities(x_new).mean()), low, high, extrapolation)
    return prediction, samples


def _historic_draws(model: WhatIfModel, defect: str, rng: np.random.Generator) -> np.ndarray:
    """Draws of a rate known only from its count (Jeffreys' beta posterior)."""
    n = model.data.units
    d = model.data.defects.get(defect, 0)
    return rng.beta(d + 0.5, n - d + 0.5, DRAWS)


def _fpy(defects: dict[str, DefectPrediction], draws: dict[str, np.ndarray]) -> dict[str, float]:
    """First-pass yield: a unit passes when it has none of the defects (the types
    are exclusive per unit, as inspection reports one defect per unit)."""
    now = 1.0 - sum(p.now for p in defects.values())
    predicted = 1.0 - sum(p.predicted if p.predicted is not None else p.now for p in defects.values())
    total = np.sum(list(draws.values()), axis=0) if draws else np.zeros(DRAWS)
    low, high = interval(1.0 - total)
    return {"now": now, "predicted": predicted, "low": low, "high": high}
