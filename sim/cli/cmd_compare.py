"""`coalsim compare A.yaml B.yaml ...`: what a counterfactual changes, on the same seeds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="run scenarios on the same seeds and compare them (counterfactuals)",
        description="Run every scenario on seeds 1..N (the same seeds for each, so that "
        "differences come from the scenarios), measure each run (events by type, actors and "
        "the largest one's share at the end, and against the first scenario's targets the "
        "fit, key recall and each key target) and print each measure's mean per scenario and "
        "the difference from the first with a 95%% interval over the paired seeds.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario files; the first is the reference (e.g. the baseline)")
    p.add_argument("--seeds", type=int, default=20, help="seeds 1..N (default 20)")
    p.add_argument("--workers", type=int, default=None, help="parallel runs (default: one per core)")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                   help="where runs go (default: a process pool; dask with --scheduler)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="also write runs.csv, summary.csv and compare.png to DIR")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.compare import compare
    from sim.config import load_scenario
    from sim.output.runfolder import prepare_target
    from sim.sweep.executors import open_executor

    if len(args.scenarios) < 2:
        raise InputError("compare needs at least two scenario files (the first is the reference)")
    if args.seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {args.seeds}")
    for path in args.scenarios:
        load_scenario(path)                 # every file validated before any run
    if args.out:
        prepare_target(Path(args.out))
    with open_executor(args.executor, args.workers, args.scheduler) as handle:
        result = compare(args.scenarios, list(range(1, args.seeds + 1)), handle.executor,
                         progress=lambda it, total: tqdm(it, total=total, desc="runs",
                                                         unit="run", leave=False))
    if args.out:
        result.write(Path(args.out))
    if args.json:
        print(json.dumps(result.summary().to_dict(orient="records"), indent=1))
    else:
        print(result.to_text())
        if args.out:
            print(f"\nWritten: {args.out}/runs.csv, summary.csv, compare.png")
    return 0
