"""Scripted "versus" tests of the `landscape` rule (Axelrod & Bennett 1993).

Hand-written observations where the landscape is easy to read: two camps of
actors whose propensities come from trust (friends) and ideological distance
(enemies). Indices are written so that the expected mover is known; the
utilities are checked directly and, where the effect is meant to show in
behaviour, through choice frequencies over seeded draws. The last tests apply
the rule's own decisions by hand, month after month, and follow the energy.
"""

from __future__ import annotations

import numpy as np
import pytest
from contract import (COORDINATE, FIGHT, LEAVE, MERGE, NONE, decide_many, frequency, observation,
                      vary)

from sim.config.schema import Parameters
from sim.landscape.energy import energies
from sim.rules.landscape import (LandscapeRule, blocs, flip_reduction, frustration, pair_reduction,
                                 propensity, selected_move, sizes)

RULE = LandscapeRule()
HARD, SOFT = [0.9, 0.9, 0.9], [0.1, 0.1, 0.1]


def u(obs):
    return RULE.utilities(obs)


def camps(n_hard: int = 3, n_soft: int = 3, *, rooms=(), strength=None, params=None, **kw):
    """`n_hard` hardliners (indices 0..n_hard-1) and `n_soft` moderates after them;
    everybody trusts its own camp (0.8) and is far from the other one."""
    n = n_hard + n_soft
    hard = np.arange(n) < n_hard
    trust = np.where(hard[:, None] == hard[None, :], 0.8, 0.0) * (1 - np.eye(n))
    kw.setdefault("trust", trust)
    return observation(n, ideology=[HARD if h else SOFT for h in hard], rooms=rooms,
                       strength=strength if strength is not None else [3000.0] * n,
                       params=params, **kw)


def energy(obs, b=None) -> float:
    b = blocs(obs) if b is None else np.asarray(b)
    alive = obs.alive
    return float(energies(sizes(obs)[alive], propensity(obs)[np.ix_(alive, alive)],
                          b[alive][None, :])[0])


# ---- what the rule reads off the state --------------------------------------------------


def test_propensity_is_symmetric_and_follows_trust_and_distance() -> None:
    obs = camps()
    p = propensity(obs)
    assert np.allclose(p, p.T) and np.allclose(np.diag(p), 0.0)
    assert p[0, 1] > 0 > p[0, 4], "same camp attracts, the other camp repels"
    far = vary(obs, params=Parameters(distance_weight=8.0))
    assert propensity(far)[0, 4] < p[0, 4]


def test_blocs_are_the_core_room_against_the_rest() -> None:
    obs = camps(rooms=[[0, 1], [3, 4, 5]], strength=[3000, 3000, 3000, 1000, 1000, 1000])
    assert blocs(obs).tolist() == [1, 1, 0, 0, 0, 0], "the room with more fighters is the core"
    assert not blocs(camps()).any(), "no room: everybody in one bloc"


def test_frustration_is_the_size_weighted_propensity_across_the_line() -> None:
    obs = camps(rooms=[[0, 1]])
    s, p, b = sizes(obs), propensity(obs), blocs(obs)
    d = b[:, None] != b[None, :]
    assert np.allclose(frustration(obs), (s[None, :] * p * d).sum(axis=1))
    # Switching alone changes one's own frustration by minus the flip reduction.
    for i in range(obs.n_actors):
        flipped = b.copy()
        flipped[i] ^= 1
        after = frustration(obs, flipped)[i]
        assert np.isclose(after, frustration(obs)[i] - flip_reduction(obs)[i])


# ---- one at a time: the largest reduction moves ----------------------------------------


def test_the_actor_with_the_largest_frustration_reduction_is_the_one_that_moves() -> None:
    # Core room {0, 1}; hardliners 2 (big) and 3 (small) are outside. Both would
    # lower their frustration by joining; the bigger gain is 2's (it trusts the
    # core more).
    trust = np.zeros((6, 6))
    trust[:2, 2] = trust[2, :2] = 0.9
    trust[:2, 3] = trust[3, :2] = 0.4
    obs = observation(6, ideology=[HARD] * 4 + [SOFT] * 2, rooms=[[0, 1]],
                      strength=[3000.0] * 6, trust=trust)
    red = flip_reduction(obs)
    assert red[2] > red[3] > 0
    move = selected_move(obs)
    assert move is not None and move.actor == 2 and move.partner == -1
    util = u(obs)
    assert util.coordinate[2, 0] > 0 > util.coordinate[3, 0]
    d = decide_many(RULE, obs, n=400)
    assert d.rate(2, COORDINATE) > 0.6
    assert d.rate(3, COORDINATE) < 0.05, "not its turn"
    assert d.rate(4, NONE) > 0.9 and d.rate(5, NONE) > 0.9, "everyone else mostly does nothing"
    # ... and the core accepts the mover (no consent in the theory).
    joins = (d.action[:, 2] == COORDINATE) & np.isin(d.target[:, 2], [0, 1])
    assert d.accepted[joins, 2].mean() > 0.9


def test_an_actor_whose_propensity_to_the_other_bloc_is_larger_joins_it() -> None:
    # Actor 2 sits between the core {0, 1} and the rest {3, 4, 5}; whichever side it
    # likes more (in size-weighted propensity) is where it goes.
    base = observation(6, ideology=[[0.5] * 3] * 6, rooms=[[0, 1]], strength=[3000.0] * 6)

    def with_trust(to_core: float, to_rest: float):
        t = np.zeros((6, 6))
        t[2, :2] = t[:2, 2] = to_core
        t[2, 3:] = t[3:, 2] = to_rest
        return vary(base, trust=t)

    pulled = with_trust(1.0, 0.1)
    held = with_trust(0.1, 1.0)
    assert flip_reduction(pulled)[2] > 0 > flip_reduction(held)[2]
    assert frequency(RULE, pulled, 2, COORDINATE) > 0.6
    assert frequency(RULE, held, 2, COORDINATE) < 0.05


def test_a_core_member_that_prefers_the_other_bloc_leaves() -> None:
    # Core {0, 1, 2}; 2 trusts the outsiders and not its partners.
    t = np.zeros((6, 6))
    t[:2, :2] = 0.9
    t[2, 3:] = t[3:, 2] = 1.0
    t[3:, 3:] = 0.9
    np.fill_diagonal(t, 0.0)
    obs = observation(6, ideology=[[0.5] * 3] * 6, rooms=[[0, 1, 2]], strength=[3000.0] * 6,
                      trust=t)
    move = selected_move(obs)
    assert move is not None and move.actor == 2
    assert frequency(RULE, obs, 2, LEAVE) > 0.6
    assert frequency(RULE, obs, 0, LEAVE) < 0.02


def test_without_rooms_the_first_room_is_the_pair_that_most_dislikes_the_rest() -> None:
    # Two hardliners among four moderates: standing together against the others
    # lowers their frustration most.
    obs = camps(2, 4)
    red = pair_reduction(obs)
    move = selected_move(obs)
    assert move is not None and {move.actor, move.partner} == {0, 1}
    assert red[0, 1] > 0 and red[1, 0] > 0
    d = decide_many(RULE, obs, n=300)
    formed = ((d.action[:, 0] == COORDINATE) & (d.target[:, 0] == 1) & d.accepted[:, 0]) | \
             ((d.action[:, 1] == COORDINATE) & (d.target[:, 1] == 0) & d.accepted[:, 1])
    assert formed.mean() > 0.8


def test_at_a_local_minimum_nobody_moves() -> None:
    obs = camps(rooms=[[0, 1, 2]])
    assert selected_move(obs) is None
    assert (flip_reduction(obs) <= 0).all()
    d = decide_many(RULE, obs, n=300)
    assert (d.action == NONE).mean() > 0.95


def test_a_lower_temperature_makes_the_move_surer() -> None:
    # A small reduction (2 is only a little closer to the core than to the rest).
    trust = np.zeros((6, 6))
    trust[:2, 2] = trust[2, :2] = 0.3
    obs = observation(6, ideology=[[0.5] * 3] * 6, rooms=[[0, 1]], strength=[3000.0] * 6,
                      trust=trust)
    assert 0 < selected_move(obs).reduction < 1.5
    hot = vary(obs, params=Parameters(temperature=3.0))
    cold = vary(obs, params=Parameters(temperature=0.1))
    assert frequency(RULE, cold, 2, COORDINATE) > frequency(RULE, hot, 2, COORDINATE) + 0.3


# ---- fights, mergers, defection --------------------------------------------------------


def test_fights_are_across_blocs_and_grow_with_hostility() -> None:
    obs = camps(rooms=[[0, 1, 2]])
    util = u(obs)
    assert util.fight[0, 4] > util.fight[0, 1] + 2.0, "a rival across the line, not a bloc-mate"
    worse = vary(obs, grievance=np.where(np.eye(6)[0][:, None] * (np.arange(6) == 4), 2.0, 0.0))
    assert u(worse).fight[0, 4] > util.fight[0, 4]
    cheap = Parameters(fight_cost=0.5, distance_weight=8.0)
    d = decide_many(RULE, vary(obs, params=cheap), n=400)
    assert d.rate(0, FIGHT) > 0.2
    assert np.isin(d.target[d.action[:, 0] == FIGHT, 0], [3, 4, 5]).all()


def test_mergers_follow_strong_positive_propensity_within_a_bloc() -> None:
    obs = camps(rooms=[[0, 1, 2]])
    util = u(obs)
    assert util.merge[0, 1] > util.merge[0, 4] + 3.0
    trusting = vary(obs, trust=np.where(propensity(obs) > 0, 1.0, 0.0),
                    params=Parameters(trust_weight=8.0, merge_cost=2.0))
    assert u(trusting).merge[0, 1] > util.merge[0, 1]
    assert frequency(RULE, trusting, 0, MERGE, 1) > frequency(RULE, obs, 0, MERGE, 1) + 0.1


def test_components_far_from_their_entity_defect_more() -> None:
    obs = camps(entities={0: [0.6, 0.4]}, cohesion=[0.2] * 6)
    near = vary(obs, comp_gap=[0.0, 0.05])
    far = vary(obs, comp_gap=[0.0, 0.6])
    aggrieved = vary(near, comp_grievance=[0.0, 2.0])
    assert u(far).defect[1] > u(near).defect[1] + 1.0
    assert u(aggrieved).defect[1] > u(near).defect[1] + 1.0
    cheap = Parameters(defection_cost=1.0)
    def rate(o):
        return decide_many(RULE, vary(o, params=cheap), n=400).defect[:, 1].mean()

    assert rate(far) > rate(near) + 0.3


def test_expulsion_is_out_of_turn_and_rare() -> None:
    t = np.zeros((6, 6))
    t[:2, :2] = 0.9
    t[2, 3:] = t[3:, 2] = 1.0
    np.fill_diagonal(t, 0.0)
    obs = observation(6, ideology=[[0.5] * 3] * 6, rooms=[[0, 1, 2]], strength=[3000.0] * 6,
                      trust=t)
    d = decide_many(RULE, obs, n=400)
    assert d.expel.mean() < 0.02
    assert d.rate(2, LEAVE) > d.expel[:, 2].mean() + 0.5, "the misfit leaves of its own accord"


# ---- a short history applied by hand: the energy falls --------------------------------


def _apply(obs, d, rooms: list[list[int]]) -> list[list[int]]:
    """Apply expulsions, leaving and accepted coordinations the way the model
    resolves them (one room per actor; join the target's room, bring the target
    into one's own, or form a room), and drop rooms of one."""
    rooms = [list(r) for r in rooms]

    def room_of(i):
        return next((r for r in rooms if i in r), None)

    for i in np.flatnonzero(d.expel | (d.action == LEAVE)):
        r = room_of(i)
        if r is not None:
            r.remove(i)
    for i in np.flatnonzero((d.action == COORDINATE) & d.accepted):
        j = int(d.target[i])
        ri, rj = room_of(i), room_of(j)
        if ri is not None and ri is rj:
            continue
        if rj is not None:
            if ri is not None:
                ri.remove(i)
            rj.append(int(i))
        elif ri is not None:
            ri.append(j)
        else:
            rooms.append([int(i), j])
    return [sorted(r) for r in rooms if len(r) >= 2]


def _history(seed: int, n: int = 8) -> tuple[list[float], list[list[int]], tuple]:
    """Months of the rule's own decisions (at a low temperature) applied by hand,
    from no room to a local minimum: the energies met and the final rooms."""
    rng = np.random.default_rng(seed)
    ideology = rng.uniform(0.0, 1.0, (n, 3))
    t = rng.uniform(0.0, 1.0, (n, n))
    trust = (t + t.T) / 2 * (1 - np.eye(n))
    strength = rng.uniform(500.0, 5000.0, n)
    cold = Parameters(temperature=0.05)
    rooms: list[list[int]] = []
    history = []
    for month in range(3 * n):
        obs = observation(n, ideology=ideology, trust=trust, strength=strength, rooms=rooms,
                          params=cold)
        history.append(energy(obs))
        move = selected_move(obs)
        if move is None:
            return history, rooms, (ideology, trust, strength)
        d = RULE.decide(obs, np.random.default_rng(month))
        new_rooms = _apply(obs, d, rooms)
        assert new_rooms != rooms, f"month {month}: the selected move {move} did not happen"
        rooms = new_rooms
    raise AssertionError(f"seed {seed}: no local minimum reached in {3 * n} months")


@pytest.mark.parametrize("seed", range(10))
def test_energy_falls_along_a_history_of_the_rules_own_decisions(seed: int) -> None:
    history, rooms, (ideology, trust, strength) = _history(seed)
    assert len(history) >= 3, "the history should have a few moves"
    steps = np.diff(history)
    assert (steps < 1e-9).all(), f"energy rose along the history: {history}"
    assert (steps < 0).all(), "every month with a move lowers the energy"
    final = observation(len(strength), ideology=ideology, trust=trust, strength=strength,
                        rooms=rooms)
    assert selected_move(final) is None, "the history ends at a local minimum"
    if len(blocs(final)) and blocs(final).sum() > 2:
        assert (flip_reduction(final) <= 1e-9).all(), "no single switch lowers anyone's frustration"


def test_a_longer_history_is_monotone_too() -> None:
    history, _, _ = _history(2)
    assert len(history) >= 6 and (np.diff(history) < 0).all(), history
