"""Refresh the golden baseline summary (tests/golden/baseline_summary.json).

Run this only when a change to the model or the baseline scenario is meant to
change its results, and say so in the commit message:

    .venv/bin/python scripts/refresh_golden.py
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.golden import GOLDEN_SEEDS, summary_numbers

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "golden" / "baseline_summary.json"


def main() -> None:
    numbers = summary_numbers(ROOT / "scenarios" / "idlib_2015_2018.yaml", GOLDEN_SEEDS)
    OUT.write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
