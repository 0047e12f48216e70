"""Battlefield losses, recruitment and the grievances they breed.

A faction on a front at intensity I loses `loss_rate * I` of the fighters it
has there each month. Partners present on the same front (fellow components
of a merged entity, and partners in a room that coordinates that front) take
part of the blow: losses shrink by
`loss_sharing` times the partners' share of the fighters on that front. A
partner that is not on a front where a faction bleeds earns that faction's
grievance (`neglect_grievance` per unit of intensity). Threat is the smoothed
monthly loss fraction, relative to `loss_rate`.
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import Parameters
from sim.model.observe import Actors, structure
from sim.model.state import State


def partner_matrix(state: State, actors: Actors) -> np.ndarray:
    """(F, N, N) 0/1: factions that are partners on each front, sharing a
    merged entity or a room that coordinates that front (kept in the actors'
    cache: it changes only with organisational changes)."""
    if "partners" not in actors.cache:
        actors.cache["partners"] = _partner_matrix(state, actors)
    return actors.cache["partners"]


def _partner_matrix(state: State, actors: Actors) -> np.ndarray:
    """The actors' per-front room partners (`observe.structure`, shared with the
    observation) expanded to factions, plus fellow components of an entity."""
    n_fronts = state.presence.shape[1]
    if not actors.keys:
        return np.zeros((n_fronts, state.n, state.n))
    same_front = structure(state, actors)["same_front"]                 # (F, M, M)
    a = actors.of_unit
    alive = a >= 0
    safe = np.where(alive, a, 0)
    same_entity = a[:, None] == a[None, :]
    both = alive[:, None] & alive[None, :] & ~np.eye(state.n, dtype=bool)
    partners = np.zeros((n_fronts, state.n, state.n))
    for f in range(n_fronts):
        partners[f] = ((same_front[f][np.ix_(safe, safe)] > 0) | same_entity) & both
    return partners


def battlefield(state: State, actors: Actors, params: Parameters, intensity: np.ndarray,
                escalation: np.ndarray) -> np.ndarray:
    """Apply one month of front losses and recruitment; return losses per faction.

    `escalation` (N,) is extra intensity borne by factions that defied an ultimatum.
    """
    alive = state.alive
    s = np.where(alive, state.strength, 0.0)
    partners = partner_matrix(state, actors)                            # (F, N, N), 0/1
    own = s[:, None] * state.presence                                   # (N, F) fighters on fronts
    helpers = np.zeros_like(own)
    for f in range(own.shape[1]):
        helpers[:, f] = partners[f] @ own[:, f]
    support = helpers / np.maximum(own + helpers, 1e-9)
    front_i = intensity[None, :] + escalation[:, None] * (state.presence > 0)
    losses = params.loss_rate * (front_i * own * (1.0 - params.loss_sharing * support)).sum(axis=1)

    # Grievance at partners (on any front) who do not reinforce where one bleeds.
    partners = partners.any(axis=0) if len(partners) else np.zeros((state.n, state.n), dtype=bool)
    if partners.any():
        exposure = (front_i * state.presence).sum(axis=1)
        P = state.presence
        reinforced = (np.minimum(P[:, None, :], P[None, :, :]) * front_i[:, None, :]).sum(axis=2)
        neglect = np.maximum(exposure[:, None] - reinforced, 0.0) * partners
        state.grievance += params.neglect_grievance * neglect
        state.trust += params.trust_gain * (1.0 - state.trust) * partners

    state.grievance *= 1.0 - params.grievance_decay
    if params.rivalry_floor > 0.0:
        np.maximum(state.grievance, params.rivalry_floor * state.rivalry, out=state.grievance)
    fraction = losses / np.maximum(s, 1e-9) / max(params.loss_rate, 1e-9)
    state.threat = params.threat_memory * state.threat + (1.0 - params.threat_memory) * fraction
    growth = params.growth + params.funding_growth * (state.dependence @ state.funding)
    state.strength = np.where(alive, np.maximum(s * (1.0 + growth) - losses, 0.0), state.strength)
    return losses
