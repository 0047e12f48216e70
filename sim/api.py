"""The public Python API: the model as a function `(config, seed) -> trajectory`.

Sweeps, calibration, the dashboard and tests go through these functions and
never reach into model internals.
"""

from __future__ import annotations

from pathlib import Path

from sim.config import Scenario, load_scenario, with_parameters
from sim.model import CoalitionModel
from sim.trajectory import Trajectory

__all__ = ["load_scenario", "simulate", "with_parameters", "CoalitionModel", "Scenario",
           "Trajectory"]


def simulate(config: Scenario | str | Path, seed: int | None = None, *, until: str | None = None,
             rule: str | None = None) -> Trajectory:
    """Run a scenario to its end (or to `until`) and return its trajectory."""
    scenario = config if isinstance(config, Scenario) else load_scenario(config)
    return CoalitionModel(scenario, seed=seed, until=until, rule=rule).run()
