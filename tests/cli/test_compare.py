"""`coalsim compare`: scenarios run on the same seeds, measured and set side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.cli.main import main
from sim.compare import EVENT_TYPES, compare

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "idlib_2015_2018.yaml"
ALLOW = ROOT / "scenarios" / "counterfactuals" / "backers_allow_merger.yaml"
TEACHING = ROOT / "scenarios" / "teaching" / "four_factions.yaml"


def test_a_scenario_against_its_own_copy_differs_by_exactly_nothing(tmp_path) -> None:
    """Common random numbers: the same scenario on the same seeds gives the same
    runs, so every difference is 0 with a zero-width interval."""
    copy = tmp_path / "copy.yaml"
    copy.write_text(TEACHING.read_text(encoding="utf-8"), encoding="utf-8")
    result = compare([TEACHING, copy], [1, 2, 3, 4])
    assert result.labels[1] == result.labels[0] + "#2"
    assert len(result.runs) == 8 and result.key_targets == [] and result.targets is None
    s = result.summary().set_index("measure")
    diff = f"{result.labels[1]} - {result.labels[0]}"
    assert (s[diff] == 0).all() and (s[diff + " low"] == 0).all() and (s[diff + " high"] == 0).all()
    assert {f"events:{k}" for k in EVENT_TYPES} <= set(s.index)


def test_a_counterfactual_is_measured_against_the_documented_record(tmp_path) -> None:
    result = compare([BASELINE, ALLOW], [1, 2, 3, 4])
    runs = result.runs
    assert list(runs.scenario.unique()) == ["idlib_2015_2018", "backers_allow_merger"]
    assert list(runs.seed[:4]) == [1, 2, 3, 4]
    assert "hit:jaf_formed" in runs and "jaf_formed" in result.key_targets
    assert runs.fit.between(0, 1).all() and runs.largest_share_at_end.between(0, 1).all()
    s = result.summary().set_index("measure")
    d = "backers_allow_merger - idlib_2015_2018"
    # the summary's difference is the mean of the paired per-seed differences
    a = runs[runs.scenario == "idlib_2015_2018"].set_index("seed").fit
    b = runs[runs.scenario == "backers_allow_merger"].set_index("seed").fit
    assert s.loc["fit", d] == pytest.approx(float((b - a).mean()))
    assert s.loc["fit", d + " low"] <= s.loc["fit", d] <= s.loc["fit", d + " high"]
    text = result.to_text()
    assert "key targets reproduced" in text and "difference: backers_allow_merger" in text
    out = result.write(tmp_path / "cmp")
    assert sorted(p.name for p in out.iterdir()) == ["compare.png", "runs.csv", "summary.csv"]
    assert np.isfinite(s.loc["fit", "idlib_2015_2018"])


def test_cli_compare_prints_and_writes(capsys, tmp_path) -> None:
    out = tmp_path / "cmp"
    assert main(["compare", str(TEACHING), str(TEACHING), "--seeds", "2", "--executor", "serial",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Scenarios compared on seeds 1..2" in text and (out / "summary.csv").exists()


@pytest.mark.parametrize("args, phrase", [
    ([str(TEACHING)], "at least two scenario files"),
    ([str(TEACHING), str(TEACHING), "--seeds", "0"], "--seeds must be at least 1"),
    ([str(TEACHING), str(ROOT / "tests" / "broken" / "unknown_top_key.yaml")], "unknown"),
])
def test_cli_compare_bad_input_exits_2(capsys, tmp_path, args, phrase) -> None:
    out = tmp_path / "never"
    assert main(["compare", *args, "--executor", "serial", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert phrase in err and "Traceback" not in err and not out.exists()


def test_cli_compare_refuses_a_non_empty_out(capsys, tmp_path) -> None:
    (tmp_path / "x.txt").write_text("keep", encoding="utf-8")
    assert main(["compare", str(TEACHING), str(TEACHING), "--executor", "serial",
                 "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err and (tmp_path / "x.txt").exists()
