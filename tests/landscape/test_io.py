"""Landscape files (validation with line numbers) and the `coalsim landscape` command."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim.cli.main import main
from sim.errors import InputError
from sim.landscape.from_scenario import landscape_from_scenario
from sim.landscape.io import load_landscape

DATA = Path(__file__).parent / "data"

GOOD_HEAD = """\
name: t
actors:
  - {id: a, size: 1}
  - {id: b, size: 2}
  - {id: c, size: 1}
"""


def write(tmp_path, text, name="l.yaml"):
    f = tmp_path / name
    f.write_text(textwrap.dedent(text))
    return f


def error_of(path) -> InputError:
    with pytest.raises(InputError) as info:
        load_landscape(path)
    return info.value


# --- good files ------------------------------------------------------------------------------------

def test_pairs_and_matrix_forms_load():
    land = load_landscape(DATA / "three_actors.yaml")
    assert land.ids == ["a", "b", "c"] and land.name.startswith("Three actors")
    np.testing.assert_array_equal(land.sizes, [1, 2, 3])
    np.testing.assert_array_equal(land.p, [[0, 1, -1], [1, 0, 2], [-1, 2, 0]])
    land = load_landscape(DATA / "two_pairs.yaml")
    assert land.n == 4 and land.p[0, 1] == 1 and land.p[0, 2] == -1


def test_pairs_not_given_are_zero_and_names_are_kept(tmp_path):
    f = write(tmp_path, GOOD_HEAD.replace("{id: b, size: 2}", "{id: b, size: 2, name: Bravo}")
              + "propensities:\n  pairs:\n    - [a, c, 0.5]\n")
    land = load_landscape(f)
    assert land.names == [None, "Bravo", None]
    np.testing.assert_array_equal(land.p, [[0, 0, 0.5], [0, 0, 0], [0.5, 0, 0]])


def test_matrix_diagonal_is_ignored(tmp_path):
    f = write(tmp_path, GOOD_HEAD + "propensities:\n  matrix:\n    - [9, 1, 0]\n    - [1, 9, 0]\n    - [0, 0, 9]\n")
    assert np.all(np.diag(load_landscape(f).p) == 0)


# --- bad files: message, line and key path ---------------------------------------------------------

def test_asymmetric_matrix_file():
    err = error_of(DATA / "bad_asymmetric.yaml")
    assert "symmetric" in err.message
    assert err.line == 10 and err.key == "propensities.matrix[1][0]"
    assert err.file.endswith("bad_asymmetric.yaml")


def test_unknown_actor_in_pairs_file():
    err = error_of(DATA / "bad_pairs.yaml")
    assert "unknown actor id 'zed'" in err.message
    assert err.line == 12 and err.key == "propensities.pairs[3]"
    assert "line 12" in str(err) and "propensities.pairs[3]" in str(err)


PROP = "propensities:\n  pairs:\n    - [a, b, 1]\n"


@pytest.mark.parametrize("text, line, key, words", [
    (GOOD_HEAD + PROP + "colour: red\n", 9, "colour", "unknown key"),
    (GOOD_HEAD.replace("{id: b, size: 2}", "{id: b, size: 2, weight: 3}") + PROP, 4, "actors[1].weight",
     "unknown key"),
    (GOOD_HEAD.replace("{id: b, size: 2}", "{id: no, size: 2}") + PROP, 4, "actors[1].id", "string"),
    (GOOD_HEAD.replace("{id: c, size: 1}", "{id: a, size: 1}") + PROP, 5, "actors[2].id", "duplicate actor"),
    (GOOD_HEAD.replace("{id: b, size: 2}", "{id: b, size: -2}") + PROP, 4, "actors[1].size", "> 0"),
    (GOOD_HEAD.replace("{id: b, size: 2}", "{id: b, size: 0}") + PROP, 4, "actors[1].size", "> 0"),
    (GOOD_HEAD.replace("{id: b, size: 2}", "{id: b, size: two}") + PROP, 4, "actors[1].size", "number"),
    (GOOD_HEAD.replace("{id: b, size: 2}", "{id: b}") + PROP, 4, "actors[1]", "missing 'size'"),
    (GOOD_HEAD + "propensities:\n  pairs:\n    - [a, b, 1]\n    - [b, a, 2]\n", 9, "propensities.pairs[1]",
     "given twice"),
    (GOOD_HEAD + "propensities:\n  pairs:\n    - [a, a, 1]\n", 8, "propensities.pairs[0]", "two different"),
    (GOOD_HEAD + "propensities:\n  pairs:\n    - [a, b]\n", 8, "propensities.pairs[0]", "3 entries"),
    (GOOD_HEAD + "propensities:\n  pairs:\n    - {a: a, b: b, q: 1}\n", 8, "propensities.pairs[0].q",
     "unknown key"),
    (GOOD_HEAD + "propensities:\n  pairs:\n    - [a, b, yes]\n", 8, "propensities.pairs[0]", "number"),
    (GOOD_HEAD + "propensities:\n  pairs:\n    - [a, b, .nan]\n", 8, "propensities.pairs[0]", "finite"),
    (GOOD_HEAD + "propensities:\n  matrix:\n    - [0, 1, 0]\n    - [1, 0]\n    - [0, 0, 0]\n", 9,
     "propensities.matrix[1]", "3 numbers"),
    (GOOD_HEAD + "propensities:\n  matrix:\n    - [0, 1, 0]\n", 7, "propensities.matrix", "3 rows"),
    (GOOD_HEAD + "propensities:\n  matrix: [[0]]\n  pairs: []\n", 6, "propensities", "exactly one"),
    (GOOD_HEAD + "propensities:\n  pairs: []\n  pairs: []\n", 8, "propensities.pairs", "duplicate key"),
    (GOOD_HEAD, 1, "propensities", "missing required key"),
    ("- just\n- a list\n", 1, None, "mapping"),
    (GOOD_HEAD + "propensities: [1, 2\n", 7, None, "not valid YAML"),
    ("name: x\nactors: []\n" + PROP, 2, "actors", "non-empty"),
])
def test_bad_landscape_files(tmp_path, text, line, key, words):
    err = error_of(write(tmp_path, text))
    assert words in err.message
    assert err.line == line
    assert err.key == key


def test_missing_file(tmp_path):
    err = error_of(tmp_path / "nope.yaml")
    assert "no such file" in err.message


# --- scenarios ---------------------------------------------------------------------------------------

def test_scenario_landscape_needs_a_month():
    with pytest.raises(InputError, match="YYYY-MM"):
        landscape_from_scenario(str(DATA / "scenario_stub.yaml"), "2017-13")


def test_scenario_landscape_from_the_simulated_state(capsys):
    """A scenario at a month: the factions alive then, sized by their fighters, with
    propensities from the simulated ideology, backers and grievances."""
    teaching = Path(__file__).resolve().parents[2] / "scenarios" / "teaching" / "four_factions.yaml"
    assert main(["landscape", str(teaching), "--at", "2031-06", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    actors = {a for m in data["minima"] for bloc in m["blocs"] for a in bloc}
    assert actors <= {"vanguard", "crescent", "harbour", "olive"} and len(actors) >= 3
    assert data["method"] == "exact"
    assert sum(m["basin_fraction"] for m in data["minima"]) == pytest.approx(1.0)
    # The same month twice gives the same landscape (the state is seeded).
    assert main(["landscape", str(teaching), "--at", "2031-06", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == data


# --- command line ------------------------------------------------------------------------------------

def test_cli_prints_a_table(capsys):
    assert main(["landscape", str(DATA / "two_pairs.yaml")]) == 0
    out = capsys.readouterr().out
    assert "{a, b} vs {c, d}" in out and "-8" in out and "100.00%" in out and "exact" in out


def test_cli_json(capsys):
    assert main(["landscape", str(DATA / "three_actors.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_configurations"] == 4 and data["method"] == "exact"
    assert data["minima"] == [{"rank": 1, "energy": -2.0, "global": True, "blocs": [["a"], ["b", "c"]],
                               "basin_size": 4, "basin_fraction": 1.0}]


def test_cli_heuristic_is_seeded(capsys):
    args = ["landscape", str(DATA / "two_pairs.yaml"), "--heuristic", "--seed", "3", "--starts", "200", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert first["method"] == "heuristic" and first["seed"] == 3 and first["minima"][0]["hits"] == 200


@pytest.mark.parametrize("args, words", [
    (["bad_pairs.yaml"], "line 12"),
    (["bad_asymmetric.yaml"], "symmetric"),
    (["scenario_stub.yaml"], "--at"),
    (["two_pairs.yaml", "--at", "2017-01"], "scenarios only"),
    (["missing.yaml"], "no such file"),
    (["two_pairs.yaml", "--starts", "0"], "--starts"),
])
def test_cli_bad_input_exits_2(capsys, args, words):
    assert main(["landscape", str(DATA / args[0]), *args[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err.replace("\n", " ") and "Traceback" not in err


def test_cli_scenario_with_month_validates_the_scenario(capsys):
    # The stub is scenario-shaped but not a valid scenario: the scenario's own
    # validation answers, with exit 2 and the key.
    assert main(["landscape", str(DATA / "scenario_stub.yaml"), "--at", "2017-01"]) == 2
    assert "key 'name'" in capsys.readouterr().err


def test_cli_help():
    with pytest.raises(SystemExit) as info:
        main(["landscape", "--help"])
    assert info.value.code == 0


def test_scenario_landscape_through_a_stand_in_core(monkeypatch):
    """The sim.api contract, with stand-ins for load_scenario/state_at (the real state_at may not exist)."""
    import sim.api

    state = {
        "ids": ["x", "y", "dead", "z"],
        "strength": [100.0, 50.0, 0.0, 25.0],
        "ideology": [[0.0], [1.0], [0.5], [0.5]],     # the model's [0, 1] scale
        "backer_dependence": [[1.0], [1.0], [0.0], [0.0]],
        "grievance": np.zeros((4, 4)),
    }
    monkeypatch.setattr(sim.api, "load_scenario", lambda path: {"path": path}, raising=False)
    monkeypatch.setattr(sim.api, "state_at", lambda config, month, seed: state, raising=False)
    land = landscape_from_scenario(str(DATA / "scenario_stub.yaml"), "2016-07")
    assert land.ids == ["x", "y", "z"]
    np.testing.assert_allclose(land.sizes, [100, 50, 25])
    # x-y: shared backer 1 - distance 1 = 0; x-z: -0.5; y-z: -0.5
    np.testing.assert_allclose(land.p, [[0, 0, -0.5], [0, 0, -0.5], [-0.5, -0.5, 0]])
