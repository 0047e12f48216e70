"""Infighting waits for lulls: with `fight_restraint`, the wish to attack falls
with the attacker's front pressure (presence-weighted intensity this month), so
that fights start when the fronts are quiet (the 2017 ceasefires, Astana)."""

from __future__ import annotations

import numpy as np

from sim.config import scenario_from_dict
from sim.model.model import CoalitionModel

OFFENSIVE_ENDS = "2030-07"


def scenario(**params):
    factions = [
        {"id": "hard", "name": "Hard", "strength": 8000, "ideology": [4.5, 4.5, 4.5],
         "fronts": {"north": 1.0}},
        {"id": "soft", "name": "Soft", "strength": 1500, "ideology": [2.0, 2.0, 2.0],
         "fronts": {"north": 0.5, "south": 0.5}, "backers": {"patron": 0.8}},
    ]
    return scenario_from_dict({
        "name": "lulls", "start": "2030-01", "end": "2030-12",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "backers": [{"id": "patron", "name": "Patron", "ideal": [2.0, 2.0, 2.0],
                     "tolerance": 1.0, "funding": 1.0}],
        "fronts": [{"id": "north", "name": "North",
                    "intensity": {"2030-01": 1.5, OFFENSIVE_ENDS: 0.1}},
                   {"id": "south", "name": "South", "intensity": {"2030-01": 0.4}}],
        "parameters": {"hegemony_weight": 12.0, "fight_cost": 2.0, "temperature": 0.5,
                       "coordination_cost": 6.0, "merge_cost": 12.0, **params}})


def first_fight(sc, seed: int) -> str | None:
    model = CoalitionModel(sc, seed=seed)
    while not model.finished:
        model.step()
    months = [e.month for e in model.trajectory.events if e.type == "infighting_started"]
    return min(months) if months else None


def test_pressure_is_this_months_intensity_where_one_fights() -> None:
    model = CoalitionModel(scenario(), seed=1)
    model.step()
    np.testing.assert_allclose(model.state.pressure, [1.5, 0.5 * 1.5 + 0.5 * 0.4])
    while model.month < OFFENSIVE_ENDS:
        model.step()
    model.step()
    np.testing.assert_allclose(model.state.pressure, [0.1, 0.5 * 0.1 + 0.5 * 0.4])


def test_restrained_hegemons_wait_for_the_lull() -> None:
    seeds = range(1, 11)
    free = [first_fight(scenario(), s) for s in seeds]
    restrained = [first_fight(scenario(fight_restraint=10.0), s) for s in seeds]
    # Without restraint the hegemon attacks during the offensive in most seeds ...
    assert sum(m is not None and m < OFFENSIVE_ENDS for m in free) >= 7
    # ... with it, never during the offensive, and still in the lull in most seeds.
    assert all(m is None or m >= OFFENSIVE_ENDS for m in restrained)
    assert sum(m is not None for m in restrained) >= 7
