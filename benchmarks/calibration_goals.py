"""The calibration's goals (issue 3), measured from the committed validation files.

    .venv/bin/python benchmarks/calibration_goals.py [--calibration DIR] [--out-of-sample DIR]

By default it reads the committed files of the adopted calibration:
``calibration/baseline_validation_scores.csv`` and
``calibration/baseline_target_hit_rates.csv`` (20 validation seeds of the
calibrated baseline, the nulls), and ``calibration/out_of_sample_validation_scores.csv``.
``--calibration DIR`` and ``--out-of-sample DIR`` read a ``coalsim calibrate`` output
folder instead (its ``validation_scores.csv`` and ``target_hit_rates.csv``).

Goals: combined fit >= 0.7 (median over the seeds); recall >= 0.7 on the
high-confidence targets; every key event matched in most seeds; held-out fit
clearly above both nulls (one-sided Wilcoxon signed-rank test, p < 0.05). The
rules are in ``sim/calibration/goals.py``. Exit code 0 whether or not the goals
are met: this reports, it does not gate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibration.goals import (  # noqa: E402
    calibration_goals,
    markdown_table,
    out_of_sample_goal,
)

CAL = ROOT / "calibration"
TARGETS = CAL / "targets_2015_2018.yaml"


def _shown(path: Path) -> Path:
    path = path.resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calibration", type=Path, help="a calibration output folder")
    ap.add_argument("--out-of-sample", type=Path, help="an out-of-sample calibration folder")
    args = ap.parse_args(argv)
    if args.calibration:
        scores = args.calibration / "validation_scores.csv"
        rates = args.calibration / "target_hit_rates.csv"
    else:
        scores = CAL / "baseline_validation_scores.csv"
        rates = CAL / "baseline_target_hit_rates.csv"
    oos = (args.out_of_sample / "validation_scores.csv" if args.out_of_sample
           else CAL / "out_of_sample_validation_scores.csv")
    for path in (scores, rates, oos):
        if not path.is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    print(f"Calibrated baseline ({_shown(scores)})")
    print()
    print(markdown_table(calibration_goals(pd.read_csv(scores), pd.read_csv(rates), TARGETS)))
    print()
    print(f"Out of sample, held-out window ({_shown(oos)})")
    print()
    print(markdown_table(out_of_sample_goal(pd.read_csv(oos))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
