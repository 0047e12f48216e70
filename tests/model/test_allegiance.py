"""Merging with a group sworn to a patron that demands allegiance (al-Qaeda and
its Syrian affiliate until July 2016) means swearing the oath too: the
observation's `allegiance[i, j]` is j's dependence on such patrons beyond i's,
and it falls when the patron's hold on its client does (Nusra's uncoupling,
timeline line 27)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.api import simulate
from sim.config import scenario_from_dict
from sim.model.model import CoalitionModel
from sim.model.observe import actors_of, observe
from sim.model.organisations import Ledger
from sim.model.state import initial_state


def scenario(demands: bool = True, **parameters):
    factions = [
        {"id": "affiliate", "name": "Affiliate", "strength": 4000, "ideology": [4.5, 4.5, 4.5],
         "backers": {"centre": 0.4}},
        {"id": "ally", "name": "Ally", "strength": 1000, "ideology": [4.5, 4.5, 4.5],
         "backers": {"centre": 0.1}},
        {"id": "local", "name": "Local", "strength": 1000, "ideology": [4.0, 4.5, 4.5]},
        {"id": "client", "name": "Client", "strength": 1000, "ideology": [2.0, 2.0, 2.0],
         "backers": {"state": 0.8}},
    ]
    return scenario_from_dict({
        "name": "allegiance", "start": "2030-01", "end": "2030-04",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "backers": [
            {"id": "centre", "name": "Centre", "ideal": [4.5, 4.5, 4.5], "tolerance": 1.0,
             "demands_allegiance": demands,
             "policy": [{"month": "2030-03", "clients": {"affiliate": 0.1},
                         "source": "test: the affiliate uncouples"}]},
            {"id": "state", "name": "State", "ideal": [2.0, 2.0, 2.0], "tolerance": 1.0}],
        "parameters": parameters})


def allegiance(sc, merged: tuple[str, str] | None = None):
    st = initial_state(sc)
    key = Ledger(st, [], []).merge(*merged, absorb_ratio=10.0) if merged else None
    actors = actors_of(st)
    obs = observe(st, actors, sc.parameters, np.zeros(0), 0)
    return obs.allegiance, {k: i for i, k in enumerate(actors.keys)}, key


def test_the_oath_is_the_partners_dependence_beyond_ones_own() -> None:
    a, idx, _ = allegiance(scenario())
    i = idx
    assert a[i["local"], i["affiliate"]] == pytest.approx(0.4)
    assert a[i["ally"], i["affiliate"]] == pytest.approx(0.3)    # already sworn 0.1
    assert a[i["client"], i["affiliate"]] == pytest.approx(0.4)  # another backer is no oath
    assert a[i["affiliate"], i["local"]] == 0.0                  # the affiliate swears nothing
    assert a[i["local"], i["ally"]] == pytest.approx(0.1)
    assert a[i["local"], i["client"]] == 0.0                     # 'state' demands no oath
    assert np.all(np.diag(a) == 0.0)


def test_no_oath_without_a_patron_that_demands_it() -> None:
    a, _, _ = allegiance(scenario(demands=False))
    assert not a.any()


def test_an_entity_swears_by_its_strength_weighted_dependence() -> None:
    """Affiliate (4000, 0.4) absorbs Local (1000, none): the entity depends on
    the centre at 0.32, and that is what a newcomer would swear to."""
    a, idx, key = allegiance(scenario(), ("affiliate", "local"))
    assert a[idx["client"], idx[key]] == pytest.approx(0.4 * 4000 / 5000)
    assert a[idx["ally"], idx[key]] == pytest.approx(0.4 * 4000 / 5000 - 0.1)


def test_the_oath_falls_when_the_patron_lets_go() -> None:
    """The 2030-03 policy lowers the affiliate's dependence from 0.4 to 0.1."""
    model = CoalitionModel(scenario(), seed=1)
    seen = []
    for _ in range(4):
        model.step()
        obs, actors = model.last_observation, model.last_actors
        if "affiliate" in actors.keys and "local" in actors.keys:
            i = {k: n for n, k in enumerate(actors.keys)}
            seen.append(round(float(obs.allegiance[i["local"], i["affiliate"]]), 6))
    assert seen[:2] == [0.4, 0.4] and seen[-1] == 0.1


def test_a_policy_can_turn_the_demand_on() -> None:
    sc = scenario(demands=False)
    raw = sc.model_dump()
    raw["backers"][0]["policy"].append({"month": "2030-02", "demands_allegiance": True,
                                        "source": "test"})
    model = CoalitionModel(scenario_from_dict(raw), seed=1)
    model.step()
    assert not model.state.allegiance.any()
    model.step()
    assert model.state.allegiance.tolist() == [True, False]


def test_at_weight_zero_the_oath_changes_nothing() -> None:
    """The default weight leaves every run as before the oath existed."""
    a = simulate(scenario(allegiance_weight=0.0), seed=3)
    b = simulate(scenario(demands=False, allegiance_weight=0.0), seed=3)
    strip = lambda tr: [(e.month, e.type, e.actors) for e in tr.events  # noqa: E731
                        if e.type != "policy"]
    assert strip(a) == strip(b)
