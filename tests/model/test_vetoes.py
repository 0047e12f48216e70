"""A backer's veto follows its client into a merged entity: the entity may not
merge with a group the backer finds unwelcome, however many other groups it
holds (Ahrar's backers blocked its merger with HTS, seed 000)."""

from __future__ import annotations

import numpy as np

from sim.config import scenario_from_dict
from sim.model.observe import actors_of, observe
from sim.model.organisations import Ledger
from sim.model.state import initial_state


def scenario(veto_threshold: float = 0.5):
    factions = [
        {"id": "client", "name": "Client", "strength": 1000, "ideology": [2.0, 2.0, 2.0],
         "backers": {"patron": 0.6}},
        {"id": "other", "name": "Other", "strength": 4000, "ideology": [2.0, 2.0, 2.0]},
        {"id": "third", "name": "Third", "strength": 1000, "ideology": [2.0, 2.0, 2.0]},
        {"id": "jihadi", "name": "Jihadi", "strength": 2000, "ideology": [4.5, 4.5, 4.5],
         "designated": True},
    ]
    return scenario_from_dict({
        "name": "vetoes", "start": "2030-01", "end": "2030-03",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "backers": [{"id": "patron", "name": "Patron", "ideal": [2.0, 2.0, 2.0],
                     "tolerance": 1.0, "veto_mergers": True}],
        "parameters": {"veto_threshold": veto_threshold}})


def vetoed(sc, merged: tuple[str, str] | None):
    st = initial_state(sc)
    led = Ledger(st, [], [])
    key = led.merge(*merged, absorb_ratio=10.0) if merged else None
    actors = actors_of(st)
    obs = observe(st, actors, sc.parameters, np.zeros(0), 0)
    idx = {k: i for i, k in enumerate(actors.keys)}
    return obs.vetoed, idx, key


def test_the_client_alone_is_vetoed_from_the_designated_group() -> None:
    v, idx, _ = vetoed(scenario(), None)
    assert v[idx["client"], idx["jihadi"]] and v[idx["jihadi"], idx["client"]]
    assert not v[idx["other"], idx["jihadi"]]          # no vetoing backer
    assert not v[idx["client"], idx["other"]]          # the patron welcomes Other


def test_the_veto_follows_the_client_into_an_entity() -> None:
    """Client (dependence 0.6) and Other (4000 fighters, no backer) merge: the
    entity's strength-weighted dependence is 0.12, below the threshold of 0.5,
    but the patron still vetoes for its client."""
    v, idx, key = vetoed(scenario(), ("client", "other"))
    assert key in idx and "client" not in idx
    assert v[idx[key], idx["jihadi"]] and v[idx["jihadi"], idx[key]]
    # An entity without the client is free to merge with it.
    v, idx, key = vetoed(scenario(), ("other", "third"))
    assert not v[idx[key], idx["jihadi"]]
    # ... and a threshold above the client's dependence lifts the veto.
    v, idx, key = vetoed(scenario(veto_threshold=0.7), ("client", "other"))
    assert not v[idx[key], idx["jihadi"]]
