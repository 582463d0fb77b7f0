"""Detection delay and false alarms of the reject-rate alert, against a textbook reference.

Simulated history from the pure twin (``LineSimulator``, random stops on, far
faster than real time), the demo project's ``[[fpy]]`` settings:

- **rule**: LineTwin's "fpy-shift" alert, i.e. the AlertEngine fed with the
  inspection counters as a client sees them (sampled every 0.5 s, so a reading
  carries a few units in unknown order), in-control rate from the project's
  ``target``;
- **reference**: the textbook Bernoulli CUSUM (Reynolds & Stoumbos 1999) fed
  unit by unit from the simulator (every 0.1 s tick), same p0 and p1, its
  limit calibrated to the same in-control ARL (restarted at 0 after a signal);
- **before**: the rolling-window "fpy-low" alarm (600 s window, 97 %), what
  the app raised before this detector existed.

Normal running (per seed ``--normal-h`` hours) counts false alarms, reported
per 8-hour shift. Detection runs (per seed) go ``--warm-min`` minutes in
control, then the seal temperature steps to where the reject rate is
``--shift-rate`` (default 3 %: the rate the chart is designed to detect) and
the delay to the first alarm is measured in units and seconds after the onset.

    .venv/bin/python benchmarks/detection.py [--seeds 20] [--normal-h 1] [--shift-rate 0.03]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from linetwin.io.project.project_file import load_project
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import ChangeKind
from linetwin.twin.alerts.bernoulli_cusum import BernoulliCusum, CusumDesign
from linetwin.twin.model import Project
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator
from linetwin.twin.sim.simulation_process import defect_probabilities
from linetwin.twin.updates import ValueUpdate

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "line.toml"
TEMP = "sealer.seal_temperature"
GOOD, REJECT = "inspection.good_count", "inspection.reject_count"
TICK_S, SAMPLE_S = 0.1, 0.5
SHIFT_S = 8 * 3600.0


def temperature_for(rate: float) -> float:
    """Seal temperature at which the defect model rejects ``rate`` of the packs."""
    lo, hi = 150.0, 185.0
    for _ in range(60):
        mid = (lo + hi) / 2
        total = defect_probabilities(mid, 350.0, 4.5, 502.0, 0.0).sum()
        lo, hi = (mid, hi) if total > rate else (lo, mid)
    return (lo + hi) / 2


class Run:
    """One simulated line with the rule, the reference and the old alarm watching."""

    def __init__(self, project: Project, seed: int) -> None:
        spec = project.fpy[0]
        fpy_only = Project(project.name, None, project.assets,
                           tuple(s for s in project.signals if s.id in (GOOD, REJECT)), fpy=(spec,))
        self.engine = AlertEngine(fpy_only)
        self.design = CusumDesign.for_arl0(1.0 - spec.target, 1.0 - spec.threshold, spec.arl0_units)
        self.reference = BernoulliCusum(self.design)
        self.sim = LineSimulator(DEMO_STATIONS, seed=seed)
        self.units = 0  # inspected so far
        self.rule_alarms: list[tuple[float, int]] = []  # (time, units) of each fpy-shift raise
        self.before_alarms: list[tuple[float, int]] = []  # fpy-low
        self.reference_alarms: list[tuple[float, int]] = []
        self._last = (0.0, 0.0)
        self._next_sample = 0.0

    def run(self, seconds: float) -> None:
        sim, end = self.sim, self.sim.time_s + seconds
        while sim.time_s < end - 1e-9:
            sim.step(TICK_S)
            v = sim.values()
            good, reject = v[GOOD], v[REJECT]
            dg, dr = int(good - self._last[0]), int(reject - self._last[1])
            self._last = (good, reject)
            self.units += dg + dr
            self.reference.add(dg, dr)  # unit by unit: at most a pack or two per tick
            if self.reference.signalling:
                self.reference_alarms.append((sim.time_s, self.units))
                self.reference.reset()  # the textbook restart after a signal
            if sim.time_s >= self._next_sample - 1e-9:
                self._next_sample = sim.time_s + SAMPLE_S
                self._judge(good, reject, sim.time_s)

    def _judge(self, good: float, reject: float, t: float) -> None:
        batch = [ValueUpdate(GOOD, good, t, t), ValueUpdate(REJECT, reject, t, t)]
        for change in self.engine.process(batch):
            if change.kind is ChangeKind.RAISED:
                alarms = {"fpy-shift": self.rule_alarms, "fpy-low": self.before_alarms}
                if change.alert.rule in alarms:
                    alarms[change.alert.rule].append((t, self.units))


def first_after(alarms: list[tuple[float, int]], t0: float, units0: int) -> tuple[float, int] | None:
    for t, units in alarms:
        if t >= t0:
            return t - t0, units - units0
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--normal-h", type=float, default=1.0, help="hours of normal running per seed")
    parser.add_argument("--warm-min", type=float, default=20.0)
    parser.add_argument("--after-min", type=float, default=20.0)
    parser.add_argument("--shift-rate", type=float, default=0.03)
    args = parser.parse_args()
    project = load_project(DEMO)
    started = time.perf_counter()

    hours = units = 0.0
    false_rule = false_ref = false_before = 0
    for seed in range(args.seeds):
        run = Run(project, 1000 + seed)
        run.run(args.normal_h * 3600.0)
        hours += args.normal_h
        units += run.units
        false_rule += len(run.rule_alarms)
        false_ref += len(run.reference_alarms)
        false_before += len(run.before_alarms)

    delays: dict[str, list[tuple[float, int]]] = {"rule": [], "reference": [], "before": []}
    missed = dict.fromkeys(delays, 0)
    hot = temperature_for(args.shift_rate)
    for seed in range(args.seeds):
        run = Run(project, seed)
        run.run(args.warm_min * 60.0)
        run.reference.reset()  # a false alarm during warm-up must not count for or against
        t0, units0 = run.sim.time_s, run.units
        run.sim.force(TEMP, hot)
        run.run(args.after_min * 60.0)
        for name, alarms in (("rule", run.rule_alarms), ("reference", run.reference_alarms),
                             ("before", run.before_alarms)):
            found = first_after(alarms, t0, units0)
            if found is None:
                missed[name] += 1
            else:
                delays[name].append(found)

    shifts = hours * 3600.0 / SHIFT_S
    d = Run(project, 0).design
    print(f"Bernoulli CUSUM design: p0 {d.p0:.3f}, p1 {d.p1:.3f}, m {d.m}, h {d.h}, "
          f"ARL0 {d.arl0:,.0f} units, ARL1 {d.arl1:,.0f} units (from zero)")
    print(f"normal running: {args.seeds} seeds x {args.normal_h:g} h = {hours:g} h, "
          f"{units / hours:,.0f} units/h -> expected {units / hours * 8 / d.arl0:.2f} false alarms/shift")
    print(f"step to {args.shift_rate:.1%} rejects (seal temperature {hot:.1f} C), "
          f"{args.seeds} seeds, {args.warm_min:g} min in control first")
    print(f"{'':28}{'median units':>14}{'mean units':>12}{'median s':>10}{'missed':>8}{'false/shift':>13}")
    for name, label, false in (("rule", "LineTwin fpy-shift (rule)", false_rule),
                               ("reference", "R&S Bernoulli CUSUM (ref.)", false_ref),
                               ("before", "rolling FPY window (before)", false_before)):
        got = delays[name]
        if got:
            med_u = statistics.median(u for _, u in got)
            mean_u = statistics.fmean(u for _, u in got)
            med_s = statistics.median(s for s, _ in got)
            cells = f"{med_u:>14,.0f}{mean_u:>12,.0f}{med_s:>10,.0f}"
        else:
            cells = f"{'-':>14}{'-':>12}{'-':>10}"
        print(f"{label:28}{cells}{missed[name]:>8}{false / shifts:>13.2f}")
    rule = statistics.fmean(u for _, u in delays["rule"]) if delays["rule"] else float("nan")
    ref = statistics.fmean(u for _, u in delays["reference"]) if delays["reference"] else float("nan")
    print(f"rule / reference mean delay: {rule / ref:.2f}x (goal <= 1.5x)")
    print(f"({time.perf_counter() - started:.0f} s of compute for "
          f"{hours + args.seeds * (args.warm_min + args.after_min) / 60:g} h of simulated line)")


if __name__ == "__main__":
    main()
