"""What a merger is worth against what one has: `marginal_relief` counts only the
relief that one's rooms do not give already, and `counter_offer` has a courted
group weigh a merger against a room with its suitor."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.schema import Parameters
from sim.model.observe import actors_of, observe
from sim.model.state import initial_state
from sim.rules.base import Utilities
from sim.rules.choice import acceptance_utility
from sim.rules.utility import WeightedUtility
from tests.rules.contract import observation
from two_fronts import two_fronts


def scenario(**params):
    """a holds the north and the south; b and d the north, c the south; a and d
    share a northern room. 2,000 fighters each; the south is fought at 0.2."""
    return two_fronts("relief", "2030-03", {"2030-01": 1.0}, {"2030-01": 0.2}, params)


def look(**params):
    sc = scenario(threat_coordination=6.0, **params)
    st = initial_state(sc)
    st.threat[:] = 1.0
    actors = actors_of(st)
    obs = observe(st, actors, sc.parameters, np.array([1.0, 0.2]), 0)
    return obs, {k: i for i, k in enumerate(actors.keys)}


def test_a_merger_adds_only_the_relief_the_rooms_do_not_give() -> None:
    """a's intensity-weighted fighters are 5/6 northern. Its room gives it d's
    2,000 there (2,000 of 3,000 fighters). Merging with b adds b's 2,000 (4,000 of
    5,000): a gain of 5/6 x (4/5 - 2/3) = 1/9. Merging with d, already its northern
    partner, adds nothing, although `support` (j's group, a itself among d's
    partners) credits it with 5/6 x 3/4."""
    obs, ix = look(marginal_relief=1.0)
    a, b, c, d = ix["a"], ix["b"], ix["c"], ix["d"]
    north = 5.0 / 6.0
    assert obs.merge_support[a, b] == pytest.approx(north * (4000 / 5000 - 2000 / 3000))
    assert obs.merge_support[a, d] == pytest.approx(0.0)
    assert obs.support[a, d] == pytest.approx(north * 3000 / 4000)
    # c holds the south, where a has no room: all of that relief is new.
    assert obs.merge_support[a, c] == pytest.approx((1 - north) * 2000 / 3000)
    # The merger's threat relief reads it at 1, `support` at 0, a mix between.
    relief = {}
    for share in (0.0, 0.5, 1.0):
        o, _ = look(marginal_relief=share)
        relief[share] = WeightedUtility().terms(o)["merge"]["threat relief"][a, d]
    scale = 0.5 * 6.0 * Parameters().loss_sensitivity
    assert relief[0.0] == pytest.approx(scale * north * 3000 / 4000)
    assert relief[1.0] == pytest.approx(0.0)
    assert relief[0.5] == pytest.approx(relief[0.0] / 2)
    # At the default the field is not computed and nothing changes.
    o, _ = look()
    assert not o.merge_support.any()


def test_a_courted_group_weighs_a_merger_against_a_room() -> None:
    """Proposals 0 -> 1 (merge) and 2 -> 1 (merge). 1 values merging with 0 at
    +2 and a room with 0 at +3; it shares a room with 2 already. Without
    `counter_offer` both proposals are judged against doing nothing (+2); with
    it the first is judged against the room it could have instead (2 - k x 3),
    the second is not (there is no room to offer)."""
    m = 3
    u = Utilities(none=np.zeros(m), leave=np.zeros(m), dissolve=np.zeros(m),
                  coordinate=np.zeros((m, m)), merge=np.zeros((m, m)), fight=np.zeros((m, m)),
                  defect=np.zeros(0), expel=np.zeros(m))
    u.merge[1, 0] = u.merge[1, 2] = 2.0
    u.coordinate[1, 0] = 3.0
    proposers, targets = np.array([0, 2]), np.array([1, 1])
    room = np.array([False, False])
    for k, expected in ((0.0, [2.0, 2.0]), (1.0, [-1.0, 2.0]), (0.5, [0.5, 2.0])):
        obs = observation(m, rooms=[(1, 2)], params=Parameters(counter_offer=k))
        got = acceptance_utility(u, obs, proposers, targets, room)
        assert got == pytest.approx(expected)
    # A room that is worth less than doing nothing is no alternative.
    u.coordinate[1, 0] = -4.0
    obs = observation(m, rooms=[(1, 2)], params=Parameters(counter_offer=1.0))
    assert acceptance_utility(u, obs, proposers, targets, room) == pytest.approx([2.0, 2.0])
    # At war, a room is not on offer either.
    u.coordinate[1, 0] = 3.0
    obs = observation(m, rooms=[(1, 2)], fights=[(0, 1)], params=Parameters(counter_offer=1.0))
    assert acceptance_utility(u, obs, proposers, targets, room) == pytest.approx([2.0, 2.0])
