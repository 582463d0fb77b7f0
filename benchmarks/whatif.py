"""What-if models against the simulator's truth, beside a naive baseline.

For each seed:

1. a history with process variation is generated (``history generate --scenario
   trials``: the engineers' setpoint trials) and a model fitted on it
   (``whatif fit``), exactly as a user does;
2. "now" is the last hour of a separate normal-running history (another seed);
3. each proposed change of :data:`CHANGES` is predicted (``whatif --set``) and
   checked against two truths the simulator knows:
   - **same units**: the simulator's own defect function
     (:func:`~linetwin.twin.sim.simulation_process.defect_probabilities`)
     averaged over exactly the units the prediction moved: the quantity the
     interval is an interval for;
   - **new run**: the expected rate over a fresh simulated run with the change
     (``history generate --set`` without the file: :func:`simulated_truth`),
     which adds the next hour's own wander of the process values.

Reported: coverage of the 90 % intervals (goal 90 ± 5 %), inside and outside
the data range apart; mean absolute error of the predicted rate and of the
naive baseline (the historic mean rate: "a change changes nothing"). Run:
``.venv/bin/python benchmarks/whatif.py [--seeds 1 2 3] [--hours 8] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent))

from linetwin.io.history.generate import generate_history  # noqa: E402
from linetwin.io.whatif.model_data import load_model_data  # noqa: E402
from linetwin.twin.sim.sim_feed import stations_of  # noqa: E402
from linetwin.io.project.project_file import load_project  # noqa: E402
from linetwin.twin.sim.simulation_process import DEFECT_CODES, defect_probabilities  # noqa: E402
from linetwin.twin.sim.truth import simulated_truth  # noqa: E402
from linetwin.twin.whatif.changes import parse_changes  # noqa: E402
from linetwin.twin.whatif.model_fitting import fit_whatif_model  # noqa: E402
from linetwin.twin.whatif.prediction import apply_changes, predict  # noqa: E402

PROJECT = ROOT / "resources" / "demo" / "line.toml"
DEFECTS = [name for name in DEFECT_CODES if name != "pass"]
CHANGES = [
    ["sealer.seal_temperature=+3"], ["sealer.dwell_time=-10%"],  # the two questions
    ["sealer.seal_temperature=-3"], ["sealer.seal_temperature=-5"], ["sealer.seal_temperature=+5"],
    ["sealer.dwell_time=-5%"], ["sealer.dwell_time=-13%"], ["sealer.dwell_time=+8%"],
    ["sealer.seal_pressure=+0.4"], ["sealer.seal_pressure=+0.6"], ["filler.fill_weight=+4"],
    ["filler.fill_weight=+6"], ["labeler.label_offset=+0.9"], ["labeler.label_offset=-1.1"],
    ["sealer.seal_temperature=-3", "sealer.dwell_time=-8%"],
    ["sealer.seal_temperature=+12"],  # far outside the data: must be flagged
]
_ARGS = ("seal_temperature", "dwell_time", "seal_pressure", "fill_weight", "label_offset")


def true_rates_on(rows: dict[str, np.ndarray]) -> np.ndarray:
    """The simulator's defect probabilities averaged over these units (per defect type)."""
    n = len(rows["sealer.seal_temperature"])
    columns = [rows[f"{'sealer' if a.startswith('se') or a == 'dwell_time' else 'filler' if a == 'fill_weight' else 'labeler'}.{a}"]
               for a in _ARGS]
    total = np.zeros(len(DEFECTS))
    for i in range(n):
        total += defect_probabilities(*(float(c[i]) for c in columns))
    return total / n


def run_seed(project, seed: int, hours: float, folder: Path, trial_hours: float) -> list[dict]:
    fit_path, now_path = folder / f"trials-{seed}.duckdb", folder / f"now-{seed}.duckdb"
    t0 = time.perf_counter()
    if not fit_path.exists():
        generate_history(project, fit_path, hours, seed=seed, scenario="trials")
    if not now_path.exists():
        generate_history(project, now_path, 1.0, seed=seed + 1000)
    model = fit_whatif_model(load_model_data(fit_path, project), time.time())
    now = load_model_data(now_path, project, model.station).recent_rows(model.scales, 3600.0, 2000)
    print(f"seed {seed}: histories and fit in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows = []
    for texts in CHANGES:
        changes = parse_changes(texts)
        prediction = predict(model, changes, now, seed=seed)
        moved, _ = apply_changes(model, changes, now)
        same_units = dict(zip(DEFECTS, true_rates_on(moved)))
        new_run = _new_run_truth(project, seed + 2000, trial_hours, texts, folder)
        for defect, p in prediction.defects.items():
            if p.predicted is None:
                continue
            rows.append({"seed": seed, "change": " & ".join(texts), "defect": defect,
                         "predicted": p.predicted, "low": p.low, "high": p.high,
                         "extrapolation": p.extrapolation, "naive": model.base_rates[defect],
                         "truth_same_units": same_units[defect], "truth_new_run": new_run[defect]})
    return rows


def _new_run_truth(project, seed: int, hours: float, texts: list[str], folder: Path) -> dict[str, float]:
    """The simulator's expected rates over a fresh run with the change; cached in
    ``folder`` (they depend on the simulator only, not on the model)."""
    cache = folder / "new-run-truths.json"
    known = json.loads(cache.read_text()) if cache.exists() else {}
    key = f"{seed}|{hours}|{' & '.join(texts)}"
    if key not in known:
        known[key] = simulated_truth(stations_of(project), seed, hours, parse_changes(texts)).expected_rates
        cache.write_text(json.dumps(known, indent=1))
    return known[key]


def summary(rows: list[dict], truth: str) -> dict:
    def part(selected: list[dict]) -> dict:
        if not selected:
            return {"cases": 0}
        inside = [r["low"] <= r[truth] <= r["high"] for r in selected]
        return {"cases": len(selected), "coverage": sum(inside) / len(selected),
                "mae_model": statistics.fmean(abs(r["predicted"] - r[truth]) for r in selected),
                "mae_naive": statistics.fmean(abs(r["naive"] - r[truth]) for r in selected)}

    return {"in_range": part([r for r in rows if not r["extrapolation"]]),
            "extrapolation": part([r for r in rows if r["extrapolation"]])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--hours", type=float, default=8.0, help="hours of trials history per seed")
    parser.add_argument("--trial-hours", type=float, default=1.0, help="hours of each 'new run' truth")
    parser.add_argument("--cache", type=Path, help="folder for the generated histories (kept)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    project = load_project(PROJECT)
    folder = args.cache or Path(tempfile.mkdtemp(prefix="whatif-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = [r for seed in args.seeds for r in run_seed(project, seed, args.hours, folder, args.trial_hours)]
    result = {"seeds": args.seeds, "hours": args.hours, "changes": len(CHANGES),
              "same_units": summary(rows, "truth_same_units"), "new_run": summary(rows, "truth_new_run")}
    if args.json:
        print(json.dumps({**result, "rows": rows}, indent=1))
        return 0
    print_table(rows, result)
    return 0


def print_table(rows: list[dict], result: dict) -> None:
    print(f"{'change':44s} {'defect':13s} {'predicted':>9s} {'90 % interval':>19s} {'same units':>10s} "
          f"{'new run':>8s} {'naive':>7s}")
    for r in rows:
        flag = " X" if r["extrapolation"] else ""
        print(f"{r['change'][:44]:44s} {r['defect']:13s} {r['predicted']:9.3%} {r['low']:8.3%}..{r['high']:8.3%}"
              f" {r['truth_same_units']:10.3%} {r['truth_new_run']:8.3%} {r['naive']:7.3%}{flag}")
    for truth in ("same_units", "new_run"):
        for where, s in result[truth].items():
            if s["cases"]:
                print(f"truth {truth:10s} {where:13s}: {s['cases']:3d} cases, coverage {s['coverage']:.1%}, "
                      f"MAE model {s['mae_model']:.4%} vs naive {s['mae_naive']:.4%}")


if __name__ == "__main__":
    sys.exit(main())
