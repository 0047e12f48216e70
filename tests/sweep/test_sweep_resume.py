"""Resume: a sweep killed with SIGKILL and resumed gives the uninterrupted table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import PYTHON, REPO, coalsim

from sim.cli.main import main
from sim.sweep.resume import part_paths
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_spec

N_RUNS = 200


@pytest.fixture(scope="module")
def big_spec(tmp_path_factory):
    """200 runs of the teaching scenario, 6 months each."""
    import yaml
    from conftest import spec_dict

    path = tmp_path_factory.mktemp("spec") / "resume.yaml"
    path.write_text(yaml.safe_dump(spec_dict(name="t_resume", until="2030-06",
                                             design={"type": "random", "n": 100}),
                                   sort_keys=False))
    return path


@pytest.fixture(scope="module")
def reference(big_spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "sweep"
    run_sweep(load_spec(big_spec), out, executor="serial", progress=False, flush_rows=40)
    return out


def _all_part_ids(folder):
    ids = np.concatenate([pq.read_table(p, columns=["run_id"]).column("run_id").to_numpy()
                          for _i, p in part_paths(folder)])
    return ids


def test_resume_after_sigkill(big_spec, reference, tmp_path):
    out = tmp_path / "killed"
    cmd = [PYTHON, "-m", "sim.cli.main", "sweep", str(big_spec), "--out", str(out),
           "--executor", "processes", "--workers", "2", "--flush-rows", "10", "--batch", "1",
           "--flush-seconds", "0.5", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(part_paths(out)) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no part was written in time"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)     # the driver and its pool workers
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "results.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"          # never marked finished
    before = _all_part_ids(out)
    assert 0 < len(before) < N_RUNS

    res = coalsim("sweep", big_spec, "--out", out, "--resume", "--executor", "processes",
                  "--workers", "2", "--quiet", timeout=300)
    assert res.returncode == 0, res.stderr
    assert f"({len(before):,} already done)" in res.stdout

    ids = _all_part_ids(out)
    assert sorted(ids.tolist()) == list(range(N_RUNS))      # none missing, none repeated
    got = pd.read_parquet(out / "results.parquet")
    want = pd.read_parquet(reference / "results.parquet")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert (out / "results.parquet").read_bytes() == (reference / "results.parquet").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [s["resume"] for s in manifest["sessions"]] == [True]


def test_half_written_and_corrupt_parts_are_not_trusted(big_spec, reference, tmp_path):
    import shutil

    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    parts = part_paths(out)
    assert len(parts) == 5
    (out / "results.parquet").unlink()
    # a part cut short by a kill never has its final name, but be robust to one that has:
    data = parts[1][1].read_bytes()
    parts[1][1].write_bytes(data[: len(data) // 2])
    parts[3][1].unlink()
    (out / "results" / ".part-00007.parquet.tmp").write_bytes(b"PAR1 half a file")
    with pytest.warns(UserWarning, match="cannot be read"):
        res = run_sweep(load_spec(big_spec), out, executor="serial", progress=False,
                        resume=True)
    assert res.n_skipped == 120 and res.n_ran == 80
    assert not list((out / "results").glob(".*.tmp"))
    assert (out / "results" / (parts[1][1].name + ".corrupt")).exists()
    assert (out / "results.parquet").read_bytes() == (reference / "results.parquet").read_bytes()


def test_resume_refuses_a_changed_spec(big_spec, reference, tmp_path, capsys):
    import shutil

    import yaml

    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    spec = yaml.safe_load(big_spec.read_text())
    spec["parameters"]["backer_pressure"]["range"] = [0.0, 2.0]
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(spec))
    assert main(["sweep", str(changed), "--out", str(out), "--resume", "--executor",
                 "serial"]) == 2
    err = capsys.readouterr().err
    assert "changed since this sweep started" in " ".join(err.split())
    assert "Traceback" not in err


def test_resume_needs_out_and_fresh_runs_need_an_empty_folder(big_spec, reference, capsys):
    assert main(["sweep", str(big_spec), "--resume"]) == 2
    assert "--resume needs --out" in capsys.readouterr().err
    assert main(["sweep", str(big_spec), "--out", str(reference), "--executor", "serial"]) == 2
    assert "not empty" in capsys.readouterr().err


def test_resuming_a_complete_sweep_changes_nothing(big_spec, reference, tmp_path):
    import shutil

    out = tmp_path / "done"
    shutil.copytree(reference, out)
    before = (out / "results.parquet").read_bytes()
    res = run_sweep(load_spec(big_spec), out, resume=True, progress=False)
    assert res.n_ran == 0 and res.n_skipped == N_RUNS
    assert (out / "results.parquet").read_bytes() == before


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("SIGKILL and process groups: Linux")
