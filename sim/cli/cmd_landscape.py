"""`coalsim landscape`: local minima and basins of an Axelrod-Bennett landscape."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap

from sim.errors import InputError

DESCRIPTION = """\
Find every local minimum of a two-bloc landscape (Axelrod & Bennett 1993):
the alignments in which no actor can lower its frustration by switching
bloc, with their energy and basin of attraction (how many of the 2^(n-1)
configurations end there when, one at a time, the switch that lowers the
energy most is made; ties go to the first actor listed).

FILE is a landscape file (actors with sizes, pairwise propensities; see
docs/landscape.md) or a scenario (a YAML file with 'factions:'), which needs
--at to pick the month whose state defines the landscape.

Up to 24 actors every configuration is enumerated; beyond that, or with
--heuristic, minima are found from --starts random configurations drawn with
--seed, and basin fractions are estimates.
"""

EPILOG = """\
examples:
  coalsim landscape scenarios/landscapes/two_pairs.yaml
  coalsim landscape scenarios/landscapes/syria_gade2019.yaml --json
  coalsim landscape big.yaml --heuristic --starts 50000 --seed 7
  coalsim landscape scenarios/idlib_2015_2018.yaml --at 2017-01
"""


def register(subparsers) -> None:
    from sim.landscape import DEFAULT_STARTS, RULES

    p = subparsers.add_parser(
        "landscape",
        help="local minima and basins of attraction of an alignment landscape",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="landscape YAML file, or a scenario with --at")
    p.add_argument("--at", metavar="YYYY-MM", help="month of the scenario whose state defines the landscape")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--heuristic", action="store_true",
                   help="random starts + descent instead of exact enumeration")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seed of the random starts (heuristic) and of the scenario state (default 0)")
    p.add_argument("--starts", type=int, default=DEFAULT_STARTS, metavar="N",
                   help=f"random starts for the heuristic (default {DEFAULT_STARTS})")
    p.add_argument("--rule", choices=RULES, default="energy",
                   help="who switches first: the move lowering the energy most (default) or the "
                        "actor whose own frustration falls most")
    p.set_defaults(func=run)


def _load(args):
    from sim.landscape.from_scenario import landscape_from_scenario
    from sim.landscape.io import load_landscape, read_yaml_top

    data, _ = read_yaml_top(args.file)
    if isinstance(data, dict) and "factions" in data:
        if not args.at:
            raise InputError("this file is a scenario (it has 'factions:'); give --at YYYY-MM to choose "
                             "the month whose state defines the landscape.", file=args.file, key="--at")
        return landscape_from_scenario(args.file, args.at, seed=args.seed)
    if args.at:
        raise InputError("--at applies to scenarios only; this file is a landscape file "
                         "(no 'factions:' key).", file=args.file, key="--at")
    return load_landscape(args.file)


def run(args) -> int:
    from sim.landscape import EXACT_DEFAULT_MAX, analyse

    if args.starts < 1:
        raise InputError(f"--starts must be at least 1, got {args.starts}.", key="--starts")
    land = _load(args)
    heuristic = args.heuristic or land.n > EXACT_DEFAULT_MAX
    if heuristic and not args.heuristic and not args.json:
        print(f"note: {land.n} actors is more than {EXACT_DEFAULT_MAX}; using the heuristic "
              f"({args.starts} random starts, seed {args.seed}).", file=sys.stderr)
    result = analyse(land.sizes, land.p, heuristic=heuristic, seed=args.seed, starts=args.starts,
                     rule=args.rule, progress=True)
    summary = result.to_dict(land.ids)
    if args.json:
        out = {"name": land.name, "source": land.source, "file": land.file, "actors": land.ids}
        out.update(summary)
        print(json.dumps(out, indent=2))
        return 0
    print(format_table(land, summary))
    return 0


def format_table(land, summary: dict) -> str:
    """Human-readable table of the minima in ``summary`` (from ``LandscapeResult.to_dict``)."""
    width = max(72, min(120, shutil.get_terminal_size((100, 24)).columns))
    heur = summary["method"] == "heuristic"
    n = summary["n_actors"]
    lines = []
    if land.name:
        lines.append(f"Landscape: {land.name}")
    if land.source:
        lines.extend(textwrap.wrap(f"Source: {land.source}", width, subsequent_indent="        "))
    how = ("heuristic: %d random starts, seed %d" % (summary["starts"], summary["seed"]) if heur
           else "exact enumeration")
    rule = ("steepest descent in energy" if summary["rule"] == "energy"
            else "largest fall of the mover's own frustration")
    lines.append(f"Actors: {n}   configurations: {summary['n_configurations']:,} (2^{n - 1})   {how}")
    lines.append(f"Dynamics: {rule}, ties to the first actor listed.   "
                 "Energy: sum over ordered pairs (A&B 1993).")
    k = len(summary["minima"])
    lines.append(f"{k} local minim{'um' if k == 1 else 'a'}{' found' if heur else ''}:")
    lines.append("")
    basin_head = "hits" if heur else "basin"
    frac_head = "fraction (+-se)" if heur else "fraction"
    head = f"{'#':>3}  {'energy':>12}  {basin_head:>10}  {frac_head:>16}  blocs"
    lines.append(head)
    lines.append("-" * min(width, max(len(head), 60)))
    indent = " " * (len(head) - len("blocs"))
    for m in summary["minima"]:
        basin = m["hits"] if heur else m["basin_size"]
        frac = f"{100 * m['basin_fraction']:.2f}%"
        if heur:
            frac += f" +-{100 * m['basin_stderr']:.2f}"
        mark = "*" if m["global"] else " "
        a, b = m["blocs"]
        blocs = f"{{{', '.join(a)}}} vs {{{', '.join(b) if b else ''}}}"
        first = f"{m['rank']:>3}{mark} {m['energy']:>12.6g}  {basin:>10,}  {frac:>16}  "
        wrapped = textwrap.wrap(blocs, max(20, width - len(first))) or [""]
        lines.append(first + wrapped[0])
        lines.extend(indent + w for w in wrapped[1:])
    lines.append("")
    lines.append("* = lowest energy found" if heur else "* = global minimum")
    return "\n".join(lines)
