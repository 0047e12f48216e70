"""Agreements that leave groups out set them against the parties: with
`exclusion_weight`, an excluded hegemon attacks within months of a ceasefire
that leaves it out (Nusra after the Feb 2016 cessation of hostilities, JFS after
the Dec 2016 ceasefire and Astana; timeline lines 22, 24, 44-47)."""

from __future__ import annotations

import numpy as np

from fight_log import fights

from sim.config import scenario_from_dict
from sim.model.model import CoalitionModel

AGREEMENT = "2030-07"
SEEDS = range(1, 11)


def scenario(**params):
    factions = [
        {"id": "hard", "name": "Hard", "strength": 8000, "ideology": [4.0, 4.0, 4.0],
         "fronts": {"north": 1.0}},
        {"id": "soft", "name": "Soft", "strength": 2000, "ideology": [2.5, 2.5, 2.5],
         "fronts": {"north": 1.0}, "backers": {"patron": 0.8}},
        {"id": "other", "name": "Other", "strength": 2000, "ideology": [2.5, 2.5, 2.5],
         "fronts": {"north": 1.0}, "backers": {"patron": 0.8}},
    ]
    return scenario_from_dict({
        "name": "exclusion", "start": "2030-01", "end": "2030-10",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "backers": [{"id": "patron", "name": "Patron", "ideal": [2.5, 2.5, 2.5],
                     "tolerance": 1.0, "funding": 1.0}],
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 0.3}}],
        "events": [{"month": AGREEMENT, "type": "shock", "label": "A ceasefire",
                    "excluded": ["hard"], "source": "test"}],
        "parameters": {"hegemony_weight": 2.0, "fight_cost": 8.0, "temperature": 0.5,
                       "coordination_cost": 8.0, "merge_cost": 12.0, **params}})


def test_exclusion_is_set_by_the_agreement_and_fades() -> None:
    model = CoalitionModel(scenario(exclusion_memory=0.5), seed=1)
    while model.month < AGREEMENT:
        model.step()
        assert not model.state.exclusion.any()
    model.step()
    np.testing.assert_allclose(model.state.exclusion, [1.0, 0.0, 0.0])
    model.step()
    np.testing.assert_allclose(model.state.exclusion, [0.5, 0.0, 0.0])


def test_the_excluded_hegemon_strikes_after_the_agreement() -> None:
    plain = [fights(scenario(), s) for s in SEEDS]
    excluded = [fights(scenario(exclusion_weight=10.0), s) for s in SEEDS]
    # Without the term the hegemon's wish to attack stays below the cost: no fight.
    assert sum(bool(f) for f in plain) <= 2
    # With it, no fight before the agreement, and the excluded group attacks a
    # party within two months of it in most seeds.
    assert all(m >= AGREEMENT for run in excluded for m, _ in run)
    struck = [any(m <= "2030-09" and "hard" in actors for m, actors in run) for run in excluded]
    assert sum(struck) >= 8


def test_parties_do_not_fight_each_other_over_it() -> None:
    # (Without the term there are no fights at all: test_the_excluded_hegemon_strikes...)
    for s in SEEDS:
        assert all("hard" in actors for _, actors in fights(scenario(exclusion_weight=10.0), s))
