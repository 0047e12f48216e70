"""Consent to enter a room: with `room_consent` at 1 a coordination proposal is
accepted on the utility of the least willing member of the room the two would
share; at 0 on its target's alone. Mergers are not affected."""

from __future__ import annotations

import numpy as np
from contract import observation

from sim.config.schema import Parameters
from sim.rules.base import Utilities
from sim.rules.choice import choose, consent

ROOM = [[0, 1]]          # actors 0 and 1 share a room; 2 and 3 are outside


def utilities(coordinate: np.ndarray, merge: np.ndarray | None = None) -> Utilities:
    m = coordinate.shape[0]
    return Utilities(none=np.zeros(m), leave=np.full(m, -50.0), dissolve=np.full(m, -50.0),
                     coordinate=coordinate, merge=np.full((m, m), -50.0) if merge is None else merge,
                     fight=np.full((m, m), -50.0), defect=np.zeros(0), expel=np.full(m, -50.0))


def test_consent_is_the_least_willing_members_utility_towards_the_newcomer() -> None:
    obs = observation(4, rooms=ROOM)
    u = np.arange(16, dtype=float).reshape(4, 4) - 8.0    # [k, x]: k towards x
    c = consent(utilities(u), obs)
    assert c[2, 1] == u[0, 2]          # 2 joins 1's room: 0 judges 2
    assert c[2, 0] == u[1, 2]          # 2 joins 0's room: 1 judges 2
    assert c[0, 3] == u[1, 3]          # 0 brings 3 into its room: 1 judges 3
    assert np.isinf(c[2, 3]) and np.isinf(c[3, 2])      # a new room: nobody else has a say
    big = observation(5, rooms=[[0, 1, 2]])
    u5 = np.zeros((5, 5))
    u5[1, 3], u5[2, 3] = -4.0, 2.0
    assert consent(utilities(u5), big)[3, 0] == -4.0    # the least willing of 1 and 2


def acceptance(consent_weight: float, objector: float, n: int = 4000) -> float:
    """Share of proposals by 2 to 1 (in a room with 0) that are accepted, when
    1 welcomes 2 (utility 3) and 0's utility towards 2 is `objector`."""
    obs = observation(4, rooms=ROOM, params=Parameters(temperature=1.0, room_consent=consent_weight))
    u = np.full((4, 4), -50.0)
    u[2, 1] = 50.0                       # 2 always proposes to 1
    u[1, 2] = 3.0
    u[0, 2] = objector
    dec = choose(utilities(u), obs, np.random.default_rng(7))
    assert dec.action[2] == 3 and dec.target[2] == 1
    rng = np.random.default_rng(11)
    return float(np.mean([choose(utilities(u), obs, rng).accepted[2] for _ in range(n)]))


def logistic(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


def test_an_objecting_member_keeps_the_newcomer_out_in_proportion() -> None:
    assert abs(acceptance(0.0, -3.0) - logistic(3.0)) < 0.02         # the target alone
    assert abs(acceptance(1.0, -3.0) - logistic(-3.0)) < 0.02        # the objector decides
    assert abs(acceptance(0.5, -3.0) - logistic(0.0)) < 0.03         # halfway
    assert abs(acceptance(1.0, 5.0) - logistic(3.0)) < 0.02          # a keener member changes nothing


def test_mergers_do_not_need_the_room_partners_consent() -> None:
    obs = observation(4, rooms=ROOM, params=Parameters(temperature=1.0, room_consent=1.0))
    coord = np.full((4, 4), -50.0)
    coord[0, 2] = -30.0                  # 0 wants nothing to do with 2
    merge = np.full((4, 4), -50.0)
    merge[2, 1], merge[1, 2] = 50.0, 50.0
    rng = np.random.default_rng(3)
    decisions = [choose(utilities(coord, merge), obs, rng) for _ in range(200)]
    assert all(d.action[2] == 4 and d.accepted[2] for d in decisions)
