"""``linetwin whatif PROJECT --model MODEL --set SIGNAL=VALUE|+DELTA|-P% ... [--json]``:
what a fitted model predicts for each defect type and for first-pass yield
under a proposed change; with ``--try MINUTES`` also what the simulated line
does under it, side by side."""

from __future__ import annotations

import json
import sys

import numpy as np

from linetwin.ui.cli.inputs import load_or_report

NOW_WINDOW_S = 3600.0  # --history: "now" is its last hour
NOW_ROWS = 2000


def run_whatif(args) -> int:
    from linetwin.twin.whatif.changes import parse_changes
    from linetwin.twin.whatif.prediction import predict
    from linetwin.twin.whatif.whatif_model import ModelFileError, read_model

    project = load_or_report(args.project)
    if project is None:
        return 1
    try:
        changes = parse_changes(args.changes)
        model = read_model(args.model)
        now = _now_rows(args, project, model)
        prediction = predict(model, changes, now)
    except (ValueError, ModelFileError) as error:
        print(f"linetwin whatif: {error}", file=sys.stderr)
        return 1
    trial = _trial(args, project, now or model.reference, changes) if args.trial_minutes else None
    if args.json:
        out = prediction.as_json()
        if trial is not None:
            out["virtual_line"] = trial.as_json()
        print(json.dumps(out, indent=1))
    else:
        print(prediction_text(prediction, model))
        if trial is not None:
            print(trial_text(trial, args.trial_minutes))
    return 0


def _now_rows(args, project, model):
    """None (the model's own last hour) or the last hour of ``--history``."""
    if args.history is None:
        return None
    from linetwin.io.whatif.model_data import ModelDataError, load_model_data

    try:
        table = load_model_data(args.history, project, model.station)
    except ModelDataError as error:
        raise ValueError(str(error)) from None
    return table.recent_rows(model.scales, NOW_WINDOW_S, NOW_ROWS)


def _trial(args, project, now_rows, changes):
    from linetwin.twin.sim.sim_feed import stations_of
    from linetwin.twin.whatif.virtual_trial import run_virtual_trial

    # "from the current state": the simulated line starts where the line runs now
    start = {sid: float(np.median(values)) for sid, values in now_rows.items()}  # stops: 0 speed
    print(f"running the change on the simulated line for {args.trial_minutes:g} min of line time…",
          file=sys.stderr)
    return run_virtual_trial(stations_of(project), start, changes, args.trial_minutes, seed=args.seed)


def prediction_text(prediction, model) -> str:
    lines = [f"What-if at {prediction.station} — model {model.version} "
             f"(fitted on {model.data.history}, {model.data.units} units)"]
    for signal_id, (now, after) in prediction.targets.items():
        lines.append(f"  {signal_id}: {now:.4g} -> {after:.4g}")
    lines.append(f"  {'defect type':14s} {'now':>8s} {'predicted':>10s}   90 % interval")
    for defect, p in sorted(prediction.defects.items()):
        if p.predicted is None:
            lines.append(f"  {defect:14s} {p.now:8.3%} {'—':>10s}   no model: {p.reason}")
            continue
        flag = "  EXTRAPOLATION" if p.extrapolation else ""
        lines.append(f"  {defect:14s} {p.now:8.3%} {p.predicted:10.3%}   {p.low:.3%} .. {p.high:.3%}{flag}")
    f = prediction.fpy
    lines.append(f"  {'FPY':14s} {f['now']:8.2%} {f['predicted']:10.2%}   {f['low']:.2%} .. {f['high']:.2%}")
    lines += [f"  ! extrapolation: {why}" for why in prediction.extrapolated]
    return "\n".join(lines)


def trial_text(trial, minutes: float) -> str:
    data = trial.as_json()
    lines = [f"On the simulated line ({minutes:g} min, {data['units']} units):",
             f"  {'defect type':14s} {'observed':>9s}   90 % interval        {'simulator truth':>15s}"]
    for defect, d in sorted(data["defects"].items()):
        lines.append(f"  {defect:14s} {d['rate']:9.3%}   {d['low']:.3%} .. {d['high']:.3%}"
                     f"   {d['expected']:15.3%}")
    fpy = data["fpy"]
    lines.append(f"  {'FPY':14s} {fpy['observed']:9.2%}   {fpy['low']:.2%} .. {fpy['high']:.2%}"
                 f"   {fpy['expected']:15.2%}")
    return "\n".join(lines)
