"""Parameter sweeps and sensitivity analysis.

A sweep is declared in a YAML spec (`scenarios/experiments/*.yaml`, schema in
`spec.py`), expanded into a design table (`design.py`: grid, random, Latin
hypercube, Sobol'/Saltelli, Morris), run through any
`concurrent.futures.Executor` (`executors.py`: serial, a process pool or Dask)
one summary row per run (`task.py`, outcomes from `outcomes.py`), and written
to a sweep folder as Parquet (`runner.py`, `resume.py`). `sensitivity.py`
computes indices from that folder.

    spec.yaml ─► LoadedSpec ─► Design (one row per run, seeds from the root seed)
                                   │ Task per run (path of the scenario, overrides, seed)
                                   ▼
                           executor.submit(run_task) ─► rows ─► results/part-*.parquet
                                                                   ─► results.parquet
                                                                   ─► sensitivity/

The model is only ever called through `sim.api.simulate`; see `docs/sweeps.md`.
"""

from sim.sweep.design import Design, make_design, run_seeds
from sim.sweep.outcomes import REGISTRY as OUTCOMES
from sim.sweep.spec import LoadedSpec, SweepSpec, load_spec

__all__ = ["Design", "LoadedSpec", "OUTCOMES", "SweepSpec", "load_spec", "make_design",
           "run_seeds"]
