"""Sensitivity indices computed from a small sweep on disk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import spec_dict

from sim.cli.main import main
from sim.sweep.runner import run_sweep
from sim.sweep.sensitivity import analyze
from sim.sweep.spec import spec_from_dict

THREE = {"loss_sensitivity": {"range": [0.25, 3.0]}, "ideology_weight": {"range": [0.25, 2.0]},
         "temperature": {"range": [0.2, 1.0]}}
OUTCOMES = ["total_strength", "largest_share", {"name": "first_merger_month"}]


def _sweep(tmp_path, design, replicates=2):
    ls = spec_from_dict(spec_dict(parameters=THREE, design=design, replicates=replicates,
                                  until="2030-09", outcomes=OUTCOMES))
    out = tmp_path / design["type"]
    run_sweep(ls, out, executor="serial", progress=False)
    return out


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    return _sweep(tmp_path_factory.mktemp("sobol"), {"type": "sobol", "n": 8})


def test_sobol_indices_are_finite_with_intervals(sobol_sweep):
    a = analyze(sobol_sweep, num_resamples=200)
    assert a.method == "sobol"
    idx = a.indices[a.indices["outcome"] == "total_strength"]
    assert sorted(idx["parameter"]) == sorted(THREE)
    for col in ("S1", "S1_conf", "ST", "ST_conf", "noise_sd", "points_sd"):
        assert np.isfinite(idx[col].to_numpy()).all(), col
    assert (idx["S1_conf"] >= 0).all() and (idx["ST_conf"] > 0).all()
    # total indices are at least about as large as first-order ones (up to estimator noise)
    assert (idx["ST"] > -0.5).all() and (idx["ST"] < 2.5).all()
    # first_merger_month is NaN without mergers: reported, not silently filled
    assert any("first_merger_month" in n for n in a.notes)
    files = {p.name for p in (sobol_sweep / "sensitivity").iterdir()}
    assert {"indices.csv", "indices.parquet", "noise.csv", "sensitivity.png"} <= files
    on_disk = pd.read_parquet(sobol_sweep / "sensitivity" / "indices.parquet")
    pd.testing.assert_frame_equal(on_disk, a.indices.reset_index(drop=True))


def test_sensitivity_cli(sobol_sweep, capsys):
    assert main(["sensitivity", str(sobol_sweep), "--outcomes", "largest_share",
                 "--resamples", "100", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "largest_share" in out and "ST" in out
    assert main(["sensitivity", str(sobol_sweep), "--outcomes", "nope"]) == 2


def test_morris_and_lhs(tmp_path):
    a = analyze(_sweep(tmp_path, {"type": "morris", "trajectories": 4}), num_resamples=100)
    assert a.method == "morris"
    idx = a.indices[a.indices["outcome"] == "total_strength"]
    assert np.isfinite(idx[["mu_star", "mu_star_conf", "sigma", "sigma_conf"]].to_numpy()).all()
    b = analyze(_sweep(tmp_path, {"type": "latin_hypercube", "n": 40}, replicates=1),
                num_resamples=100, plot=False)
    idx = b.indices[b.indices["outcome"] == "total_strength"]
    assert np.isfinite(idx[["S1", "S1_conf"]].to_numpy()).all()   # n = 40 once divided by 0
    assert b.noise["noise_sd"].isna().all()      # one replicate: no noise estimate


def test_analyze_refuses_an_unfinished_sweep(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"kind": "coalsim-sweep"}')
    assert main(["sensitivity", str(tmp_path)]) == 2
    assert "results.parquet" in capsys.readouterr().err
