"""Design matrices of the defect-rate models: each process value enters as a
straight line or as a restricted cubic spline on the logit scale.

A restricted (natural) cubic spline (Harrell, *Regression Modeling
Strategies*, 2.4.5) is cubic between its knots and a straight line beyond the
outer ones. That is why it is used here rather than a B-spline: a defect rate
that climbs steeply at the edge of the data keeps climbing at the same slope
just past it instead of bending away, so a mild extrapolation stays sane (and
is flagged anyway). Five knots at the 5, 27.5, 50, 72.5 and 95 % quantiles
(Harrell's choice for five): with four, a defect rate with a flat floor and a
steep edge (label skew at |offset| > 1.6 mm) was bent wrong at nominal, and the
benchmark's interval coverage was 75 % instead of 88 % (docs/PERFORMANCE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

KNOT_QUANTILES = (0.05, 0.275, 0.5, 0.725, 0.95)


class Form(Enum):
    LINEAR = "linear"  # 1 column
    SPLINE = "spline"  # 4 columns: the line and three cubic terms (five knots)
    PRODUCT = "product"  # 1 column: the product of two values (an interaction)


@dataclass(frozen=True)
class FeatureScale:
    """How one process value is centred and scaled before it enters a model,
    and the range of it the model saw."""

    signal_id: str
    center: float
    scale: float
    knots: tuple[float, ...]  # in scaled units
    low: float  # 1st percentile of the training data (raw units)
    high: float  # 99th percentile
    minimum: float
    maximum: float

    @classmethod
    def of(cls, signal_id: str, values: np.ndarray) -> "FeatureScale":
        center = float(np.median(values))
        spread = float(np.subtract(*np.percentile(values, [75, 25]))) / 1.349  # a normal's sd
        scale = spread if spread > 0 else float(np.std(values)) or 1.0
        knots = _distinct_knots((np.quantile(values, KNOT_QUANTILES) - center) / scale)
        low, high = np.percentile(values, [1, 99])
        return cls(signal_id, center, scale, knots, float(low), float(high),
                   float(values.min()), float(values.max()))

    def scaled(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.center) / self.scale

    def as_json(self) -> dict:
        return {"center": self.center, "scale": self.scale, "knots": list(self.knots), "low": self.low,
                "high": self.high, "min": self.minimum, "max": self.maximum}

    @classmethod
    def from_json(cls, signal_id: str, data: dict) -> "FeatureScale":
        return cls(signal_id, float(data["center"]), float(data["scale"]),
                   tuple(float(k) for k in data["knots"]), float(data["low"]), float(data["high"]),
                   float(data["min"]), float(data["max"]))


@dataclass(frozen=True)
class Term:
    signal_id: str
    form: Form
    partner: str | None = None  # the other value of a PRODUCT

    @property
    def signals(self) -> tuple[str, ...]:
        return (self.signal_id,) if self.partner is None else (self.signal_id, self.partner)

    @property
    def text(self) -> str:
        if self.form is Form.PRODUCT:
            return f"{self.signal_id} x {self.partner}"
        return f"{self.form.value}({self.signal_id})"

    def as_json(self) -> list:
        return [self.signal_id, self.form.value] + ([self.partner] if self.partner else [])

    @classmethod
    def from_json(cls, data: list) -> "Term":
        return cls(data[0], Form(data[1]), data[2] if len(data) > 2 else None)


def _distinct_knots(knots: np.ndarray) -> tuple[float, ...]:
    """Knots that are strictly increasing (a value held constant most of the time
    gives repeated quantiles); fewer than five: no spline is fitted."""
    out: list[float] = []
    for k in knots:
        if not out or k > out[-1] + 1e-9:
            out.append(float(k))
    return tuple(out)


def spline_columns(x: np.ndarray, knots: tuple[float, ...]) -> np.ndarray:
    """The restricted cubic spline's nonlinear columns of ``x`` (len(knots) - 2 of them)."""
    t = np.asarray(knots)
    k = len(t)
    norm = (t[-1] - t[0]) ** 2
    cols = []
    for j in range(k - 2):
        cols.append((np.maximum(x - t[j], 0) ** 3
                     - np.maximum(x - t[k - 2], 0) ** 3 * (t[k - 1] - t[j]) / (t[k - 1] - t[k - 2])
                     + np.maximum(x - t[k - 1], 0) ** 3 * (t[k - 2] - t[j]) / (t[k - 1] - t[k - 2])) / norm)
    return np.column_stack(cols) if cols else np.zeros((len(x), 0))


def can_spline(scale: FeatureScale) -> bool:
    return len(scale.knots) == len(KNOT_QUANTILES)


def term_columns(term: Term, features: dict[str, np.ndarray], scales: dict[str, FeatureScale]) -> np.ndarray:
    x = scales[term.signal_id].scaled(features[term.signal_id])
    if term.form is Form.LINEAR:
        return x[:, None]
    if term.form is Form.PRODUCT:
        return (x * scales[term.partner].scaled(features[term.partner]))[:, None]
    return np.column_stack([x, spline_columns(x, scales[term.signal_id].knots)])


def design_matrix(terms: tuple[Term, ...], features: dict[str, np.ndarray],
                  scales: dict[str, FeatureScale], rows: int) -> np.ndarray:
    """Intercept, then each term's columns, for ``rows`` units."""
    parts = [np.ones((rows, 1))]
    parts += [term_columns(t, features, scales) for t in terms]
    return np.hstack(parts)
