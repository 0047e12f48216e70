"""One run of a sweep, as a top-level, picklable function.

`run_task(task)` runs the model once through `sim.api.simulate` and returns
ONE summary row (a dict): `run_id, point_id, replicate, seed`, the parameter
values, one float per outcome, and `error` ("" when the run went through, else
the exception's type and message, with every outcome NaN; a failing run never
stops a sweep). Two private keys, `_cpu_s` and `_wall_s` (the task's CPU and
wall time), are taken out by the runner and summed into the manifest, never
written to the results table (they would differ from run to run).

A task carries its scenario as a path (the sweep folder's
`scenario.resolved.yaml`, which every worker must be able to read: a shared
filesystem on a cluster) or as a plain dict (`--ship-scenario`), plus the
sha256 of the resolved config. Each worker process loads and validates the
scenario once and keeps it (`_SCENARIOS`, keyed by that sha256), and loads the
calibration targets once (`_TARGETS`), so that a task costs one `simulate` call
and a few outcome evaluations.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.sweep.outcomes import Context, OutcomeCall

_SCENARIOS: dict[str, Any] = {}
_TARGETS: dict[str, Any] = {}


@dataclass(frozen=True)
class Job:
    """What all tasks of a sweep share."""
    scenario: str | dict[str, Any]          # path of a resolved scenario file, or its content
    scenario_sha256: str
    until: str | None
    outcomes: tuple[OutcomeCall, ...]
    targets: str | None = None              # path of the targets file, for `fit`


@dataclass(frozen=True)
class Task:
    job: Job
    run_id: int
    point_id: int
    replicate: int
    seed: int
    parameters: tuple[tuple[str, float], ...]


def _scenario(job: Job):
    cached = _SCENARIOS.get(job.scenario_sha256)
    if cached is not None:
        return cached
    from sim.config import config_sha256, scenario_from_dict

    if isinstance(job.scenario, dict):
        data, where = job.scenario, "<scenario shipped with the task>"
    else:
        data = yaml.safe_load(Path(job.scenario).read_text(encoding="utf-8"))
        where = job.scenario
    scenario = scenario_from_dict(data, path=f"<{where}>")
    sha = config_sha256(scenario)
    if sha != job.scenario_sha256:
        raise RuntimeError(f"the scenario at {where} changed since the sweep started "
                           f"(sha256 {sha[:12]} instead of {job.scenario_sha256[:12]})")
    _SCENARIOS[job.scenario_sha256] = scenario
    return scenario


def _context(job: Job) -> Context:
    if job.targets is None or not any(o.name == "fit" for o in job.outcomes):
        return Context()
    targets = _TARGETS.get(job.targets)
    if targets is None:
        from sim.scoring import load_targets

        targets = _TARGETS[job.targets] = load_targets(job.targets)
    return Context(targets=targets, targets_path=job.targets)


def run_task(task: Task) -> dict[str, Any]:
    """Run one task and return its summary row."""
    from sim.api import simulate
    from sim.config import with_parameters

    cpu0, wall0 = time.process_time(), time.perf_counter()
    job = task.job
    row: dict[str, Any] = {"run_id": task.run_id, "point_id": task.point_id,
                           "replicate": task.replicate, "seed": task.seed}
    row.update(task.parameters)
    try:
        scenario = _scenario(job)
        if task.parameters:
            scenario = with_parameters(scenario, **dict(task.parameters))
        trajectory = simulate(scenario, task.seed, until=job.until)
        ctx = _context(job)
        values = {o.column: o.evaluate(trajectory, ctx) for o in job.outcomes}
        error = ""
    except Exception as err:  # noqa: BLE001 - one bad run must not stop a sweep
        values = {o.column: math.nan for o in job.outcomes}
        error = f"{type(err).__name__}: {err}"
    row.update(values)
    row["error"] = error
    row["_cpu_s"] = time.process_time() - cpu0
    row["_wall_s"] = time.perf_counter() - wall0
    return row


def run_tasks(tasks: list[Task]) -> list[dict[str, Any]]:
    """Several tasks in one submission (the runner batches short runs): their rows."""
    return [run_task(t) for t in tasks]
