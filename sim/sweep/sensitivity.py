"""Sensitivity indices of a finished sweep, computed from its folder on disk.

The model is stochastic, so each index is computed on the **replicate mean** of
an outcome at each design point, and the replicate noise is reported beside it:

- `noise_sd`: the standard deviation across replicates at a design point,
  averaged over points (the run-to-run noise a single run would carry);
- `points_sd`: the standard deviation of the replicate means across points
  (the signal the parameters move);
- `noise_share`: (noise_sd² / replicates) / points_sd², the share of the
  variance of the replicate means that is left-over noise. Near 1, the indices
  describe noise: add replicates.

By design:

- `sobol`: `SALib.analyze.sobol` first-order (S1) and total (ST) indices with
  bootstrap confidence intervals (and S2 when sampled with `second_order`);
- `morris`: `SALib.analyze.morris` mu, mu* and sigma, with confidence intervals for
  mu* (SALib's) and sigma (a bootstrap over trajectories, done here);
- `latin_hypercube` and `random`: `SALib.analyze.rbd_fast` first-order indices
  with confidence intervals (RBD-FAST works on any sample);
- `grid`: first-order indices read off the full factorial, Var(E[Y|x_i]) / Var(Y)
  over the design points, without confidence intervals.

Writes `sensitivity/indices.csv`, `indices.parquet`, `noise.csv`, `second_order.csv`
(Sobol' with second order) and `sensitivity.png` (bars with error bars), and
returns the indices as a DataFrame.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.sweep.resume import DESIGN, RESULTS, read_manifest
from sim.sweep.spec import ERROR_COLUMN

OUT = "sensitivity"


@dataclass
class Analysis:
    folder: Path
    method: str
    indices: pd.DataFrame
    noise: pd.DataFrame
    second_order: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _seed(manifest: dict[str, Any]) -> int:
    return int(np.random.SeedSequence([0x5E75, int(manifest["root_seed"])]).generate_state(1)[0])


def point_means(results: pd.DataFrame, column: str, n_points: int) -> tuple[np.ndarray, pd.Series]:
    """Replicate mean and std (ddof=1) of `column` at each design point (in point order)."""
    ok = results[results[ERROR_COLUMN].fillna("") == ""]
    g = ok.groupby("point_id")[column]
    mean = g.mean().reindex(range(n_points))
    std = g.std(ddof=1).reindex(range(n_points))
    return mean.to_numpy(dtype=float), std


def _noise_row(outcome: str, means: np.ndarray, std: pd.Series, replicates: int) -> dict:
    noise_sd = float(std.mean()) if replicates > 1 and std.notna().any() else math.nan
    points_sd = float(np.nanstd(means, ddof=1)) if np.isfinite(means).sum() > 1 else math.nan
    share = math.nan
    if replicates > 1 and points_sd and math.isfinite(points_sd) and points_sd > 0:
        share = min(1.0, (noise_sd ** 2 / replicates) / points_sd ** 2)
    return {"outcome": outcome, "replicates": replicates, "noise_sd": noise_sd,
            "points_sd": points_sd, "noise_share": share}


def analyze(folder: str | Path, outcomes: list[str] | None = None, *, num_resamples: int = 1000,
            conf_level: float = 0.95, plot: bool = True) -> Analysis:
    """Compute, write and return the sensitivity indices of the sweep in `folder`."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest.get("kind") != "coalsim-sweep":
        raise InputError("this folder's manifest.json is not a sweep's", file=str(folder))
    if not (folder / RESULTS).is_file():
        raise InputError("the sweep has no results.parquet yet (it has not finished); finish "
                         "it with `coalsim sweep SPEC --resume --out DIR`", file=str(folder))
    if not 0 < conf_level < 1:
        raise InputError(f"the confidence level must be between 0 and 1, got {conf_level}")
    results = pd.read_parquet(folder / RESULTS)
    design = pd.read_parquet(folder / DESIGN)
    columns = [o["column"] for o in manifest["outcomes"]]
    if outcomes:
        unknown = [o for o in outcomes if o not in columns]
        if unknown:
            raise InputError(f"unknown outcome(s) {', '.join(unknown)}; this sweep recorded "
                             f"{', '.join(columns)}", key="outcomes")
        columns = list(outcomes)
    kind = manifest["design"]["type"]
    n_points = int(manifest["n_points"])
    replicates = int(manifest["replicates"])
    params = manifest["parameters"]
    points = design.drop_duplicates("point_id").sort_values("point_id")
    varied = [p for p in params if points[p].nunique() > 1]
    problem = manifest.get("salib_problem")
    seed = _seed(manifest)
    rows, noise_rows, s2_rows, notes = [], [], [], []
    n_failed = int((results[ERROR_COLUMN].fillna("") != "").sum())
    if n_failed:
        notes.append(f"{n_failed} failed run(s) left out of the replicate means.")
    for outcome in columns:
        means, std = point_means(results, outcome, n_points)
        noise_rows.append(_noise_row(outcome, means, std, replicates))
        nan = int((~np.isfinite(means)).sum())
        if nan:
            notes.append(f"{outcome}: {nan} design point(s) have no value (NaN in every "
                         "replicate); no indices. For 'first ... month' outcomes give "
                         "`if_never:` a number.")
            continue
        if np.nanstd(means) == 0:
            notes.append(f"{outcome}: constant over the design; no indices.")
            continue
        try:
            _indices(kind, outcome, means, points, varied, problem, manifest, num_resamples,
                     conf_level, seed, rows, s2_rows)
        except (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError) as err:
            notes.append(f"{outcome}: the {kind} estimator failed ({type(err).__name__}: "
                         f"{err}); no indices. More design points may help.")
    indices = pd.DataFrame(rows)
    noise = pd.DataFrame(noise_rows)
    if len(indices):
        indices = indices.merge(noise, on="outcome", how="left")
    second = pd.DataFrame(s2_rows) if s2_rows else None
    out = folder / OUT
    out.mkdir(exist_ok=True)
    files = [out / "indices.csv", out / "indices.parquet", out / "noise.csv"]
    indices.to_csv(files[0], index=False)
    indices.to_parquet(files[1], index=False)
    noise.to_csv(files[2], index=False)
    if second is not None:
        second.to_csv(out / "second_order.csv", index=False)
        files.append(out / "second_order.csv")
    analysis = Analysis(folder, kind, indices, noise, second, notes, files)
    if plot and len(indices):
        files.append(plot_indices(analysis, out / "sensitivity.png"))
    (out / "notes.txt").write_text("\n".join(notes) + ("\n" if notes else ""), encoding="utf-8")
    return analysis


def _indices(kind: str, outcome: str, means: np.ndarray, points: pd.DataFrame,
             varied: list[str], problem: dict | None, manifest: dict[str, Any],
             num_resamples: int, conf_level: float, seed: int, rows: list[dict],
             s2_rows: list[dict]) -> None:
    """Append the indices of one outcome to `rows` (and `s2_rows`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if kind == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, means,
                                calc_second_order=manifest["design"]["second_order"],
                                num_resamples=num_resamples, conf_level=conf_level,
                                seed=seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"outcome": outcome, "parameter": name, "method": "sobol",
                             "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
            if "S2" in res:
                names = problem["names"]
                for i in range(len(names)):
                    for j in range(i + 1, len(names)):
                        s2_rows.append({"outcome": outcome, "a": names[i], "b": names[j],
                                        "S2": res["S2"][i, j],
                                        "S2_conf": res["S2_conf"][i, j]})
        elif kind == "morris":
            from SALib.analyze import morris

            x = points[problem["names"]].to_numpy(dtype=float)
            res = morris.analyze(problem, x, means, num_resamples=num_resamples,
                                 conf_level=conf_level,
                                 num_levels=manifest["design"]["levels"], seed=seed)
            sigma_conf = _morris_sigma_conf(problem, x, means, manifest["design"]["levels"],
                                            num_resamples, conf_level, seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"outcome": outcome, "parameter": name, "method": "morris",
                             "mu": res["mu"][i], "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i],
                             "sigma": res["sigma"][i], "sigma_conf": sigma_conf[i]})
        elif kind in ("latin_hypercube", "random"):
            from SALib.analyze import rbd_fast

            prob = {"num_vars": len(varied), "names": varied,
                    "bounds": [[float(points[p].min()), float(points[p].max())]
                               for p in varied]}
            x = points[varied].to_numpy(dtype=float)
            # harmonics: SALib's bootstrap resamples half the points and its bias
            # correction divides by 1 - 2M/n, so keep 2M well below n/2
            m = max(1, min(10, (len(means) // 2) // 4))
            res = rbd_fast.analyze(prob, x, means, M=m, num_resamples=num_resamples,
                                   conf_level=conf_level, seed=seed)
            for i, name in enumerate(varied):
                rows.append({"outcome": outcome, "parameter": name, "method": "rbd_fast",
                             "S1": res["S1"][i], "S1_conf": res["S1_conf"][i]})
        else:  # grid: main effects on the full factorial
            total = np.var(means)
            for name in varied:
                by = pd.Series(means).groupby(points[name].to_numpy()).mean()
                counts = points[name].value_counts().reindex(by.index)
                grand = np.mean(means)
                main = float(np.sum(counts * (by - grand) ** 2) / len(means))
                rows.append({"outcome": outcome, "parameter": name,
                             "method": "grid_main_effect", "S1": main / total,
                             "S1_conf": math.nan})


def _morris_sigma_conf(problem: dict, x: np.ndarray, y: np.ndarray, levels: int,
                       num_resamples: int, conf_level: float, seed: int) -> np.ndarray:
    """Bootstrap half-width of sigma (SALib gives one for mu* only): resample the
    trajectories' elementary effects, as SALib does for mu*. NaN if SALib's
    internals (private functions) are not what this was written against."""
    from scipy.stats import norm

    d = problem["num_vars"]
    try:
        from SALib.analyze import morris

        delta = morris._compute_delta(levels)
        ee = morris._compute_elementary_effects(x, y, d + 1, delta, scaling=False)
    except (AttributeError, TypeError, ValueError):
        return np.full(d, math.nan)
    ee = np.asarray(ee, dtype=float).reshape(d, -1)
    r = ee.shape[1]
    if r < 3:
        return np.full(d, math.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, r, size=(num_resamples, r))
    sigmas = np.stack([ee[:, i].std(axis=1, ddof=1) for i in idx])
    return norm.ppf(0.5 + conf_level / 2.0) * sigmas.std(axis=0, ddof=1)


def plot_indices(analysis: Analysis, path: Path) -> Path:
    """Bars of the indices with their confidence intervals, one panel per outcome."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = analysis.indices
    outcomes = list(dict.fromkeys(df["outcome"]))
    ncol = min(3, len(outcomes))
    nrow = math.ceil(len(outcomes) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol, 3.4 * nrow), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        sub = df[df["outcome"] == outcome]
        x = np.arange(len(sub))
        if analysis.method == "morris":
            bars = [("mu_star", "mu_star_conf", "μ*"), ("sigma", "sigma_conf", "σ")]
        elif "ST" in sub.columns and sub["ST"].notna().any():
            bars = [("S1", "S1_conf", "first order"), ("ST", "ST_conf", "total")]
        else:
            bars = [("S1", "S1_conf", "first order")]
        width = 0.8 / len(bars)
        for k, (col, conf, label) in enumerate(bars):
            err = sub[conf].to_numpy(dtype=float) if conf else None
            if err is not None and not np.isfinite(err).any():
                err = None
            ax.bar(x + (k - (len(bars) - 1) / 2) * width, sub[col].to_numpy(dtype=float),
                   width, yerr=err, capsize=3, label=label)
        ax.set_xticks(x, sub["parameter"], rotation=30, ha="right", fontsize=8)
        share = sub["noise_share"].iloc[0] if "noise_share" in sub else math.nan
        ax.set_title(f"{outcome}" + (f"\n(noise share {share:.2f})" if math.isfinite(share)
                                     else ""), fontsize=9)
        ax.axhline(0, color="black", linewidth=0.5)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    fig.suptitle(f"Sensitivity ({analysis.method}), replicate means, "
                 "error bars: confidence intervals", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def format_table(analysis: Analysis) -> str:
    """The indices as a plain-text table, for the terminal."""
    df = analysis.indices
    if not len(df):
        return "no indices (see the notes)"
    keep = [c for c in ("outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf", "mu_star",
                        "mu_star_conf", "sigma", "sigma_conf", "noise_sd", "noise_share")
            if c in df.columns]
    return df[keep].to_string(index=False, float_format=lambda v: f"{v:.3f}")
