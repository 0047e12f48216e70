"""After the search: validate the best parameters over many seeds, score the
null models the same way, check the held-out window, and write a report with
figures. Everything here reads trajectories and scores, never live agents."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sim.api import simulate  # noqa: E402
from sim.calibration.goals import (ALPHA, calibration_goals, markdown_table,  # noqa: E402
                                   out_of_sample_goal)
from sim.calibration.objective import STRICT, frames  # noqa: E402
from sim.calibration.spec import DEFAULT_OBJECTIVE, CalibrationSpec, Window  # noqa: E402
from sim.config import load_scenario, with_parameters  # noqa: E402
from sim.plots.timeline import plot_timeline  # noqa: E402

WINDOW_NAMES = ("fit", "holdout", "full")


def _windows(spec: CalibrationSpec) -> dict[str, Window]:
    out = {"fit": spec.fit_window}
    if spec.holdout_window is not None:
        out["holdout"] = spec.holdout_window
    out["full"] = Window()
    return out


def validate_best(spec: CalibrationSpec, base: Path, params: dict[str, float]) -> dict:
    """Score the best parameters, the frozen null and the random null on every window."""
    from sim.scoring.nulls import frozen_report, initial_membership, null_scores
    from sim.scoring.score import score_frames
    from sim.scoring.targets import load_targets

    scenario = with_parameters(load_scenario(base / spec.scenario), **params)
    targets = load_targets(base / spec.targets)
    windows = _windows(spec)
    seeds = list(range(1, spec.validation_seeds + 1))
    model_rows, hits = [], []
    # The nulls start from the documented initial state, not from a run's first
    # month (which already holds the model's first decisions).
    first_membership = initial_membership(scenario)
    for seed in seeds:
        ev, mem = frames(simulate(scenario, seed=seed))
        for name, w in windows.items():
            rep = score_frames(ev, mem, targets, start=w.start, end=w.end)
            strict = score_frames(ev, mem, targets, start=w.start, end=w.end,
                                  entity_level=False)
            model_rows.append({"seed": seed, "window": name, **rep.metrics(),
                               **_strict(strict.metrics())})
            if name == "full":
                tab = rep.targets_table.copy()
                tab["seed"] = seed
                matched = dict(zip(strict.targets_table["target"],
                                   strict.targets_table["matched"]))
                tab["hit_strict"] = tab["target"].map(matched).fillna(False).astype(bool)
                hits.append(tab)
    null_rows = []
    for name, w in windows.items():
        fr = frozen_report(first_membership, targets, start=w.start, end=w.end)
        fs = frozen_report(first_membership, targets, start=w.start, end=w.end,
                           entity_level=False)
        null_rows.append({"model": "frozen", "seed": 0, "window": name, **fr.metrics(),
                          **_strict(fs.metrics())})
        rnd = null_scores(first_membership, targets, seeds=seeds, start=w.start, end=w.end)
        rnd_strict = null_scores(first_membership, targets, seeds=seeds, start=w.start,
                                 end=w.end, entity_level=False)
        for rec, rec_s in zip(rnd.to_dict(orient="records"),
                              rnd_strict.to_dict(orient="records")):
            null_rows.append({"model": "random", "window": name, **rec, **_strict(rec_s)})
    model = pd.DataFrame(model_rows)
    model.insert(0, "model", "calibrated")
    return {"scores": pd.concat([model, pd.DataFrame(null_rows)], ignore_index=True),
            "hits": pd.concat(hits, ignore_index=True), "scenario": scenario,
            "targets_path": str(base / spec.targets)}


def _strict(metrics: dict) -> dict:
    """The strict matching's fit and key recall, named as calibration metrics."""
    return {k: metrics.get(v) for k, v in STRICT.items()}


def hit_rates(hits: pd.DataFrame) -> pd.DataFrame:
    """Share of seeds that reproduce each target (and, where the hits carry
    `hit_strict`, under strict matching)."""
    status = hits["status"] if "status" in hits.columns else hits["result"]
    hits = hits.assign(hit=status.astype(str).eq("matched"))
    cols = [c for c in ("target", "month", "type", "weight", "key", "confidence")
            if c in hits.columns]
    shares = ["hit", "hit_strict"] if "hit_strict" in hits.columns else ["hit"]
    return (hits.groupby(cols, dropna=False)[shares].mean().reset_index()
            .sort_values(cols[1] if len(cols) > 1 else cols[0]))


def plot_scores(scores: pd.DataFrame, path: Path) -> None:
    windows = [w for w in WINDOW_NAMES if w in set(scores["window"])]
    fig, axes = plt.subplots(1, len(windows), figsize=(4.2 * len(windows), 3.6), squeeze=False)
    for ax, w in zip(axes[0], windows):
        sub = scores[scores["window"] == w]
        data = [sub[sub["model"] == m]["fit"].dropna().to_numpy()
                for m in ("calibrated", "random", "frozen")]
        ax.boxplot([d if len(d) else np.array([np.nan]) for d in data],
                   tick_labels=["calibrated", "random null", "frozen null"])
        ax.set_title(f"combined fit, {w} window", fontsize=9)
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_hits(rates: pd.DataFrame, path: Path) -> None:
    label = rates["target"] if "target" in rates.columns else rates.index.astype(str)
    fig, ax = plt.subplots(figsize=(8, 0.22 * len(rates) + 1.2))
    colours = ["tab:red" if bool(k) else "tab:blue"
               for k in (rates["key"] if "key" in rates.columns else [False] * len(rates))]
    ax.barh(range(len(rates)), rates["hit"], color=colours)
    ax.set_yticks(range(len(rates)))
    ax.set_yticklabels([f"{m} {t}" for m, t in zip(rates.get("month", [""] * len(rates)), label)],
                       fontsize=6)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of validation seeds that reproduce the target (red = key event)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_validation(validation: dict, scores_csv: Path, fit_png: Path,
                     rates_csv: Path | None = None, rates_png: Path | None = None,
                     timeline_png: Path | None = None) -> pd.DataFrame:
    """Write what `validate_best` found: the scores and the fit against the nulls,
    and where asked the hit rate of each target, its plot and seed 1's timeline.
    Returns the hit rates."""
    scores, rates = validation["scores"], hit_rates(validation["hits"])
    scores.to_csv(scores_csv, index=False)
    plot_scores(scores, fit_png)
    if rates_csv is not None:
        rates.to_csv(rates_csv, index=False)
    if rates_png is not None:
        plot_hits(rates, rates_png)
    if timeline_png is not None:
        plot_timeline(simulate(validation["scenario"], seed=1), timeline_png,
                      targets_path=validation["targets_path"])
    return rates


def write_report(out: Path, spec: CalibrationSpec, summary: dict, validation: dict,
                 minutes: float) -> Path:
    scores = validation["scores"]
    rates = write_validation(validation, out / "validation_scores.csv", out / "fit_vs_nulls.png",
                             out / "target_hit_rates.csv", out / "target_hit_rates.png",
                             out / "timeline_seed1.png")
    best = {k: v["best"] for k, v in summary["parameters"].items()}
    (out / "best_parameters.yaml").write_text(yaml.safe_dump(best, sort_keys=True), encoding="utf-8")
    table = (scores.groupby(["window", "model"])["fit"]
             .agg(["median", "mean", "min", "max", "count"]).round(3))
    rec = scores[scores["model"] == "calibrated"].groupby("window")[
        ["weighted_recall", "family_recall", "key_recall", "high_confidence_recall", "precision",
         "snapshot_entities", "snapshot_rooms", *STRICT]
    ].median().round(3)
    lines = [f"# Calibration report: {spec.name}", "",
             f"Spec: {spec.description or spec.name}. Sampler: optuna {spec.sampler} (seed "
             f"{summary.get('sampler_seed', spec.root_seed)}); "
             f"{summary['n_trials']} trials of {spec.replicates} replicates; search time "
             f"{minutes:.1f} min. Fit window {spec.fit_window.start or 'start'} to "
             f"{spec.fit_window.end or 'end'}"
             + (f"; held-out window {spec.holdout_window.start} to {spec.holdout_window.end}"
                if spec.holdout_window else "") + "."
             + ("" if spec.objective == DEFAULT_OBJECTIVE else " Objective maximised: "
                + " + ".join(f"{w:g}·{k}" for k, w in spec.objective.items()) + "."), "",
             "## Combined fit over validation seeds (calibrated model against the nulls)", "",
             table.to_string(), "",
             "## Median metrics of the calibrated model", "", rec.to_string(), "",
             "## Parameters (best trial; spread = 5-95% over the best 10% of trials)", "",
             "| parameter | best | median | q05 | q95 |", "|---|---|---|---|---|"]
    for name, v in summary["parameters"].items():
        lines.append(f"| {name} | {v['best']:.4g} | {v['median']:.4g} | {v['q05']:.4g} | "
                     f"{v['q95']:.4g} |")
    if "reselection" in summary:
        sel = summary["reselection"]
        lines += ["", f"## Reselection: the search's {sel['top']} best trials on "
                  f"{sel['replicates']} fresh replicates", "",
                  f"The best trial is the best of these by the objective on the fresh "
                  f"replicates: trial {summary['best_trial']}.", "",
                  "| trial | objective (search) | objective (fresh) | fit (fresh) |",
                  "|---|---|---|---|"]
        lines += [f"| {c['trial']} | {c['objective_search']:.3f} | {c['objective_fresh']:.3f} | "
                  f"{c['fit_fresh']:.3f} |" for c in sel["candidates"]]
    lines += ["", "## Goals (issue 3; sim/calibration/goals.py)", "",
              markdown_table(calibration_goals(scores, rates))]
    if spec.holdout_window is not None:
        lines += ["", "Held-out fit against the nulls (clearly above: one-sided Wilcoxon "
                  f"signed-rank test, p < {ALPHA}):", "",
                  markdown_table(out_of_sample_goal(scores))]
    lines += ["", "## Targets reproduced (share of validation seeds)", "",
              rates.round(2).to_string(index=False), "",
              "Figures: `fit_vs_nulls.png`, `target_hit_rates.png`, `timeline_seed1.png`.", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
