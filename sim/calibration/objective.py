"""The calibration objective: run replicates of a parameter set and score them.

`evaluate` is a top-level, picklable function so that any
`concurrent.futures.Executor` (serial, process pool, Dask) can run it; it
caches the loaded scenario and targets per worker process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.api import simulate
from sim.config import load_scenario, with_parameters
from sim.trajectory import EVENT_COLUMNS, MEMBERSHIP_COLUMNS, Trajectory

METRICS = ("fit", "weighted_recall", "family_recall", "key_recall", "high_confidence_recall",
           "precision", "timing_score", "snapshot_entities", "snapshot_rooms", "fit_strict",
           "key_recall_strict", "high_confidence_recall_strict")
#: Metrics of the strict matching (no entity-level similarity; docs/scoring.md),
#: reported beside the default ones and usable in a spec's `objective`.
STRICT = {"fit_strict": "fit", "key_recall_strict": "key_recall",
          "high_confidence_recall_strict": "high_confidence_recall"}


@lru_cache(maxsize=8)
def _scenario(path: str):
    return load_scenario(path)


@lru_cache(maxsize=8)
def _targets(path: str):
    from sim.scoring.targets import load_targets

    return load_targets(path)


def frames(tr: Trajectory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A trajectory as the (events, membership) frames the scorer reads."""
    events = pd.DataFrame([e.row() for e in tr.events], columns=list(EVENT_COLUMNS))
    membership = pd.DataFrame({
        "month": tr.m_month, "faction": tr.m_faction, "entity": tr.m_entity,
        "rooms": tr.m_rooms, "strength": tr.m_strength, "alive": tr.m_alive,
    }, columns=list(MEMBERSHIP_COLUMNS))
    return events, membership


def score_trajectory(tr: Trajectory, targets, start: str | None = None,
                     end: str | None = None) -> dict[str, float]:
    from sim.scoring.score import score_frames

    events, membership = frames(tr)
    return report_metrics(score_frames(events, membership, targets, start=start, end=end),
                          score_frames(events, membership, targets, start=start, end=end,
                                       entity_level=False))


def report_metrics(report, strict_report=None) -> dict[str, float]:
    """The calibration metrics of a `ScoreReport` (and of the same run matched
    strictly, for the `*_strict` metrics), NaN where undefined."""
    def num(metrics, k):
        return float(metrics[k]) if metrics.get(k) is not None else float("nan")

    metrics = report.metrics()
    strict = strict_report.metrics() if strict_report is not None else {}
    return {k: num(strict, STRICT[k]) if k in STRICT else num(metrics, k) for k in METRICS}


def evaluate(task: dict[str, Any]) -> dict[str, Any]:
    """Run `task['seeds']` replicates with `task['params']` and score each.

    Returns the mean of each metric and the per-seed fits."""
    scenario = with_parameters(_scenario(task["scenario"]), **task["params"])
    targets = _targets(task["targets"])
    rows = []
    for seed in task["seeds"]:
        tr = simulate(scenario, seed=int(seed))
        rows.append(score_trajectory(tr, targets, task.get("start"), task.get("end")))
    out: dict[str, Any] = {"trial": task.get("trial"),
                           "per_seed_fit": [r["fit"] for r in rows]}
    for k in METRICS:
        out[k] = float(np.nanmean([r[k] for r in rows]))
    return out
