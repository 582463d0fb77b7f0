"""The model card of a what-if model (Mitchell et al., "Model Cards for Model
Reporting", 2019, cut to what a process engineer needs): what it was fitted
on, what it uses, how well it predicted held-out days, and where it must not be
trusted. One dict (stored in the registry, shown in the window) and its text.
"""

from __future__ import annotations

import datetime as dt

from linetwin.twin.whatif.whatif_model import WhatIfModel


def model_card(model: WhatIfModel) -> dict:
    return {
        "version": model.version, "hash": model.hash, "station": model.station,
        "created": _iso(model.created),
        "method": "binomial GLM (logit link) per defect type; process values as lines, restricted cubic "
                  "splines (5 knots) or products of two, chosen by forward selection on AIC; 90 % intervals "
                  "from the coefficients' sampling distribution, the next hour's wander (moving blocks) and "
                  "any hourly drift the held-out part showed",
        "data": {"history": model.data.history, "data_hash": model.data.data_hash,
                 "from": _iso(model.data.first), "to": _iso(model.data.last), "units": model.data.units,
                 "units_left_out": model.data.dropped, "defects": model.data.defects},
        "ranges": {sid: {"low": s.low, "high": s.high, "min": s.minimum, "max": s.maximum}
                   for sid, s in sorted(model.scales.items())},
        "defects": {d: _defect_card(model, d) for d in model.defect_types},
        "limits": "Trust it inside the ranges above (1..99 % of the data); outside them a prediction is "
                  "flagged as an extrapolation. It knows correlation on this line's history, not cause: "
                  "a value that never moved in the data has no effect in the model.",
    }


def _defect_card(model: WhatIfModel, defect: str) -> dict:
    if defect not in model.models:
        return {"model": None, "why": model.insufficient[defect], "rate": model.base_rates[defect]}
    dm = model.models[defect]
    card = {"model": [t.text for t in dm.terms] or ["constant"], "rate": model.base_rates[defect],
            "defects": dm.train_defects, "units": dm.train_units}
    check = model.validation.get(defect)
    if check:
        card["held_out"] = {k: check[k] for k in ("test_units", "test_defects", "log_loss", "log_loss_naive",
                                                  "brier", "brier_naive", "blocks", "coverage",
                                                  "drift_sd", "blocks_covered_drift")}
    return card


def card_text(card: dict) -> str:
    """The card as lines for a terminal or a dialog."""
    data = card["data"]
    lines = [f"What-if model {card['version']} ({card['station']})", f"  hash {card['hash']}",
             f"  fitted {card['created']} on {data['history']}: {data['units']} units "
             f"{data['from']} .. {data['to']} (data sha256 {data['data_hash'][:16]}…)",
             f"  method: {card['method']}", "  defect types:"]
    for defect, d in card["defects"].items():
        if d["model"] is None:
            lines.append(f"    {defect:14s} no model: {d['why']}")
            continue
        line = f"    {defect:14s} {' + '.join(d['model'])}; {d['defects']} defects, rate {d['rate']:.4%}"
        held = d.get("held_out")
        if held:
            gain = 1 - held["log_loss"] / held["log_loss_naive"] if held["log_loss_naive"] else 0.0
            line += (f"; held-out: log loss {gain:+.1%} vs the historic rate, "
                     f"{held['coverage']:.0%} of {held['blocks']} blocks inside their 90 % interval")
            if held["drift_sd"] > 0.0:
                line += (f"; {held['blocks_covered_drift']} with an hourly drift of "
                         f"{held['drift_sd']:g} in log-odds, carried by every prediction")
        lines.append(line)
    lines.append("  ranges seen (1..99 %):")
    lines += [f"    {sid:26s} {r['low']:.4g} .. {r['high']:.4g}" for sid, r in card["ranges"].items()]
    lines.append(f"  limits: {card['limits']}")
    return "\n".join(lines)


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(timespec="seconds")
