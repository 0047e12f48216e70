"""`coalsim sweep SPEC`: run a parameter sweep and write its folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Run the parameter sweep declared in SPEC (a YAML file, usually under
scenarios/experiments/; format in docs/sweeps.md): expand its design (grid,
random, latin_hypercube, sobol, morris) with replicates, run every run through
an executor, and write runs/sweeps/<name>-<UTC time>/ (or --out): manifest.json,
design.parquet, results/part-*.parquet as rows arrive, and results.parquet (one
row per run, sorted by run_id) at the end. The same spec gives the same
results.parquet, byte for byte, whatever the executor.
"""

EPILOG = """\
examples:
  coalsim sweep scenarios/experiments/teaching_grid.yaml --workers 2
  coalsim sweep scenarios/experiments/baseline_sobol.yaml --out runs/sweeps/sobol --analyze
  coalsim sweep SPEC --out runs/sweeps/sobol --resume        # continue after a crash or Ctrl-C
  coalsim sweep SPEC --scheduler tcp://10.0.0.5:8786         # on a running Dask cluster
  coalsim sweep SPEC --dry-run                               # check the spec, count runs
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="run a parameter sweep (grid, LHS, Sobol, Morris)",
                              description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", metavar="SPEC", nargs="?", help="sweep spec YAML file")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default=None,
                   help="where runs execute (default: processes; dask with --scheduler)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes (default: one per core); with --scheduler, wait "
                        "for N workers to join before starting")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler (tcp://host:8786); implies "
                        "--executor dask")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="sweep folder (default: runs/sweeps/<name>-<UTC time>/)")
    p.add_argument("--resume", action="store_true",
                   help="continue the sweep in --out: skip finished runs (refused if the spec, "
                        "its scenario or its targets changed)")
    p.add_argument("--analyze", action="store_true",
                   help="compute sensitivity indices when the sweep is complete (with --out "
                        "of a complete sweep of this spec, only that)")
    p.add_argument("--flush-rows", type=int, default=1000, metavar="K",
                   help="write a results part every K rows (default 1000)")
    p.add_argument("--flush-seconds", type=float, default=30.0, metavar="T",
                   help="... or every T seconds (default 30)")
    p.add_argument("--max-in-flight", type=int, default=None, metavar="M",
                   help="submissions (batches of runs) in flight at once (default 4 per "
                        "worker)")
    p.add_argument("--batch", type=int, default=None, metavar="B",
                   help="runs per submission (default: automatic, about half a second of "
                        "work each)")
    p.add_argument("--ship-scenario", action="store_true",
                   help="send the scenario with every task instead of its path (for workers "
                        "that do not share the sweep folder's filesystem)")
    p.add_argument("--dry-run", action="store_true",
                   help="validate the spec, print the design's size and stop")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--list-outcomes", action="store_true",
                   help="list the outcomes a spec can name, with their arguments, and stop")
    p.add_argument("--schema", action="store_true",
                   help="print the JSON Schema of sweep specs and stop")
    p.set_defaults(func=run)


def _summary(ls, design_points: int) -> str:
    d = ls.spec.design
    n = design_points * ls.spec.replicates
    lines = [f"Sweep {ls.name}: {d.type} design, {design_points:,} point(s) x "
             f"{ls.spec.replicates} replicate(s) = {n:,} run(s) of {ls.scenario.name} "
             f"({ls.first_month} to {ls.last_month})",
             "  parameters: " + ", ".join(
                 f"{k} {p.kind} {p.range or p.choices or p.value}"
                 for k, p in ls.spec.parameters.items()),
             "  outcomes: " + ", ".join(ls.outcome_columns)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from sim.errors import InputError
    from sim.sweep.resume import RESULTS, read_manifest
    from sim.sweep.runner import default_out, run_sweep
    from sim.sweep.spec import design_size, load_spec

    if args.list_outcomes:
        from sim.sweep.outcomes import REGISTRY

        for name, d in REGISTRY.items():
            fields = d.args.model_fields.items() if d.args else []
            sig = ", ".join(k + ("" if f.is_required() else "?") for k, f in fields)
            print(f"{name}({sig})\n    {d.doc}")
        return 0
    if args.schema:
        import json

        from sim.sweep.spec import spec_json_schema

        print(json.dumps(spec_json_schema(), indent=2))
        return 0
    if not args.spec:
        raise InputError("give the sweep spec file: coalsim sweep SPEC (see --help)")
    ls = load_spec(args.spec)
    if args.scheduler and args.executor not in (None, "dask"):
        raise InputError(f"--scheduler runs on Dask; it cannot be combined with --executor "
                         f"{args.executor}")
    executor = "dask" if args.scheduler else (args.executor or "processes")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.max_in_flight is not None and args.max_in_flight < 1:
        raise InputError(f"--max-in-flight must be at least 1, got {args.max_in_flight}")
    if args.batch is not None and args.batch < 1:
        raise InputError(f"--batch must be at least 1, got {args.batch}")
    if args.flush_rows < 1 or args.flush_seconds <= 0:
        raise InputError("--flush-rows must be at least 1 and --flush-seconds positive")
    n_points = design_size(ls.spec)
    if args.dry_run:
        print(_summary(ls, n_points))
        return 0
    if args.resume and not args.out:
        raise InputError("--resume needs --out DIR, the folder of the sweep to continue")
    out = Path(args.out) if args.out else default_out(ls)
    complete = False
    if args.out and (out / RESULTS).is_file() and (out / "manifest.json").is_file():
        manifest = read_manifest(out)
        complete = manifest.get("status") == "complete" and \
            manifest.get("spec_sha256") == ls.spec_hash()
    if complete and args.analyze and not args.resume:
        print(f"The sweep in {out} is complete; computing its sensitivity indices.")
    else:
        if not args.quiet:
            print(_summary(ls, n_points), file=sys.stderr)
        result = run_sweep(ls, out, executor=executor, workers=args.workers,
                           scheduler=args.scheduler, resume=args.resume,
                           flush_rows=args.flush_rows, flush_seconds=args.flush_seconds,
                           progress=not args.quiet, ship_scenario=args.ship_scenario,
                           max_in_flight=args.max_in_flight, batch=args.batch)
        rate = f", {result.runs_per_second:.1f} runs/s" if result.n_ran else ""
        skipped = f" ({result.n_skipped:,} already done)" if result.n_skipped else ""
        print(f"{result.n_ran:,} run(s) in {result.elapsed:.1f} s{rate}{skipped}; "
              f"peak driver memory {result.peak_rss_mb:.0f} MB")
        if result.n_failed:
            print(f"warning: {result.n_failed} run(s) failed; their outcomes are NaN and the "
                  "`error` column says why", file=sys.stderr)
    if args.analyze:
        from sim.sweep.sensitivity import analyze, format_table

        analysis = analyze(out)
        print(format_table(analysis))
        for note in analysis.notes:
            print(f"note: {note}")
        print(f"Indices: {out / 'sensitivity'}")
    print(f"Sweep folder: {out}")
    return 0
