"""Random-utility choice: from utilities to decisions.

Each actor picks one option with probability proportional to
`exp(U / temperature)` among its valid options (one uniform draw per actor,
inverted through the cumulative softmax). Binary choices (accept a proposal, defect, expel) are
logistic in their utility. The number of random draws depends only on the
shape of the observation, so the generator stays in step across rules.
"""

from __future__ import annotations

import numpy as np

from sim.rules.base import DISSOLVE, LEAVE, NONE, Decisions, Observation, Utilities

N_SINGLE = 3


def valid_options(obs: Observation) -> np.ndarray:
    """(M, 3 + 3M) bool mask of the options each actor may take this month."""
    m = obs.n_actors
    other = obs.alive[None, :] & ~np.eye(m, dtype=bool)
    mask = np.zeros((m, N_SINGLE + 3 * m), dtype=bool)
    mask[:, NONE] = True
    mask[:, LEAVE] = obs.in_room
    mask[:, DISSOLVE] = True
    mask[:, N_SINGLE:N_SINGLE + m] = other & ~obs.same_room & ~obs.fighting
    mask[:, N_SINGLE + m:N_SINGLE + 2 * m] = other & ~obs.vetoed & ~obs.fighting
    mask[:, N_SINGLE + 2 * m:] = other & ~obs.fighting
    mask[~obs.alive, 1:] = False
    return mask


def option_matrix(u: Utilities) -> np.ndarray:
    """Utilities laid out as (M, 3 + 3M), in the order of `valid_options`."""
    return np.concatenate(
        [u.none[:, None], u.leave[:, None], u.dissolve[:, None], u.coordinate, u.merge, u.fight],
        axis=1)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def choose(u: Utilities, obs: Observation, rng: np.random.Generator) -> Decisions:
    m, tau = obs.n_actors, obs.params.temperature
    mask = valid_options(obs)
    logits = np.where(mask, option_matrix(u) / tau, -np.inf)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(m) * cumulative[:, -1]
    pick = np.minimum((cumulative <= draw[:, None]).sum(axis=1), logits.shape[1] - 1)
    pick = np.where(mask[np.arange(m), pick], pick, 0)
    action = np.where(pick < N_SINGLE, pick, N_SINGLE + (pick - N_SINGLE) // max(m, 1))
    target = np.where(pick < N_SINGLE, -1, (pick - N_SINGLE) % max(m, 1))

    # The target of a coordinate (3) or merge (4) proposal accepts with the
    # logistic of its own utility for the same act towards the proposer.
    u_accept = rng.random(m)
    accepted = np.zeros(m, dtype=bool)
    rows = np.flatnonzero((action == 3) | (action == 4))
    if rows.size:
        tgt = target[rows]
        mat = np.where(action[rows] == 3, u.coordinate[tgt, rows], u.merge[tgt, rows])
        accepted[rows] = u_accept[rows] < _logistic((mat - u.none[tgt]) / tau)

    u_defect = rng.random(obs.n_components)
    defect = (~obs.comp_is_leader) & obs.alive[obs.comp_actor] & (u_defect < _logistic(u.defect / tau))
    u_expel = rng.random(m)
    expel = obs.in_room & obs.alive & (u_expel < _logistic(u.expel / tau))
    return Decisions(action=action.astype(np.int64), target=target.astype(np.int64),
                     accepted=accepted, defect=defect, expel=expel)
