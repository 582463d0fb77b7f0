"""The what-if models against data whose truth is known.

The data are drawn from a logistic model with known coefficients (the textbook
case a binomial GLM is exact for), so the checks are against the truth, not
against the code: the fitted rate, the 90 % intervals' coverage over many
independent data sets, selection of the value that matters, extrapolation and
too-few-defects honesty, and the model file's hash.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from linetwin.twin.whatif.changes import parse_changes
from linetwin.twin.whatif.fit import feature_scales, fit_defect
from linetwin.twin.whatif.model_fitting import fit_whatif_model
from linetwin.twin.whatif.prediction import UnknownSignal, predict
from linetwin.twin.whatif.unit_table import UnitTable
from linetwin.twin.whatif.whatif_model import ModelFileError, read_model

TEMP, DWELL = "sealer.seal_temperature", "sealer.dwell_time"


def true_p(temp: np.ndarray) -> np.ndarray:
    """seal_gap probability: logit = -5 - 0.6 (temp - 185)."""
    return 1.0 / (1.0 + np.exp(5.0 + 0.6 * (temp - 185.0)))


def units(rng: np.random.Generator, n: int = 20000, rare: int = 5) -> UnitTable:
    temp = rng.uniform(180.0, 190.0, n)
    dwell = rng.normal(350.0, 6.0, n)  # no effect on anything
    codes = np.where(rng.random(n) < true_p(temp), 0, -1)
    codes[rng.choice(n, rare, replace=False)] = 1  # a defect type with too few defects
    return UnitTable("inspection", np.arange(n, dtype=float), codes.astype(np.int64),
                     ("seal_gap", "wrinkle"), {TEMP: temp, DWELL: dwell}, 0, "synthetic")


def test_the_value_that_matters_is_selected_and_the_other_is_not():
    table = units(np.random.default_rng(1))
    model = fit_defect(table, "seal_gap", feature_scales(table))
    assert [t.signal_id for t in model.terms] == [TEMP]


def test_the_90_percent_intervals_cover_the_true_rate_about_90_percent_of_the_time():
    # 60 independent data sets; the true rate under "+2 °C" on the same units.
    # Binomial(60, 0.9) lies in 47..58 with probability > 99 %.
    inside = 0
    for seed in range(60):
        rng = np.random.default_rng(100 + seed)
        model = fit_whatif_model(units(rng, n=8000), 0.0)
        now = {TEMP: rng.uniform(182.0, 186.0, 500), DWELL: rng.normal(350.0, 6.0, 500)}
        p = predict(model, parse_changes([f"{TEMP}=+2"]), now, seed=seed).defects["seal_gap"]
        truth = float(true_p(now[TEMP] + 2.0).mean())
        inside += p.low <= truth <= p.high
    assert 47 <= inside <= 58, inside


def test_prediction_follows_the_true_rate():
    rng = np.random.default_rng(7)
    model = fit_whatif_model(units(rng, n=40000), 0.0)
    now = {TEMP: rng.uniform(183.0, 185.0, 1000), DWELL: rng.normal(350.0, 6.0, 1000)}
    for change, shift in (("-2", -2.0), ("+3", 3.0), ("188", 188.0 - now[TEMP].mean())):
        p = predict(model, parse_changes([f"{TEMP}={change}"]), now)
        truth = float(true_p(now[TEMP] + shift).mean())
        assert p.defects["seal_gap"].predicted == pytest.approx(truth, rel=0.15)
        assert not p.defects["seal_gap"].extrapolation


def test_a_change_outside_the_data_is_flagged_on_every_defect_type():
    model = fit_whatif_model(units(np.random.default_rng(2)), 0.0)
    p = predict(model, parse_changes([f"{TEMP}=+12"]))
    assert all(d.extrapolation for d in p.defects.values())
    assert p.extrapolated and TEMP in p.extrapolated[0]


def test_too_few_defects_says_so_instead_of_predicting():
    model = fit_whatif_model(units(np.random.default_rng(3), rare=5), 0.0)
    p = predict(model, parse_changes([f"{TEMP}=+1"])).defects["wrinkle"]
    assert p.predicted is None and p.low is None
    assert "only 5 wrinkle defects" in p.reason
    assert p.as_json()["no_model"] == p.reason


def test_a_change_of_a_value_the_model_never_saw_is_refused():
    model = fit_whatif_model(units(np.random.default_rng(4)), 0.0)
    with pytest.raises(UnknownSignal, match="no data on filler.fill_weight"):
        predict(model, parse_changes(["filler.fill_weight=+3"]))


def test_fpy_is_one_minus_the_defect_rates_and_its_interval_holds_it():
    model = fit_whatif_model(units(np.random.default_rng(5)), 0.0)
    p = predict(model, parse_changes([f"{TEMP}=-2"]))
    total = sum(d.predicted if d.predicted is not None else d.now for d in p.defects.values())
    assert p.fpy["predicted"] == pytest.approx(1.0 - total)
    assert p.fpy["low"] <= p.fpy["predicted"] <= p.fpy["high"]


def test_the_model_file_round_trips_and_an_edit_is_caught(tmp_path):
    model = fit_whatif_model(units(np.random.default_rng(6)), 1_796_000_000.0)
    path = tmp_path / "m.json"
    model.write(path)
    again = read_model(path)
    assert again.hash == model.hash and again.version == model.version
    change = parse_changes([f"{TEMP}=+1"])
    assert predict(again, change).as_json() == predict(model, change).as_json()
    data = json.loads(path.read_text())
    data["models"]["seal_gap"]["coef"][0] += 0.5
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="do not match its hash"):
        read_model(path)


@pytest.mark.parametrize("text, problem", [
    ("", "not a LineTwin what-if model"), ("{}", "format"), ('{"format": "linetwin-whatif/1"}', "hash"),
])
def test_bad_model_files_are_named(tmp_path, text, problem):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=problem) as info:
        read_model(path)
    assert str(path) in str(info.value)


def test_held_out_validation_judges_the_later_part():
    model = fit_whatif_model(units(np.random.default_rng(8), n=30000), 0.0)
    check = model.validation["seal_gap"]
    assert check["test_units"] == pytest.approx(9000, abs=2)  # the last 30 % of the units
    assert check["log_loss"] < check["log_loss_naive"]  # it beats "the rate stays as it was"
    assert check["blocks"] == 20 and check["blocks_covered"] >= 14
    # a correct model needs (almost) no widening of its intervals
    assert check["drift_sd"] <= 0.1 and check["blocks_covered_drift"] >= 16


def test_a_rate_that_drifts_more_than_its_values_explain_gets_wider_intervals():
    # An unmeasured factor shifts the log-odds every 450 units (sd 0.8): the model is
    # right on average, but hours differ more than the temperature explains.
    drifts = []
    for seed in (10, 11, 12):
        rng = np.random.default_rng(seed)
        n = 30000
        temp = rng.uniform(180.0, 190.0, n)
        shift = np.repeat(rng.normal(0.0, 0.8, n // 450 + 1), 450)[:n]
        codes = np.where(rng.random(n) < 1.0 / (1.0 + np.exp(5.0 + 0.6 * (temp - 185.0) - shift)), 0, -1)
        table = UnitTable("inspection", np.arange(n, dtype=float), codes.astype(np.int64), ("seal_gap",),
                          {TEMP: temp}, 0, "drifting")
        check = fit_whatif_model(table, 0.0).validation["seal_gap"]
        assert check["blocks_covered"] < 16  # clearly fewer than right intervals show
        assert check["blocks_covered_drift"] >= 16
        drifts.append(check["drift_sd"])
    assert 0.3 <= np.median(drifts) <= 1.0  # of the order of the true 0.8


def test_enough_blocks_is_the_binomial_five_percent_point():
    from linetwin.twin.whatif.validation import enough_blocks

    assert enough_blocks(20) == 16  # P(X <= 15) = 0.043, P(X <= 16) = 0.133 for Binomial(20, 0.9)
    assert enough_blocks(10) == 7  # P(X <= 6) = 0.013, P(X <= 7) = 0.070
