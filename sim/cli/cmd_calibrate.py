"""`coalsim calibrate SPEC`: fit free parameters to the documented trajectory."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate", help="fit free parameters to documented targets (optuna)",
        description="Search the free parameters of a calibration spec with optuna, evaluating "
        "each parameter set on replicate runs scored against the targets; then validate the "
        "best set over many seeds against the null models and write a report. The study is "
        "stored in OUT/study.db: rerun with --resume to continue an interrupted calibration.")
    p.add_argument("spec", help="calibration spec YAML (e.g. calibration/baseline.yaml)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="parallel evaluations (default: one per core)")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default=None,
                   help="where evaluations run (default: processes, or dask with --scheduler)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--trials", type=int, default=None, help="total trials (overrides the spec)")
    p.add_argument("--minutes", type=float, default=None,
                   help="search time limit (overrides the spec)")
    p.add_argument("--out", default=None, help="output folder (default: calibration/results/<name>)")
    p.add_argument("--resume", action="store_true", help="continue the study in --out")
    p.add_argument("--start-from", action="append", default=None, metavar="PARAMS.yaml",
                   help="warm start: evaluate these parameters first (e.g. a previous "
                   "best_parameters.yaml); repeat to start from several sets. A CMA-ES "
                   "search (`sampler: cmaes`) also centres on the first set")
    p.add_argument("--sampler-seed", type=int, default=None, metavar="N",
                   help="seed of optuna's sampler (default: the spec's root_seed): searches "
                   "of one spec that differ only in it are independent starts on the same "
                   "replicates and validation seeds")
    p.add_argument("--report-only", action="store_true",
                   help="skip the search; validate and report the study in --out")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.calibration.report import validate_best, write_report
    from sim.calibration.spec import load_spec
    from sim.calibration.study import (dump_json, open_study, reselect, search, summarise,
                                       write_trials)
    from sim.sweep.executors import open_executor

    spec, _doc = load_spec(args.spec)
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    base = Path(args.spec).resolve().parent
    out = Path(args.out) if args.out else base / "results" / spec.name
    resume = args.resume or args.report_only
    starts = []
    if args.start_from:
        from sim.config.loader import load_yaml

        for path in args.start_from:
            start = load_yaml(path, what="parameters file").data
            unknown = sorted(set(start) - set(spec.parameters))
            if unknown:
                raise InputError(f"not free parameters of the spec: {', '.join(unknown)}",
                                 file=path)
            starts.append(start)
    study = open_study(spec, out, resume, args.sampler_seed, starts[0] if starts else None)
    trials = args.trials or spec.budget.trials
    minutes = args.minutes if args.minutes is not None else spec.budget.minutes
    if starts:
        from sim.calibration.study import enqueue

        for start in starts:
            enqueue(study, spec, start)
    t0 = time.monotonic()
    if not args.report_only:
        # The same executor layer as sweeps: serial, a process pool or Dask.
        with open_executor(args.executor or "processes", args.workers, args.scheduler) as handle:
            search(spec, base, study, handle.executor, handle.capacity(), trials, minutes)
    searched = (time.monotonic() - t0) / 60.0
    if not args.report_only:
        # A resumed search adds its time to that of the sessions before it.
        searched += float(study.user_attrs.get("search_minutes", 0.0))
        study.set_user_attr("search_minutes", searched)
    elif (out / "summary.json").is_file():
        # Re-reporting: the search time is the one the search recorded.
        import json

        previous = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        searched = float(previous.get("search_minutes", searched))
    chosen, candidates = None, []
    if spec.reselect.replicates > 0:
        with open_executor(args.executor or "processes", args.workers, args.scheduler) as handle:
            chosen, candidates = reselect(study, spec, base, handle.executor)
    summary = summarise(study, spec, chosen=chosen)
    write_trials(study, out / "trials.csv")
    if candidates:
        summary["reselection"] = {"top": spec.reselect.top,
                                  "replicates": spec.reselect.replicates,
                                  "candidates": candidates}
        first, pick = candidates[0], next(c for c in candidates if c["trial"] == chosen)
        print(f"reselected over {spec.reselect.replicates} fresh replicates: trial {chosen} "
              f"(fresh objective {pick['objective_fresh']:.3f}; the search's best, trial "
              f"{first['trial']}: {first['objective_fresh']:.3f})")
    print(f"best fit over {spec.replicates} replicates: {summary['best_fit_replicates']:.3f} "
          f"(trial {summary['best_trial']} of {summary['n_trials']}); validating over "
          f"{spec.validation_seeds} seeds ...")
    best = {k: v["best"] for k, v in summary["parameters"].items()}
    validation = validate_best(spec, base, best)
    summary["search_minutes"] = searched
    summary["sampler_seed"] = study.user_attrs["sampler_seed"]
    dump_json(summary, out / "summary.json")
    report = write_report(out, spec, summary, validation, searched)
    scores = validation["scores"]
    for window in scores["window"].unique():
        sub = scores[scores["window"] == window].groupby("model")["fit"].median()
        print(f"  {window:8} median fit: " + ", ".join(f"{m} {v:.3f}" for m, v in sub.items()))
    print(f"Report: {report}")
    return 0
