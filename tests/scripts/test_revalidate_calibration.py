"""Validating a committed calibration again scores its best parameters on the
model as it is, and a summary that does not fit its spec stops with code 2."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.api import load_scenario, simulate, with_parameters
from sim.calibration.objective import frames
from sim.scoring.score import score_frames
from sim.scoring.targets import load_targets

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "revalidate_calibration", ROOT / "scripts" / "revalidate_calibration.py")
revalidate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(revalidate)

SCENARIO = ROOT / "scenarios" / "idlib_2015_2018.yaml"
TARGETS = ROOT / "calibration" / "targets_2015_2018.yaml"


def _committed(tmp_path: Path, seeds: int = 2) -> Path:
    """A copy of the committed baseline calibration, validated on `seeds` seeds."""
    folder = tmp_path / "calibration"
    folder.mkdir()
    text = (ROOT / "calibration" / "baseline.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^scenario: .*$", f"scenario: {SCENARIO}", text)
    text = re.sub(r"(?m)^targets: .*$", f"targets: {TARGETS}", text)
    text = re.sub(r"(?m)^validation_seeds: .*$", f"validation_seeds: {seeds}", text)
    (folder / "baseline.yaml").write_text(text, encoding="utf-8")
    summary = ROOT / "calibration" / "baseline_summary.json"
    (folder / "baseline_summary.json").write_text(summary.read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    return folder


def test_the_committed_parameters_are_scored_on_the_model_as_it_is(tmp_path: Path) -> None:
    folder = _committed(tmp_path)
    images = tmp_path / "img"
    assert revalidate.main(["baseline", "--calibration", str(folder),
                            "--images", str(images)]) == 0
    scores = pd.read_csv(folder / "baseline_validation_scores.csv")
    model = scores[(scores["model"] == "calibrated") & (scores["window"] == "full")]
    assert sorted(model["seed"]) == [1, 2]
    assert set(scores["model"]) == {"calibrated", "frozen", "random"}
    # The scores are those of the committed parameters, run now.
    summary = json.loads((folder / "baseline_summary.json").read_text(encoding="utf-8"))
    best = {k: v["best"] for k, v in summary["parameters"].items()}
    ev, mem = frames(simulate(with_parameters(load_scenario(SCENARIO), **best), seed=2))
    expected = score_frames(ev, mem, load_targets(TARGETS)).fit
    assert model.set_index("seed").loc[2, "fit"] == pytest.approx(expected)
    rates = pd.read_csv(folder / "baseline_target_hit_rates.csv")
    assert rates["hit"].between(0, 1).all() and len(rates) == len(load_targets(TARGETS).targets)
    for png in ("fit_vs_nulls.png", "target_hit_rates.png", "timeline_seed1.png"):
        assert (images / png).stat().st_size > 0


def test_a_summary_that_is_not_the_spec_s_stops_with_code_2(tmp_path: Path, capsys) -> None:
    folder = _committed(tmp_path)
    path = folder / "baseline_summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["parameters"]["no_such_parameter"] = {"best": 1.0}
    del summary["parameters"]["merge_cost"]
    path.write_text(json.dumps(summary), encoding="utf-8")
    assert revalidate.main(["baseline", "--calibration", str(folder),
                            "--images", str(tmp_path / "img")]) == 2
    err = capsys.readouterr().err
    assert "baseline_summary.json" in err
    assert "not free in the spec: no_such_parameter" in err and "missing: merge_cost" in err
    assert not (folder / "baseline_validation_scores.csv").exists()
    assert not (tmp_path / "img").exists()
