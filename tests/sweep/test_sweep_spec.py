"""Sweep specs: bad ones are refused with exit code 2 and a located message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO, spec_dict

from sim.cli.main import main
from sim.errors import InputError
from sim.sweep.outcomes import REGISTRY
from sim.sweep.spec import design_size, load_spec, spec_from_dict

BAD = sorted((Path(__file__).parent / "bad_specs").glob("*.yaml"))


def expected_key(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect-key: "), path
    return first.removeprefix("# expect-key: ").strip()


def test_there_are_enough_bad_specs():
    assert len(BAD) >= 8


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_spec_exits_2_with_key_path(path, capsys):
    code = main(["sweep", str(path), "--dry-run"])
    err = " ".join(capsys.readouterr().err.split())   # the message is wrapped at 100 columns
    assert code == 2, err
    assert f"key '{expected_key(path)}'" in err
    assert path.name in err
    assert "line " in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["teaching_grid", "baseline_lhs", "baseline_sobol"])
def test_shipped_specs_validate(name, capsys):
    spec = REPO / "scenarios" / "experiments" / f"{name}.yaml"
    scenario = yaml.safe_load(spec.read_text())["scenario"]
    if not (spec.parent / scenario).is_file():
        pytest.skip(f"{scenario} does not exist yet")
    assert main(["sweep", str(spec), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "run(s)" in out


def test_dry_run_counts(tmp_path):
    ls = spec_from_dict(spec_dict(design={"type": "grid", "levels": 3}))
    # 3 x 3 (ranges) x 2 (choices) x 1 (value)
    assert design_size(ls.spec) == 18
    ls = spec_from_dict(spec_dict(design={"type": "sobol", "n": 8},
                                  parameters={"backer_pressure": {"range": [0.0, 3.0]},
                                              "ideology_weight": {"range": [0.25, 2.0]}}))
    assert design_size(ls.spec) == 8 * (2 + 2)


def test_spec_hash_tracks_what_matters():
    a = spec_from_dict(spec_dict()).spec_hash()
    assert a == spec_from_dict(spec_dict(description="other words")).spec_hash()
    assert a != spec_from_dict(spec_dict(root_seed=12)).spec_hash()
    params = spec_dict()["parameters"] | {"backer_pressure": {"range": [0.0, 2.0]}}
    assert a != spec_from_dict(spec_dict(parameters=params)).spec_hash()


def test_outcome_columns_and_registry():
    ls = spec_from_dict(spec_dict(outcomes=[
        "n_mergers", {"name": "largest_share_at", "month": "2030-06"},
        {"name": "first_merger_month", "if_never": 12},
        {"name": "n_events", "type": "room_left"},
        {"name": "strength_of", "faction": "olive", "column": "olive_strength"}]))
    assert ls.outcome_columns == ["n_mergers", "largest_share_at_2030_06", "first_merger_month",
                                  "n_events_room_left", "olive_strength"]
    for name in ("first_merger_month", "n_infighting", "n_mergers", "n_splits",
                 "n_rooms_formed", "largest_share_at", "n_actors_at_end", "fit"):
        assert name in REGISTRY and REGISTRY[name].doc


def test_unknown_faction_in_outcome():
    with pytest.raises(InputError) as err:
        spec_from_dict(spec_dict(outcomes=[{"name": "strength_of", "faction": "nusra"}]))
    assert err.value.key == "outcomes[0].faction"


def test_load_spec_resolves_scenario_relative_to_spec():
    ls = load_spec(REPO / "scenarios" / "experiments" / "teaching_grid.yaml")
    assert Path(ls.scenario_path) == REPO / "scenarios" / "teaching" / "four_factions.yaml"
    assert ls.targets_path is None


def test_list_outcomes_and_schema(capsys):
    import json

    assert main(["sweep", "--list-outcomes"]) == 0
    out = capsys.readouterr().out
    assert "largest_share_at(month)" in out and "fit(metric?, start?, end?)" in out
    assert main(["sweep", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"name", "scenario", "parameters", "design", "root_seed",
                                       "outcomes"}
    assert main(["sweep"]) == 2
