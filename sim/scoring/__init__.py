"""Scoring simulated trajectories against the documented 2015–2018 trajectory.

* :mod:`sim.scoring.targets` -- load and validate ``calibration/targets_2015_2018.yaml``;
* :mod:`sim.scoring.trajectory` -- read a run folder into events and membership frames;
* :mod:`sim.scoring.match` -- match simulated events to documented targets;
* :mod:`sim.scoring.score` -- metrics and the :class:`ScoreReport`;
* :mod:`sim.scoring.nulls` -- null models (frozen, random events).

Formulas and rules: ``docs/scoring.md``.
"""

from sim.scoring.nulls import frozen, frozen_report, null_scores, random_events
from sim.scoring.score import FIT_WEIGHTS, ScoreReport, score_frames, score_run
from sim.scoring.targets import (BASELINE_IDS, ENDOGENOUS_TYPES, Snapshot, Target, Targets,
                                 find_default_targets, load_targets, parse_targets)
from sim.scoring.trajectory import Run, read_run

__all__ = [
    "BASELINE_IDS", "ENDOGENOUS_TYPES", "FIT_WEIGHTS", "Run", "ScoreReport", "Snapshot",
    "Target", "Targets", "find_default_targets", "frozen", "frozen_report", "load_targets",
    "null_scores", "parse_targets", "random_events", "read_run", "score_frames", "score_run",
]
