"""Calibration: spec validation, a tiny search end to end, resume, the report."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest
import yaml

from sim.calibration.spec import load_spec, spec_hash
from sim.calibration.study import objective_value, replicate_seeds, trial_seeds
from sim.cli.main import main
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def write_spec(tmp: Path, **changes) -> Path:
    spec = {
        "name": "tiny",
        "scenario": str(ROOT / "scenarios" / "idlib_2015_2018.yaml"),
        "targets": str(ROOT / "calibration" / "targets_2015_2018.yaml"),
        "fit_window": {"start": "2015-01", "end": "2016-12"},
        "holdout_window": {"start": "2017-01", "end": "2018-12"},
        "replicates": 1,
        "root_seed": 5,
        "sampler": "random",
        "budget": {"trials": 2, "minutes": 5},
        "validation_seeds": 2,
        "reselect": {"top": 2, "replicates": 1},
        "parameters": {"temperature": {"low": 0.2, "high": 0.6},
                       "coordination_cost": {"low": 1.0, "high": 6.0}},
    }
    spec.update(changes)
    path = tmp / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize("changes, key", [
    ({"parameters": {"not_a_parameter": {"low": 0, "high": 1}}}, "parameters.not_a_parameter"),
    ({"parameters": {"temperature": {"low": 0.5, "high": 0.1}}}, "parameters.temperature"),
    ({"parameters": {"cohesion_typo": {"low": 0, "high": 1}}}, "parameters.cohesion_typo"),
    ({"parameters": {"temperature": {"low": 0.0, "high": 20.0}}}, "parameters.temperature.high"),
    ({"replicates": 0}, "replicates"),
    ({"sampler": "grid"}, "sampler"),
    ({"scenario": "missing.yaml"}, "scenario"),
    ({"unknown": 1}, "unknown"),
    ({"objective": {"fitness": 1.0}}, "objective.fitness"),
    ({"objective": {"fit": -1.0}}, "objective.fit"),
    ({"objective": {"fit": 0.0}}, "objective"),
])
def test_bad_specs_are_located(tmp_path, changes, key, capsys):
    path = write_spec(tmp_path, **changes)
    with pytest.raises(InputError) as err:
        load_spec(path)
    assert err.value.key == key and err.value.line is not None
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "out" / "study.db").exists()


def test_replicate_seeds_come_from_one_root():
    assert replicate_seeds(5, 3) == replicate_seeds(5, 3)
    assert replicate_seeds(5, 3) != replicate_seeds(6, 3)
    assert len(set(replicate_seeds(5, 8))) == 8


def test_reseeding_changes_the_seeds_by_block_of_trials(tmp_path):
    """Without `reseed_every` every trial runs on the root's seeds; with it, the
    trials of one block share a set and the next block gets another, never the
    reselection's. A study made with one setting does not resume under the other."""
    plain, _ = load_spec(write_spec(tmp_path, replicates=2))
    assert {tuple(trial_seeds(plain, n)) for n in range(7)} == {tuple(replicate_seeds(5, 2))}
    spec, _ = load_spec(write_spec(tmp_path, replicates=2, reseed_every=3))
    blocks = [tuple(trial_seeds(spec, n)) for n in range(7)]
    assert blocks[0] == blocks[1] == blocks[2] != blocks[3]
    assert blocks[3] == blocks[4] == blocks[5] != blocks[6]
    assert len(set(blocks)) == 3
    fresh = set(replicate_seeds(5 + 1, 16))
    assert all(fresh.isdisjoint(b) for b in blocks)
    assert spec_hash(spec) != spec_hash(plain)
    assert main(["calibrate", str(write_spec(tmp_path, reseed_every=0)), "--out",
                 str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out" / "study.db").exists()


def test_tiny_calibration_end_to_end_with_resume(tmp_path, capsys):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    for name in ("study.db", "trials.csv", "summary.json", "best_parameters.yaml", "report.md",
                 "validation_scores.csv", "target_hit_rates.csv", "fit_vs_nulls.png",
                 "target_hit_rates.png", "timeline_seed1.png"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_trials"] == 2
    assert set(summary["parameters"]) == {"temperature", "coordination_cost"}
    best = yaml.safe_load((out / "best_parameters.yaml").read_text())
    assert 0.2 <= best["temperature"] <= 0.6
    report = (out / "report.md").read_text()
    assert "holdout" in report and "frozen" in report and "random" in report
    assert "## Goals" in report and "recall on the" in report and "Wilcoxon" in report
    assert "confidence" in (out / "target_hit_rates.csv").read_text().splitlines()[0]

    # A second call without --resume refuses to overwrite the study.
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    # --resume continues it to the new total, and its search time adds to the first.
    first = summary["search_minutes"]
    assert first > 0
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial",
                 "--resume", "--trials", "3"]) == 0
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / 'study.db'}")
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == 3
    total = json.loads((out / "summary.json").read_text())["search_minutes"]
    assert total > first and study.user_attrs["search_minutes"] == pytest.approx(total)
    # --report-only re-validates without searching and keeps the recorded search time.
    summary = json.loads((out / "summary.json").read_text())
    summary["search_minutes"] = 7.25
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert main(["calibrate", str(spec), "--out", str(out), "--report-only"]) == 0
    assert json.loads((out / "summary.json").read_text())["search_minutes"] == 7.25
    assert "search time 7.2 min" in (out / "report.md").read_text()
    assert len(optuna.load_study(study_name="tiny",
                                 storage=f"sqlite:///{out / 'study.db'}").trials) == 3
    assert study.user_attrs["spec_hash"] == spec_hash(load_spec(spec)[0])
    # A changed spec cannot resume the old study.
    changed = write_spec(tmp_path, replicates=2)
    assert main(["calibrate", str(changed), "--out", str(out), "--resume",
                 "--executor", "serial"]) == 2
    assert "spec changed" in capsys.readouterr().err


def calibrate_from(tmp_path: Path, start_text: str, **spec_changes) -> optuna.Study:
    """Run the tiny calibration from a --start-from file holding `start_text`."""
    spec = write_spec(tmp_path, **spec_changes)
    start = tmp_path / "start.yaml"
    start.write_text(start_text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial",
                 "--start-from", str(start)]) == 0
    return optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / 'study.db'}")


def test_warm_start_evaluates_the_given_parameters_first(tmp_path):
    study = calibrate_from(tmp_path, "temperature: 0.33\ncoordination_cost: 99.0\n",
                           budget={"trials": 1, "minutes": 5})
    first = study.trials[0].params
    assert first["temperature"] == pytest.approx(0.33)
    assert first["coordination_cost"] == pytest.approx(6.0)   # clipped to the spec's range
    spec, start = tmp_path / "spec.yaml", tmp_path / "start.yaml"  # written by calibrate_from
    # Several starting sets, evaluated in the order given.
    second = tmp_path / "second.yaml"
    second.write_text("temperature: 0.5\ncoordination_cost: 2.0\n", encoding="utf-8")
    spec2 = write_spec(tmp_path, budget={"trials": 2, "minutes": 5})
    out2 = tmp_path / "out2"
    assert main(["calibrate", str(spec2), "--out", str(out2), "--executor", "serial",
                 "--start-from", str(start), "--start-from", str(second)]) == 0
    study2 = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out2 / 'study.db'}")
    assert [t.params["temperature"] for t in study2.trials[:2]] == pytest.approx([0.33, 0.5])
    bad = tmp_path / "bad.yaml"
    bad.write_text("not_free: 1.0\n", encoding="utf-8")
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "o2"), "--executor", "serial",
                 "--start-from", str(bad)]) == 2


def test_sampler_seeds_give_independent_searches_and_resume_keeps_theirs(tmp_path):
    spec = write_spec(tmp_path, budget={"trials": 3, "minutes": 5})

    def proposals(out, *extra):
        assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial",
                     *extra]) == 0
        study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / 'study.db'}")
        return [t.params["temperature"] for t in study.trials], study.user_attrs["sampler_seed"]

    default, seed = proposals(tmp_path / "a")
    assert seed == 5                                      # the spec's root_seed
    again, _ = proposals(tmp_path / "b", "--sampler-seed", "5")
    other, seed = proposals(tmp_path / "c", "--sampler-seed", "6")
    assert again == default and other != default and seed == 6
    summary = json.loads((tmp_path / "c" / "summary.json").read_text(encoding="utf-8"))
    assert summary["sampler_seed"] == 6
    assert "(seed 6)" in (tmp_path / "c" / "report.md").read_text(encoding="utf-8")
    # Resuming keeps the seed the study started with; another one is refused.
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "c"), "--executor", "serial",
                 "--resume", "--sampler-seed", "7"]) == 2
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "c"), "--executor", "serial",
                 "--resume", "--trials", "4"]) == 0
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{tmp_path / 'c' / 'study.db'}")
    assert study.user_attrs["sampler_seed"] == 6 and len(study.trials) == 4


def test_the_objective_weighs_the_metrics(tmp_path):
    """By default the search maximises the fit; a spec may weigh other metrics in,
    e.g. the key-event recall, and an objective left at the default keeps the
    hash of studies made before the key existed."""
    result = {"fit": 0.2, "key_recall": 0.5, "precision": float("nan")}
    assert objective_value(result, {"fit": 1.0}) == pytest.approx(0.2)
    assert objective_value(result, {"fit": 1.0, "key_recall": 0.5}) == pytest.approx(0.45)
    assert objective_value(result, {"precision": 1.0}) == 0.0
    plain, _ = load_spec(write_spec(tmp_path))
    same, _ = load_spec(write_spec(tmp_path, objective={"fit": 1.0}))
    weighted, _ = load_spec(write_spec(tmp_path, objective={"fit": 1.0, "key_recall": 1.0}))
    assert spec_hash(plain) == spec_hash(same) != spec_hash(weighted)
    # The study records the weighted objective; the summary keeps the fit apart.
    spec = write_spec(tmp_path, objective={"fit": 1.0, "key_recall": 1.0},
                      budget={"trials": 1, "minutes": 5})
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / 'study.db'}")
    trial = study.trials[0]
    assert trial.value == pytest.approx(trial.user_attrs["fit"] + trial.user_attrs["key_recall"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["best_fit_replicates"] == pytest.approx(trial.user_attrs["fit"])
    assert summary["objective"] == {"fit": 1.0, "key_recall": 1.0}
    assert "Objective maximised" in (out / "report.md").read_text(encoding="utf-8")


def test_reselection_runs_the_best_trials_again_on_fresh_seeds(tmp_path):
    """Against the winner's curse: the search's best trials are run again on
    replicates it never saw, and the best of them on those is the calibrated set."""
    from sim.calibration.objective import evaluate

    spec = write_spec(tmp_path, budget={"trials": 4, "minutes": 5},
                      reselect={"top": 3, "replicates": 2})
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    sel = summary["reselection"]
    assert (sel["top"], sel["replicates"]) == (3, 2)
    cands = sel["candidates"]
    assert len(cands) == 3
    searched = [c["objective_search"] for c in cands]
    assert searched == sorted(searched, reverse=True)          # the search's best first
    pick = max(cands, key=lambda c: c["objective_fresh"])
    assert summary["best_trial"] == pick["trial"]
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / 'study.db'}")
    best = yaml.safe_load((out / "best_parameters.yaml").read_text(encoding="utf-8"))
    assert best == pytest.approx(study.trials[pick["trial"]].params)
    assert summary["best_fit_replicates"] == pytest.approx(
        study.trials[pick["trial"]].user_attrs["fit"])
    # The fresh objective is the fit on seeds the search never used.
    fresh = replicate_seeds(5 + 1, 2)
    assert set(fresh).isdisjoint(replicate_seeds(5, 1))
    again = evaluate({"params": study.trials[cands[0]["trial"]].params, "seeds": fresh,
                      "scenario": str(ROOT / "scenarios" / "idlib_2015_2018.yaml"),
                      "targets": str(ROOT / "calibration" / "targets_2015_2018.yaml"),
                      "start": "2015-01", "end": "2016-12"})
    assert cands[0]["objective_fresh"] == pytest.approx(again["fit"])
    assert "Reselection" in (out / "report.md").read_text(encoding="utf-8")
    # Reselecting does not change what the search is: the study's hash ignores it.
    plain, _ = load_spec(write_spec(tmp_path))
    other, _ = load_spec(write_spec(tmp_path, reselect={"top": 7, "replicates": 30}))
    assert spec_hash(plain) == spec_hash(other)


def test_without_reselection_the_search_best_is_kept(tmp_path):
    spec = write_spec(tmp_path, budget={"trials": 3, "minutes": 5},
                      reselect={"top": 3, "replicates": 0})
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out / 'study.db'}")
    assert "reselection" not in summary
    assert summary["best_trial"] == study.best_trial.number


def test_strict_metrics_are_the_strict_scores_of_the_run():
    """`fit_strict` and `key_recall_strict` are what the scorer gives the same run
    without the entity level; on the calibrated baseline they differ from the
    default ones (its key events come partly through large entities)."""
    from sim.api import load_scenario, simulate
    from sim.calibration.objective import frames, score_trajectory
    from sim.scoring.score import score_frames
    from sim.scoring.targets import load_targets

    root = Path(__file__).resolve().parents[2]
    targets = load_targets(root / "calibration" / "targets_2015_2018.yaml")
    tr = simulate(load_scenario(root / "scenarios" / "idlib_2015_2018.yaml"), seed=1)
    got = score_trajectory(tr, targets)
    ev, mem = frames(tr)
    strict = score_frames(ev, mem, targets, entity_level=False).metrics()
    default = score_frames(ev, mem, targets).metrics()
    assert got["fit_strict"] == pytest.approx(strict["fit"])
    assert got["key_recall_strict"] == pytest.approx(strict["key_recall"])
    assert got["fit"] == pytest.approx(default["fit"])
    assert got["fit_strict"] != pytest.approx(got["fit"])


def test_a_cmaes_search_centres_on_its_start(tmp_path):
    """`sampler: cmaes` runs (its `cmaes` dependency is installed) and, given
    --start-from, searches around that set rather than around the centre."""
    study = calibrate_from(tmp_path, "temperature: 0.22\ncoordination_cost: 1.4\n",
                           sampler="cmaes", budget={"trials": 13, "minutes": 5})
    spec = tmp_path / "spec.yaml"                       # written by calibrate_from
    assert study.trials[0].params == pytest.approx({"temperature": 0.22, "coordination_cost": 1.4})
    def first_generation(study):
        return [t.params for t in study.trials if t.system_attrs.get("cma:generation") == 0]

    sampled = first_generation(study)
    assert len(sampled) == 6                          # CMA-ES's population in two dimensions
    # Step 0.03 of each range around the start: the centre (0.4, 3.5) lies 15 and
    # 14 steps away, so no proposal of the first generation gets near it.
    assert max(p["temperature"] for p in sampled) < 0.3
    assert max(p["coordination_cost"] for p in sampled) < 2.5
    # Without a start the search is centred on the ranges.
    out2 = tmp_path / "out2"
    assert main(["calibrate", str(spec), "--out", str(out2), "--executor", "serial"]) == 0
    study2 = optuna.load_study(study_name="tiny", storage=f"sqlite:///{out2 / 'study.db'}")
    centre = [p["coordination_cost"] for p in first_generation(study2)]
    assert len(centre) == 6 and sum(centre) / len(centre) > 2.5
    # A CMA-ES start must give every free parameter.
    partial = tmp_path / "partial.yaml"
    partial.write_text("temperature: 0.3\n", encoding="utf-8")
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "o3"), "--executor", "serial",
                 "--start-from", str(partial)]) == 2
    assert not (tmp_path / "o3").exists()             # nothing half-written
