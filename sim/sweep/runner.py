"""Run a sweep through an executor and write its folder.

    runs/sweeps/<name>-<UTC time>/
        manifest.json            written first (status "running"), updated at the end
        design.parquet           written first: one row per run (run_id, point_id,
                                 replicate, seed, parameters)
        spec.yaml                the spec as given
        scenario.resolved.yaml   the scenario every run starts from (what the workers load)
        targets.yaml             a copy of the scenario's targets, when it has some
        results/part-00000.parquet ...   result rows, as they arrive
        results.parquet          at the end: every part, sorted by run_id

Runs are submitted in batches (`run_tasks`): one run per submission at first,
then as many as make about `BATCH_SECONDS` of work, from the mean run time seen
so far (or `batch` runs when given). The runner keeps at most `max_in_flight`
submissions in flight (default 4 per worker) and at most `flush_rows` result
rows in memory: a 100,000-run sweep never holds
its tasks or its results at once. Rows are flushed to a new part every
`flush_rows` rows or `flush_seconds` seconds, each part written under a
temporary name and renamed when complete (see `resume.py`). The final table is
sorted by run_id and written with fixed Parquet options, so that the same spec
gives byte-identical `results.parquet` whatever the executor and however often
the sweep was interrupted and resumed.
"""

from __future__ import annotations

import itertools
import platform
import resource
import shutil
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.config import config_sha256, resolved_yaml
from sim.errors import InputError
from sim.output.runfolder import dependency_versions
from sim.sweep.design import Design, make_design, salib_problem
from sim.sweep.executors import ExecutorHandle, open_executor
from sim.sweep.resume import (DESIGN, MANIFEST, PARTS, RESULTS, atomic_write_bytes,
                              atomic_write_json, check_resumable, clean_temporary,
                              completed_runs, next_part_index, part_path, readable_parts,
                              write_table)
from sim.sweep.spec import ERROR_COLUMN, FIXED_COLUMNS, LoadedSpec
from sim.sweep.task import Job, Task, run_tasks

DEPENDENCIES = ("numpy", "scipy", "pandas", "pyarrow", "SALib", "dask", "distributed", "mesa",
                "pydantic")
#: Stop early when this many runs failed and none went through: something is wrong.
FAIL_FAST = 20


#: Automatic batching aims at submissions of about this many seconds of work each.
BATCH_SECONDS = 0.5
MAX_BATCH = 64


def auto_batch(mean_task_seconds: float) -> int:
    """Runs per submission: enough to amortise the executor's per-task overhead
    (a few ms on a process pool, ~10 ms of driver CPU on Dask), few enough to keep
    the workers evenly busy to the end."""
    if mean_task_seconds <= 0:
        return 1
    return max(1, min(MAX_BATCH, int(BATCH_SECONDS / mean_task_seconds)))


class SweepFailed(RuntimeError):
    """Every run so far failed: the sweep stops rather than fill a table with NaN."""


@dataclass
class SweepResult:
    folder: Path
    n_runs: int
    n_skipped: int          # already done before this session (resume)
    n_ran: int              # run in this session
    n_failed: int           # runs with an error, over the whole sweep
    elapsed: float          # seconds spent running in this session
    peak_rss_mb: float      # peak resident memory of this (driver) process
    task_cpu_s: float = 0.0   # CPU seconds spent inside the tasks of this session
    task_wall_s: float = 0.0  # wall seconds spent inside the tasks of this session

    @property
    def runs_per_second(self) -> float:
        return self.n_ran / self.elapsed if self.elapsed > 0 else float("nan")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM from /proc, else getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if sys.platform != "darwin" else rss / 2**20


def results_schema(ls: LoadedSpec) -> pa.Schema:
    fields = [pa.field(c, pa.int64(), nullable=False) for c in FIXED_COLUMNS]
    fields += [pa.field(p, pa.float64()) for p in ls.parameter_names]
    fields += [pa.field(o, pa.float64()) for o in ls.outcome_columns]
    fields.append(pa.field(ERROR_COLUMN, pa.string()))
    return pa.schema(fields)


def default_out(ls: LoadedSpec, root: Path = Path("runs") / "sweeps") -> Path:
    stamp = _now().strftime("%Y%m%dT%H%M%SZ")
    out = root / f"{ls.name}-{stamp}"
    i = 1
    while out.exists():
        i += 1
        out = root / f"{ls.name}-{stamp}-{i}"
    return out


def _git_commit() -> str | None:
    from sim.output.runfolder import git_commit

    return git_commit()


def _design_table(design: Design) -> pa.Table:
    return pa.Table.from_pandas(design.runs(), preserve_index=False)


def _new_manifest(ls: LoadedSpec, design: Design, spec_hash: str) -> dict[str, Any]:
    return {
        "kind": "coalsim-sweep",
        "name": ls.name,
        "description": ls.spec.description,
        "status": "running",
        "spec_path": ls.path,
        "spec_sha256": spec_hash,
        "spec": ls.spec.model_dump(mode="json", exclude_none=True),
        "scenario": ls.scenario.name,
        "scenario_path": ls.scenario_path,
        "scenario_sha256": config_sha256(ls.scenario),
        "targets_path": ls.targets_path,
        "design": ls.spec.design.model_dump(mode="json"),
        "salib_problem": salib_problem(ls),
        "parameters": ls.parameter_names,
        "outcomes": [{"column": o.column, "name": o.name, "args": dict(o.args)}
                     for o in ls.outcomes],
        "n_points": design.n_points,
        "replicates": design.replicates,
        "n_runs": design.n_runs,
        "root_seed": design.root_seed,
        "seeds": "run r: first 64-bit word of SeedSequence(root_seed).spawn(n_runs)[r]'s "
                 "state, top bit cleared",
        "until": ls.spec.until,
        "period": {"start": ls.first_month, "end": ls.last_month},
        "columns": results_schema(ls).names,
        "coalsim_version": __version__,
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "dependencies": dependency_versions(DEPENDENCIES),
        "created": _now().isoformat(timespec="seconds"),
        "sessions": [],
        "n_failed": None,
        "files": ["manifest.json", "design.parquet", "spec.yaml", "scenario.resolved.yaml",
                  "results/", "results.parquet"] + (["targets.yaml"] if ls.targets_path else []),
    }


def prepare_folder(ls: LoadedSpec, out: Path, design: Design, spec_hash: str) -> dict[str, Any]:
    """Create a new sweep folder: manifest.json and design.parquet first, then the inputs."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("the output folder already exists and is not empty; choose another "
                         "--out, or add --resume to continue the sweep in it", file=str(out))
    out.mkdir(parents=True, exist_ok=True)
    manifest = _new_manifest(ls, design, spec_hash)
    atomic_write_json(out / MANIFEST, manifest)
    write_table(_design_table(design), out / DESIGN)
    text = ls.text if ls.text is not None else \
        __import__("yaml").safe_dump(ls.spec.model_dump(mode="json"), sort_keys=False)
    atomic_write_bytes(out / "spec.yaml", text.encode("utf-8"))
    atomic_write_bytes(out / "scenario.resolved.yaml", resolved_yaml(ls.scenario).encode("utf-8"))
    if ls.targets_path:
        shutil.copyfile(ls.targets_path, out / "targets.yaml")
    (out / PARTS).mkdir(exist_ok=True)
    return manifest


def _tasks(job: Job, runs: pa.Table, done: np.ndarray, params: list[str]) -> Iterator[Task]:
    run_id = runs.column("run_id").to_numpy()
    point = runs.column("point_id").to_numpy()
    rep = runs.column("replicate").to_numpy()
    seed = runs.column("seed").to_numpy()
    values = [runs.column(p).to_numpy() for p in params]
    for i in np.flatnonzero(~done[run_id]):
        yield Task(job=job, run_id=int(run_id[i]), point_id=int(point[i]),
                   replicate=int(rep[i]), seed=int(seed[i]),
                   parameters=tuple((p, float(v[i])) for p, v in zip(params, values)))


def assemble(folder: Path, n_runs: int, schema: pa.Schema) -> pa.Table:
    """Concatenate the parts, sort by run_id, check every run is there once."""
    tables = [pq.read_table(p).select(schema.names).cast(schema)
              for _i, p in readable_parts(folder)]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    table = table.sort_by("run_id")
    ids = table.column("run_id").to_numpy()
    unique, first = np.unique(ids, return_index=True)
    if len(unique) != len(ids):
        warnings.warn(f"{len(ids) - len(unique)} run(s) appear in more than one part; the "
                      "first copy is kept", stacklevel=2)
        table = table.take(pa.array(first))
    if len(unique) != n_runs or (n_runs and (unique[0] != 0 or unique[-1] != n_runs - 1)):
        missing = n_runs - len(unique)
        raise RuntimeError(f"the parts of {folder} hold {len(unique)} of {n_runs} runs "
                           f"({missing} missing); rerun with --resume")
    return table.combine_chunks()


def run_sweep(ls: LoadedSpec, out: str | Path, *, executor: str = "processes",
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              flush_rows: int = 1000, flush_seconds: float = 30.0, progress: bool = True,
              ship_scenario: bool = False, max_in_flight: int | None = None,
              batch: int | None = None, handle: ExecutorHandle | None = None) -> SweepResult:
    """Run (or continue) the sweep `ls` into folder `out`; see the module docstring."""
    out = Path(out)
    if flush_rows < 1:
        raise InputError(f"--flush-rows must be at least 1, got {flush_rows}")
    spec_hash = ls.spec_hash()
    schema = results_schema(ls)
    if resume:
        manifest = check_resumable(out, spec_hash)
        commit = _git_commit()
        if manifest.get("git_commit") and commit and manifest["git_commit"] != commit:
            print(f"warning: the code changed since this sweep started (commit "
                  f"{manifest['git_commit'][:10]} then, {commit[:10]} now); if the model "
                  "changed, runs before and after the resume differ in kind", file=sys.stderr)
        clean_temporary(out)
        runs = pq.read_table(out / DESIGN)
        n_runs = runs.num_rows
        (out / PARTS).mkdir(exist_ok=True)
    else:
        design = make_design(ls)
        manifest = prepare_folder(ls, out, design, spec_hash)
        runs = pq.read_table(out / DESIGN)
        n_runs = design.n_runs
    done = completed_runs(out, n_runs)
    n_skipped = int(done.sum())
    session: dict[str, Any] = {"started": _now().isoformat(timespec="seconds"),
                               "command": sys.argv, "resume": resume,
                               "runs_already_done": n_skipped}

    if ship_scenario:
        import yaml

        scenario_ref: str | dict = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    else:
        scenario_ref = str((out / "scenario.resolved.yaml").resolve())
    targets = str((out / "targets.yaml").resolve()) if (out / "targets.yaml").is_file() else None
    job = Job(scenario=scenario_ref, scenario_sha256=manifest["scenario_sha256"],
              until=ls.spec.until, outcomes=tuple(ls.outcomes), targets=targets)

    part_index = next_part_index(out)
    buffer: list[dict[str, Any]] = []
    n_ran = n_failed_now = n_ok_now = 0
    task_cpu = task_wall = 0.0
    first_error = ""

    def flush() -> None:
        nonlocal part_index
        if not buffer:
            return
        buffer.sort(key=lambda r: r["run_id"])
        write_table(pa.Table.from_pylist(buffer, schema=schema), part_path(out, part_index))
        part_index += 1
        buffer.clear()

    own_handle = handle is None
    t0 = time.monotonic()
    status = "failed"
    bar = None
    try:
        if n_skipped < n_runs:
            if own_handle:
                handle = open_executor(executor, workers, scheduler)
            session["executor"] = handle.description
            from tqdm import tqdm

            tty = sys.stderr.isatty()
            bar = tqdm(total=n_runs, initial=n_skipped, unit="run", desc=ls.name,
                       disable=not progress, file=sys.stderr, smoothing=0.05,
                       mininterval=0.5 if tty else 30.0, dynamic_ncols=True)
            tasks = _tasks(job, runs, done, ls.parameter_names)
            del runs
            pending: set = set()
            exhausted = False
            last_flush = last_cap = time.monotonic()
            limit = max_in_flight or 4 * handle.capacity()
            size = batch or 1
            while True:
                now = time.monotonic()
                if max_in_flight is None and handle.kind == "dask" and now - last_cap > 5.0:
                    limit, last_cap = 4 * handle.capacity(), now
                while not exhausted and len(pending) < limit:
                    chunk = list(itertools.islice(tasks, size))
                    if not chunk:
                        exhausted = True
                        break
                    pending.add(handle.executor.submit(run_tasks, chunk))
                if not pending:
                    break
                timeout = max(0.05, flush_seconds - (time.monotonic() - last_flush))
                finished, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
                n_before = n_ran
                for fut in finished:
                    for row in fut.result():
                        task_cpu += row.pop("_cpu_s", 0.0)
                        task_wall += row.pop("_wall_s", 0.0)
                        buffer.append(row)
                        n_ran += 1
                        if row[ERROR_COLUMN]:
                            n_failed_now += 1
                            first_error = first_error or row[ERROR_COLUMN]
                        else:
                            n_ok_now += 1
                if batch is None and n_ran and handle.kind != "serial":
                    size = auto_batch(task_wall / n_ran)
                if bar is not None and n_ran > n_before:
                    bar.update(n_ran - n_before)
                    if n_failed_now:
                        bar.set_postfix(failed=n_failed_now, refresh=False)
                if n_failed_now >= FAIL_FAST and n_ok_now == 0:
                    raise SweepFailed(f"the first {n_failed_now} runs all failed; the first "
                                      f"error was: {first_error}")
                if len(buffer) >= flush_rows or (buffer and time.monotonic() - last_flush
                                                 >= flush_seconds):
                    flush()
                    last_flush = time.monotonic()
            flush()
        table = assemble(out, n_runs, schema)
        write_table(table, out / RESULTS)
        status = "complete"
        errors = table.column(ERROR_COLUMN).to_pylist()
        manifest["n_failed"] = sum(1 for e in errors if e)
        del table, errors
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        try:
            flush()
        except Exception:  # noqa: BLE001 - keep the original error
            pass
        if bar is not None:
            bar.close()
        if own_handle and handle is not None:
            handle.close()
        elapsed = time.monotonic() - t0
        session.update({"finished": _now().isoformat(timespec="seconds"), "status": status,
                        "runs_this_session": n_ran, "failed_this_session": n_failed_now,
                        "elapsed_s": round(elapsed, 3),
                        "runs_per_second": round(n_ran / elapsed, 3) if elapsed > 0 else None,
                        "task_cpu_s": round(task_cpu, 3), "task_wall_s": round(task_wall, 3),
                        "driver_peak_rss_mb": round(peak_rss_mb(), 1)})
        manifest.setdefault("sessions", []).append(session)
        manifest["status"] = status
        if status == "complete":
            manifest["finished"] = session["finished"]
        atomic_write_json(out / MANIFEST, manifest)
    return SweepResult(folder=out, n_runs=n_runs, n_skipped=n_skipped, n_ran=n_ran,
                       n_failed=int(manifest.get("n_failed") or 0), elapsed=elapsed,
                       peak_rss_mb=peak_rss_mb(), task_cpu_s=task_cpu, task_wall_s=task_wall)
