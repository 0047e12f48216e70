"""`coalsim explain FILE --month M --actor ID`: why an actor chose what it did."""

from __future__ import annotations

import argparse
import json

from sim.cli.common import month_arg, parameter_changes
from sim.config import load_scenario, with_parameters
from sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="why an actor chose what it did in a month, term by term",
        description="Run a scenario to a month (the same seed and draws as `coalsim run`) and "
        "show, for one actor, the chance of each action, its likeliest targets and their "
        "chance of accepting, and with --partner each utility towards that partner as the "
        "decision rule's named terms, both ways. Also what it drew and the month's events "
        "that name it.")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the month to explain")
    p.add_argument("--actor", required=True, metavar="ID",
                   help="a faction id (its entity stands for it if it has merged) or an entity id")
    p.add_argument("--partner", default=None, metavar="ID",
                   help="another faction or entity: show every utility towards it, term by term")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="change a model parameter first (repeatable): what if")
    p.add_argument("--top", type=int, default=5, help="targets listed per action (default 5)")
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.explain import explain

    month = month_arg(args.month, "--month")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.top < 1:
        raise InputError(f"--top must be at least 1, got {args.top}")
    scenario = load_scenario(args.scenario)
    changes = parameter_changes(args.set)
    if changes:
        scenario = with_parameters(scenario, **changes)
    ex = explain(scenario, month, args.actor, seed=args.seed, partner=args.partner, top=args.top)
    print(json.dumps(ex.to_dict(), indent=2) if args.json else ex.to_text())
    return 0
