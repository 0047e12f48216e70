"""The search: optuna proposes parameter sets, an executor evaluates them.

optuna's ask/tell interface keeps the search in this process while the
evaluations (replicate runs and scoring) go to any `concurrent.futures`
executor. The study lives in an SQLite file in the output folder, so an
interrupted calibration resumes with `--resume` where it stopped. Trials use
the same replicate seeds (common random numbers), so that trials differ by
their parameters and not by their luck; with `reseed_every` the seeds change
every that many trials, so that a long search does not fit one set's luck.
"""

from __future__ import annotations

import json
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from pathlib import Path

import numpy as np
import optuna
from tqdm import tqdm

from sim.calibration.objective import METRICS, evaluate
from sim.calibration.spec import DEFAULT_OBJECTIVE, CalibrationSpec, spec_hash
from sim.errors import InputError

optuna.logging.set_verbosity(optuna.logging.WARNING)


def replicate_seeds(root: int | list[int], n: int) -> list[int]:
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(root).spawn(n)]


def trial_seeds(spec: CalibrationSpec, number: int) -> list[int]:
    """The replicate seeds of trial `number`: the spec's one set, or with
    `reseed_every` k the set of block `number // k` (blocks never reuse the
    reselection's seeds, drawn from `root_seed + 1`)."""
    if spec.reseed_every is None:
        return replicate_seeds(spec.root_seed, spec.replicates)
    return replicate_seeds([spec.root_seed, 1 + number // spec.reseed_every], spec.replicates)


#: CMA-ES step size, on the search space scaled to [0, 1] per parameter, when it
#: starts from a given set (`--start-from`): a local search around it.
CMA_SIGMA_FROM_START = 0.03


def _sampler(spec: CalibrationSpec, seed: int,
             start: dict[str, float] | None = None) -> optuna.samplers.BaseSampler:
    """optuna's sampler for the spec. CMA-ES (the `cmaes` package) starts from
    `start`, clipped to the ranges, with step `CMA_SIGMA_FROM_START` when one is
    given; else from the centre of the ranges with a sixth of the narrowest."""
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.sampler == "cmaes":
        if start is None:
            return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
        x0 = clip_to_ranges(spec, start)
        with warnings.catch_warnings():
            # optuna 4.9 deprecates `x0`/`sigma0` in favour of OptunaHub (pinned below 6).
            warnings.simplefilter("ignore", FutureWarning)
            return optuna.samplers.CmaEsSampler(
                x0=x0, sigma0=CMA_SIGMA_FROM_START, seed=seed, warn_independent_sampling=False)
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=40)


def clip_to_ranges(spec: CalibrationSpec, params: dict[str, float]) -> dict[str, float]:
    """The spec's free parameters in `params`, clipped to their ranges."""
    return {name: min(max(float(params[name]), p.low), p.high)
            for name, p in spec.parameters.items() if name in params}


def open_study(spec: CalibrationSpec, out: Path, resume: bool,
               sampler_seed: int | None = None,
               start: dict[str, float] | None = None) -> optuna.Study:
    """Create the study in `out` (or reopen it with `resume`).

    `sampler_seed` seeds optuna's sampler (default: the spec's `root_seed`).
    Searches of one spec that differ only in it are independent starts on the
    same replicates, validation seeds and targets. A resumed study keeps the
    seed it was started with. `start` is where a CMA-ES search begins (the
    first `--start-from` set; a resumed search carries on from its own state)."""
    if spec.sampler == "cmaes" and start is not None and not resume:
        missing = sorted(set(spec.parameters) - set(start))
        if missing:
            raise InputError("a CMA-ES search starts from a full set of the spec's free "
                             f"parameters; the start lacks: {', '.join(missing)}")
    db = out / "study.db"
    if db.exists() and not resume:
        raise InputError("a calibration study already exists here; pass --resume to continue "
                         "it or choose another --out", file=str(db))
    if resume and not db.exists():
        raise InputError("nothing to resume: no study.db in this folder", file=str(out))
    out.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(study_name=spec.name, storage=f"sqlite:///{db}",
                                direction="maximize", load_if_exists=resume)
    stored_seed = study.user_attrs.get("sampler_seed")
    if stored_seed is not None and sampler_seed is not None and stored_seed != sampler_seed:
        raise InputError(f"this study was started with --sampler-seed {stored_seed}, not "
                         f"{sampler_seed}; resume it without --sampler-seed or choose another "
                         "--out", file=str(db))
    seed = stored_seed if stored_seed is not None else (
        spec.root_seed if sampler_seed is None else sampler_seed)
    study.set_user_attr("sampler_seed", seed)
    study.sampler = _sampler(spec, seed, start)
    h = spec_hash(spec)
    stored = study.user_attrs.get("spec_hash")
    if stored is None:
        study.set_user_attr("spec_hash", h)
    elif stored != h:
        raise InputError("the calibration spec changed since this study started (free "
                         "parameters, targets, windows, replicates or seeds); start a new "
                         "study with another --out", file=str(db))
    return study


def objective_value(result: dict, weights: dict[str, float]) -> float:
    """The search's objective: the weighted sum of a trial's mean metrics (NaN counts 0)."""
    return float(sum(w * (0.0 if np.isnan(result[k]) else result[k]) for k, w in weights.items()))


def enqueue(study: optuna.Study, spec: CalibrationSpec, params: dict[str, float]) -> None:
    """Make `params` (clipped to the spec's ranges) the next trial: a warm start."""
    study.enqueue_trial(clip_to_ranges(spec, params), skip_if_exists=True)


def _task(spec: CalibrationSpec, base: Path, number: int, params: dict[str, float],
          seeds: list[int]) -> dict:
    """What `evaluate` needs to run and score one parameter set on `seeds`."""
    return {"trial": number, "params": params, "seeds": seeds,
            "scenario": str((base / spec.scenario).resolve()),
            "targets": str((base / spec.targets).resolve()),
            "start": spec.fit_window.start, "end": spec.fit_window.end}


def search(spec: CalibrationSpec, base: Path, study: optuna.Study, executor: Executor,
           workers: int, trials: int, minutes: float) -> None:
    """Run trials until `trials` are complete in total or `minutes` have passed."""
    dists = {name: optuna.distributions.FloatDistribution(p.low, p.high, log=p.log)
             for name, p in spec.parameters.items()}
    done = len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])
    # Trials left running by an interrupted session are marked failed and redone.
    for t in study.trials:
        if t.state == optuna.trial.TrialState.RUNNING:
            study.tell(t.number, state=optuna.trial.TrialState.FAIL)
    deadline = time.monotonic() + 60.0 * minutes
    pending = {}
    failures: list[str] = []
    bar = tqdm(total=trials, initial=min(done, trials), desc=f"calibrate {spec.name}",
               unit="trial", dynamic_ncols=True)
    try:
        while True:
            while (len(pending) < max(1, workers) and done + len(pending) < trials
                   and time.monotonic() < deadline):
                trial = study.ask(dists)
                task = _task(spec, base, trial.number, trial.params,
                             trial_seeds(spec, trial.number))
                pending[executor.submit(evaluate, task)] = trial
            if not pending:
                break
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                trial = pending.pop(fut)
                try:
                    result = fut.result()
                except Exception as err:  # a crashing parameter set is a failed trial
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    failures.append(f"trial {trial.number}: {type(err).__name__}: {err}")
                    bar.write(f"trial {trial.number} failed: {type(err).__name__}: {err}")
                    if len(failures) > max(5, 0.1 * (done + 1)):
                        raise RuntimeError("too many failed trials; first: " + failures[0]) from err
                    continue
                for k in METRICS:
                    trial.set_user_attr(k, result[k])
                trial.set_user_attr("per_seed_fit", result["per_seed_fit"])
                study.tell(trial, objective_value(result, spec.objective))
                done += 1
                bar.update(1)
                bar.set_postfix(best=f"{study.best_value:.3f}")
    finally:
        bar.close()
        for fut, trial in pending.items():
            fut.cancel()
            study.tell(trial, state=optuna.trial.TrialState.FAIL)


def _complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """The complete trials, best objective first (ties: the earlier trial first)."""
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise InputError("the study has no complete trial yet")
    return sorted(complete, key=lambda t: (-t.value, t.number))


def reselect(study: optuna.Study, spec: CalibrationSpec, base: Path,
             executor: Executor) -> tuple[int, list[dict]]:
    """Run the search's `spec.reselect.top` best trials again on fresh replicates
    and return the number of the best by the fresh objective, with one row per
    candidate. A trial chosen for being best on a few noisy replicates is best
    partly by luck (the winner's curse); the fresh replicates are not."""
    candidates = _complete(study)[:spec.reselect.top]
    seeds = replicate_seeds(spec.root_seed + 1, spec.reselect.replicates)
    futures = [executor.submit(evaluate, _task(spec, base, t.number, t.params, seeds))
               for t in candidates]
    rows = []
    for t, fut in zip(candidates, tqdm(futures, desc="reselect", unit="trial",
                                       dynamic_ncols=True)):
        result = fut.result()
        rows.append({"trial": t.number, "objective_search": t.value,
                     "objective_fresh": objective_value(result, spec.objective),
                     "fit_fresh": result["fit"]})
    best = max(rows, key=lambda r: r["objective_fresh"])    # first of equals: search order
    return best["trial"], rows


def summarise(study: optuna.Study, spec: CalibrationSpec, top_fraction: float = 0.1,
              chosen: int | None = None) -> dict:
    """Best parameters and their uncertainty: the spread over the best trials.

    `chosen` is the number of the trial to report as best (default: the search's
    best; see `reselect`)."""
    complete = _complete(study)
    best = complete[0] if chosen is None else study.trials[chosen]
    top = complete[:max(5, int(len(complete) * top_fraction))]
    spread = {}
    for name in spec.parameters:
        vals = np.array([t.params[name] for t in top])
        spread[name] = {"best": best.params[name], "median": float(np.median(vals)),
                        "q05": float(np.quantile(vals, 0.05)), "q95": float(np.quantile(vals, 0.95))}
    fits = [t.user_attrs.get("fit", t.value) for t in top]
    out = {"n_trials": len(complete), "best_trial": best.number,
           "best_fit_replicates": best.user_attrs.get("fit", best.value),
           "best_metrics": {k: best.user_attrs.get(k) for k in METRICS},
           "top_trials": len(top), "top_fit_range": [min(fits), max(fits)],
           "parameters": spread}
    if spec.objective != DEFAULT_OBJECTIVE:
        out["objective"] = dict(spec.objective)
        out["best_objective"] = best.value
    return out


def write_trials(study: optuna.Study, path: Path) -> None:
    df = study.trials_dataframe(attrs=("number", "value", "params", "user_attrs", "state"))
    df.to_csv(path, index=False)


def dump_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, default=float) + "\n", encoding="utf-8")
