"""The design table: one row per run, from a validated spec.

Points (parameter values) come from the spec's design:

- `grid`: the Cartesian product, in the order the parameters are written, of
  `levels` evenly spaced values of each `range` (ends included), every value of
  each `choices` and the `value` of fixed ones; the last parameter varies fastest.
- `random`: independent uniform draws (numpy Generator).
- `latin_hypercube`: `scipy.stats.qmc.LatinHypercube`.
- `sobol`: Saltelli's scheme, `SALib.sample.sobol.sample` (scrambled Sobol').
- `morris`: `SALib.sample.morris.sample`.

For random and Latin hypercube designs, a `choices` parameter maps the unit
draw u to choice floor(u·k). The generator of the design is seeded from the
root seed through `SeedSequence([DESIGN_TAG, root_seed])`, which is
independent of the run seeds.

Runs: point p, replicate r has `run_id = p · replicates + r` and the seed
drawn from the run_id-th child of `numpy.random.SeedSequence(root_seed)`
(exactly `SeedSequence(root_seed).spawn(n_points · replicates)[run_id]`): the
first 64-bit word of its state with the top bit cleared, so that it fits the
scenario schema's `seed` (≤ 2^63 − 1). Same spec, same table, on any machine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.sweep.spec import (GridDesign, LatinHypercubeDesign, LoadedSpec, MorrisDesign,
                            RandomDesign, SobolDesign)

DESIGN_TAG = 0xDE5167
_MASK63 = np.uint64(2**63 - 1)


def run_seeds(root_seed: int, n: int) -> np.ndarray:
    """Seeds of runs 0..n-1 as int64, from `SeedSequence(root_seed).spawn(n)`."""
    out = np.empty(n, dtype=np.int64)
    parent = np.random.SeedSequence(root_seed)
    chunk = 65536
    for start in range(0, n, chunk):
        children = parent.spawn(min(chunk, n - start))
        out[start:start + len(children)] = [
            int(c.generate_state(1, dtype=np.uint64)[0] & _MASK63) for c in children]
    return out


def design_seed(root_seed: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([DESIGN_TAG, root_seed])


def salib_problem(ls: LoadedSpec) -> dict | None:
    """The SALib problem of the `range` parameters (for Sobol' and Morris)."""
    names = [n for n, p in ls.spec.parameters.items() if p.kind == "range"]
    if not names:
        return None
    return {"num_vars": len(names), "names": names,
            "bounds": [list(map(float, ls.spec.parameters[n].range)) for n in names]}


def _from_unit(ls: LoadedSpec, u: np.ndarray) -> dict[str, np.ndarray]:
    """Map unit draws (one column per sampled parameter) to parameter values."""
    cols: dict[str, np.ndarray] = {}
    j = 0
    n = u.shape[0]
    for name, p in ls.spec.parameters.items():
        if p.kind == "value":
            cols[name] = np.full(n, float(p.value))
            continue
        x = u[:, j]
        j += 1
        if p.kind == "range":
            lo, hi = p.range
            cols[name] = lo + x * (hi - lo)
        else:
            k = len(p.choices)
            idx = np.minimum((x * k).astype(np.int64), k - 1)
            cols[name] = np.asarray(p.choices, dtype=float)[idx]
    return cols


def _points(ls: LoadedSpec) -> dict[str, np.ndarray]:
    spec, d = ls.spec, ls.spec.design
    params = spec.parameters
    sampled = sum(1 for p in params.values() if p.kind != "value")
    if isinstance(d, GridDesign):
        axes = []
        for p in params.values():
            if p.kind == "range":
                axes.append(np.linspace(p.range[0], p.range[1], d.levels).tolist())
            elif p.kind == "choices":
                axes.append([float(c) for c in p.choices])
            else:
                axes.append([float(p.value)])
        rows = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(axes))
        return {name: rows[:, i].copy() for i, name in enumerate(params)}
    if isinstance(d, RandomDesign):
        rng = np.random.default_rng(design_seed(spec.root_seed))
        return _from_unit(ls, rng.random((d.n, sampled)))
    if isinstance(d, LatinHypercubeDesign):
        from scipy.stats import qmc

        rng = np.random.default_rng(design_seed(spec.root_seed))
        if sampled == 0:
            return _from_unit(ls, np.zeros((d.n, 0)))
        try:
            sampler = qmc.LatinHypercube(d=sampled, scramble=d.scramble,
                                         optimization=d.optimization, rng=rng)
        except TypeError:      # scipy < 1.15 names it `seed`
            sampler = qmc.LatinHypercube(d=sampled, scramble=d.scramble,
                                         optimization=d.optimization, seed=rng)
        return _from_unit(ls, sampler.random(d.n))
    problem = salib_problem(ls)
    seed = int(design_seed(spec.root_seed).generate_state(1)[0])
    if isinstance(d, SobolDesign):
        from SALib.sample import sobol

        x = sobol.sample(problem, d.n, calc_second_order=d.second_order, seed=seed)
    elif isinstance(d, MorrisDesign):
        from SALib.sample import morris

        x = morris.sample(problem, d.trajectories, num_levels=d.levels, seed=seed)
    else:  # pragma: no cover - the schema admits no other design
        raise AssertionError(d)
    cols = {}
    j = 0
    for name, p in params.items():
        if p.kind == "value":
            cols[name] = np.full(x.shape[0], float(p.value))
        else:
            cols[name] = np.asarray(x[:, j], dtype=float)
            j += 1
    return cols


@dataclass
class Design:
    """Design points and runs of a sweep."""
    parameters: list[str]
    points: pd.DataFrame            # point_id + one float64 column per parameter
    replicates: int
    root_seed: int

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    def runs(self) -> pd.DataFrame:
        """One row per run: run_id, point_id, replicate, seed, then the parameters."""
        r = self.replicates
        point = np.repeat(np.arange(self.n_points, dtype=np.int64), r)
        table = {"run_id": np.arange(self.n_runs, dtype=np.int64), "point_id": point,
                 "replicate": np.tile(np.arange(r, dtype=np.int64), self.n_points),
                 "seed": run_seeds(self.root_seed, self.n_runs)}
        for name in self.parameters:
            table[name] = np.repeat(self.points[name].to_numpy(dtype=float), r)
        return pd.DataFrame(table)


def make_design(ls: LoadedSpec) -> Design:
    cols = _points(ls)
    n = len(next(iter(cols.values())))
    points = pd.DataFrame({"point_id": np.arange(n, dtype=np.int64),
                           **{k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}})
    return Design(parameters=list(ls.spec.parameters), points=points,
                  replicates=ls.spec.replicates, root_seed=ls.spec.root_seed)
