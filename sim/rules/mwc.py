"""Minimum winning coalitions as a decision rule (Christia 2012; Riker 1962).

The pieces (`coalition_value`, `tent`, `win_share`, `stakes`) are small pure
functions shared by the rule, its tests and the documentation.
"""

from __future__ import annotations

import numpy as np

from sim.rules.base import Classifier, Observation, Rule, Utilities

#: P(win) = min(1, x**WIN_EXPONENT) for a coalition holding x times the winning threshold.
WIN_EXPONENT = 3
#: Ideology is a tie-breaker: this fraction of `distance_weight·ideology_weight`.
TIE_BREAK = 0.05
#: Extra penalty (on top of `fight_cost`) of attacking a partner of one's own room.
PARTNER_FIGHT = 2.0


def win_share(obs: Observation) -> np.ndarray:
    """(M,) each actor's fighters in units of the winning threshold W, half of
    all living fighters: a coalition whose entries sum to more than 1 is winning."""
    s = np.where(obs.alive, np.maximum(obs.strength, 0.0), 0.0)
    total = float(s.sum())
    return 2.0 * s / total if total > 0 else s


def tent(x: np.ndarray) -> np.ndarray:
    """A member's expected payoff in a coalition of x times the threshold, relative
    to its payoff in an exactly winning one: P(win) · W / S with
    P(win) = min(1, x**WIN_EXPONENT) (Gamson's proportional payoff): x**(k-1)
    below the threshold, 1/x above it (oversized coalitions dilute the spoils)."""
    x = np.asarray(x, dtype=float)
    below = np.power(np.clip(x, 0.0, 1.0), WIN_EXPONENT - 1)
    return np.where(x > 1.0, 1.0 / np.maximum(x, 1.0), below)


def stakes(obs: Observation) -> np.ndarray:
    """(M,) what being in a winning coalition is worth to each actor:
    `threat_coordination · (0.5 + loss_sensitivity · threat)`: the war always
    matters, and more to those who bleed."""
    p = obs.params
    return p.threat_coordination * (0.5 + p.loss_sensitivity * obs.threat)


def coalition_value(obs: Observation, member: np.ndarray, others_max: np.ndarray) -> np.ndarray:
    """Value to an actor of a coalition: `stakes · tent(x) − dominance_weight ·
    max(0, biggest other member's share of the coalition − ½)`.

    `member` is (M, ..., M) bool: for the actor on the first axis, which actors
    (the last axis) the coalition holds, itself included; `others_max` (M, ...)
    is the `win_share` of the largest member other than the actor."""
    w = win_share(obs)
    x = (member * w).sum(axis=-1)
    dominated = np.maximum(others_max / np.maximum(x, 1e-12) - 0.5, 0.0)
    dominated = np.where(x > 0, dominated, 0.0)
    st = stakes(obs).reshape((-1,) + (1,) * (np.ndim(x) - 1))
    return st * tent(x) - obs.params.dominance_weight * dominated


class MinimumWinningCoalition(Rule):
    """Minimum winning coalitions (Christia 2012, "Alliance Formation in Civil
    Wars", Cambridge University Press; Riker 1962, "The Theory of Political
    Coalitions", the size principle; Gamson 1961 on proportional payoffs).

    The theory: in a multiparty civil war groups ally to be on the winning
    side, but in the smallest winning coalition, where their share of the
    spoils is largest; oversized coalitions are unattractive and shed members;
    when one partner dominates, the weaker ones balance against it; identity
    (ideology) is invoked after the fact and decides at most between equally
    good options.

    Operationalisation:

    * coalition: an actor's room (`group`: itself and its room partners); a
      merged entity is one actor, so a merger makes a coalition of the two
      actors' rooms together;
    * winning: holding more than half of all living fighters (Riker's
      majority); x = the coalition's fighters over that threshold. We did not
      use the front intensity as the threshold: the regime's strength is not
      in the scenario, only its offensives, which enter as the stakes;
    * a member's payoff: P(win) · (its fighters / the coalition's) (Gamson's
      proportional payoff), with P(win) = min(1, x³) so that progress towards
      the threshold pays and, above it, every extra fighter dilutes the
      spoils; normalised to the payoff in an exactly winning coalition this is
      `tent(x)` = x² below 1, 1/x above; the stakes are
      `threat_coordination · (0.5 + loss_sensitivity · threat)`;
    * dominance: a member loses `dominance_weight · (share of the largest
      other member − ½)` when someone holds more than half of its coalition;
      the weaker side of a merger pays it twice (as a coalition member and,
      on the pair's fighters, as a component that gives up its autonomy);
    * every option is valued by the coalition it produces, minus the value of
      the current one, minus its cost (`coordination_cost`, `merge_cost ·
      (0.5 + cohesion)`, `defection_cost · (0.5 + cohesion)`): coordinating
      with j means joining j's room (or bringing j into one's own, or forming
      one, as the model resolves it), leaving means standing alone; a winning
      coalition therefore does not recruit (its members' value falls) and a
      weak actor prefers the partner that just makes it winning;
    * expulsion: the partners' gain from a smaller coalition (their mean stake
      times the change of `tent`), minus `coordination_cost`; defection of a
      component: standing alone (with its estimated share of the entity's
      fighters) against staying in the entity's coalition under its leader's
      dominance;
    * ideology: a tie-breaker of `TIE_BREAK · distance_weight ·
      ideology_weight · distance` on coordinating and merging.

    What the theory does not say, and how we fill it: infighting (a winning,
    or nearly winning, coalition attacks weaker outsiders:
    `hegemony_weight · (its share of the pair's fighters − ½) · min(x, 1) −
    fight_cost`; a room partner is never a target); backers, red lines,
    trust, grievances and ultimatums (left out: the model's vetoes still
    block mergers); dissolution (only its cost: groups end by defeat or
    attrition).
    """

    name = "mwc"
    classifier = Classifier(
        stochastic=True,
        reads=frozenset({"strength", "threat", "distance", "group", "in_room", "same_room",
                         "cohesion", "comp_leader_share"}),
        mechanisms=(1, 4, 5),
    )

    def utilities(self, obs: Observation) -> Utilities:
        p = obs.params
        m = obs.n_actors
        eye = np.eye(m, dtype=bool)
        alive = obs.alive
        w = win_share(obs)
        st = stakes(obs)
        group = obs.group & alive[None, :] & alive[:, None] | eye
        gw = group * w[None, :]
        x_group = gw.sum(axis=1)                                       # (M,) i's coalition
        partners_max = np.where(eye, 0.0, gw).max(axis=1, initial=0.0)
        group_max = gw.max(axis=1, initial=0.0)

        current = coalition_value(obs, group, partners_max)
        alone = st * tent(w)

        # Coordinating with j: join j's room if it has one, otherwise j comes to i's.
        joins = obs.in_room[None, :] & np.ones((m, 1), dtype=bool)      # [i, j]
        member = np.where(joins[:, :, None], group[None, :, :] | eye[:, None, :],
                          group[:, None, :] | eye[None, :, :])          # [i, j, k]
        others = np.where(joins, group_max[None, :],
                          np.maximum(partners_max[:, None], w[None, :]))
        tie = TIE_BREAK * p.distance_weight * p.ideology_weight * obs.distance
        coordinate = (coalition_value(obs, member, others) - current[:, None]
                      - tie - p.coordination_cost)

        # Merging with j: one actor with both rooms. The weaker side is dominated
        # twice: as a member of the coalition (j counts among its other members)
        # and as a component that gives up its autonomy.
        union = group[:, None, :] | group[None, :, :]
        excl = union & ~eye[:, None, :]
        others_m = (excl * w[None, None, :]).max(axis=2, initial=0.0)
        pair_share = w[None, :] / np.maximum(w[:, None] + w[None, :], 1e-12)
        subordination = np.maximum(pair_share - 0.5, 0.0)
        merge = (coalition_value(obs, union, others_m) - current[:, None]
                 - p.dominance_weight * subordination - tie
                 - p.merge_cost * (0.5 + obs.cohesion[:, None]))

        leave = alone - current - p.coordination_cost

        # Fights: a (nearly) winning coalition attacks weaker outsiders.
        advantage = np.maximum(x_group[:, None] / np.maximum(x_group[:, None] + x_group[None, :],
                                                             1e-12) - 0.5, 0.0)
        fight = (p.hegemony_weight * advantage * np.minimum(x_group, 1.0)[:, None]
                 - PARTNER_FIGHT * obs.same_room - p.fight_cost)

        # Expulsion: would the partners be better off in a smaller coalition?
        partners = obs.same_room & alive[None, :]
        n_partners = partners.sum(axis=1)
        partner_stake = (partners * st[None, :]).sum(axis=1) / np.maximum(n_partners, 1)
        expel = (partner_stake * (tent(x_group - w) - tent(x_group))
                 - p.coordination_cost)

        dissolve = -p.dissolve_cost * (1.0 + 2.0 * w)

        # Components: alone with an estimated share, or in the entity under its leader.
        e = obs.comp_actor
        n_comp = np.bincount(e, minlength=m)[e] if e.size else np.zeros(0)
        lead = obs.comp_leader_share
        own_share = np.where(obs.comp_is_leader, lead,
                             (1.0 - lead) / np.maximum(n_comp - 1, 1))
        x_alone = w[e] * own_share
        inside = st[e] * tent(x_group[e]) - p.dominance_weight * np.maximum(lead - 0.5, 0.0)
        defect = (st[e] * tent(x_alone) - inside
                  - p.defection_cost * (0.5 + obs.cohesion[e]))

        return Utilities(none=np.zeros(m), leave=leave, dissolve=dissolve,
                         coordinate=coordinate, merge=merge, fight=fight,
                         defect=defect, expel=expel)
