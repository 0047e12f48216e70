"""Outcomes on a hand-written trajectory."""

from __future__ import annotations

import math

from sim.sweep.outcomes import REGISTRY, Context
from sim.trajectory import Event, Trajectory


def _traj():
    t = Trajectory(scenario="x", seed=1, months=["2030-01", "2030-02", "2030-03"],
                   factions=["a", "b", "c", "d"])
    t.events = [Event("2030-02", "room_formed", ("a", "b"), "r1"),
                Event("2030-03", "merger", ("b", "c"), "e1"),
                Event("2030-03", "infighting_started", ("a", "d"))]
    rows = [("2030-01", "a", "a", "", 100, True), ("2030-01", "b", "b", "", 100, True),
            ("2030-01", "c", "c", "", 100, True), ("2030-01", "d", "d", "", 100, True),
            ("2030-02", "a", "a", "r1", 100, True), ("2030-02", "b", "b", "r1", 100, True),
            ("2030-02", "c", "c", "", 100, True), ("2030-02", "d", "d", "", 100, True),
            ("2030-03", "a", "a", "r1", 200, True), ("2030-03", "b", "e1", "r1", 100, True),
            ("2030-03", "c", "e1", "r1", 100, True), ("2030-03", "d", "d", "", 0, False)]
    for m, f, e, r, s, a in rows:
        t.m_month.append(m)
        t.m_faction.append(f)
        t.m_entity.append(e)
        t.m_rooms.append(r)
        t.m_strength.append(s)
        t.m_alive.append(a)
    return t


def ev(name, **args):
    return REGISTRY[name].func(_traj(), Context(), **args)


def test_counts_and_timing():
    assert ev("n_rooms_formed") == 1
    assert ev("n_mergers") == 1
    assert ev("n_infighting") == 1
    assert ev("n_splits") == 0
    assert ev("n_events", type="room_formed") == 1
    assert ev("first_room_month") == 1
    assert ev("first_merger_month") == 2
    assert math.isnan(ev("first_split_month"))
    assert ev("first_split_month", if_never=3.0) == 3.0


def test_structure():
    assert ev("n_actors_at_end") == 2                 # a, e1 (d is dead)
    assert ev("n_alive_at_end") == 3
    assert ev("largest_share") == 0.5                 # a 200 vs e1 200
    assert ev("largest_share_at", month="2030-01") == 0.25
    assert ev("largest_bloc_share") == 1.0            # a and e1 share room r1
    assert ev("largest_bloc_share", month="2030-02") == 0.5
    assert ev("effective_actors", month="2030-01") == 4.0
    assert ev("same_entity", a="b", b="c") == 1.0
    assert ev("same_entity", a="a", b="b") == 0.0
    assert ev("strength_of", faction="d") == 0.0
    assert ev("total_strength") == 400
    assert ev("n_rooms") == 1
