"""Landscape theory as a decision rule (Axelrod & Bennett 1993).

The theory's objects are computed from the month's `Observation` by the
small pure functions of this module (`propensity`, `sizes`, `room_labels`,
`blocs`, `frustration`, `flip_reduction`, `pair_reduction`, `selected_move`),
which the rule, the tests and the documentation share. The frustration and
flip algebra is `sim.landscape.energy`'s, applied to the living actors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.landscape.energy import flip_deltas, frustrations, weights
from sim.rules.base import Classifier, Observation, Rule, Utilities
from sim.rules.utility import affinity

#: Extra penalty (on top of `fight_cost`) of attacking an actor of one's own bloc.
SAME_BLOC_FIGHT = 2.0
#: Reductions at or below this are "no improvement" (rounding noise).
EPS = 1e-12


# ---- the theory's objects, read off the observation ------------------------------------


def propensity(obs: Observation) -> np.ndarray:
    """(M, M) symmetric propensities p_ij, zero on the diagonal and for dead actors.

    p is the `utility` rule's affinity (`sim.rules.utility.affinity`),
    symmetrised because the theory needs p_ij = p_ji::

        aff_ij = trust_weight·trust_ij − distance_weight·ideology_weight·distance_ij
                 − grievance_weight·grievance_ij
                 + backer_pressure·(unity_weight·(unity_ij − intolerance_ij)
                                    − red_line_weight·red_line_ij)
        p_ij   = (aff_ij + aff_ji) / 2
    """
    a = affinity(obs)
    p = (a + a.T) / 2.0
    np.fill_diagonal(p, 0.0)
    alive = obs.alive.astype(float)
    return p * alive[:, None] * alive[None, :]


def sizes(obs: Observation) -> np.ndarray:
    """(M,) the theory's sizes: each living actor's fighters relative to the average
    living actor (so that frustrations are in propensity units: an average-sized
    actor weighs its propensity once). Scaling all sizes changes no minimum."""
    s = np.where(obs.alive, np.maximum(obs.strength, 0.0), 0.0)
    total = float(s.sum())
    n = max(int(obs.alive.sum()), 1)
    return s * (n / total) if total > 0 else s


def room_labels(obs: Observation) -> np.ndarray:
    """(M,) the room (a connected group of `same_room`) of each actor, -1 if in none.
    Labels are numbered in the order of each room's first member."""
    m = obs.n_actors
    label = np.full(m, -1, dtype=np.int64)
    linked = obs.same_room & obs.alive[:, None] & obs.alive[None, :]
    n = 0
    for start in range(m):
        if label[start] >= 0 or not linked[start].any():
            continue
        stack = [start]
        label[start] = n
        while stack:
            k = stack.pop()
            for j in np.flatnonzero(linked[k] & (label < 0)):
                label[j] = n
                stack.append(int(j))
        n += 1
    return label


def blocs(obs: Observation) -> np.ndarray:
    """(M,) int8: 1 for the actors of the *core room* (the room with the most
    fighters; ties go to the room listed first), 0 for everybody else."""
    label = room_labels(obs)
    out = np.zeros(obs.n_actors, dtype=np.int8)
    if (label < 0).all():
        return out
    s = np.where(obs.alive, obs.strength, 0.0)
    totals = np.bincount(label[label >= 0], weights=s[label >= 0])
    out[label == int(np.argmax(totals))] = 1
    return out


def _on_alive(obs: Observation, func, b: np.ndarray) -> np.ndarray:
    """Apply an `energy` function to the living actors (sizes must be > 0 there)."""
    alive = np.flatnonzero(obs.alive)
    out = np.zeros(obs.n_actors)
    if alive.size == 0:
        return out
    s = np.maximum(sizes(obs)[alive], 1e-12)
    p = propensity(obs)[np.ix_(alive, alive)]
    out[alive] = func(s, p, b[alive][None, :])[0]
    return out


def frustration(obs: Observation, b: np.ndarray | None = None) -> np.ndarray:
    """(M,) F_i = sum_j s_j p_ij d_ij for bloc vector `b` (default: `blocs(obs)`)."""
    return _on_alive(obs, frustrations, blocs(obs) if b is None else np.asarray(b))


def flip_reduction(obs: Observation, b: np.ndarray | None = None) -> np.ndarray:
    """(M,) how much each actor's own frustration would fall if it alone switched bloc."""
    return -_on_alive(obs, flip_deltas, blocs(obs) if b is None else np.asarray(b))


def switch_reduction(obs: Observation, b: np.ndarray | None = None) -> np.ndarray:
    """(M,) the frustration reduction of each actor's switch *as the model
    realises it*: `flip_reduction`, except that a member of a two-member core
    room that leaves dissolves the room, which puts everybody in one bloc
    (F = 0): its reduction is then its whole current frustration."""
    b = blocs(obs) if b is None else np.asarray(b)
    red = flip_reduction(obs, b)
    if int(b.sum()) == 2:
        core = b == 1
        red[core] = frustration(obs, b)[core]
    return red


def pair_reduction(obs: Observation) -> np.ndarray:
    """(M, M) when no room exists (everybody in one bloc, F = 0): how much i's
    frustration falls if i and j form the first room together, i.e. if {i, j}
    stand against all the others: -(sum_{k != i, j} s_k p_ik)."""
    alive = np.flatnonzero(obs.alive)
    m = obs.n_actors
    out = np.zeros((m, m))
    if alive.size:
        W = weights(np.maximum(sizes(obs)[alive], 1e-12), propensity(obs)[np.ix_(alive, alive)])
        out[np.ix_(alive, alive)] = -(W.sum(axis=1)[:, None] - W)
    np.fill_diagonal(out, 0.0)
    return out


@dataclass(frozen=True)
class Move:
    """The month's move: `actor` switches bloc (`partner` is -1), or, when no room
    exists, `actor` and `partner` form the first one. `reduction` is the mover's
    own frustration reduction."""

    actor: int
    partner: int
    reduction: float


def _can_coordinate(obs: Observation) -> np.ndarray:
    m = obs.n_actors
    return (obs.alive[:, None] & obs.alive[None, :] & ~np.eye(m, dtype=bool)
            & ~obs.same_room & ~obs.fighting)


def selected_move(obs: Observation) -> Move | None:
    """The single move the theory makes this month: the one that lowers its
    mover's frustration most, or None at a local minimum of the landscape."""
    b = blocs(obs)
    can = _can_coordinate(obs)
    if b.any():
        red = switch_reduction(obs, b)
        core = b == 1
        # An outsider joins through a core member it may coordinate with; a core
        # member (or a member of another room) switches by leaving its room.
        able = obs.alive & (obs.in_room | (can & core[None, :]).any(axis=1))
        red = np.where(able, red, -np.inf)
        i = int(np.argmax(red))
        return Move(i, -1, float(red[i])) if red[i] > EPS else None
    pair = pair_reduction(obs)
    ok = can & (pair > EPS) & (pair.T > EPS)
    if not ok.any():
        return None
    masked = np.where(ok, pair, -np.inf)
    i, j = np.unravel_index(int(np.argmax(masked)), masked.shape)
    return Move(int(i), int(j), float(pair[i, j]))


# ---- the rule ---------------------------------------------------------------------------


class LandscapeRule(Rule):
    """Landscape theory of aggregation (Axelrod & Bennett 1993, "A Landscape
    Theory of Aggregation", British Journal of Political Science 23(2): 211-233).

    The theory: actors of sizes s_i with propensities p_ij to be together fall
    into two blocs; an actor's frustration is F_i = sum_j s_j p_ij d_ij (d_ij = 1
    when i and j are in different blocs); actors switch bloc one at a time when
    that lowers their own frustration, which (for symmetric p) always lowers the
    system's energy E = sum_i s_i F_i, so the system descends to a local minimum.

    Operationalisation (what the theory says, read off the Observation):

    * sizes: each living actor's share of the living fighters (`strength`);
    * propensities: the `utility` rule's affinity (trust, ideological distance,
      grievance, shared backers' unity push and intolerance, red lines; weights
      from `obs.params`), symmetrised: the *same* propensities as the baseline,
      so that rules differ only in how propensities aggregate;
    * the two blocs: the *core room* (the operations room with the most
      fighters) against everybody else. Joining the core room (coordinating
      with one of its members) is switching to it; leaving it is switching
      out. When no room exists everybody is in one bloc, a single actor cannot
      stand apart in a room of its own, and the first move is a pair forming
      the first room (each member's reduction: standing with its partner
      against all the others);
    * one at a time: the move that lowers its mover's frustration most is the
      month's move. Every option that realises it gets the mover's reduction
      as utility (the mover's proposal, the core members' bringing it in, the
      partner of a first pair), which makes the move likely and its acceptance
      sure (the theory has no consent). Every other act costs
      `coordination_cost` (plus any frustration it would add), so that the
      others mostly do nothing; `temperature` → 0 gives the theory's
      deterministic one-at-a-time descent.

    What the theory does not say, and how we fill it:

    * fights: the theory has none. An actor attacks an actor of the other bloc
      in proportion to how much that actor's presence frustrates it,
      -p_ij times j's size relative to the average actor, minus `fight_cost`;
      attacking one's own bloc costs `SAME_BLOC_FIGHT` more;
    * mergers: blocs are alignments, not unions. Actors of one bloc merge when
      their propensity pays `merge_cost·(0.5 + cohesion)`; a merger across
      blocs also bears the frustration the smaller side's switch would add;
    * expulsion is the partners' side of a switch: the strength-weighted
      -p_ji of the room partners, times i's relative size, minus
      `coordination_cost`; a component of a merged entity leaves it when its
      frustration inside is high: its propensity to its entity-mates
      (-distance_weight·ideology_weight·comp_gap − grievance_weight·
      comp_grievance − backer_pressure·red_line_weight·comp_red_line) times
      their relative size, against `defection_cost·(0.5 + cohesion)`;
    * geography, threat, relative power, ultimatums: not in the theory, not in
      the rule. Dissolving only costs `dissolve_cost` (groups end by defeat or
      attrition); rooms other than the core room are within-bloc detail,
      formed or left only at `coordination_cost`.
    """

    name = "landscape"
    classifier = Classifier(
        stochastic=True,
        reads=frozenset({"strength", "trust", "distance", "grievance", "unity", "intolerance",
                         "red_line", "same_room", "in_room", "fighting", "cohesion",
                         "comp_gap", "comp_grievance", "comp_red_line", "comp_leader_share"}),
        mechanisms=(2, 3, 6, 7, 8),
    )

    def utilities(self, obs: Observation) -> Utilities:
        p_ = obs.params
        m = obs.n_actors
        cost = p_.coordination_cost
        P = propensity(obs)
        s = sizes(obs)
        b = blocs(obs)
        core = b == 1
        has_core = bool(core.any())
        red = switch_reduction(obs, b)
        pair = pair_reduction(obs) if not has_core else np.zeros((m, m))
        move = selected_move(obs)
        in_room = obs.in_room

        # Own frustration reduction of each coordination, by the bloc change it realises.
        ci, cj = core[:, None], core[None, :]
        joins = ~ci & cj                                  # i joins the core room
        goes = ci & ~cj & in_room[None, :]                # i moves to j's (other) room
        brings = ci & ~cj & ~in_room[None, :]             # i brings j into the core room
        own = np.where(joins | goes, red[:, None], 0.0)
        own = np.where(brings, s[None, :] * P, own)
        if not has_core:
            own = pair
        coordinate = -cost + np.minimum(own, 0.0)
        leave = -cost + np.minimum(np.where(core, red, 0.0), 0.0)

        if move is not None:
            r, k = move.reduction, move.actor
            if move.partner >= 0:                         # the first room
                coordinate[k, move.partner] = coordinate[move.partner, k] = r
            elif core[k] or in_room[k]:                   # leave the core (or another) room
                leave[k] = r
            else:                                         # join the core room
                coordinate[k, core] = r
                coordinate[core, k] = r

        # Fights: across blocs, by how much j's presence frustrates i, with j's
        # weight saturating at 1 so that no enemy weighs more than its propensity.
        cross = (ci != cj) if has_core else np.zeros((m, m), dtype=bool)
        hostility = -P * (s / (1.0 + s))[None, :]
        fight = np.where(cross, hostility, -SAME_BLOC_FIGHT - np.abs(hostility)) - p_.fight_cost

        # Mergers: within a bloc, by propensity; across, the smaller side switches.
        smaller_is_i = obs.strength[:, None] <= obs.strength[None, :]
        switch = np.where(smaller_is_i, red[:, None], s[None, :] * P)
        merge = (P + np.where(cross, np.minimum(switch, 0.0), 0.0)
                 - p_.merge_cost * (0.5 + obs.cohesion[:, None]))

        # Expelling i from the core room is i's switch made by others: out of turn
        # (the theory's switches are the movers' own), so it is priced like any
        # other act out of turn, and more so when the switch would frustrate i.
        expel = -cost + np.minimum(np.where(core, red, 0.0), 0.0)

        dissolve = -p_.dissolve_cost * (1.0 + 4.0 * s / max(int(obs.alive.sum()), 1))

        # Components: frustration inside the entity.
        e = obs.comp_actor
        bp = p_.backer_pressure
        p_in = -(p_.distance_weight * p_.ideology_weight * obs.comp_gap
                 + p_.grievance_weight * obs.comp_grievance
                 + bp * p_.red_line_weight * obs.comp_red_line)
        mates = s[e] * np.where(obs.comp_is_leader, 1.0 - obs.comp_leader_share,
                                  obs.comp_leader_share)
        defect = -p_in * mates - p_.defection_cost * (0.5 + obs.cohesion[e])

        return Utilities(none=np.zeros(m), leave=leave, dissolve=dissolve,
                         coordinate=coordinate, merge=merge, fight=fight,
                         defect=defect, expel=expel)
