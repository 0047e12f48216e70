"""Cross-check of ``sim.landscape`` against an independent implementation of landscape theory.

Reference: the public repository alexanderfurnas/Landscape_Theory, an R implementation of
Axelrod & Bennett (1993) by another author, and its 11-actor "ISIS Calcs (Axelrod with Furnas)"
landscape. That author's own estimates ("questimated"), NOT a published study: the check is
between two implementations on the same numbers, not of any claim about the actors.

- inputs: ``Actor_data.csv`` (commit b1f3e48d5bcd7dfb652130f29ea596cdb6143b7a) and
  ``Pairwise_propensity_Feb_20.csv`` (commit 80515b487088c7659b82c9fba801424ba25f90c7), transformed
  as ``Landscape_Theory_Calculation_Script.R`` (same commit) does: propensities minus 3, zero
  diagonal, sizes as given -> ``data/furnas_isis_2016.yaml``;
- results: ``Landscape_Results_2016-02-20.csv`` (commit 80515b487088c7659b82c9fba801424ba25f90c7),
  every one of the 1,024 splits with its energy (a sum over ordered pairs, as ours) and a
  local-minimum flag ("no one-actor switch gives a strictly lower energy", our weak minimum);
  exactly one row (891) is flagged TRUE. ``data/furnas_isis_2016_results.csv`` keeps that row, its
  11 one-actor neighbours and 41 rows spread over the energy range.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli.main import main
from sim.landscape import all_energies, energies, find_minima, load_landscape
from sim.landscape.energy import encode

DATA = Path(__file__).parent / "data"
LANDSCAPE = DATA / "furnas_isis_2016.yaml"
RESULTS = DATA / "furnas_isis_2016_results.csv"

IDS = ["us", "russia", "syria", "turkey", "saudi_arabia", "iran", "isis", "hezbollah", "iraqi_kurds",
       "nusra", "iraq"]
# Actor_data.csv, column "strength", in the same actor order.
SIZES = [10, 10, 50, 10, 10, 20, 100, 20, 40, 10, 50]
# Pairwise_propensity_Feb_20.csv as stored (1-5 scale); 0 stands for its empty diagonal.
RAW = [
    [0, 2, 2, 5, 4, 2, 1, 1, 4, 2, 4],
    [2, 0, 4, 2, 3, 3, 1, 3, 2, 2, 4],
    [2, 4, 0, 1, 2, 4, 1, 4, 1, 2, 3],
    [5, 2, 1, 0, 3, 2, 2, 3, 2, 2, 3],
    [4, 3, 2, 3, 0, 1, 1, 3, 3, 2, 3],
    [2, 3, 4, 2, 1, 0, 2, 5, 3, 2, 2],
    [1, 1, 1, 2, 1, 2, 0, 2, 1, 2, 1],
    [1, 3, 4, 3, 3, 5, 2, 0, 3, 2, 3],
    [4, 2, 1, 2, 3, 3, 1, 3, 0, 2, 3],
    [2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 2],
    [4, 4, 3, 3, 3, 2, 1, 3, 3, 2, 0],
]
N_CONFIGURATIONS = 1024  # rows of Landscape_Results_2016-02-20.csv
TOL = 1e-9               # the reference energies are integers, ours sums of integers


def _reference():
    """(row numbers, bloc vectors 0/1, energies, local-minimum flags) from the results subset."""
    with RESULTS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    blocs = np.array([[int(r[a]) - 1 for a in IDS] for r in rows])  # alignment 1 -> bloc 0, 2 -> 1
    return ([int(r["row"]) for r in rows], blocs, np.array([float(r["energy"]) for r in rows]),
            [r["local_min"] == "TRUE" for r in rows])


@pytest.fixture(scope="module")
def land():
    return load_landscape(LANDSCAPE)


def test_file_is_the_reference_input_as_its_script_transforms_it(land):
    assert land.ids == IDS
    assert land.sizes.tolist() == SIZES
    expected = np.array(RAW, dtype=float) - 3.0  # pairwise_scaled <- pairwise - 3
    np.fill_diagonal(expected, 0.0)              # pairwise_scaled[diagonal] <- 0
    assert np.array_equal(land.p, expected)


def test_reference_subset_is_well_formed():
    rows, blocs, _, flags = _reference()
    assert len(set(rows)) == len(rows) and all(1 <= r <= N_CONFIGURATIONS for r in rows)
    assert (blocs[:, 0] == 0).all()  # the reference keeps US in alignment 1
    assert len({encode(b) for b in blocs}) == len(rows)
    assert [r for r, f in zip(rows, flags) if f] == [891]


def test_same_energies_as_the_reference(land):
    _, blocs, ref, _ = _reference()
    assert np.abs(energies(land.sizes, land.p, blocs) - ref).max() <= TOL
    # the chunked enumeration used for minima gives the same numbers
    table = all_energies(land.sizes, land.p)
    assert table.shape == (N_CONFIGURATIONS,)
    codes = [encode(b) for b in blocs]
    assert np.abs(table[codes] - ref).max() <= TOL


@pytest.mark.parametrize("rule", ["energy", "frustration"])
def test_same_local_minima_as_the_reference_and_only_those(land, rule):
    _, blocs, ref, flags = _reference()
    result = find_minima(land.sizes, land.p, rule=rule)
    assert result.n_configurations == N_CONFIGURATIONS
    ours = {m.code for m in result.minima}
    theirs = {encode(b) for b, f in zip(blocs, flags) if f}
    assert ours == theirs  # the reference flags exactly one of its 1,024 rows
    (m,) = result.minima
    assert m.energy == pytest.approx(ref[flags.index(True)], abs=TOL) == -83200.0
    # no configuration the reference calls not-a-minimum is one of ours
    assert not ours & {encode(b) for b, f in zip(blocs, flags) if not f}
    # the minimum's 11 one-actor neighbours are all in the subset, each strictly higher
    neighbours = {m.code ^ (1 << k) for k in range(land.n - 1)} | {m.code ^ (N_CONFIGURATIONS - 1)}
    in_subset = {encode(b): e for b, e in zip(blocs, ref)}
    assert neighbours <= in_subset.keys()
    assert all(in_subset[c] > m.energy for c in neighbours)
    # the only minimum is the end of every descent: its basin is every configuration
    assert m.basin_size == N_CONFIGURATIONS and m.basin_fraction == 1.0
    assert [[land.ids[i] for i in side] for side in m.sides()] == [
        ["us", "russia", "syria", "saudi_arabia", "iran", "hezbollah", "iraqi_kurds", "iraq"],
        ["turkey", "isis", "nusra"]]


def test_cli_json_gives_the_reference_minimum(capsys):
    assert main(["landscape", str(LANDSCAPE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "exact" and data["n_actors"] == 11
    assert data["n_configurations"] == N_CONFIGURATIONS
    assert data["minima"] == [{
        "rank": 1, "energy": -83200.0, "global": True,
        "blocs": [["us", "russia", "syria", "saudi_arabia", "iran", "hezbollah", "iraqi_kurds", "iraq"],
                  ["turkey", "isis", "nusra"]],
        "basin_size": N_CONFIGURATIONS, "basin_fraction": 1.0}]
