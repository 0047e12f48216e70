"""`coalsim sensitivity DIR`: sensitivity indices of a finished sweep, from disk."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Compute sensitivity indices from a finished sweep folder (written by `coalsim
sweep`), on the replicate mean of each outcome at each design point: Sobol'
first-order and total indices with confidence intervals (sobol designs),
Morris mu*, sigma (morris), RBD-FAST first-order indices (latin_hypercube,
random), main-effect shares (grid). The replicate noise is reported beside
them. Writes DIR/sensitivity/: indices.csv, indices.parquet, noise.csv,
sensitivity.png.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("sensitivity", help="sensitivity indices of a finished sweep",
                              description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", metavar="DIR", help="sweep folder")
    p.add_argument("--outcomes", default=None, metavar="A,B",
                   help="only these outcome columns (default: all)")
    p.add_argument("--resamples", type=int, default=1000, metavar="N",
                   help="bootstrap resamples for the confidence intervals (default 1000)")
    p.add_argument("--conf", type=float, default=0.95, metavar="LEVEL",
                   help="confidence level (default 0.95)")
    p.add_argument("--no-plot", action="store_true", help="skip sensitivity.png")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.errors import InputError
    from sim.sweep.sensitivity import analyze, format_table

    if args.resamples < 1:
        raise InputError(f"--resamples must be at least 1, got {args.resamples}")
    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()] if args.outcomes \
        else None
    analysis = analyze(args.folder, outcomes, num_resamples=args.resamples,
                       conf_level=args.conf, plot=not args.no_plot)
    print(f"Method: {analysis.method}")
    print(format_table(analysis))
    for note in analysis.notes:
        print(f"note: {note}")
    print(f"Indices: {analysis.folder / 'sensitivity'}")
    return 0
