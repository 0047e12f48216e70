"""Diagnostic: what the calibrated baseline does when no merger is possible before a month.

    .venv/bin/python scripts/merger_window_diagnostic.py --until 2016-09
    .venv/bin/python scripts/merger_window_diagnostic.py --until 2016-09 --set coordination_cost=6

Runs the baseline scenario (its calibrated parameters, optionally changed with
`--set KEY=VALUE`) for seeds 1..20 with `merge_cost` raised to 100 in every
month before `--until`, and scores each run against the targets. This is an
intervention on the model, not a model: it asks whether the documented
2017-2018 sequence follows once the 2015-2016 membership stays apart as it did
in the record, and what else changes. Prints the median metrics, the key-target
recall and each target's share of seeds. `--until 2015-01` bars nothing (the
calibrated baseline as it is). Figures are reported in docs/calibration.md.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sim.api import load_scenario, with_parameters
from sim.calibration.objective import frames
from sim.cli.common import parameter_changes
from sim.config.months import to_index
from sim.errors import InputError
from sim.model.model import CoalitionModel
from sim.scoring.score import score_frames
from sim.scoring.targets import load_targets

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "idlib_2015_2018.yaml"
TARGETS = ROOT / "calibration" / "targets_2015_2018.yaml"
METRICS = ("fit", "family_recall", "precision", "timing_score", "snapshot_entities",
           "snapshot_rooms")


def barred_trajectory(seed: int, until: str, changes: dict[str, float], scenario=None):
    """The baseline's trajectory for `seed`, with no merger possible before `until`."""
    scenario = with_parameters(scenario or load_scenario(SCENARIO), **changes)
    params = scenario.parameters
    barred = params.model_copy(update={"merge_cost": 100.0})
    model = CoalitionModel(scenario, seed=seed)
    stop = to_index(until)
    while not model.finished:
        model.params = barred if model.schedule.start + model.t < stop else params
        model.step()
    return model.trajectory


def run(seed: int, until: str, changes: dict[str, float]):
    trajectory = barred_trajectory(seed, until, changes)
    report = score_frames(*frames(trajectory), load_targets(TARGETS))
    table = report.targets_table
    return report.metrics(), dict(zip(table.target, table.matched)), set(table.target[table.key])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--until", required=True, help="first month (YYYY-MM) in which mergers are possible")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="change a parameter of the baseline (repeatable)")
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    try:
        changes = parameter_changes(args.set)
        with_parameters(load_scenario(SCENARIO), **changes)       # unknown keys stop here
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    seeds = range(1, args.seeds + 1)
    with ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(run, s, args.until, changes) for s in seeds]
        results = [f.result() for f in tqdm(futures, desc="seeds", unit="run")]
    keys = results[0][2]
    rates = {t: float(np.mean([r[1][t] for r in results])) for t in results[0][1]}
    print(f"mergers barred before {args.until}; changes: {changes or 'none'}; seeds 1..{args.seeds}")
    for k in METRICS:
        print(f"  median {k}: {np.median([r[0][k] for r in results]):.3f}")
    print(f"  key recall (mean share of seeds): {np.mean([rates[t] for t in keys]):.3f}")
    for t, rate in sorted(rates.items(), key=lambda kv: -kv[1]):
        if rate > 0:
            print(f"  {'*' if t in keys else ' '} {t:40s} {rate:.2f}")


if __name__ == "__main__":
    main()
