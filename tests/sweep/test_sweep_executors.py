"""Serial, process pool (2 workers) and Dask (LocalCluster of 2 workers started here)
give the same results.parquet: same DataFrame, same bytes."""

from __future__ import annotations

import logging
import math

import pandas as pd
import pytest

from sim.sweep.executors import SerialExecutor, open_executor
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_spec


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory):
    import yaml
    from conftest import spec_dict

    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text(yaml.safe_dump(spec_dict(), sort_keys=False))
    return path


@pytest.fixture(scope="module")
def serial_result(spec_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "sweep"
    run_sweep(load_spec(spec_path), out, executor="serial", progress=False, flush_rows=5)
    return out


def _same(a, b):
    pd.testing.assert_frame_equal(pd.read_parquet(a / "results.parquet"),
                                  pd.read_parquet(b / "results.parquet"), check_exact=True)
    assert (a / "results.parquet").read_bytes() == (b / "results.parquet").read_bytes()


def test_serial_table_is_complete(serial_result):
    df = pd.read_parquet(serial_result / "results.parquet")
    assert df["run_id"].tolist() == list(range(12))
    assert (df["error"] == "").all()
    assert df["n_rooms_formed"].notna().all()
    design = pd.read_parquet(serial_result / "design.parquet")
    pd.testing.assert_frame_equal(design, df[design.columns], check_exact=True)


def test_process_pool_matches_serial(spec_path, serial_result, tmp_path):
    out = tmp_path / "sweep"
    res = run_sweep(load_spec(spec_path), out, executor="processes", workers=2,
                    progress=False, flush_rows=3)
    assert res.n_ran == 12
    _same(serial_result, out)


def test_dask_matches_serial(spec_path, serial_result, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        out = tmp_path / "sweep"
        res = run_sweep(load_spec(spec_path), out, scheduler=cluster.scheduler_address,
                        workers=2, progress=False, flush_rows=4)
    assert res.n_ran == 12
    _same(serial_result, out)


def test_serial_executor_is_an_executor():
    ex = SerialExecutor()
    assert ex.submit(pow, 2, 5).result() == 32
    fut = ex.submit(math.sqrt, "x")
    assert isinstance(fut.exception(), TypeError)
    assert list(ex.map(abs, [-1, 2])) == [1, 2]
    ex.shutdown()
    with pytest.raises(RuntimeError):
        ex.submit(abs, 1)
    with open_executor("serial") as h:
        assert h.capacity() == 1


def test_a_failing_run_is_recorded_not_fatal(spec_path, tmp_path, monkeypatch):
    import sim.api

    real = sim.api.simulate

    def flaky(config, seed=None, **kw):
        if seed % 3 == 0:
            raise ValueError("boom")
        return real(config, seed, **kw)

    ls = load_spec(spec_path)
    from sim.sweep.design import make_design

    seeds = make_design(ls).runs()["seed"]
    monkeypatch.setattr(sim.api, "simulate", flaky)
    res = run_sweep(ls, tmp_path / "s", executor="serial", progress=False)
    df = pd.read_parquet(tmp_path / "s" / "results.parquet")
    bad = (seeds % 3 == 0).to_numpy()
    assert res.n_failed == bad.sum() > 0
    assert (df.loc[bad, "error"] == "ValueError: boom").all()
    assert df.loc[bad, "n_rooms_formed"].isna().all()
    assert (df.loc[~bad, "error"] == "").all()


def test_shipping_the_scenario_gives_the_same_table(spec_path, serial_result, tmp_path):
    out = tmp_path / "shipped"
    run_sweep(load_spec(spec_path), out, executor="serial", progress=False, ship_scenario=True)
    _same(serial_result, out)


def test_manifest_records_sessions(serial_result):
    import json

    m = json.loads((serial_result / "manifest.json").read_text())
    assert m["kind"] == "coalsim-sweep" and m["status"] == "complete"
    assert m["n_runs"] == 12 and m["n_failed"] == 0
    s = m["sessions"][0]
    assert s["runs_this_session"] == 12 and s["task_cpu_s"] > 0 and s["driver_peak_rss_mb"] > 0
    assert "_cpu_s" not in pd.read_parquet(serial_result / "results.parquet").columns


def test_batch_sizes(spec_path, serial_result, tmp_path):
    from sim.sweep.runner import MAX_BATCH, auto_batch

    assert auto_batch(0.001) == MAX_BATCH and auto_batch(0.1) == 5 and auto_batch(2.0) == 1
    out = tmp_path / "b5"
    run_sweep(load_spec(spec_path), out, executor="processes", workers=2, batch=5,
              progress=False)
    _same(serial_result, out)


def test_dask_local_cluster_started_by_the_runner(spec_path, serial_result, tmp_path):
    out = tmp_path / "local"
    res = run_sweep(load_spec(spec_path), out, executor="dask", workers=2, progress=False)
    assert res.n_ran == 12
    _same(serial_result, out)
