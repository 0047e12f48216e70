"""Wars polarise: with `camp_weight`, when two groups go to war the bystanders
merge into the camp they stand closer to (January 2017: six factions into Ahrar,
Zenki and the jihadist groups into JFS's HTS; timeline lines 46-51)."""

from __future__ import annotations

from sim.config import scenario_from_dict
from sim.model.model import CoalitionModel

SEEDS = range(1, 11)


def scenario(**params):
    def faction(fid, strength, ideology):
        return {"id": fid, "name": fid.title(), "strength": strength,
                "ideology": [ideology] * 3, "fronts": {"north": 1.0}}
    return scenario_from_dict({
        "name": "camps", "start": "2030-01", "end": "2030-12",
        "ideology_scales": ["x", "y", "z"],
        "factions": [faction("hard", 6000, 4.6), faction("soft", 6000, 1.6),
                     faction("zealots", 800, 4.2), faction("liberals", 800, 2.0)],
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 0.3}}],
        # hard and soft are at war from the start; nobody else is
        "rivalries": [{"a": "hard", "b": "soft", "value": 6.0, "source": "test"}],
        "parameters": {"merge_cost": 2.0, "coordination_cost": 8.0, "fight_cost": 6.0,
                       "grievance_weight": 2.0, "truce_rate": 0.05, "temperature": 0.4,
                       "balancing_weight": 0.0, "protection_weight": 0.0,
                       "hegemony_weight": 0.0, **params}})


def camps(sc, seed: int) -> tuple[bool, bool]:
    """(zealots merged into hard's entity, liberals into soft's) at the end."""
    model = CoalitionModel(sc, seed=seed)
    while not model.finished:
        model.step()
    of = dict(zip(model.state.ids, model.state.actor_of))
    return of["zealots"] == of["hard"], of["liberals"] == of["soft"]


def test_bystanders_join_the_closer_camp() -> None:
    polar = [camps(scenario(camp_weight=40.0), s) for s in SEEDS]
    calm = [camps(scenario(), s) for s in SEEDS]
    assert sum(z and lib for z, lib in polar) >= 7
    assert sum(z or lib for z, lib in calm) <= 3
