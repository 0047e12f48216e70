"""Competing theories on the documented case: calibrate each decision rule a
little, then score it over many seeds against the same targets and the nulls.

    .venv/bin/python benchmarks/theory_comparison.py [--trials 60] [--replicates 4]
        [--seeds 20] [--workers 2] [--rules utility,landscape,mwc,random,inert]
        [--spec calibration/baseline.yaml] [--plot docs/img/theories.png] [--out DIR]
        [--start scenario|defaults]

For each rule the script builds the calibration task itself from the baseline
spec (`sim.calibration.spec.load_spec`): the spec's scenario with its `rule`
replaced, the spec's targets, fit window and replicate seeds. The free
parameters are those of the spec that the rule reads (recorded while it
decides on real observations of the baseline) plus the model's own (those no
rule reads: battlefield, fights, vetoes), so that every theory gets the same
chance on the model's mechanics. optuna proposes parameter sets
(`sim.calibration.study.open_study`, ask/tell here), each set is run on the
replicate seeds and scored with `sim.calibration.objective.score_trajectory`
through a process pool; `summarise` gives the best set, which is then scored
on seeds 1..N. Rules that read no parameter (`random`, `inert`) skip the
search and run at the scenario's parameters. The frozen and random-events
nulls are scored as in `sim.calibration.report.validate_best`.

Output: a Markdown table on stdout (median over the validation seeds), a bar
plot (`--plot`), and in `--out` (default `runs/theories-<UTC time>/`) the
studies, `scores.csv` (one row per rule and seed) and `best_parameters.yaml`.
With `--start defaults` every rule's search starts from the schema's default
parameters (`Parameters()`), not from the scenario's calibrated ones, so that
all rules get the same budget from the same starting point; the default
(`scenario`) favours the rule the scenario was calibrated for.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sim.api import CoalitionModel, simulate  # noqa: E402
from sim.calibration.objective import (METRICS, frames, report_metrics,  # noqa: E402
                                      score_trajectory)
from sim.calibration.spec import CalibrationSpec, load_spec  # noqa: E402
from sim.calibration.study import open_study, replicate_seeds, summarise  # noqa: E402
from sim.config import Scenario, load_scenario, with_parameters  # noqa: E402
from sim.config.schema import Parameters  # noqa: E402
from sim.rules import RULES, make_rule  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RULES = ("utility", "landscape", "mwc", "random", "inert")
TABLE_METRICS = ("fit", "weighted_recall", "key_recall", "precision", "snapshot_entities",
                 "snapshot_rooms")
HEADERS = ("median fit", "weighted recall", "key recall", "precision", "snapshot ARI (entities)",
           "snapshot ARI (rooms)")

optuna.logging.set_verbosity(optuna.logging.WARNING)


# ---- which parameters a rule reads -----------------------------------------------------


class _ParamsRecorder:
    """Stands in for `Parameters` and records which fields are read."""

    def __init__(self, params) -> None:
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name: str):
        self.read.add(name)
        return getattr(self._params, name)


def baseline_observations(scenario: Scenario, months: int = 30) -> list:
    """Real observations of the baseline: every sixth month of a `utility` run,
    so that rooms, entities and fights are among them."""
    model = CoalitionModel(scenario.model_copy(update={"rule": "utility"}), seed=1)
    out = []
    for t in range(months):
        model.step()
        if t % 6 == 5 and model.last_observation is not None:
            out.append(model.last_observation)
    return out


def parameters_read(rule: str, observations: list) -> set[str]:
    """Model parameters the rule reads while deciding (its utilities and the choice)."""
    read: set[str] = set()
    r = make_rule(rule)
    for obs in observations:
        rec = _ParamsRecorder(obs.params)
        r.decide(dataclasses.replace(obs, params=rec), np.random.default_rng(0))
        read |= rec.read
    return read


def free_parameters(spec: CalibrationSpec, scenario: Scenario, rules: list[str]) -> dict[str, list]:
    """For each rule, the spec's parameters it reads plus the model's own."""
    obs = baseline_observations(scenario)
    reads = {name: parameters_read(name, obs) for name in RULES}
    by_any_rule = set().union(*reads.values())
    model_level = [p for p in spec.parameters if p not in by_any_rule]
    out = {}
    for rule in rules:
        if not make_rule(rule).classifier.reads:
            out[rule] = []                       # a null rule: nothing to calibrate
        else:
            out[rule] = [p for p in spec.parameters if p in reads[rule] or p in model_level]
    return out


# ---- evaluation (top-level, picklable) --------------------------------------------------


@lru_cache(maxsize=4)
def _scenario(path: str) -> Scenario:
    return load_scenario(path)


@lru_cache(maxsize=4)
def _targets(path: str):
    from sim.scoring.targets import load_targets

    return load_targets(path)


def rule_scenario(path: str, rule: str, params: dict[str, float]) -> Scenario:
    base = _scenario(path)
    sc = with_parameters(base, **params) if params else base
    return sc.model_copy(update={"rule": rule})


def evaluate(task: dict[str, Any]) -> dict[str, Any]:
    """Run the rule with `params` on `seeds`; the metrics of each seed."""
    scenario = rule_scenario(task["scenario"], task["rule"], task["params"])
    targets = _targets(task["targets"])
    rows, hits = [], []
    for seed in task["seeds"]:
        tr = simulate(scenario, seed=int(seed))
        if task.get("detail"):
            # Validation: the per-target table too (what each theory gets right).
            from sim.scoring.score import score_frames

            events, membership = frames(tr)
            report = score_frames(events, membership, targets, start=task.get("start"),
                                  end=task.get("end"))
            rows.append({"seed": int(seed), **report_metrics(report)})
            t = report.targets_table
            hits += [{"seed": int(seed), "target": tid, "key": bool(key), "matched": bool(hit)}
                     for tid, key, hit in zip(t["target"], t["key"], t["matched"])]
        else:
            rows.append({"seed": int(seed),
                         **score_trajectory(tr, targets, task.get("start"), task.get("end"))})
    return {"trial": task.get("trial"), "rows": rows, "hits": hits}


def mean_metrics(rows: list[dict]) -> dict[str, float]:
    """Mean of each metric over seeds (NaN when no seed has it, e.g. timing without matches)."""
    out = {}
    for k in METRICS:
        vals = np.array([r[k] for r in rows], dtype=float)
        out[k] = float(vals[~np.isnan(vals)].mean()) if (~np.isnan(vals)).any() else float("nan")
    return out


# ---- search and validation --------------------------------------------------------------


def search(rule: str, spec: CalibrationSpec, free: list[str], task: dict[str, Any],
           executor: Executor, workers: int, trials: int, out: Path,
           start: str = "scenario") -> dict[str, float]:
    """ask/tell optuna search over `free`; returns the best parameters. The
    starting values (the scenario's, or the schema defaults with
    `start="defaults"`) are the first trial, so the search never reports
    something worse than them."""
    sub = spec.model_copy(update={"name": f"theory_{rule}",
                                  "parameters": {p: spec.parameters[p] for p in free}})
    study = open_study(sub, out / rule, resume=False)
    defaults = Parameters() if start == "defaults" else _scenario(task["scenario"]).parameters
    study.enqueue_trial({p: float(min(max(getattr(defaults, p), spec.parameters[p].low),
                                      spec.parameters[p].high)) for p in free})
    dists = {p: optuna.distributions.FloatDistribution(spec.parameters[p].low,
                                                       spec.parameters[p].high,
                                                       log=spec.parameters[p].log)
             for p in free}
    pending: dict = {}
    done = 0
    t0 = time.monotonic()
    while done < trials:
        while len(pending) < max(1, workers) and done + len(pending) < trials:
            trial = study.ask(dists)
            job = dict(task, trial=trial.number, params=trial.params)
            pending[executor.submit(evaluate, job)] = trial
        finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for fut in finished:
            trial = pending.pop(fut)
            try:
                result = mean_metrics(fut.result()["rows"])
            except Exception as err:  # a crashing parameter set is a failed trial
                print(f"  {rule}: trial {trial.number} failed: {type(err).__name__}: {err}")
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                done += 1
                continue
            for k, v in result.items():
                trial.set_user_attr(k, v)
            study.tell(trial, result["fit"])
            done += 1
        complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        if not complete and done >= min(trials, 5):
            raise RuntimeError(f"{rule}: the first {done} trials all failed")
        if complete and (done % 10 == 0 or done == trials):
            print(f"  {rule}: {done}/{trials} trials, best fit {study.best_value:.3f} "
                  f"({time.monotonic() - t0:.0f} s)", flush=True)
    summary = summarise(study, sub)
    return {p: v["best"] for p, v in summary["parameters"].items()}


def validate(rule: str, params: dict[str, float], task: dict[str, Any], seeds: list[int],
             executor: Executor, workers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics per seed, and each target's share of seeds that reproduce it."""
    chunks = [seeds[i::max(1, workers)] for i in range(max(1, workers))]
    futures = [executor.submit(evaluate, dict(task, params=params, seeds=c, detail=True))
               for c in chunks if c]
    results = [f.result() for f in futures]
    df = pd.DataFrame([r for res in results for r in res["rows"]]).sort_values("seed")
    df.insert(0, "rule", rule)
    hits = pd.DataFrame([h for res in results for h in res["hits"]])
    rates = (hits.groupby(["target", "key"], sort=False)["matched"].mean().rename(rule)
             .reset_index() if len(hits) else pd.DataFrame(columns=["target", "key", rule]))
    return df, rates


def null_rows(task: dict[str, Any], seeds: list[int]) -> pd.DataFrame:
    """The frozen and random-events nulls, as `sim.calibration.report.validate_best` scores them."""
    from sim.scoring.nulls import frozen_report, initial_membership, null_scores

    targets = _targets(task["targets"])
    membership = initial_membership(_scenario(task["scenario"]))   # the documented start
    start, end = task.get("start"), task.get("end")
    fr = frozen_report(membership, targets, start=start, end=end).metrics()
    rows = [{"rule": "null: frozen", "seed": 0, **{k: fr.get(k) for k in METRICS}}]
    rnd = null_scores(membership, targets, seeds=seeds, start=start, end=end)
    for rec in rnd.to_dict(orient="records"):
        rows.append({"rule": "null: random events", "seed": rec["seed"],
                     **{k: rec.get(k) for k in METRICS}})
    return pd.DataFrame(rows)


# ---- report -------------------------------------------------------------------------------


def key_table(hit_rates: pd.DataFrame, rules: list[str]) -> str:
    key = hit_rates[hit_rates["key"].astype(bool)]
    lines = ["| key target | " + " | ".join(rules) + " |", "|---|" + "---:|" * len(rules)]
    for _, row in key.iterrows():
        lines.append(f"| {row['target']} | " + " | ".join(f"{row[r]:.2f}" for r in rules) + " |")
    return "\n".join(lines)


def table(scores: pd.DataFrame, free: dict[str, list], trials: dict[str, int]) -> str:
    order = list(dict.fromkeys(scores["rule"]))
    med = scores.groupby("rule")[list(TABLE_METRICS)].median().reindex(order)
    q = scores.groupby("rule")["fit"].quantile([0.25, 0.75]).unstack().reindex(order)
    lines = ["| rule | free parameters | trials | " + " | ".join(HEADERS) + " |",
             "|---|---:|---:|" + "---:|" * len(HEADERS)]
    for rule, row in med.iterrows():
        n_free = len(free.get(rule, [])) if rule in free else "–"
        n_trials = trials.get(rule, 0) if rule in free else "–"
        cells = [f"{row['fit']:.3f} ({q.loc[rule, 0.25]:.3f}–{q.loc[rule, 0.75]:.3f})"]
        cells += ["–" if pd.isna(row[m]) else f"{row[m]:.3f}" for m in TABLE_METRICS[1:]]
        lines.append(f"| {rule} | {n_free} | {n_trials} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(scores: pd.DataFrame, path: Path) -> None:
    order = list(dict.fromkeys(scores["rule"]))
    med = scores.groupby("rule")[list(TABLE_METRICS)].median().reindex(order).fillna(0.0)
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / len(TABLE_METRICS)
    x = np.arange(len(order))
    for k, (metric, label) in enumerate(zip(TABLE_METRICS, HEADERS)):
        ax.bar(x + (k - (len(TABLE_METRICS) - 1) / 2) * width, med[metric], width, label=label)
    ax.set_xticks(x)
    ax.set_xticklabels(order, fontsize=8)
    ax.set_ylim(min(0.0, float(med.min().min()) - 0.05), 1)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_ylabel("median over validation seeds")
    ax.set_title("Decision rules (theories) on the documented 2015-2018 case", fontsize=10,
                 pad=28)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, ncol=len(TABLE_METRICS), loc="lower center",
              bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", type=Path, default=ROOT / "calibration" / "baseline.yaml")
    ap.add_argument("--rules", default=",".join(DEFAULT_RULES))
    ap.add_argument("--trials", type=int, default=60, help="optuna trials per rule (default 60)")
    ap.add_argument("--replicates", type=int, default=4, help="seeds per trial (default 4)")
    ap.add_argument("--seeds", type=int, default=20, help="validation seeds (default 20)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "img" / "theories.png")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--start", choices=("scenario", "defaults"), default="scenario",
                    help="first trial of each search: the scenario's parameters (default) or "
                    "the schema defaults, the same for every rule")
    args = ap.parse_args()

    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise SystemExit(f"unknown rule(s) {', '.join(unknown)}; registered: {', '.join(RULES)}")
    spec, _ = load_spec(args.spec)
    base = args.spec.resolve().parent
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or ROOT / "runs" / f"theories-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    task = {"scenario": str((base / spec.scenario).resolve()),
            "targets": str((base / spec.targets).resolve()),
            "start": spec.fit_window.start, "end": spec.fit_window.end,
            "seeds": replicate_seeds(spec.root_seed, args.replicates)}
    scenario = _scenario(task["scenario"])
    free = free_parameters(spec, scenario, rules)
    seeds = list(range(1, args.seeds + 1))

    t0 = time.monotonic()
    frames_, best, trials, rates = [], {}, {}, []
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as ex:
        for rule in rules:
            rtask = dict(task, rule=rule)
            if free[rule] and args.trials > 0:
                print(f"{rule}: searching {len(free[rule])} parameters "
                      f"({args.trials} trials x {args.replicates} replicates)", flush=True)
                best[rule] = search(rule, spec, free[rule], rtask, ex, args.workers,
                                    args.trials, out, args.start)
                trials[rule] = args.trials
            else:
                best[rule] = {}
                trials[rule] = 0
            scores_rule, rates_rule = validate(rule, best[rule], rtask, seeds, ex, args.workers)
            frames_.append(scores_rule)
            rates.append(rates_rule.set_index(["target", "key"]))
            print(f"{rule}: median fit {frames_[-1]['fit'].median():.3f} over {len(seeds)} seeds",
                  flush=True)
    frames_.append(null_rows(task, seeds))
    scores = pd.concat(frames_, ignore_index=True)
    scores.to_csv(out / "scores.csv", index=False)
    hit_rates = pd.concat(rates, axis=1).reset_index() if rates else pd.DataFrame()
    hit_rates.to_csv(out / "target_hit_rates.csv", index=False)
    (out / "best_parameters.yaml").write_text(
        yaml.safe_dump({r: {k: float(v) for k, v in p.items()} for r, p in best.items()},
                       sort_keys=True), encoding="utf-8")
    plot(scores, args.plot)

    window = f"{spec.fit_window.start or 'start'} to {spec.fit_window.end or 'end'}"
    print()
    print(f"Theories on the documented case ({spec.targets}, window {window}): median over "
          f"{len(seeds)} validation seeds (fit: median and interquartile range); "
          f"{args.trials} trials x {args.replicates} replicates per calibrated rule, "
          f"starting from the {args.start} parameters; "
          f"{(time.monotonic() - t0) / 60:.1f} min.")
    print()
    print(table(scores, free, trials))
    print()
    if len(hit_rates):
        print("Share of validation seeds reproducing each key target:")
        print()
        print(key_table(hit_rates, rules))
        print()
    print(f"Plot: {args.plot}. Per-seed scores, per-target hit rates and best parameters: {out}.")


if __name__ == "__main__":
    main()
