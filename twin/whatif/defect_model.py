"""One defect type's model: a binomial GLM (logit link) of "this unit has the
defect" on the process values it was made under, and what it predicts.

A predicted *rate* under a change is the mean of the unit probabilities over a
set of units as the line runs now (their process values shifted by the
change), not the probability at the mean setting: the rates climb steeply at
the edges of the good window, so the wander around a setpoint matters.

Its 90 % interval (:mod:`.prediction`) starts from the uncertainty of the
fitted coefficients: they are drawn from their estimated sampling distribution
(normal, with the fit's covariance; a parametric bootstrap, Gelman & Hill
ch. 7) and the rate is recomputed for each draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linetwin.twin.whatif.design import FeatureScale, Term, design_matrix

DRAWS = 1000  # coefficient draws per prediction
INTERVAL = (0.05, 0.95)  # a 90 % interval
MIN_DEFECTS = 20  # fewer defects of a type than this: the model says so instead of predicting


@dataclass(frozen=True)
class DefectModel:
    """The fitted model of one defect type (``terms`` empty: a constant rate)."""

    defect: str
    terms: tuple[Term, ...]
    coef: np.ndarray
    cov: np.ndarray
    train_units: int
    train_defects: int

    def design(self, features: dict[str, np.ndarray], scales: dict[str, FeatureScale], rows: int) -> np.ndarray:
        return design_matrix(self.terms, features, scales, rows)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Each unit's probability of this defect at the fitted coefficients."""
        return expit(x @ self.coef)

    def as_json(self) -> dict:
        return {"terms": [t.as_json() for t in self.terms], "coef": self.coef.tolist(),
                "cov": self.cov.tolist(), "train_units": self.train_units,
                "train_defects": self.train_defects}

    @classmethod
    def from_json(cls, defect: str, data: dict) -> "DefectModel":
        terms = tuple(Term.from_json(t) for t in data["terms"])
        return cls(defect, terms, np.asarray(data["coef"], dtype=np.float64),
                   np.asarray(data["cov"], dtype=np.float64), int(data["train_units"]),
                   int(data["train_defects"]))


def coefficient_draws(coef: np.ndarray, cov: np.ndarray, rng: np.random.Generator, draws: int) -> np.ndarray:
    """``draws`` coefficient vectors from N(coef, cov); a covariance that is not
    quite positive semi-definite (rounding) is repaired by clipping eigenvalues."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2.0)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return coef + rng.standard_normal((draws, len(coef))) @ root.T


def interval(samples: np.ndarray) -> tuple[float, float]:
    low, high = np.quantile(samples, INTERVAL)
    return float(low), float(high)


def expit(z: np.ndarray) -> np.ndarray:
    """The logistic function (clipped: no overflow warnings at extreme log-odds)."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
