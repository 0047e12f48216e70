"""The baseline's summary numbers must equal the golden file, which only
`scripts/refresh_golden.py` rewrites."""

import json
from pathlib import Path

from sim.golden import summary_numbers

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "baseline_summary.json"


def test_baseline_matches_golden_summary():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    fresh = summary_numbers(ROOT / "scenarios" / "idlib_2015_2018.yaml", golden["seeds"])
    assert fresh["config_sha256"] == golden["config_sha256"], (
        "the baseline scenario changed: run scripts/refresh_golden.py if that was intended")
    for seed, numbers in golden["per_seed"].items():
        assert fresh["per_seed"][seed] == numbers, f"seed {seed} differs from the golden baseline"


def test_golden_file_covers_several_seeds_and_events():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(golden["seeds"]) >= 5
    assert any(n["event_counts"] for n in golden["per_seed"].values())
