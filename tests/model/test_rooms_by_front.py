"""Operations rooms coordinate one front each: an actor may be in one room per
front, losses are shared only on the room's front, and the room an actor may
leave is the one it is least attached to."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import scenario_from_dict
from sim.model.battlefield import battlefield
from sim.model.model import CoalitionModel
from sim.model.observe import actors_of, observe
from sim.model.organisations import Ledger
from sim.model.state import initial_state
from sim.rules.utility import WeightedUtility

NORTH, SOUTH = 0, 1


def scenario(rooms=(), **params):
    factions = []
    for fid, fronts in (("a", {"north": 0.5, "south": 0.5}), ("b", {"north": 1.0}),
                        ("c", {"south": 1.0}), ("d", {"north": 1.0}), ("e", {"north": 1.0})):
        factions.append({"id": fid, "name": fid.upper(), "strength": 2000,
                         "ideology": [2.0, 2.0, 2.0], "fronts": fronts})
    return scenario_from_dict({
        "name": "fronts", "start": "2030-01", "end": "2030-06",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 1.0}},
                   {"id": "south", "name": "South", "intensity": {"2030-01": 0.2}}],
        "rooms": list(rooms), "parameters": params})


def ledger(sc):
    st = initial_state(sc)
    return st, Ledger(st, [], [])


def test_an_actor_holds_one_room_per_front() -> None:
    st, led = ledger(scenario())
    led.coordinate("a", "b", NORTH)
    led.coordinate("a", "c", SOUTH)
    assert sorted(len(st.rooms_of("a", f)) for f in (NORTH, SOUTH)) == [1, 1]
    assert len(st.rooms_of("a")) == 2                     # two rooms, two fronts
    led.coordinate("d", "b", NORTH)                       # d joins b's northern room
    assert st.rooms_of("d") == st.rooms_of("b", NORTH)
    led.coordinate("e", "c", NORTH)                       # e and c: a new northern room
    north_ec = st.rooms_of("e", NORTH)[0]
    led.coordinate("a", "e", NORTH)                       # a moves north: leaves its old room there
    assert st.rooms_of("a", NORTH) == [north_ec]
    assert len(st.rooms_of("a", SOUTH)) == 1              # ... and keeps its southern one
    kinds = [ev.type for ev in led.events]
    assert kinds.count("room_left") == 1 and kinds.count("room_formed") == 3


def test_a_room_without_front_covers_every_front() -> None:
    sc = scenario(rooms=[{"id": "r0", "name": "All", "members": ["a", "b"], "source": "test"}])
    st, led = ledger(sc)
    assert st.rooms["r0"].front == -1
    assert st.rooms_of("a", NORTH) == st.rooms_of("a", SOUTH) == ["r0"]
    sc = scenario(rooms=[{"id": "r0", "name": "S", "members": ["a", "b"], "front": "south",
                          "source": "test"}])
    st, _ = ledger(sc)
    assert st.rooms_of("a", NORTH) == [] and st.rooms_of("a", SOUTH) == ["r0"]


def losses_of_a(front: str | None) -> float:
    rooms = [] if front is None else [
        {"id": "r0", "name": "R", "members": ["a", "b"], "source": "test",
         **({"front": front} if front != "all" else {})}]
    sc = scenario(rooms=rooms)
    st = initial_state(sc)
    actors = actors_of(st)
    return float(battlefield(st, actors, sc.parameters, np.array([1.0, 1.0]),
                             np.zeros(st.n))[0])


def test_losses_are_shared_only_on_the_rooms_front() -> None:
    alone, north, south, every = (losses_of_a(f) for f in (None, "north", "south", "all"))
    assert north < alone                    # b holds the north with a
    assert south == pytest.approx(alone)    # b is not in the south: a southern room shares nothing
    assert every == pytest.approx(north)    # a room for every front shares where b is


def test_least_attached_room_is_on_the_front_that_matters_least() -> None:
    rooms = [{"id": "rn", "name": "N", "members": ["a", "b"], "front": "north", "source": "t"},
             {"id": "rs", "name": "S", "members": ["a", "c"], "front": "south", "source": "t"}]
    sc = scenario(rooms=rooms)
    st = initial_state(sc)
    actors = actors_of(st)
    obs = observe(st, actors, sc.parameters, np.array([1.0, 0.2]), 0)
    a = actors.keys.index("a")
    assert list(st.rooms)[obs.room_slot[a]] == "rs"          # the quiet southern front
    assert obs.room_focus[a] == pytest.approx(0.1 / 0.6)      # 0.5*0.2 of 0.5*1 + 0.5*0.2
    mates = {actors.keys[k] for k in np.flatnonzero(obs.room_mates[a])}
    assert mates == {"c"}
    assert obs.same_room[a, actors.keys.index("b")]           # still b's partner in the north
    d = actors.keys.index("d")
    assert obs.room_slot[d] == -1 and not obs.room_mates[d].any()


def test_commitment_cost_pushes_out_of_a_room_on_a_quiet_front() -> None:
    rooms = [{"id": "rs", "name": "S", "members": ["a", "c"], "front": "south", "source": "t"}]
    rule = WeightedUtility()
    leave = {}
    for cost in (0.0, 5.0):
        sc = scenario(rooms=rooms, commitment_cost=cost)
        st = initial_state(sc)
        st.threat[:] = 1.0
        actors = actors_of(st)
        obs = observe(st, actors, sc.parameters, np.array([1.0, 0.2]), 0)
        leave[cost] = rule.utilities(obs).leave[actors.keys.index("a")]
    focus = 0.1 / 0.6
    assert leave[5.0] - leave[0.0] == pytest.approx(5.0 * (1.0 - focus))


def test_merge_size_cost_grows_with_the_entity() -> None:
    rule = WeightedUtility()
    merge = {}
    for cost in (0.0, 1.5):
        sc = scenario(merge_size_cost=cost)
        st, led = ledger(sc)
        led.merge("b", "d", absorb_ratio=3.0)          # b and d: a two-faction entity
        actors = actors_of(st)
        obs = observe(st, actors, sc.parameters, np.array([1.0, 0.2]), 0)
        i, ent, solo = (actors.keys.index(k) for k in ("a", st.actor_of[1], "e"))
        merge[cost] = rule.utilities(obs).merge[i, [ent, solo]]
    drop = merge[0.0] - merge[1.5]
    assert drop[0] == pytest.approx(1.5 * 1) and drop[1] == pytest.approx(0.0)


def test_a_merger_keeps_one_room_per_front() -> None:
    st, led = ledger(scenario())
    led.coordinate("b", "d", NORTH)
    led.coordinate("e", "a", NORTH)                      # a and b: each in a northern room
    key = led.merge("a", "b", absorb_ratio=3.0)
    assert len(st.rooms_of(key, NORTH)) == 1
    assert [e.type for e in led.events[-2:]] == ["merger", "room_left"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_run_keeps_one_room_per_front(seed: int) -> None:
    from sim.api import load_scenario
    sc = load_scenario("scenarios/idlib_2015_2018.yaml")
    model = CoalitionModel(sc, seed=seed)
    while not model.finished:
        model.step()
        per_front: dict[tuple[str, int], int] = {}
        for room in model.state.rooms.values():
            assert len(room.members) >= 2
            for key in room.members:
                fronts = range(model.state.presence.shape[1]) if room.front < 0 else [room.front]
                for f in fronts:
                    per_front[(key, f)] = per_front.get((key, f), 0) + 1
        assert max(per_front.values(), default=1) == 1


def test_coordination_relief_counts_only_the_rooms_front() -> None:
    """b holds the north with d (a northern room) and is in a southern room with
    c. a fights on both fronts; the room a would share with b is on the north,
    their only common front. With `front_relief` 1 the relief of coordinating
    with b is what b's northern group absorbs of a's losses there: 5/6 of a's
    intensity-weighted fighters, against 4000 of 5000 fighters; c's southern
    help counts toward a merger with b (an entity shares every front), not
    toward the room. At 0 (the default) the room is valued on every front."""
    rooms = [{"id": "rn", "name": "N", "members": ["b", "d"], "front": "north", "source": "t"},
             {"id": "rs", "name": "S", "members": ["b", "c"], "front": "south", "source": "t"}]
    coordinate = {}
    for relief, threat in ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0), (0.25, 1.0)):
        sc = scenario(rooms=rooms, commitment_cost=0.0, threat_coordination=6.0,
                      front_relief=relief)
        st = initial_state(sc)
        st.threat[:] = threat
        actors = actors_of(st)
        obs = observe(st, actors, sc.parameters, np.array([1.0, 0.2]), 0)
        a, b = actors.keys.index("a"), actors.keys.index("b")
        north = 0.5 / 0.6
        assert obs.pair_support[a, b] == pytest.approx(north * 4000 / 5000)
        assert obs.support[a, b] == pytest.approx(north * 4000 / 5000
                                                  + (1 - north) * 2000 / 3000)
        coordinate[relief, threat] = WeightedUtility().utilities(obs).coordinate[a, b]
    ls = sc.parameters.loss_sensitivity
    on_front = north * 4000 / 5000
    everywhere = on_front + (1 - north) * 2000 / 3000
    assert coordinate[1.0, 1.0] - coordinate[1.0, 0.0] == pytest.approx(6.0 * ls * on_front)
    assert coordinate[0.0, 1.0] - coordinate[0.0, 0.0] == pytest.approx(6.0 * ls * everywhere)
    assert coordinate[0.25, 1.0] - coordinate[0.0, 0.0] == pytest.approx(
        6.0 * ls * (0.75 * everywhere + 0.25 * on_front))
