"""`coalsim score RUN_DIR`: fit of a run to the documented 2015–2018 trajectory."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

DESCRIPTION = """\
Score a run folder against the documented coalition events and membership
snapshots of 2015-2018. Prints every documented event (matched: when; or
missed), the metrics (event recall and weighted recall, precision over major
simulated events, timing error, snapshot adjusted Rand indices, combined fit)
and the spurious major simulated events. Targets: --targets FILE, else the
'targets:' path in the run's config.resolved.yaml, else
calibration/targets_2015_2018.yaml in the repository. See docs/scoring.md.
"""

EPILOG = """\
examples:
  coalsim score runs/idlib_2015_2018-20250101T120000Z-1a2b3c
  coalsim score RUN_DIR --nulls              # with the frozen and random null models
  coalsim score RUN_DIR --start 2017-01 --end 2018-12 --json > score.json
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "score", help="score a run folder against the documented 2015-2018 trajectory",
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", metavar="RUN_DIR", help="run folder written by `coalsim run`")
    p.add_argument("--targets", metavar="FILE", default=None,
                   help="targets YAML (default: from the run's config, else "
                        "calibration/targets_2015_2018.yaml)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--nulls", action="store_true",
                   help="also score the null models (frozen; random events over --seeds seeds), "
                        "both from the scenario's initial state in the run's config.resolved.yaml")
    p.add_argument("--seeds", type=int, default=20, metavar="N",
                   help="seeds for the random-events null (default 20)")
    p.add_argument("--start", metavar="YYYY-MM", default=None,
                   help="score only targets and simulated events from this month on")
    p.add_argument("--end", metavar="YYYY-MM", default=None,
                   help="score only targets and simulated events up to this month")
    p.add_argument("--strict", action="store_true",
                   help="match strictly: a merged entity among an event's actors, and a "
                   "target's named leader of a documented entity, stand for their member "
                   "factions only, with no entity-level similarity (docs/scoring.md)")
    p.set_defaults(func=run)


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.3f}"


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:  # `coalsim score RUN | head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    from sim.errors import InputError
    from sim.scoring import (find_default_targets, frozen_report, load_targets, null_scores,
                             read_run, score_frames)
    from sim.scoring.nulls import METRIC_COLUMNS, initial_membership

    if args.seeds < 1:
        raise InputError("--seeds must be at least 1.", key="--seeds")
    run_data = read_run(args.run_dir)
    targets_path = args.targets if args.targets else find_default_targets(args.run_dir)
    targets = load_targets(targets_path)
    entity_level = not args.strict
    report = score_frames(run_data.events, run_data.membership, targets, start=args.start,
                          end=args.end, run=str(args.run_dir),
                          entity_level=entity_level)

    nulls = None
    if args.nulls:
        # The nulls start from the scenario's documented initial state when the run
        # folder has its config.resolved.yaml; otherwise from the run's first month.
        start_state = run_data.membership
        if (Path(args.run_dir) / "config.resolved.yaml").is_file():
            start_state = initial_membership(args.run_dir)
        fz = frozen_report(start_state, targets, start=args.start, end=args.end,
                           entity_level=entity_level)
        rnd = null_scores(start_state, targets, seeds=range(args.seeds),
                          start=args.start, end=args.end, entity_level=entity_level)
        nulls = {"frozen": fz.metrics(),
                 "random": {"seeds": args.seeds,
                            "mean": {k: _num(rnd[k].mean()) for k in METRIC_COLUMNS},
                            "sd": {k: _num(rnd[k].std(ddof=1)) if len(rnd) > 1 else None
                                   for k in METRIC_COLUMNS},
                            "p95": {k: _num(rnd[k].quantile(0.95)) for k in METRIC_COLUMNS}}}

    if args.json:
        out = report.to_dict()
        out["matching"] = "strict" if args.strict else "default"
        if nulls is not None:
            out["nulls"] = nulls
        json.dump(out, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0

    if args.strict:
        print("Matching: strict (simulated and documented merged entities stand for their "
              "member factions; no entity-level similarity)")
    print(report.to_text())
    if nulls is not None:
        print()
        print(f"Null models (random events: mean ± sd [95th percentile] over {args.seeds} seeds)")
        print(f"  {'metric':<20} {'this run':>9} {'frozen':>9}   random")
        rm = nulls["random"]
        for k in METRIC_COLUMNS:
            mine = report.metrics()[k]
            sd = rm["sd"][k]
            rnd_txt = f"{_fmt(rm['mean'][k])} ± {_fmt(sd)} [{_fmt(rm['p95'][k])}]"
            print(f"  {k:<20} {_fmt(mine):>9} {_fmt(nulls['frozen'][k]):>9}   {rnd_txt}")
    return 0


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x
