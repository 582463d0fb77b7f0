"""Held-out validation by time: fit on the earlier part of a history, judge on
the later part, as the model will be used (on days it has not seen).

Per defect type, on the held-out units:

- log loss per unit of the model against the naive baseline (the earlier
  part's mean rate) and the Brier score: does it beat "the rate stays as it was";
- calibration: units grouped by predicted probability (deciles), mean
  predicted against observed rate;
- interval coverage: the held-out part is cut into blocks of equal unit count;
  for each block a 90 % interval of its defect count (coefficient draws, then a
  binomial draw of the count: a predictive interval) is checked against the
  count observed. About 90 % of blocks should fall inside.
- interval calibration: where clearly fewer do (fewer than well-calibrated
  intervals show in 95 % of cases: 16 of 20 blocks), the rate drifts from hour to
  hour more than the process values explain: the model is not the truth, or the
  line has causes nobody measures. The smallest drift (a shift of the block's
  log-odds, normal with standard deviation ``drift_sd``, tried from
  :data:`DRIFTS`) that brings the blocks back in is kept, and every later
  prediction's interval carries it (a split-sample recalibration, as in
  conformal prediction: the held-out days set the width, not the model's own
  opinion of itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from linetwin.twin.whatif.defect_model import INTERVAL, DefectModel, coefficient_draws, expit
from linetwin.twin.whatif.design import FeatureScale
from linetwin.twin.whatif.unit_table import UnitTable

TRAIN_SHARE = 0.7
BLOCKS = 20
DRAWS = 500
DRIFTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)  # log-odds sd tried, smallest first
TARGET = 0.9


@dataclass(frozen=True)
class DefectValidation:
    defect: str
    test_units: int
    test_defects: int
    log_loss: float
    log_loss_naive: float
    brier: float
    brier_naive: float
    blocks: int
    blocks_covered: int
    drift_sd: float
    blocks_covered_drift: int
    calibration: list[tuple[float, float, int]] = field(default_factory=list)  # predicted, observed, units

    @property
    def coverage(self) -> float:
        return self.blocks_covered / self.blocks if self.blocks else float("nan")

    def as_json(self) -> dict:
        return {"test_units": self.test_units, "test_defects": self.test_defects,
                "log_loss": self.log_loss, "log_loss_naive": self.log_loss_naive, "brier": self.brier,
                "brier_naive": self.brier_naive, "blocks": self.blocks, "blocks_covered": self.blocks_covered,
                "coverage": self.coverage, "drift_sd": self.drift_sd,
                "blocks_covered_drift": self.blocks_covered_drift, "calibration": [list(c) for c in self.calibration]}


def split_by_time(table: UnitTable, share: float = TRAIN_SHARE) -> tuple[UnitTable, UnitTable, float]:
    """(earlier, later, the instant between them)."""
    start, end = float(table.times[0]), float(table.times[-1])
    cut = start + share * (end - start)
    return table.window(start, cut), table.window(cut, end + 1.0), cut


def validate(model: DefectModel, scales: dict[str, FeatureScale], train: UnitTable, test: UnitTable,
             rng: np.random.Generator) -> DefectValidation:
    y = test.defects_of(model.defect)
    x = model.design(test.features, scales, test.units)
    p = model.probabilities(x)
    naive = float(train.defects_of(model.defect).mean())
    blocks = [b for b in np.array_split(np.arange(len(y)), BLOCKS) if len(b)]
    eta = x @ coefficient_draws(model.coef, model.cov, rng, DRAWS).T
    shifts = rng.standard_normal(DRAWS)  # one drift draw per coefficient draw
    seed = int(rng.integers(1 << 31))  # the same count draws for every drift tried
    covered = {sd: _covered(eta + sd * shifts, y, blocks, np.random.default_rng(seed)) for sd in DRIFTS}
    enough = min(enough_blocks(len(blocks)), max(covered.values()))
    drift = next(sd for sd in DRIFTS if covered[sd] >= enough)
    return DefectValidation(
        model.defect, test.units, int(y.sum()), _log_loss(y, p), _log_loss(y, np.full_like(p, naive)),
        float(np.mean((p - y) ** 2)), float(np.mean((naive - y) ** 2)), len(blocks), covered[0.0],
        drift, covered[drift], _calibration(p, y))


def enough_blocks(blocks: int, level: float = TARGET, alpha: float = 0.05) -> int:
    """The fewest covered blocks a model with right intervals reaches with probability
    1 - ``alpha``: the largest k with P(Binomial(blocks, level) < k) <= alpha."""
    below, k = 0.0, 0
    while k <= blocks:
        p_k = math.comb(blocks, k) * level ** k * (1.0 - level) ** (blocks - k)
        if below + p_k > alpha:
            return k
        below += p_k
        k += 1
    return blocks


def _covered(eta: np.ndarray, y: np.ndarray, blocks: list[np.ndarray], rng: np.random.Generator) -> int:
    """Blocks whose defect count lies in its 90 % predictive interval (``eta``: units x draws)."""
    p = expit(eta)
    covered = 0
    for block in blocks:
        counts = rng.binomial(len(block), np.clip(p[block].mean(axis=0), 0.0, 1.0))
        low, high = np.quantile(counts, INTERVAL)
        covered += int(low <= y[block].sum() <= high)
    return covered


def _calibration(p: np.ndarray, y: np.ndarray, groups: int = 10) -> list[tuple[float, float, int]]:
    order = np.argsort(p, kind="stable")
    out = []
    for part in np.array_split(order, groups):
        if len(part):
            out.append((float(p[part].mean()), float(y[part].mean()), int(len(part))))
    return out


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
