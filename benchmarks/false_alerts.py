"""Alerts the demo project raises in normal running, per 8-hour shift and rule.

The simulator's normal scenario (random stops on, no fault injected) runs through
the demo project's alert engine, every signal every 0.5 s of simulated time,
for one shift per seed. Nothing is wrong with the line, so every statistical
alert (trend, Nelson, fpy-shift, defect-rate, fpy-low) is a false alarm by
construction; a limit alarm marks a value that really left its spec limits.

Run: ``.venv/bin/python benchmarks/false_alerts.py --seeds 11-20`` (about 20 s of
compute per shift on a 2-core machine).
"""

from __future__ import annotations

import argparse
import collections

from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from linetwin.twin.alerts.alert_rules import AlertEngine
from linetwin.twin.alerts.alerts import ChangeKind
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator
from linetwin.twin.updates import ValueUpdate

SHIFT_S = 8 * 3600.0
STEP_S = 0.5


def raised_in_one_shift(project, seed: int) -> collections.Counter:
    sim = LineSimulator(DEMO_STATIONS, seed=seed, scenario="normal")
    engine = AlertEngine(project)
    ids = [s.id for s in project.signals]
    raised: collections.Counter = collections.Counter()
    while sim.time_s < SHIFT_S:
        sim.step(STEP_S)
        t, values = sim.time_s, sim.values()
        for change in engine.process([ValueUpdate(i, values[i], t, t) for i in ids]):
            if change.kind is ChangeKind.RAISED:
                raised[change.alert.rule.split("-")[0] if change.alert.rule.startswith("nelson")
                       else change.alert.rule] += 1
    return raised


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="11-20", help="first-last seed, one shift each")
    first, last = (int(v) for v in parser.parse_args().seeds.split("-"))
    project = load_project(DEMO_PROJECT)
    total: collections.Counter = collections.Counter()
    for seed in range(first, last + 1):
        raised = raised_in_one_shift(project, seed)
        print(f"seed {seed}: {dict(raised) or 'none'}", flush=True)
        total.update(raised)
    shifts = last - first + 1
    print(f"\nper 8-hour shift over {shifts} shifts of normal running:")
    for rule, count in sorted(total.items()):
        print(f"  {rule:<12} {count / shifts:.2f}")


if __name__ == "__main__":
    main()
