"""Scripted tests of the null-model rules `inert` and `random`."""

from __future__ import annotations

import numpy as np
from contract import (CASES, NONE, chosen_columns, decide_many, observation, random_observation,
                      vary)

from sim.rules.choice import valid_options
from sim.rules.simple import Inert, Random


def tempting():
    """Everything an actor could want: threat, unity, grievance, ultimatums,
    far-off room members, dominated components."""
    obs = observation(
        4, rooms=[[0, 1, 2]], entities={3: [0.9, 0.1]}, fights=[(2, 3)],
        threat=[2.0] * 4, presence=[[1.0]] * 4, unity=np.full((4, 4), 3.0),
        grievance=np.full((4, 4), 3.0) * (1 - np.eye(4)), ultimatum=[3.0] * 4,
        cohesion=[0.0] * 4)
    return vary(obs, room_gap=[1.0, 1.0, 1.0, 0.0], comp_gap=[0.0, 1.0],
                comp_leader_share=[0.9, 0.9])


# ---- inert ------------------------------------------------------------------------------


def test_inert_never_does_anything() -> None:
    rule = Inert()
    observations = [f() for f in CASES.values()] + [tempting()] + [
        random_observation(6, s, {0: [0.5, 0.5]}) for s in range(5)]
    for k, obs in enumerate(observations):
        d = decide_many(rule, obs, n=40, seed=k)
        assert (d.action == NONE).all()
        assert (d.target == -1).all()
        assert not d.accepted.any()
        assert not d.defect.any()
        assert not d.expel.any()


def test_inert_ignores_what_it_observes() -> None:
    a, b = random_observation(5, 1, {2: [0.5, 0.5]}), random_observation(5, 2, {2: [0.7, 0.3]})
    ua, ub = Inert().utilities(a).arrays(), Inert().utilities(b).arrays()
    for name in ua:
        assert np.array_equal(ua[name], ub[name]), name
    assert (ua["none"] == 0).all()


# ---- random -----------------------------------------------------------------------------


def test_random_chooses_every_valid_option() -> None:
    rule = Random()
    obs = observation(3, rooms=[[0, 1]], fights=[(1, 2)], vetoes=[(0, 2)],
                      entities={0: [0.6, 0.4]})
    valid = valid_options(obs)
    m = obs.n_actors
    d = decide_many(rule, obs, n=1500, seed=3)
    seen = np.zeros_like(valid)
    for cols in _columns(d, m):
        seen[np.arange(m), cols] = True
    missing = [(i, int(c)) for i, c in zip(*np.nonzero(valid & ~seen))]
    assert not missing, f"valid options never chosen (actor, column): {missing}"
    assert not (seen & ~valid).any()
    assert d.defect[:, 1].any(), "the component never defects"
    assert d.expel[:, 0].any() and d.expel[:, 1].any(), "room members are never expelled"
    assert d.accepted.any(), "no proposal is ever accepted"


def test_random_is_uniform_over_options_other_than_none() -> None:
    rule = Random()
    obs = observation(3, rooms=[[0, 1]])
    valid = valid_options(obs)
    m = obs.n_actors
    d = decide_many(rule, obs, n=1500, seed=4)
    all_cols = _columns(d, m)
    for i in range(m):
        cols = all_cols[:, i]
        options = np.flatnonzero(valid[i])[1:]                 # all valid but `none`
        counts = np.array([(cols == c).sum() for c in options])
        mean = counts.mean()
        assert (counts > 0.6 * mean).all() and (counts < 1.5 * mean).all(), (i, counts)
        # Doing nothing weighs as much as 3M options of weight one.
        p_none = 3 * m / (3 * m + len(options))
        assert abs((cols == 0).mean() - p_none) < 0.05


def _columns(d, m: int) -> np.ndarray:
    """(n, M) the option column (as in `valid_options`) each actor chose in each draw."""
    return np.where(d.action < 3, d.action, 3 + (d.action - 3) * m + d.target)


def test_random_ignores_what_it_observes() -> None:
    a, b = random_observation(5, 1, {2: [0.5, 0.5]}), random_observation(5, 2, {2: [0.7, 0.3]})
    ua, ub = Random().utilities(a).arrays(), Random().utilities(b).arrays()
    for name in ua:
        assert np.array_equal(ua[name], ub[name]), name


def test_random_respects_validity_with_chosen_columns_helper() -> None:
    obs = tempting()
    valid = valid_options(obs)
    rng = np.random.default_rng(8)
    for _ in range(300):
        dec = Random().decide(obs, rng)
        assert valid[np.arange(obs.n_actors), chosen_columns(dec, obs.n_actors)].all()
