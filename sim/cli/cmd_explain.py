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
    p.add_argument("--month", metavar="YYYY-MM", help="the month to explain")
    p.add_argument("--actor", metavar="ID",
                   help="a faction id (its entity stands for it if it has merged) or an entity id")
    p.add_argument("--partner", default=None, metavar="ID",
                   help="another faction or entity: show every utility towards it, term by term")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="change a model parameter first (repeatable): what if")
    p.add_argument("--top", type=int, default=5, help="targets listed per action (default 5)")
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
    g = p.add_argument_group(
        "drivers", "instead of one actor's month: what drove every merger (room, fight) "
        "over a period and several seeds, term by term")
    g.add_argument("--drivers", choices=("merge", "coordinate", "fight"), default=None,
                   help="the action whose drivers to tabulate")
    g.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month (default: start)")
    g.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (default: end)")
    g.add_argument("--seeds", type=int, default=20, help="seeds 1..N (default 20)")
    g.add_argument("--csv", default=None, metavar="FILE",
                   help="also write the table of every choice and term to FILE")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.explain import explain

    if args.drivers is not None:
        return _drivers(args)
    if args.month is None or args.actor is None:
        raise InputError("explain needs --month and --actor (or --drivers ACTION for a period)")
    month = month_arg(args.month, "--month")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.top < 1:
        raise InputError(f"--top must be at least 1, got {args.top}")
    scenario = _scenario(args)
    ex = explain(scenario, month, args.actor, seed=args.seed, partner=args.partner, top=args.top)
    print(json.dumps(ex.to_dict(), indent=2) if args.json else ex.to_text())
    return 0


def _scenario(args: argparse.Namespace):
    scenario = load_scenario(args.scenario)
    changes = parameter_changes(args.set)
    return with_parameters(scenario, **changes) if changes else scenario


def _drivers(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.explain import drivers, drivers_text

    if args.month is not None or args.actor is not None or args.partner is not None:
        raise InputError("--drivers tabulates a period: give --from/--to and --seeds, "
                         "not --month, --actor or --partner")
    if args.seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {args.seeds}")
    scenario = _scenario(args)
    first = month_arg(args.first, "--from") or scenario.start
    last = month_arg(args.last, "--to") or scenario.end
    seeds = tqdm(range(1, args.seeds + 1), desc="seeds", unit="run", leave=False,
                 disable=args.json)
    table = drivers(scenario, first, last, seeds, args.drivers)
    if args.csv:
        table.to_csv(args.csv, index=False)
    if args.json:
        print(table.to_json(orient="records", indent=1))
    else:
        print(drivers_text(table, args.drivers, first, last, args.seeds))
    return 0
