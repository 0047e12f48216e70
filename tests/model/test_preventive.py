"""Rivals on the rise are struck before they grow: `rise` measures how far an
actor's strength times its ideological distance rose since last month (a merger,
an absorption, a move away from one's line), and with `preventive_weight` a group
attacks such a rival in the month of its rise (HTS on JTS within a day of the
merger, Feb 2018; HTS on Ahrar after its revolution flag, Jun-Jul 2017; timeline
lines 71-73, 98-99)."""

from __future__ import annotations

import numpy as np
import pytest

from fight_log import fights

from sim.config import scenario_from_dict
from sim.model.model import CoalitionModel
from sim.model.observe import actors_of, pairwise_distance, remember, rise
from sim.model.state import Entity, initial_state, normalise

TURN = "2030-06"
SEEDS = range(1, 11)


def scenario(**params):
    factions = [
        {"id": "hard", "name": "Hard", "strength": 5000, "ideology": [4.0, 4.0, 4.0],
         "fronts": {"north": 1.0}},
        {"id": "soft", "name": "Soft", "strength": 4000, "ideology": [3.4, 3.4, 3.4],
         "fronts": {"north": 1.0}},
        {"id": "other", "name": "Other", "strength": 1500, "ideology": [3.0, 3.0, 3.0],
         "fronts": {"north": 1.0}},
    ]
    return scenario_from_dict({
        "name": "preventive", "start": "2030-01", "end": "2030-09",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 0.3}}],
        # Soft moves away from Hard's line (as Ahrar did in June 2017).
        "events": [{"month": TURN, "type": "shock", "label": "A new flag",
                    "ideology": {"soft": [1.5, 1.5, 1.5]}, "source": "test"}],
        "parameters": {"fight_cost": 8.0, "temperature": 0.5, "coordination_cost": 8.0,
                       "merge_cost": 12.0, **params}})


def test_a_move_away_is_a_rise_in_its_month_only() -> None:
    model = CoalitionModel(scenario(preventive_weight=1.0), seed=1)
    while model.month < TURN:
        model.step()
        # recruitment alone is a rise of a few thousandths
        assert model.last_observation.rise.max() < 0.01
    before = model.last_observation
    model.step()
    obs = model.last_observation
    keys = model.last_actors.keys
    h, s = keys.index("hard"), keys.index("soft")
    p = obs.strength[s] / (obs.strength[h] + obs.strength[s])
    expected = (obs.strength[s] * obs.distance[h, s]
                / (before.strength[s] * before.distance[h, s]) - 1.0)
    assert obs.rise[h, s] == pytest.approx(min(expected, 1.0) * 4 * p * (1 - p))
    assert obs.rise[h, s] > 0.5
    # Soft moved towards nobody's line but away from Hard's and Other's; Hard did not move.
    assert obs.rise[s, h] == pytest.approx(0.0, abs=0.05)
    model.step()
    assert model.last_observation.rise[h, s] == pytest.approx(0.0, abs=0.05)


def test_a_merger_is_a_rise_against_its_largest_predecessor() -> None:
    sc = scenario()
    state = initial_state(sc)
    actors = actors_of(state)
    remember(state, actors, actors.mean(state.ideology))
    # Soft absorbs Other.
    state.entities["E1"] = Entity(id="E1", name="E1", components=[1, 2], formed=0,
                                  cohesion=0.5, generated=True)
    state.actor_of[1] = state.actor_of[2] = "E1"
    state.version += 1
    merged = actors_of(state, actors)
    ideology = merged.mean(state.ideology)
    got = rise(state, merged, ideology, pairwise_distance(ideology))
    h, e = merged.keys.index("hard"), merged.keys.index("E1")
    x = normalise([[4.0] * 3, [3.4] * 3])
    before = 4000.0 * pairwise_distance(x)[0, 1]
    now = 5500.0 * pairwise_distance(ideology)[h, e]
    p = 5500.0 / 10500.0
    assert got[h, e] == pytest.approx(min(now / before - 1.0, 1.0) * 4 * p * (1 - p))
    assert got[h, e] > 0.0
    assert got[e, h] == 0.0 and np.all(np.diag(got) == 0.0)


def test_the_rising_rival_is_struck_in_the_month_of_its_rise() -> None:
    plain = [fights(scenario(), s) for s in SEEDS]
    preventive = [fights(scenario(preventive_weight=12.0), s) for s in SEEDS]
    # Without the term nobody fights.
    assert sum(bool(f) for f in plain) <= 1
    # With it, nobody fights before the turn, and Hard attacks Soft in its month
    # or the next in most seeds.
    assert all(m >= TURN for run in preventive for m, _ in run)
    struck = [any(m <= "2030-07" and actors == {"hard", "soft"} for m, actors in run)
              for run in preventive]
    assert sum(struck) >= 7
