"""`coalsim run FILE`: run a scenario and write its run folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sim.cli.common import month_arg
from sim.config import load_scenario
from sim.errors import InputError
from sim.output.runfolder import _now, default_folder, prepare_target, write_run_folder
from sim.output.summary import summary_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a scenario and write a run folder",
                       description="Run a scenario and write runs/<scenario>-<time>-<hash>/ "
                       "(manifest.json, config.resolved.yaml, events.csv, membership.csv, "
                       "timeline.png), then print a short summary and the folder's path.")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--out", default=None, help="run folder to write (default: under runs/)")
    p.add_argument("--until", default=None, metavar="YYYY-MM",
                   help="run to this month, past the scenario's end if needed "
                   "(the last schedule values are held)")
    p.add_argument("--no-plot", action="store_true", help="skip timeline.png")
    p.add_argument("--quiet", action="store_true", help="print only the folder's path")
    p.set_defaults(func=run)


def _fit(scenario, out: Path, trajectory) -> dict | None:
    """The run's fit against the scenario's targets (None without targets)."""
    if not scenario.targets:
        return None
    from sim.calibration.objective import score_trajectory
    from sim.scoring.targets import load_targets

    path = (out.resolve() / scenario.targets).resolve()
    metrics = score_trajectory(trajectory, load_targets(path))
    return {"targets": os.path.relpath(path), **{k: round(v, 6) for k, v in metrics.items()}}


def run(args: argparse.Namespace) -> int:
    until = month_arg(args.until, "--until")
    scenario = load_scenario(args.scenario)
    if until is not None and until < scenario.start:
        raise InputError(f"--until {until} is before the scenario starts ({scenario.start})")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    seed = scenario.seed if args.seed is None else args.seed
    started = _now()
    out = Path(args.out) if args.out else default_folder(scenario, seed, started, Path("runs"))
    prepare_target(out)
    # What runs is the scenario with this seed and this last month, and its
    # targets path made relative to the run folder, so that the resolved config
    # in the folder reproduces the run by itself.
    update: dict = {"seed": seed, "end": until or scenario.end}
    if scenario.targets:
        targets = (Path(args.scenario).resolve().parent / scenario.targets).resolve()
        update["targets"] = os.path.relpath(targets, out.resolve())
    scenario = scenario.model_copy(update=update)
    from sim.model import CoalitionModel

    trajectory = CoalitionModel(scenario, seed=seed).run()
    fit = _fit(scenario, out, trajectory)
    folder = write_run_folder(out, scenario=scenario, scenario_path=args.scenario,
                              trajectory=trajectory, started=started, until=until,
                              plot=not args.no_plot, fit=fit)
    if not args.quiet:
        print(summary_text(trajectory))
        if fit is not None:
            print(f"Fit against the documented trajectory ({fit['targets']}): {fit['fit']:.3f} "
                  f"(weighted recall {fit['weighted_recall']:.3f}, key-event recall "
                  f"{fit['key_recall']:.3f}, high-confidence recall "
                  f"{fit['high_confidence_recall']:.3f}, precision {fit['precision']:.3f}; "
                  f"strict matching: fit {fit['fit_strict']:.3f}, key-event recall "
                  f"{fit['key_recall_strict']:.3f}, high-confidence recall "
                  f"{fit['high_confidence_recall_strict']:.3f}); per-target table: "
                  f"coalsim score {out}")
    print(f"Run folder: {folder}")
    return 0
