"""`coalsim validate FILE...`: check scenario files without running them."""

from __future__ import annotations

import argparse

from sim.config import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files",
                       description="Check scenario files against the schema and their "
                       "cross-references. Exit code 2 at the first bad file.")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for path in args.scenarios:
        sc = load_scenario(path)
        print(f"ok: {path} ({sc.name}: {len(sc.factions)} factions, {len(sc.backers)} backers, "
              f"{len(sc.fronts)} fronts, {len(sc.events)} events, {sc.start} to {sc.end}, "
              f"rule '{sc.rule}')")
    return 0
