"""Entering an operations room needs the consent of those already in it
(`room_consent`): the observation names them (`joining`, `panel`) the way the
model's coordination step will resolve the proposal."""

from __future__ import annotations

import copy

import numpy as np

from sim.api import simulate, with_parameters
from sim.config import scenario_from_dict
from sim.model.observe import actors_of, coordination_fronts, observe
from sim.model.organisations import Ledger
from sim.model.state import initial_state

INTENSITY = np.array([1.0, 0.2])


def scenario(**params):
    factions = []
    for fid, fronts, x in (("a", {"north": 0.5, "south": 0.5}, 2.0), ("b", {"north": 1.0}, 2.0),
                           ("c", {"south": 1.0}, 2.0), ("d", {"north": 1.0}, 2.0),
                           ("e", {"north": 0.7, "south": 0.3}, 2.0), ("f", {"south": 1.0}, 4.5)):
        factions.append({"id": fid, "name": fid.upper(), "strength": 2000,
                         "ideology": [x, x, x], "fronts": fronts})
    return scenario_from_dict({
        "name": "consent", "start": "2030-01", "end": "2030-12",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 1.0}},
                   {"id": "south", "name": "South", "intensity": {"2030-01": 0.2}}],
        "rooms": [{"id": "r0", "name": "N", "members": ["b", "d"], "front": "north", "source": "test"},
                  {"id": "r1", "name": "S", "members": ["a", "c"], "front": "south", "source": "test"}],
        "parameters": params})


def test_the_panel_is_who_sits_in_the_room_the_coordination_step_would_share() -> None:
    sc = scenario(room_consent=1.0)      # the panel is built only when consent counts
    st = initial_state(sc)
    actors = actors_of(st)
    obs = observe(st, actors, sc.parameters, INTENSITY, 0)
    fronts = coordination_fronts(st, actors, INTENSITY, 0)
    keys = actors.keys
    seen_join = seen_bring = seen_new = False
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            if i == j or obs.same_room[i, j]:
                continue
            before = copy.deepcopy(st)
            led = Ledger(before, [], [])
            front = int(fronts[i, j])
            rooms_b = set(before.rooms_of(b, front))
            led.coordinate(a, b, front)
            shared = [r for r in before.rooms_of(a, front) if b in before.rooms[r].members]
            assert len(shared) == 1, (a, b)
            members = before.rooms[shared[0]].members
            expected = {keys.index(k) for k in members} - {i, j}
            assert set(np.flatnonzero(obs.panel[i, j])) == expected, (a, b)
            assert obs.joining[i, j] == bool(rooms_b), (a, b)
            seen_join |= bool(obs.joining[i, j]) and bool(expected)
            seen_bring |= (not obs.joining[i, j]) and bool(expected)
            seen_new |= not expected
    assert seen_join and seen_bring and seen_new       # the three cases all occurred


def test_without_rooms_nobody_has_a_say() -> None:
    sc = scenario(room_consent=1.0)      # the panel is built only when consent counts
    st = initial_state(sc)
    st.rooms.clear()
    obs = observe(st, actors_of(st), sc.parameters, INTENSITY, 0)
    assert not obs.panel.any() and not obs.joining.any()


def test_consent_keeps_newcomers_out_of_rooms() -> None:
    """Over the same seeds, fewer rooms are entered when every member must agree."""
    sc = scenario(temperature=0.5, coordination_cost=0.5, distance_weight=4.0)

    def entries(consent: float) -> int:
        runs = [simulate(with_parameters(sc, room_consent=consent), seed=s) for s in range(1, 7)]
        return sum(e.type in ("room_joined", "room_formed") for tr in runs for e in tr.events)

    assert entries(1.0) < entries(0.0)
