"""Design tables: deterministic, seeded from the root seed, the right shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import spec_dict

from sim.sweep.design import make_design, run_seeds
from sim.sweep.spec import spec_from_dict

TWO = {"backer_pressure": {"range": [0.0, 3.0]}, "ideology_weight": {"range": [0.25, 2.0]},
       "temperature": {"value": 0.5}}

DESIGNS = {
    "grid": ({"type": "grid", "levels": 3}, None),
    "random": ({"type": "random", "n": 7}, None),
    "latin_hypercube": ({"type": "latin_hypercube", "n": 8}, None),
    "sobol": ({"type": "sobol", "n": 8, "second_order": True}, TWO),
    "morris": ({"type": "morris", "trajectories": 5, "levels": 4}, TWO),
}


def _spec(kind, **kw):
    design, params = DESIGNS[kind]
    extra = {"parameters": params} if params else {}
    return spec_from_dict(spec_dict(design=design, **extra, **kw))


@pytest.mark.parametrize("kind", list(DESIGNS))
def test_design_is_deterministic(kind):
    a = make_design(_spec(kind)).runs()
    b = make_design(_spec(kind)).runs()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a["run_id"]) == list(range(len(a)))
    assert (a["run_id"] == a["point_id"] * 2 + a["replicate"]).all()


@pytest.mark.parametrize("kind", ["random", "latin_hypercube", "sobol", "morris"])
def test_root_seed_changes_points_and_seeds(kind):
    a = make_design(_spec(kind)).runs()
    b = make_design(_spec(kind, root_seed=12)).runs()
    assert not np.array_equal(a["seed"], b["seed"])
    if kind != "morris":   # a coarse Morris lattice may repeat itself
        assert not np.array_equal(a["backer_pressure"], b["backer_pressure"])


def test_seeds_come_from_seed_sequence_spawn():
    children = np.random.SeedSequence(11).spawn(10)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1) for c in children]
    assert run_seeds(11, 10).tolist() == expected
    design = make_design(_spec("random"))
    assert design.runs()["seed"].tolist() == run_seeds(11, design.n_runs).tolist()
    assert len(set(expected)) == 10


def test_grid_is_the_full_factorial():
    d = make_design(_spec("grid"))
    pts = d.points
    assert len(pts) == 3 * 3 * 2
    assert sorted(pts["backer_pressure"].unique()) == [0.0, 1.5, 3.0]
    assert sorted(pts["loss_sensitivity"].unique()) == [0.5, 2.0]
    assert (pts["temperature"] == 0.35).all()
    assert not pts.drop(columns="point_id").duplicated().any()


def test_latin_hypercube_is_stratified_and_inside_ranges():
    d = make_design(_spec("latin_hypercube"))
    x = d.points["backer_pressure"].to_numpy()
    assert ((x >= 0.0) & (x <= 3.0)).all()
    bins = np.floor(x / 3.0 * 8).astype(int)
    assert sorted(bins) == list(range(8))          # one point per stratum
    assert set(d.points["loss_sensitivity"]) <= {0.5, 2.0}


def test_sobol_and_morris_sizes():
    assert make_design(_spec("sobol")).n_points == 8 * (2 * 2 + 2)
    assert make_design(_spec("morris")).n_points == 5 * (2 + 1)
    d = make_design(_spec("sobol"))
    assert (d.points["temperature"] == 0.5).all()
    x = d.points["ideology_weight"]
    assert x.between(0.25, 2.0).all()
