"""The calibration's goals, measured from its validation files.

Issue 3 sets three goals for the calibrated baseline and one for the
out-of-sample check:

* a combined fit of at least 0.7, median over the 20 validation seeds, on the
  whole period;
* a recall of at least 0.7 on the high-confidence targets: the mean of those
  targets' hit rates over the seeds, which is the mean of each run's recall on
  them (`high_confidence_recall`) except that a target a run cannot score (it
  names a faction the run lacks) counts here as missed;
* the key events reproduced on time in most seeds (each key target matched in
  more than half of the validation seeds);
* out of sample, a held-out fit clearly above both null models: the seeds'
  held-out fits above each null's by a one-sided Wilcoxon signed-rank test at
  the 5 % level (paired by seed for the random-events null; against its single
  value for the frozen null).

Each goal is measured under the scorer's default matching and under strict
matching (docs/scoring.md). Everything is read from the files a calibration
writes (`validation_scores.csv`, `target_hit_rates.csv`), never from live runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

GOAL_FIT = 0.7
GOAL_HIGH_CONFIDENCE_RECALL = 0.7
#: a key event counts as reproduced when more than this share of seeds match it
MOST_SEEDS = 0.5
#: significance level of "clearly above" a null
ALPHA = 0.05

GOAL_COLUMNS = ["goal", "matching", "measured", "goal_value", "met"]


def _confidence(rates: pd.DataFrame, targets_path: str | Path | None) -> pd.Series:
    if "confidence" in rates.columns:
        return rates["confidence"]
    if targets_path is None:
        raise ValueError("the hit rates carry no confidence column: give the targets file")
    from sim.scoring.targets import load_targets

    conf = {t.id: t.confidence for t in load_targets(targets_path).targets}
    return rates["target"].map(conf)


def calibration_goals(scores: pd.DataFrame, rates: pd.DataFrame,
                      targets_path: str | Path | None = None) -> pd.DataFrame:
    """The fit, high-confidence recall and key-event goals of a calibrated set.

    `scores`: a calibration's validation scores (rows of model `calibrated` and
    window `full` are read); `rates`: its target hit rates (`hit`, and `hit_strict`
    where present; `key`; `confidence`, or else `targets_path` to look it up)."""
    full = scores[(scores["model"] == "calibrated") & (scores["window"] == "full")]
    if full.empty:
        raise ValueError("the validation scores have no calibrated rows for the full window")
    key = rates["key"].astype(str).str.lower().isin(["true", "1"])
    high = _confidence(rates, targets_path).eq("high")
    rows = []
    for matching, fit_col, hit_col in (("default", "fit", "hit"),
                                       ("strict", "fit_strict", "hit_strict")):
        if fit_col not in full.columns or hit_col not in rates.columns:
            continue
        fit = float(np.median(full[fit_col].astype(float)))
        rows.append({"goal": f"combined fit, median of {len(full)} seeds", "matching": matching,
                     "measured": round(fit, 3), "goal_value": f">= {GOAL_FIT}",
                     "met": fit >= GOAL_FIT})
        recall = float(rates.loc[high, hit_col].astype(float).mean())
        rows.append({"goal": f"recall on the {int(high.sum())} high-confidence targets",
                     "matching": matching, "measured": round(recall, 3),
                     "goal_value": f">= {GOAL_HIGH_CONFIDENCE_RECALL}",
                     "met": recall >= GOAL_HIGH_CONFIDENCE_RECALL})
        shares = rates.loc[key, hit_col].astype(float)
        n_on_time = int((shares > MOST_SEEDS).sum())
        rows.append({"goal": "key events matched in most seeds", "matching": matching,
                     "measured": f"{n_on_time} of {len(shares)}",
                     "goal_value": f"{len(shares)} of {len(shares)}",
                     "met": n_on_time == len(shares)})
    return pd.DataFrame(rows, columns=GOAL_COLUMNS)


def _wilcoxon_above(values: np.ndarray, reference: np.ndarray) -> float:
    """One-sided p-value that `values` exceed `reference` (paired), 1.0 when every
    difference is zero."""
    from scipy.stats import wilcoxon

    diff = values - reference
    if not np.any(diff != 0):
        return 1.0
    return float(wilcoxon(diff, alternative="greater", zero_method="wilcox").pvalue)


def out_of_sample_goal(scores: pd.DataFrame, window: str = "holdout") -> pd.DataFrame:
    """Held-out fit against the frozen and random-events nulls (one row per null and
    matching): medians, the share of seeds above, the one-sided Wilcoxon p-value and
    whether it is below `ALPHA`."""
    sub = scores[scores["window"] == window]
    model = sub[sub["model"] == "calibrated"].set_index("seed")
    if model.empty:
        raise ValueError(f"the validation scores have no calibrated rows for window '{window}'")
    rows = []
    for matching, col in (("default", "fit"), ("strict", "fit_strict")):
        if col not in sub.columns:
            continue
        ours = model[col].astype(float)
        for null in ("random", "frozen"):
            ref_rows = sub[sub["model"] == null]
            if ref_rows.empty:
                continue
            if null == "frozen":
                ref = pd.Series(float(ref_rows[col].astype(float).iloc[0]), index=ours.index)
            else:
                ref = ref_rows.set_index("seed")[col].astype(float).reindex(ours.index)
            ok = ref.notna() & ours.notna()
            a, b = ours[ok].to_numpy(), ref[ok].to_numpy()
            p = _wilcoxon_above(a, b)
            rows.append({"null": null, "matching": matching,
                         "held_out_median": round(float(np.median(a)), 3),
                         "null_median": round(float(np.median(b)), 3),
                         "mean_margin": round(float(np.mean(a - b)), 3),
                         "seeds_above": f"{int((a > b).sum())} of {len(a)}",
                         "p_value": round(p, 4), "clearly_above": p < ALPHA})
    return pd.DataFrame(rows)


def markdown_table(df: pd.DataFrame) -> str:
    """A plain Markdown table (no optional dependency)."""
    def cell(v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        return str(v)

    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in df.itertuples(index=False)]
    return "\n".join(lines)
