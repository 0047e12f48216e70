"""Random-utility choice: from utilities to decisions.

Each actor picks one option with probability proportional to
`exp(U / temperature)` among its valid options (one uniform draw per actor,
inverted through the cumulative softmax), or by a nested logit whose nests
are the targets of each targeted action when `nest_scale` is below 1
(`choice_logits`). Binary choices (accept a proposal, defect, expel) are
logistic in their utility. Entering an operations room may also need the
consent of the members already in it (`room_consent`, `consent`); a merger
may be weighed against a room with the proposer instead (`counter_offer`). The number
of random draws depends only on the shape of the observation (and on whether
`base_activity` is below 1), so the generator stays in step across rules.

Change needs an agenda: with `base_activity` below 1, an actor acts at all
(chooses, defects, is expelled) only with probability
`base_activity + (1 - base_activity) * crisis`, where `crisis` measures the
dated shocks, policy changes, battlefield escalations and fights that touched
it lately (`sim.model.model`); otherwise it keeps things as they are. Alliance
change then clusters in such junctures (Christia 2012, "Alliance Formation in
Civil Wars", has alliance shifts follow battlefield shocks) instead of
drifting at a constant monthly rate.
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
    mask[:, N_SINGLE:N_SINGLE + m] = other & ~obs.same_room & ~obs.fighting & ~obs.quiet
    mask[:, N_SINGLE + m:N_SINGLE + 2 * m] = other & ~obs.vetoed & ~obs.fighting
    mask[:, N_SINGLE + 2 * m:] = other & ~obs.fighting
    mask[~obs.alive, 1:] = False
    return mask


def option_matrix(u: Utilities) -> np.ndarray:
    """Utilities laid out as (M, 3 + 3M), in the order of `valid_options`."""
    return np.concatenate(
        [u.none[:, None], u.leave[:, None], u.dissolve[:, None], u.coordinate, u.merge, u.fight],
        axis=1)


def logistic(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def choice_logits(u: Utilities, obs: Observation, mask: np.ndarray) -> np.ndarray:
    """(M, 3 + 3M) log-weights of the options, -inf where invalid.

    The three targeted actions are nests of a nested logit with scale
    `nest_scale` (lambda): an option j of action k weighs
    `exp(U_kj / (lambda tau)) * S_k ** (lambda - 1)`, `S_k` the sum of
    `exp(U_kj / (lambda tau))` over k's valid targets. At lambda = 1 this is the
    plain softmax over all options; as lambda falls an action is weighed by its
    best target, so that the number of possible partners does not inflate how
    often an actor acts (McFadden 1978; Train 2009, "Discrete Choice Methods
    with Simulation", ch. 4)."""
    m, tau, lam = obs.n_actors, obs.params.temperature, obs.params.nest_scale
    logits = np.where(mask, option_matrix(u) / tau, -np.inf)
    if lam >= 1.0:
        return logits
    for k in range(3):
        cols = slice(N_SINGLE + k * m, N_SINGLE + (k + 1) * m)
        inner = logits[:, cols] / lam
        top = inner.max(axis=1, keepdims=True)
        finite = np.isfinite(top)
        safe = np.where(finite, top, 0.0)
        log_s = safe + np.log(np.maximum(np.exp(inner - safe).sum(axis=1, keepdims=True), 1e-300))
        logits[:, cols] = np.where(finite, inner + (lam - 1.0) * log_s, -np.inf)
    return logits


def consent(u: Utilities, obs: Observation) -> np.ndarray:
    """(M, M) [i, j]: the utility, against doing nothing, of the least willing
    member of the room that i's coordinating with j would put them in (`panel`),
    each judging the newcomer (i when i joins j's room, else j) as a partner;
    +inf when nobody else sits in it (a new room)."""
    judge = (u.coordinate - u.none[:, None]).T           # [x, k]: k's utility towards x
    judged = np.where(obs.joining[:, :, None], judge[:, None, :], judge[None, :, :])
    return np.where(obs.panel, judged, np.inf).min(axis=2)


def acceptance_utility(u: Utilities, obs: Observation, proposers: np.ndarray,
                       targets: np.ndarray, room: np.ndarray) -> np.ndarray:
    """What accepting each proposal is worth to its target, against doing nothing:
    its own utility for the same act towards the proposer (`coordinate` where
    `room`, else `merge`), tempered for a room by the least willing member
    already in it (`room_consent`), and for a merger by the room with the
    proposer it could have instead (`counter_offer`). The target accepts with
    the logistic of this over the temperature."""
    mat = np.where(room, u.coordinate[targets, proposers], u.merge[targets, proposers]) - u.none[targets]
    # A merger is weighed against a room with the proposer instead (`counter_offer`).
    k = obs.params.counter_offer
    if k > 0.0:
        open_room = ~obs.same_room[targets, proposers] & ~obs.fighting[targets, proposers]
        room_instead = u.coordinate[targets, proposers] - u.none[targets]
        alternative = np.where(open_room, k * room_instead, 0.0)
        mat = np.where(room, mat, mat - np.maximum(alternative, 0.0))
    # Entering a room needs the consent of those already in it (`room_consent`).
    c = obs.params.room_consent
    if c > 0.0:
        least = np.minimum(mat, consent(u, obs)[proposers, targets])
        mat = np.where(room, (1.0 - c) * mat + c * least, mat)
    return mat


def choose(u: Utilities, obs: Observation, rng: np.random.Generator) -> Decisions:
    m, tau = obs.n_actors, obs.params.temperature
    mask = valid_options(obs)
    logits = choice_logits(u, obs, mask)
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
        accepted[rows] = u_accept[rows] < logistic(
            acceptance_utility(u, obs, rows, target[rows], action[rows] == 3) / tau)

    u_defect = rng.random(obs.n_components)
    defect = (~obs.comp_is_leader) & obs.alive[obs.comp_actor] & (u_defect < logistic(u.defect / tau))
    u_expel = rng.random(m)
    expel = obs.in_room & obs.alive & (u_expel < logistic(u.expel / tau))
    base = obs.params.base_activity
    if base < 1.0:
        active = rng.random(m) < base + (1.0 - base) * obs.crisis
        action = np.where(active, action, NONE)
        target = np.where(active, target, -1)
        accepted &= active
        defect &= active[obs.comp_actor]
        expel &= active
    return Decisions(action=action.astype(np.int64), target=target.astype(np.int64),
                     accepted=accepted, defect=defect, expel=expel)
