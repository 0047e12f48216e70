"""The public Python API: the model as a function `(config, seed) -> trajectory`.

Sweeps, calibration, the dashboard and tests go through these functions and
never reach into model internals.
"""

from __future__ import annotations

from pathlib import Path

from sim.config import Scenario, load_scenario, with_parameters
from sim.model import CoalitionModel
from sim.trajectory import Trajectory

__all__ = ["load_scenario", "simulate", "state_at", "with_parameters", "CoalitionModel", "Scenario",
           "Trajectory"]


def simulate(config: Scenario | str | Path, seed: int | None = None, *, until: str | None = None,
             rule: str | None = None) -> Trajectory:
    """Run a scenario to its end (or to `until`) and return its trajectory."""
    scenario = config if isinstance(config, Scenario) else load_scenario(config)
    return CoalitionModel(scenario, seed=seed, until=until, rule=rule).run()


def state_at(config: Scenario | str | Path, month: str, seed: int | None = None) -> dict:
    """Run to the end of `month` and return a snapshot of the factions' state:
    `ids`, `strength` (0 once dissolved), `ideology` (on the 1-5 scales),
    `backer_dependence` (n, b), `grievance` (n, n) and `entity` (entity key)."""
    from sim.config.months import MONTH_RE, to_index
    from sim.errors import InputError

    scenario = config if isinstance(config, Scenario) else load_scenario(config)
    if not MONTH_RE.match(month):
        raise InputError(f"expected a month as YYYY-MM, got '{month}'")
    if not scenario.start <= month:
        raise InputError(f"{month} is before the scenario starts ({scenario.start})")
    model = CoalitionModel(scenario, seed=seed, until=max(month, scenario.end))
    for _ in range(to_index(month) - to_index(scenario.start) + 1):
        model.step()
    st = model.state
    return {
        "ids": list(st.ids),
        "strength": st.strength.copy() * st.alive,
        "ideology": 1.0 + 4.0 * st.ideology.copy(),
        "backer_dependence": st.dependence.copy(),
        "grievance": st.grievance.copy(),
        "entity": list(st.actor_of),
    }
