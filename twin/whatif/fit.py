"""Fitting the defect-rate models: a binomial GLM per defect type (statsmodels),
its process values chosen by forward selection on AIC.

Why a binomial GLM with splines and not a tree ensemble (scikit-learn): the
data are hundreds of defects among tens of thousands of units, the rates
depend smoothly on a handful of process values, and what the engineer needs
is an interval for the rate under a new setting. A GLM's coefficient
covariance gives that interval directly (:mod:`.defect_model`); a forest gives
no calibrated uncertainty and steps flat outside the data. statsmodels is a
computation library with no I/O, so it may live in twin/ like numpy; it is
imported only here, when a model is fitted, never when one is used.

Forward selection: start from a constant rate; at each step make the one move
that lowers AIC most, while it lowers AIC by more than :data:`AIC_GAIN`: add a
process value as a line or as a spline, bend a line already in into a spline,
or add the product of two values already in (an interaction: on a real sealer
a short dwell matters more on a cold head). At most :data:`MAX_TERMS` moves.
"""

from __future__ import annotations

import warnings

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from linetwin.twin.whatif.defect_model import MIN_DEFECTS, DefectModel
from linetwin.twin.whatif.design import FeatureScale, Form, Term, can_spline, design_matrix
from linetwin.twin.whatif.unit_table import UnitTable

MAX_TERMS = 5
# AIC, not BIC: BIC's ln(n) penalty (~21 per column at 50,000 units) kept out effects
# that live at the edge of the data, such as heat wrinkles above 190 °C, and the
# benchmark's interval coverage fell from 79 % to 61 % (docs/PERFORMANCE.md, What-if).
# A gain of more than 6 (Burnham & Anderson: "considerably less support" for the
# smaller model) keeps noise terms out.
AIC_GAIN = 6.0


class FitProblem(Exception):
    """The data cannot give a model (message says why)."""


def feature_scales(table: UnitTable) -> dict[str, FeatureScale]:
    """Scales of the process values that vary; a value held constant tells nothing."""
    scales = {}
    for signal_id, values in table.features.items():
        if len(values) and float(np.ptp(values)) > 0:
            scales[signal_id] = FeatureScale.of(signal_id, values)
    return scales


def insufficient_reason(table: UnitTable, defect: str) -> str | None:
    defects = int(table.defects_of(defect).sum())
    if defects < MIN_DEFECTS:
        return (f"only {defects} {defect} defect{'s' if defects != 1 else ''} among {table.units} units "
                f"(a model needs at least {MIN_DEFECTS})")
    return None


def fit_defect(table: UnitTable, defect: str, scales: dict[str, FeatureScale]) -> DefectModel:
    """The selected and fitted model of ``defect`` (enough defects assumed)."""
    y = table.defects_of(defect)
    terms: tuple[Term, ...] = ()
    best = _fit(y, terms, table, scales)
    if best is None:
        raise FitProblem(f"the constant {defect} rate cannot be fitted")
    for _ in range(MAX_TERMS):
        candidates = [(c, _fit(y, c, table, scales)) for c in _moves(terms, scales)]
        candidates = [(t, r) for t, r in candidates if r is not None]
        if not candidates:
            break
        t, r = min(candidates, key=lambda item: _aic(item[1]))
        if _aic(best) - _aic(r) <= AIC_GAIN:
            break
        terms, best = t, r
    return DefectModel(defect, terms, np.asarray(best.params, dtype=np.float64),
                       np.asarray(best.cov_params(), dtype=np.float64), table.units, int(y.sum()))


def _moves(terms: tuple[Term, ...], scales: dict[str, FeatureScale]) -> list[tuple[Term, ...]]:
    """Every model one move away from ``terms``."""
    mains = [t for t in terms if t.form is not Form.PRODUCT]
    used = {t.signal_id for t in mains}
    out = []
    for signal_id, scale in scales.items():
        if signal_id not in used:
            out.append(terms + (Term(signal_id, Form.LINEAR),))
            if can_spline(scale):
                out.append(terms + (Term(signal_id, Form.SPLINE),))
    for i, term in enumerate(terms):
        if term.form is Form.LINEAR and can_spline(scales[term.signal_id]):
            out.append(terms[:i] + (Term(term.signal_id, Form.SPLINE),) + terms[i + 1:])
    pairs = {t.signals for t in terms if t.form is Form.PRODUCT}
    for i, a in enumerate(mains):
        for b in mains[i + 1:]:
            if (a.signal_id, b.signal_id) not in pairs:
                out.append(terms + (Term(a.signal_id, Form.PRODUCT, b.signal_id),))
    return out


def _fit(y: np.ndarray, terms: tuple[Term, ...], table: UnitTable, scales: dict[str, FeatureScale]):
    """The statsmodels result, or None where the fit fails (separation, no convergence)."""
    x = design_matrix(terms, table.features, scales, table.units)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            result = sm.GLM(y, x, family=sm.families.Binomial()).fit(maxiter=100)
        except (PerfectSeparationWarning, ConvergenceWarning, np.linalg.LinAlgError, ValueError):
            return None
    if not np.all(np.isfinite(result.params)) or not np.all(np.isfinite(result.bse)):
        return None
    return result


def _aic(result) -> float:
    """AIC from the log-likelihood: -2 ln L + 2 k."""
    return -2.0 * float(result.llf) + 2.0 * len(result.params)
