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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from linetwin.twin.whatif.defect_model import INTERVAL, DefectModel, coefficient_draws
from linetwin.twin.whatif.design import FeatureScale
from linetwin.twin.whatif.unit_table import UnitTable

TRAIN_SHARE = 0.7
BLOCKS = 10
DRAWS = 500


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
    calibration: list[tuple[float, float, int]] = field(default_factory=list)  # predicted, observed, units

    @property
    def coverage(self) -> float:
        return self.blocks_covered / self.blocks if self.blocks else float("nan")

    def as_json(self) -> dict:
        return {"test_units": self.test_units, "test_defects": self.test_defects,
                "log_loss": self.log_loss, "log_loss_naive": self.log_loss_naive, "brier": self.brier,
                "brier_naive": self.brier_naive, "blocks": self.blocks, "blocks_covered": self.blocks_covered,
                "coverage": self.coverage, "calibration": [list(c) for c in self.calibration]}


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
    covered, blocks = _block_coverage(model, x, y, rng)
    return DefectValidation(
        model.defect, test.units, int(y.sum()), _log_loss(y, p), _log_loss(y, np.full_like(p, naive)),
        float(np.mean((p - y) ** 2)), float(np.mean((naive - y) ** 2)), blocks, covered,
        _calibration(p, y))


def _block_coverage(model: DefectModel, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
    betas = coefficient_draws(model.coef, model.cov, rng, DRAWS)
    covered = 0
    blocks = [b for b in np.array_split(np.arange(len(y)), BLOCKS) if len(b)]
    for block in blocks:
        rates = (1.0 / (1.0 + np.exp(-np.clip(x[block] @ betas.T, -40, 40)))).mean(axis=0)
        counts = rng.binomial(len(block), np.clip(rates, 0.0, 1.0))
        low, high = np.quantile(counts, INTERVAL)
        covered += int(low <= y[block].sum() <= high)
    return covered, len(blocks)


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
