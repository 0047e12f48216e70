"""Scripted "versus" tests of the `mwc` rule (Christia 2012; Riker 1962).

Strengths are written so that the winning threshold (half of all living
fighters) is easy to see: with a total of 10,000 fighters a coalition wins
above 5,000. Each test compares options in one observation, or one option in
two observations that differ in one thing, and checks the choice frequencies
where the effect is meant to show in behaviour.
"""

from __future__ import annotations

import numpy as np
from contract import COORDINATE, LEAVE, MERGE, NONE, decide_many, frequency, observation, vary

from sim.config.schema import Parameters
from sim.rules.mwc import MinimumWinningCoalition, stakes, tent, win_share

RULE = MinimumWinningCoalition()
SAME = [[0.5, 0.5, 0.5]]


def u(obs):
    return RULE.utilities(obs)


def obs_(strength, **kw):
    n = len(strength)
    kw.setdefault("ideology", SAME * n)
    kw.setdefault("threat", [1.0] * n)
    return observation(n, strength=[float(s) for s in strength], **kw)


# ---- the pieces --------------------------------------------------------------------------


def test_tent_rewards_progress_up_to_the_threshold_and_dilutes_beyond() -> None:
    x = np.array([0.0, 0.3, 0.6, 0.9, 1.0, 1.2, 1.6, 2.0])
    v = tent(x)
    assert v[4] == 1.0 and v.argmax() == 4
    assert (np.diff(v[:5]) > 0).all() and (np.diff(v[4:]) < 0).all()
    assert np.isclose(tent(np.array([2.0]))[0], 0.5)


def test_win_share_counts_only_the_living() -> None:
    obs = obs_([2000, 3000, 5000], dead=[2])
    assert np.allclose(win_share(obs), [0.8, 1.2, 0.0])


def test_threat_raises_the_stakes() -> None:
    obs = obs_([1000, 1000], threat=[0.0, 2.0])
    st = stakes(obs)
    assert st[1] > st[0] > 0


# ---- the size principle ------------------------------------------------------------------


def test_a_winning_coalition_does_not_recruit() -> None:
    # Room {0, 1} holds 6,000 of 10,000 fighters: winning. Actor 2 (1,500) would
    # only dilute the spoils.
    winning = obs_([3500, 2500, 1500, 2500], rooms=[[0, 1]])
    # A room of 3,000 of 10,000 is short of winning: 2 (3,000) would make it win.
    short = obs_([2000, 1000, 3000, 4000], rooms=[[0, 1]])
    assert u(winning).coordinate[0, 2] < -3.0
    assert u(short).coordinate[0, 2] > 0 > u(winning).coordinate[0, 2] + 3.0
    # A bandwagoner's offer to join is refused: acceptance reads the room's side.
    d = decide_many(RULE, winning, n=400)
    offers = (d.action[:, 2] == COORDINATE) & np.isin(d.target[:, 2], [0, 1])
    assert d.accepted[offers, 2].mean() < 0.05 if offers.any() else True
    assert d.rate(0, COORDINATE) + d.rate(1, COORDINATE) < 0.05
    assert frequency(RULE, short, 0, COORDINATE, 2) > 0.3


def test_a_weak_actor_prefers_the_partner_that_just_makes_it_winning() -> None:
    # Total 10,000: 0 + 1 = 5,100 (just winning), 0 + 2 = 6,900 (oversized,
    # and 2 would dominate). 2 is ideologically identical to 0, 1 is far from it:
    # power beats identity.
    obs = obs_([2000, 3100, 4900], ideology=[[0.3] * 3, [0.9] * 3, [0.3] * 3])
    util = u(obs)
    assert util.coordinate[0, 1] > util.coordinate[0, 2] + 1.0
    d = decide_many(RULE, obs, n=400)
    assert d.rate(0, COORDINATE, 1) > 2 * d.rate(0, COORDINATE, 2)
    assert d.rate(0, COORDINATE, 1) > 0.4


def test_ideology_only_breaks_ties() -> None:
    # Two partners of equal strength: the closer one is preferred, a little.
    obs = obs_([2000, 3100, 3100, 1800], ideology=[[0.3] * 3, [0.9] * 3, [0.3] * 3, [0.5] * 3])
    util = u(obs)
    gap = util.coordinate[0, 2] - util.coordinate[0, 1]
    assert 0 < gap < 0.5
    assert frequency(RULE, obs, 0, COORDINATE, 2) > frequency(RULE, obs, 0, COORDINATE, 1)


def test_an_oversized_room_sheds_a_member_it_does_not_need() -> None:
    # Room {0, 1, 2} holds 8,000 of 10,000: without 2 it still wins (6,500).
    oversized = obs_([4000, 2500, 1500, 2000], rooms=[[0, 1, 2]])
    # Room {0, 1, 2} holds 5,500: without 2 (4,000) it would lose.
    minimal = obs_([3000, 1000, 1500, 4500], rooms=[[0, 1, 2]])
    assert u(oversized).expel[2] > u(minimal).expel[2] + 1.0
    assert u(minimal).expel[2] < -2.0


# ---- balancing against a dominant partner ------------------------------------------------


def test_components_of_an_entity_dominated_by_one_partner_defect_more() -> None:
    # Component 1 holds a fifth of its entity in both; in one the leader holds the
    # rest, in the other four equal partners share it.
    # No threat: the stakes of staying in the winning entity are low.
    cheap = Parameters(defection_cost=1.0, dominance_weight=10.0)
    kw = dict(params=cheap, cohesion=[0.3, 0.3], threat=[0.0, 0.0])
    even = obs_([6000, 4000], entities={0: [0.2] * 5}, **kw)
    dominated = obs_([6000, 4000], entities={0: [0.8, 0.2]}, **kw)
    assert u(dominated).defect[1] > u(even).defect[1] + 2.0
    rate = lambda o: decide_many(RULE, o, n=400).defect[:, 1].mean()  # noqa: E731
    assert rate(dominated) > rate(even) + 0.2


def test_a_weak_member_leaves_a_room_its_partner_dominates() -> None:
    # 0 (1,000) is in a room of 5,000; in one, partner 1 holds 4,000 of it, in the
    # other two partners hold 2,000 each.
    dominated = obs_([1000, 4000, 2500, 2500], rooms=[[0, 1]])
    even = obs_([1000, 2000, 2000, 2500, 2500], rooms=[[0, 1, 2]])
    assert u(dominated).leave[0] > u(even).leave[0] + 1.0
    calm = dict(params=Parameters(dominance_weight=20.0))
    dom_calm = vary(dominated, threat=[0.0] * 4, **calm)
    even_calm = vary(even, threat=[0.0] * 5, **calm)
    # Under the dominant partner 0 acts: it leaves, or brings in a counterweight.
    assert frequency(RULE, dom_calm, 0, LEAVE) > frequency(RULE, even_calm, 0, LEAVE)
    assert frequency(RULE, dom_calm, 0, NONE) < frequency(RULE, even_calm, 0, NONE) - 0.5
    assert u(dom_calm).coordinate[0, 2] > u(even_calm).coordinate[0, 3] + 1.0


def test_the_dominated_balance_with_other_weak_actors() -> None:
    # 0 (1,000) is in a room of 5,000; 2 and 3 have a weak room of their own.
    # Joining them pays more when 0's partner dominates its room than when the
    # room is shared evenly.
    dominated = obs_([1000, 4000, 1500, 1500, 2000], rooms=[[0, 1], [2, 3]])
    even = obs_([1000, 2000, 1500, 1500, 2000, 2000], rooms=[[0, 1, 5], [2, 3]])
    assert u(dominated).coordinate[0, 2] > u(even).coordinate[0, 2] + 1.0
    # ... and a weak actor does not merge into the dominant partner.
    lone = obs_([1000, 4000, 2500, 2500], cohesion=[0.3] * 4)
    assert u(lone).merge[0, 1] < u(lone).coordinate[0, 1] - 3.0


def test_a_winning_coalition_attacks_weaker_outsiders() -> None:
    obs = obs_([4000, 2500, 1500, 2000], rooms=[[0, 1]], params=Parameters(fight_cost=2.0))
    util = u(obs)
    assert util.fight[0, 2] > util.fight[2, 0] + 1.0, "the strong attack, not the weak"
    assert util.fight[0, 1] < util.fight[0, 2] - 1.0, "partners are not targets"


def test_nothing_happens_when_everyone_is_where_the_theory_wants_it() -> None:
    # A minimal winning room and a losing remainder that cannot win together.
    obs = obs_([3000, 2200, 2400, 2400], rooms=[[0, 1]],
               ideology=[[0.3] * 3, [0.3] * 3, [0.8] * 3, [0.8] * 3])
    d = decide_many(RULE, obs, n=300)
    assert (d.action[:, :2] == NONE).mean() > 0.9
    assert not (d.action[:, :2] == MERGE).any() or (d.action[:, :2] == MERGE).mean() < 0.02
