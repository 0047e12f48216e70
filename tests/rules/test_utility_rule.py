"""Scripted "versus" tests of the `utility` rule, one per mechanism of DESIGN.md §4.

Each test compares two hand-written observations that differ in one thing and
checks that the utility of the option the mechanism is about moves the right
way; where the effect is large enough at the default parameters it also checks
the choice frequency over many seeded draws (fixed seeds, generous margins).
Indices: actor 0 is the one whose choice is watched; `u(obs).merge[0, 1]` is
0's utility of merging with 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from contract import (COORDINATE, DISSOLVE, FIELDS, FIGHT, LEAVE, MERGE, decide_many, frequency,
                      observation, vary)

from sim.config.schema import Parameters
from sim.rules.base import Utilities
from sim.rules.choice import N_SINGLE, valid_options
from sim.rules.utility import WeightedUtility

RULE = WeightedUtility()
SAME = [[0.4, 0.4, 0.4]] * 3


def u(obs) -> Utilities:
    return RULE.utilities(obs)


def base3(**kw):
    """Three equally strong, ideologically identical actors, no history."""
    kw.setdefault("strength", [3000.0, 3000.0, 3000.0])
    kw.setdefault("ideology", SAME)
    return observation(3, **kw)


# ---- 1. threat drives coordination ------------------------------------------------------


def test_threat_with_front_overlap_raises_coordination() -> None:
    fronts = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]       # 0 and 1 hold the same front, 2 another
    calm = base3(presence=fronts, threat=[0.0, 0.0, 0.0])
    threatened = vary(calm, threat=[1.0, 1.0, 0.0])
    assert u(threatened).coordinate[0, 1] > u(calm).coordinate[0, 1] + 1.0
    # ... towards the partner on the same front, not towards one elsewhere:
    assert u(threatened).coordinate[0, 1] > u(threatened).coordinate[0, 2] + 1.0
    low = frequency(RULE, calm, 0, COORDINATE, 1)
    high = frequency(RULE, threatened, 0, COORDINATE, 1)
    assert high > low + 0.3, (low, high)


def test_front_overlap_matters_under_threat() -> None:
    apart = base3(presence=[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], threat=[1.0, 1.0, 0.0])
    together = base3(presence=[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], threat=[1.0, 1.0, 0.0])
    assert u(together).coordinate[0, 1] > u(apart).coordinate[0, 1] + 1.0
    high = frequency(RULE, together, 0, COORDINATE, 1)
    low = frequency(RULE, apart, 0, COORDINATE, 1)
    assert high > low + 0.3, (low, high)


# ---- 2. ideological distance blocks mergers and drives infighting ---------------------


def test_ideological_distance_lowers_merge_and_raises_fight() -> None:
    near = base3(distance=[[0, 0.1, 0.1], [0.1, 0, 0.1], [0.1, 0.1, 0]])
    far = vary(near, distance=[[0, 0.6, 0.1], [0.6, 0, 0.1], [0.1, 0.1, 0]])
    assert u(far).merge[0, 1] < u(near).merge[0, 1] - 0.5
    assert u(far).fight[0, 1] > u(near).fight[0, 1] + 0.5
    assert u(far).coordinate[0, 1] < u(near).coordinate[0, 1]
    # With cheap fights the shift shows in what actors do.
    cheap = Parameters(fight_cost=1.0)
    near_c, far_c = vary(near, params=cheap), vary(far, params=cheap)
    low = frequency(RULE, near_c, 0, FIGHT, 1, n=400)
    high = frequency(RULE, far_c, 0, FIGHT, 1, n=400)
    assert high > low + 0.1, (low, high)


def test_ideology_weight_scales_the_distance_effect() -> None:
    far = base3(distance=[[0, 0.6, 0.1], [0.6, 0, 0.1], [0.1, 0.1, 0]])
    near = vary(far, distance=np.full((3, 3), 0.1) - np.eye(3) * 0.1)
    gap1 = u(near).merge[0, 1] - u(far).merge[0, 1]
    heavy = Parameters(ideology_weight=2.0)
    gap2 = u(vary(near, params=heavy)).merge[0, 1] - u(vary(far, params=heavy)).merge[0, 1]
    assert gap2 == pytest.approx(2 * gap1)


# ---- 3. shared backers, red lines, vetoes --------------------------------------------


def test_shared_backer_unity_push_raises_coordination_and_merger() -> None:
    alone = base3()
    pushed = vary(alone, unity=[[0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]])
    assert u(pushed).coordinate[0, 1] > u(alone).coordinate[0, 1] + 1.0
    assert u(pushed).merge[0, 1] > u(alone).merge[0, 1] + 1.0
    # backer_pressure scales it; at zero pressure the push does nothing.
    off = Parameters(backer_pressure=0.0)
    unpushed = u(vary(alone, params=off)).merge[0, 1]
    assert u(vary(pushed, params=off)).merge[0, 1] == pytest.approx(unpushed)


def test_red_line_backer_and_designated_partner_lower_association() -> None:
    clean = base3(red_dep=[0.6, 0.0, 0.0])
    designated = base3(red_dep=[0.6, 0.0, 0.0], designated=[1])
    assert designated.red_line[0, 1] == pytest.approx(0.6)
    assert u(designated).coordinate[0, 1] < u(clean).coordinate[0, 1] - 1.0
    assert u(designated).merge[0, 1] < u(clean).merge[0, 1] - 1.0
    # A client whose backer has no red line is not held back.
    unbound_clean, unbound = base3(), base3(designated=[1])
    assert u(unbound).coordinate[0, 1] == pytest.approx(u(unbound_clean).coordinate[0, 1])


def test_red_line_pushes_a_client_out_of_a_room_with_a_designated_partner() -> None:
    clean = base3(rooms=[[0, 1]], red_dep=[0.6, 0.0, 0.0])
    tainted = base3(rooms=[[0, 1]], red_dep=[0.6, 0.0, 0.0], designated=[1])
    assert u(tainted).leave[0] > u(clean).leave[0] + 1.0
    # ... and the room's partners want the designated member out.
    assert u(tainted).expel[1] > u(clean).expel[1]


def test_red_line_pushes_a_component_out_of_a_designated_entity() -> None:
    clean = base3(entities={0: [0.7, 0.3]})
    tainted = vary(clean, comp_red_line=[0.0, 0.6])
    assert u(tainted).defect[1] > u(clean).defect[1] + 1.0


def test_veto_makes_merging_invalid() -> None:
    keen = base3(unity=[[0, 3.0, 0], [3.0, 0, 0], [0, 0, 0]], params=Parameters(merge_cost=0.0))
    vetoed = base3(unity=[[0, 3.0, 0], [3.0, 0, 0], [0, 0, 0]], params=Parameters(merge_cost=0.0),
                   vetoes=[(0, 1)])
    col = N_SINGLE + 3 + 1                        # merge block, target 1
    assert valid_options(keen)[0, col] and not valid_options(vetoed)[0, col]
    assert not valid_options(vetoed)[1, N_SINGLE + 3 + 0]
    assert frequency(RULE, keen, 0, MERGE, 1) > 0.05
    d = decide_many(RULE, vetoed, n=600)
    assert not ((d.action == MERGE) & (((d.target == 1) & (np.arange(3) == 0))
                                       | ((d.target == 0) & (np.arange(3) == 1)))).any()


# ---- 4. relative power: defection from a dominant partner, balancing ------------------


def test_dominant_leader_raises_defection() -> None:
    even = base3(entities={0: [0.6, 0.4]}, cohesion=[0.2, 0.6, 0.6])
    even = vary(even, comp_gap=[0.0, 0.45])
    dominated = vary(even, comp_leader_share=[0.95, 0.95])
    assert u(dominated).defect[1] > u(even).defect[1] + 1.0
    low = decide_many(RULE, even, n=400).defect[:, 1].mean()
    high = decide_many(RULE, dominated, n=400).defect[:, 1].mean()
    assert high > low + 0.15, (low, high)


def test_common_dominant_enemy_raises_merger_of_its_victims() -> None:
    strength = [2000.0, 2000.0, 9000.0]
    peace = base3(strength=strength)
    war = base3(strength=strength, fights=[(0, 2), (1, 2)])
    assert u(war).merge[0, 1] > u(peace).merge[0, 1] + 0.5
    # The more dominant the common enemy, the stronger the wish to balance.
    weak_enemy = base3(strength=[2000.0, 2000.0, 500.0], fights=[(0, 2), (1, 2)])
    assert u(war).merge[0, 1] > u(weak_enemy).merge[0, 1] + 0.5


def test_victims_hostile_to_each_other_do_not_balance_together() -> None:
    """Two groups both at odds with a dominant rival do not merge to balance it
    when they hold a grievance against each other (IS and Nusra were both at
    war with Ahrar's camp, never partners); nor does an attacked group seek the
    protection of a stronger group it resents."""
    strength = [2000.0, 2000.0, 9000.0]
    war = base3(strength=strength, fights=[(0, 2), (1, 2)])
    grievance = np.zeros((3, 3))
    grievance[0, 1] = grievance[1, 0] = 1.0
    rivals = vary(war, grievance=grievance)
    params = Parameters(balancing_weight=10.0, grievance_weight=0.0)
    friends = vary(war, params=params)
    enemies = vary(rivals, params=params)
    assert u(friends).merge[0, 1] > u(enemies).merge[0, 1] + 1.0
    # Protection: 0 is attacked by 2 and could shelter in the stronger 1.
    strength = [1000.0, 6000.0, 3000.0]
    attacked = base3(strength=strength, fights=[(0, 2)],
                     params=Parameters(protection_weight=10.0, grievance_weight=0.0))
    resented = np.zeros((3, 3))
    resented[0, 1] = 1.0
    assert u(attacked).merge[0, 1] > u(vary(attacked, grievance=resented)).merge[0, 1] + 1.0


def test_weaker_partner_fears_a_merger_with_a_much_stronger_one() -> None:
    even = base3(strength=[3000.0, 3000.0, 3000.0])
    lopsided = vary(even, strength=[1000.0, 9000.0, 3000.0])
    assert u(lopsided).merge[0, 1] < u(even).merge[0, 1] - 0.5


# ---- 5. hegemonic consolidation ----------------------------------------------------------


def _hegemon(**kw):
    ideo = [[0.9, 0.9, 0.9], [0.4, 0.4, 0.4], [0.4, 0.4, 0.4]]
    kw.setdefault("distance", [[0, 0.3, 0.3], [0.3, 0, 0], [0.3, 0, 0]])
    return observation(3, strength=[6000.0, 1000.0, 1000.0], ideology=ideo, **kw)


def test_hardline_hegemon_prefers_attacking_a_foreign_backed_rival() -> None:
    unbacked = _hegemon()
    backed = vary(unbacked, foreign_backing=[0.0, 1.0, 0.0])
    assert u(backed).fight[0, 1] > u(unbacked).fight[0, 1] + 0.5
    # In one observation: the backed rival is the likelier target.
    assert u(backed).fight[0, 1] > u(backed).fight[0, 2] + 0.5
    cheap = Parameters(fight_cost=2.0)
    d = decide_many(RULE, vary(backed, params=cheap), n=400)
    assert d.rate(0, FIGHT, 1) > d.rate(0, FIGHT, 2) + 0.05


def test_hegemony_needs_strength_and_a_hard_line() -> None:
    obs = _hegemon(foreign_backing=[0.0, 1.0, 1.0])
    # The strong attacking the weak, not the weak attacking the strong.
    assert u(obs).fight[0, 1] > u(obs).fight[1, 0] + 0.5
    # A moderate strong group has less taste for it than a hardline one.
    moderate = vary(obs, hardline=[0.2, 0.4, 0.4])
    assert u(obs).fight[0, 1] > u(moderate).fight[0, 1] + 0.5


# ---- 6. a parent attacks a component that left it --------------------------------------


def test_grievance_after_a_split_raises_fight() -> None:
    before = base3()
    betrayed = vary(before, grievance=[[0, 1.5, 0], [0, 0, 0], [0, 0, 0]])   # betrayal_grievance
    assert u(betrayed).fight[0, 1] > u(before).fight[0, 1] + 1.0
    assert u(betrayed).fight[0, 1] > u(betrayed).fight[0, 2] + 1.0
    assert u(betrayed).merge[0, 1] < u(before).merge[0, 1]
    cheap = Parameters(fight_cost=2.0)
    low = frequency(RULE, vary(before, params=cheap), 0, FIGHT, 1, n=400)
    high = frequency(RULE, vary(betrayed, params=cheap), 0, FIGHT, 1, n=400)
    assert high > low + 0.1, (low, high)


# ---- 7. a room sheds its extreme member -------------------------------------------------


def test_member_far_from_the_room_line_leaves_and_is_expelled() -> None:
    close = base3(rooms=[[0, 1, 2]])
    close = vary(close, room_gap=[0.1, 0.1, 0.1])
    extreme = vary(close, room_gap=[0.8, 0.1, 0.1])
    assert u(extreme).leave[0] > u(close).leave[0] + 1.0
    assert u(extreme).expel[0] > u(close).expel[0] + 1.0
    assert frequency(RULE, extreme, 0, LEAVE) > frequency(RULE, close, 0, LEAVE) + 0.3
    e_close = decide_many(RULE, close).expel[:, 0].mean()
    e_far = decide_many(RULE, extreme).expel[:, 0].mean()
    assert e_far > e_close + 0.2, (e_close, e_far)


def test_room_gap_from_ideology_picks_the_outlier() -> None:
    obs = observation(3, strength=[3000.0] * 3, rooms=[[0, 1, 2]],
                      ideology=[[0.3, 0.3, 0.3], [0.35, 0.35, 0.35], [0.95, 0.95, 0.95]])
    assert obs.room_gap[2] > obs.room_gap[0]
    assert u(obs).leave[2] > u(obs).leave[0]
    assert u(obs).expel[2] > u(obs).expel[0]


# ---- 8. hardliners split from a moderating entity ---------------------------------------


def test_component_far_from_the_entity_line_defects() -> None:
    near = base3(entities={0: [0.6, 0.4]}, cohesion=[0.2, 0.6, 0.6])
    near = vary(near, comp_gap=[0.0, 0.1])
    far = vary(near, comp_gap=[0.0, 0.8])
    assert u(far).defect[1] > u(near).defect[1] + 1.0
    low = decide_many(RULE, near, n=400).defect[:, 1].mean()
    high = decide_many(RULE, far, n=400).defect[:, 1].mean()
    assert high > low + 0.3, (low, high)
    # A leader never defects, however far its line drifts.
    lead_far = vary(near, comp_gap=[0.9, 0.1])
    assert not decide_many(RULE, lead_far, n=300).defect[:, 0].any()


# ---- 9. ultimatums ----------------------------------------------------------------------------


def test_ultimatum_raises_dissolution() -> None:
    free = base3(strength=[200.0, 3000.0, 3000.0])
    pressed = vary(free, ultimatum=[2.0, 0.0, 0.0])
    assert u(pressed).dissolve[0] > u(free).dissolve[0] + 1.0
    low = frequency(RULE, free, 0, DISSOLVE)
    high = frequency(RULE, pressed, 0, DISSOLVE)
    assert high > low + 0.3, (low, high)
    # Big groups have more to lose: the same ultimatum moves a small group more.
    assert u(pressed).dissolve[0] > u(vary(pressed, ultimatum=[0.0, 2.0, 0.0])).dissolve[1]


def test_ultimatum_to_the_entity_raises_defection_of_components_it_does_not_name() -> None:
    if "comp_ultimatum" not in FIELDS:
        pytest.skip("Observation has no comp_ultimatum")
    calm = base3(entities={0: [0.6, 0.4]})
    pressed = vary(calm, comp_ultimatum=[0.0, 1.0])
    assert u(pressed).defect[1] > u(calm).defect[1] + 1.0


def test_no_group_merges_into_an_ultimatum_that_does_not_name_it() -> None:
    # What drives a component out of an entity keeps a group from joining one:
    # 1 is under an ultimatum, 0 and 2 are not.
    calm = base3()
    pressed = vary(calm, ultimatum=[0.0, 2.0, 0.0])
    bite = Parameters().backer_pressure * Parameters().ultimatum_weight
    assert u(pressed).merge[0, 1] == pytest.approx(u(calm).merge[0, 1] - bite)
    assert u(pressed).merge[2, 1] == pytest.approx(u(calm).merge[2, 1] - bite)
    # The group under it loses nothing by courting others, and neither does a
    # group the same ultimatum names, nor a room with it.
    assert u(pressed).merge[1, 0] == pytest.approx(u(calm).merge[1, 0])
    both = vary(calm, ultimatum=[1.0, 2.0, 0.0])
    assert u(both).merge[0, 1] == pytest.approx(u(calm).merge[0, 1])
    assert u(pressed).coordinate[0, 1] == pytest.approx(u(calm).coordinate[0, 1])
    # Where merging is cheap, the ultimatum turns it down.
    cheap = base3(params=Parameters(merge_cost=0.0))
    high = frequency(RULE, cheap, 0, MERGE, 1)
    low = frequency(RULE, vary(cheap, ultimatum=[0.0, 2.0, 0.0]), 0, MERGE, 1)
    assert high > low + 0.1, (low, high)


# ---- crises open merger windows ----------------------------------------------------------


def test_a_crisis_waives_part_of_the_merger_cost() -> None:
    params = Parameters(merge_cost=6.0, crisis_merge=0.8)
    calm = base3(params=params)
    shaken = vary(calm, crisis=[1.0, 0.0, 0.0], window=[1.0, 0.0, 0.0])
    gain = 6.0 * (0.5 + 0.6) * 0.8                  # merge_cost * (0.5 + cohesion) * crisis_merge
    assert u(shaken).merge[0, 1] == pytest.approx(u(calm).merge[0, 1] + gain)
    assert u(shaken).merge[1, 0] == pytest.approx(u(calm).merge[1, 0])   # only the actor in crisis
    assert u(shaken).coordinate[0, 1] == pytest.approx(u(calm).coordinate[0, 1])
    # Without crisis_merge a crisis changes nothing in the utilities.
    plain = base3()
    assert np.array_equal(u(vary(plain, crisis=[1.0, 1.0, 1.0], window=[1.0, 1.0, 1.0])).merge,
                          u(plain).merge)
    # It is the merger window, not the agenda, that waives the cost: an offensive
    # that puts change on the agenda (crisis) without opening a window waives nothing.
    agenda = vary(calm, crisis=[1.0, 0.0, 0.0], window=[0.0, 0.0, 0.0])
    assert np.array_equal(u(agenda).merge, u(calm).merge)


# ---- infighting waits for lulls -----------------------------------------------------------


def test_front_pressure_restrains_the_attacker_only() -> None:
    """With `fight_restraint`, an actor under heavy front pressure wants to
    attack less, by exactly fight_restraint * pressure; the pressure on the
    target does not matter, nor anything but fights."""
    params = Parameters(fight_restraint=4.0)
    lull = base3(params=params, pressure=[0.2, 0.2, 0.2])
    offensive = vary(lull, pressure=[1.2, 0.2, 1.2])
    assert u(offensive).fight[0, 1] == pytest.approx(u(lull).fight[0, 1] - 4.0)
    assert u(offensive).fight[1, 0] == pytest.approx(u(lull).fight[1, 0])   # 1 is not pressed
    assert np.array_equal(u(offensive).merge, u(lull).merge)
    assert np.array_equal(u(offensive).coordinate, u(lull).coordinate)
    # At the default (0) the fronts do not enter the wish to fight.
    plain = base3(pressure=[0.2, 0.2, 0.2])
    assert np.array_equal(u(vary(plain, pressure=[1.5, 1.5, 1.5])).fight, u(plain).fight)


def test_the_contract_helper_gives_pressure_from_the_fronts() -> None:
    obs = observation(2, presence=[[0.5, 0.5], [1.0, 0.0]], intensity=[1.0, 0.2])
    assert obs.pressure == pytest.approx([0.6, 1.0])


# ---- agreements that leave groups out ----------------------------------------------------


def test_exclusion_sets_the_excluded_against_the_parties() -> None:
    """With `exclusion_weight`, an excluded actor (0) wants to attack a party (1)
    by exclusion_weight * (e_0 - e_1) more; the party's wish to attack it does
    not change (the excluded strike first); two excluded actors (0, 2) gain
    nothing towards each other; nothing but fights moves."""
    params = Parameters(exclusion_weight=5.0)
    calm = base3(params=params)
    left_out = vary(calm, exclusion=[1.0, 0.0, 1.0])
    diff = u(left_out).fight - u(calm).fight
    assert diff[0, 1] == pytest.approx(5.0) and diff[1, 0] == pytest.approx(0.0)
    assert diff[2, 1] == pytest.approx(5.0) and diff[1, 2] == pytest.approx(0.0)
    assert diff[0, 2] == pytest.approx(0.0) and diff[2, 0] == pytest.approx(0.0)
    # a fading exclusion weighs in proportion
    fading = vary(calm, exclusion=[0.25, 0.0, 0.0])
    assert (u(fading).fight - u(calm).fight)[0, 1] == pytest.approx(1.25)
    assert np.array_equal(u(left_out).merge, u(calm).merge)
    assert np.array_equal(u(left_out).coordinate, u(calm).coordinate)
    # At the default (0) agreements change no fight.
    plain = base3()
    assert np.array_equal(u(vary(plain, exclusion=[1.0, 0.0, 0.0])).fight, u(plain).fight)


def test_cover_exclusion_makes_cover_a_need_of_the_excluded() -> None:
    """A designated actor (0) wants to merge with undesignated ones by
    cover_seeking; with `cover_exclusion` c it feels (1 - c) of that always and
    the rest in proportion to its exclusion from a recent agreement. Undesignated
    actors and rooms are untouched."""
    for c, excl, expected in ((0.0, 0.0, 4.0), (1.0, 0.0, 0.0), (1.0, 1.0, 4.0), (1.0, 0.5, 2.0),
                              (0.75, 0.0, 1.0)):
        plain = base3(params=Parameters(cover_seeking=0.0, cover_exclusion=c))
        seeking = base3(params=Parameters(cover_seeking=4.0, cover_exclusion=c))
        obs = [vary(x, designated=[True, False, False], exclusion=[excl, 0.0, 0.0])
               for x in (plain, seeking)]
        diff = u(obs[1]).merge - u(obs[0]).merge
        assert diff[0, 1] == pytest.approx(expected) and diff[0, 2] == pytest.approx(expected)
        assert diff[1, 0] == pytest.approx(0.0) and diff[1, 2] == pytest.approx(0.0)
        assert np.array_equal(u(obs[1]).coordinate, u(obs[0]).coordinate)


def test_cover_dilution_makes_a_small_partner_a_poor_cover() -> None:
    """With `cover_dilution` d, a designated actor (0, strength 4000) gets
    (1 - d) of its cover from any undesignated partner and d of it in
    proportion to the partner's weight: in full from one at least as strong
    (2: 4000), 0.4 of it from one a quarter its size (1: 1000, pair share 0.2)."""
    strength = [4000.0, 1000.0, 4000.0]
    for d, small in ((0.0, 4.0), (1.0, 1.6), (0.5, 2.8)):
        plain = base3(strength=strength, params=Parameters(cover_seeking=0.0, cover_dilution=d))
        seeking = base3(strength=strength, params=Parameters(cover_seeking=4.0, cover_dilution=d))
        obs = [vary(x, designated=[True, False, False]) for x in (plain, seeking)]
        diff = u(obs[1]).merge - u(obs[0]).merge
        assert diff[0, 1] == pytest.approx(small)
        assert diff[0, 2] == pytest.approx(4.0)
        assert diff[1, 0] == pytest.approx(0.0)


# ---- shared operations make partners, not one body ---------------------------------------


def test_merger_trust_scales_what_trust_adds_to_a_merger_only() -> None:
    """Trust 0.5 between 0 and 1 adds trust_weight * 0.5 to a room with the
    partner whatever `merger_trust` is, and merger_trust * trust_weight * 0.5
    to a merger with it."""
    trusting = [[0.0, 0.5, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 0.0]]
    gains = {}
    for share in (1.0, 0.25, 0.0):
        calm = base3(params=Parameters(trust_weight=4.0, merger_trust=share))
        diff_merge = u(vary(calm, trust=trusting)).merge - u(calm).merge
        diff_room = u(vary(calm, trust=trusting)).coordinate - u(calm).coordinate
        assert diff_room[0, 1] == pytest.approx(2.0)
        assert diff_merge[0, 2] == pytest.approx(0.0)
        gains[share] = diff_merge[0, 1]
    assert gains == pytest.approx({1.0: 2.0, 0.25: 0.5, 0.0: 0.0})


def test_an_oath_to_a_foreign_patron_costs_a_merger_only() -> None:
    """Merging with 1, sworn to an oath-demanding patron 0.4 beyond 0, costs 0
    allegiance_weight * 0.4 of its merger utility; rooms, fights and every other
    pair are untouched, and the cost is one-sided (1 swears nothing to 0)."""
    oath = [[0.0, 0.4, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    for weight in (0.0, 5.0):
        calm = base3(params=Parameters(allegiance_weight=weight))
        sworn = vary(calm, allegiance=oath)
        diff = u(sworn).merge - u(calm).merge
        expected = np.zeros((3, 3))
        expected[0, 1] = -weight * 0.4
        assert diff == pytest.approx(expected)
        assert np.array_equal(u(sworn).coordinate, u(calm).coordinate)
        assert np.array_equal(u(sworn).fight, u(calm).fight)


# ---- wars polarise: bystanders take sides ---------------------------------------------------


def test_bystanders_join_the_camp_they_stand_closer_to() -> None:
    """When 1 and 2 are at war, bystander 0 (close to 1, far from 2) gains
    camp_weight * share_2 * (d(0, 2) - d(0, 1)) for a merger with 1, and 1 as
    much for taking 0 in; nothing for a merger of 0 with 2; combatants gain
    nothing towards each other or themselves."""
    ideo = [[0.3, 0.3, 0.3], [0.4, 0.4, 0.4], [0.9, 0.9, 0.9]]
    kw = dict(ideology=ideo, strength=[2000.0, 4000.0, 4000.0], fights=[(1, 2)])
    calm = observation(3, **kw)
    polar = observation(3, params=Parameters(camp_weight=10.0), **kw)
    gain = u(polar).merge - u(calm).merge
    d, share = polar.distance, polar.share
    assert gain[0, 1] == pytest.approx(10.0 * share[2] * (d[0, 2] - d[0, 1]))
    assert gain[0, 1] > 1.0
    assert gain[1, 0] == pytest.approx(gain[0, 1])
    assert gain[0, 2] == gain[2, 0] == 0.0
    assert gain[1, 2] == gain[2, 1] == 0.0                # enemies do not merge over their war
    assert np.all(np.diag(gain) == 0.0)
    assert np.array_equal(u(polar).coordinate, u(calm).coordinate)
    # Without a war there are no camps.
    peace = observation(3, ideology=ideo, strength=[2000.0, 4000.0, 4000.0],
                        params=Parameters(camp_weight=10.0))
    assert np.array_equal(u(peace).merge, u(observation(3, ideology=ideo,
                                                        strength=[2000.0, 4000.0, 4000.0])).merge)


# ---- commitment: the same cost for joining as for staying -----------------------------------


def test_a_room_on_a_front_where_one_does_not_bleed_is_not_worth_joining() -> None:
    """Actor 0 fights mostly in the south; 1 only in the north, 2 only in the
    south. The room 0 would form with 1 is on the north front (their only shared
    front), which carries a fifth of 0's losses: with commitment_cost that
    proposal loses commitment_cost * threat_0 * (1 - 0.2). The room with 2 would
    be on the south front, which carries four fifths of them: it loses
    commitment_cost * threat_0 * (1 - 0.8)."""
    presence = [[0.2, 0.8], [1.0, 0.0], [0.0, 1.0]]
    kw = dict(presence=presence, intensity=[1.0, 1.0], threat=[1.0, 1.0, 1.0])
    free = base3(**kw)
    bound = base3(params=Parameters(commitment_cost=5.0), **kw)
    assert free.pair_focus[0, 1] == pytest.approx(0.2)
    assert free.pair_focus[0, 2] == pytest.approx(0.8)
    drop = u(free).coordinate - u(bound).coordinate
    assert drop[0, 1] == pytest.approx(5.0 * 1.0 * 0.8)
    assert drop[0, 2] == pytest.approx(5.0 * 1.0 * 0.2)
    assert drop[1, 0] == pytest.approx(0.0)        # all of 1's losses are in the north


# ---- rivals on the rise --------------------------------------------------------------------


def test_a_rival_on_the_rise_is_struck() -> None:
    """With `preventive_weight` w, the wish of i to attack j rises by w * rise[i, j]
    (the observation's measure of j's rise against i); nothing but fights moves,
    and at the default (0) a rise changes nothing."""
    params = Parameters(preventive_weight=6.0)
    calm = base3(params=params)
    rising = np.zeros((3, 3))
    rising[0, 1], rising[2, 1] = 0.5, 0.25
    shifted = vary(calm, rise=rising)
    diff = u(shifted).fight - u(calm).fight
    np.testing.assert_allclose(diff, 6.0 * rising)
    assert np.array_equal(u(shifted).merge, u(calm).merge)
    assert np.array_equal(u(shifted).coordinate, u(calm).coordinate)
    assert np.array_equal(u(shifted).leave, u(calm).leave)
    plain = base3()
    assert np.array_equal(u(vary(plain, rise=rising)).fight, u(plain).fight)
