"""The baseline rule: threat, affinity and patronage in one additive utility.

Each term is one mechanism of DESIGN.md section 4, weighted by a model
parameter, so that calibration and sensitivity analysis can weigh the
mechanisms against each other:

1. threat drives coordination (Walt 1987, balance of threat; Bapat & Bond 2012,
   "Alliances between militant groups", BJPolS 42(4));
2. ideological distance blocks mergers and drives infighting (Gade, Hafez &
   Gabbay 2019, JPR 56(3));
3. shared backers push unity; red lines and vetoes forbid association with
   designated groups (Tokdemir et al. 2021 on sponsor constraints; seed 000);
4. a dominant partner is left and balanced against (Christia 2012, "Alliance
   Formation in Civil Wars");
5. the strongest hardline group attacks weaker, foreign-backed rivals
   (hegemonic consolidation; Lister 2016, "The Syrian Jihad"), and any group
   strikes a rival whose power rises against it (preventive attack; Fearon 1995,
   "Rationalist Explanations for War", IO 49(3));
6. a parent attacks a component that left it (grievance after a split);
7-8. members far from the line of their room or entity leave or are expelled;
9. ultimatums make dissolving attractive to those whose backers issue them, and
   leaving an entity, or not joining one, that an ultimatum names but not oneself.
"""

from __future__ import annotations

import numpy as np

from sim.rules.base import Classifier, Observation, Rule, Utilities


def affinity_terms(obs: Observation) -> dict[str, np.ndarray]:
    """How much i wants to be associated with j, before costs, term by term."""
    p = obs.params
    return {
        "trust": p.trust_weight * obs.trust,
        "ideological distance": -(p.distance_weight * p.ideology_weight * obs.distance),
        "grievance": -(p.grievance_weight * obs.grievance),
        "backers (unity, red lines)": p.backer_pressure * (
            p.unity_weight * (obs.unity - obs.intolerance) - p.red_line_weight * obs.red_line),
    }


def affinity(obs: Observation) -> np.ndarray:
    """(M, M) how much i wants to be associated with j, before costs."""
    return total(affinity_terms(obs))


class WeightedUtility(Rule):
    """Additive random utility over all actions; every mechanism a weighted term.

    Literature: Walt (1987) and Bapat & Bond (2012, BJPolS 42(4)) for threat;
    Gade, Hafez & Gabbay (2019, JPR 56(3)) for ideological distance; Christia
    (2012, "Alliance Formation in Civil Wars") for relative power; Lister (2016,
    "The Syrian Jihad") for hegemonic consolidation; McFadden (1974) for the
    random-utility (conditional logit) choice."""

    name = "utility"
    classifier = Classifier(
        stochastic=True,
        reads=frozenset({"strength", "share", "hardline", "threat", "support", "merge_support", "pair_support", "room_support",
                         "group", "red_dependence", "distance",
                         "trust", "grievance", "unity", "red_line", "intolerance", "allegiance",
                         "foreign_backing", "designated", "cohesion", "ultimatum", "crisis", "window", "pressure", "exclusion",
                         "rise", "same_room", "room_gap", "room_red", "room_grievance", "room_focus", "pair_focus",
                         "room_mates", "in_room", "units", "fighting",
                         "comp_leader_share", "comp_gap", "comp_grievance",
                         "comp_red_line", "comp_outside", "comp_ultimatum"}),
        mechanisms=(1, 2, 3, 4, 5, 6, 7, 8, 9),
    )

    def utilities(self, obs: Observation) -> Utilities:
        return Utilities(**{action: total(parts) for action, parts in self.terms(obs).items()})

    def terms(self, obs: Observation) -> dict[str, dict[str, np.ndarray | float]]:
        """Each action's utility as its named terms, signed, in the order they
        are summed (`total`): `utilities` is their sum, so an explanation
        (`sim.explain`) shows exactly what the choice weighed. `coordinate`
        counts affinity to the partner's whole group as one term."""
        p = obs.params
        m = obs.n_actors
        bp = p.backer_pressure
        affinity_parts = affinity_terms(obs)
        aff = total(affinity_parts)
        threat = p.loss_sensitivity * obs.threat
        # Mechanism 1: association pays by the share of one's losses the
        # partner's whole group would absorb, weighed by the threat one feels
        # (on every front for a merger; see `front_relief` for a room).
        relief = threat[:, None] * obs.support
        # A merger relieves only what one's rooms do not already (`marginal_relief`
        # 1, as on the battlefield, where room partners on a front share losses).
        mr = p.marginal_relief
        merge_relief = (relief if mr <= 0.0 else
                        threat[:, None] * ((1.0 - mr) * obs.support + mr * obs.merge_support))
        same_room = obs.same_room.astype(float)
        # Joining j means joining j's room: affinity to the group, strength-
        # weighted, with the red line applying if anyone in it is designated.
        group = obs.group.astype(float)
        weights = group * obs.strength[None, :]
        aff_group = (aff @ weights.T) / np.maximum(weights.sum(axis=1), 1e-9)[None, :]
        group_designated = (group @ obs.designated.astype(float)) > 0
        aff_group = aff_group - obs.params.backer_pressure * p.red_line_weight * (
            obs.red_dependence[:, None] * (group_designated[None, :] & ~obs.designated[None, :]))

        # Mechanism 4: relative power. A weaker partner fears a merger with a
        # much stronger one; groups threatened by the same dominant rival balance.
        pair_share = obs.strength[None, :] / (obs.strength[:, None] + obs.strength[None, :] + 1e-9)
        subordination = np.maximum(pair_share - 0.5, 0.0)           # [i, j]: j dominates i
        hostile = (obs.fighting | (obs.grievance > 0.5)).astype(float)
        fear = hostile * obs.share[None, :]                             # [i, k]
        # ... but not with a group one is itself hostile to (either way).
        friendly = 1.0 - np.maximum(hostile, hostile.T)
        balancing = (fear @ fear.T) * friendly
        np.fill_diagonal(balancing, 0.0)

        # A group under attack seeks the protection of a stronger group that is
        # not hostile to it (Jund al-Aqsa into JFS, 2016; six factions into Ahrar, 2017).
        attacked = obs.fighting.any(axis=1).astype(float)
        protection = attacked[:, None] * np.maximum(pair_share - 0.5, 0.0) * friendly

        # Bystanders take sides: when j is at war with k, a group standing closer
        # to j than to k wants into j's camp, the more so the stronger k is, and j
        # welcomes it (January 2017: the factions that feared JFS joined Ahrar,
        # Zenki and the jihadist ones JFS in HTS; timeline lines 46-51).
        # (Zero without a war, or at the default weight: skip the M x M x M product.)
        camp = 0.0
        if p.camp_weight > 0 and obs.fighting.any():
            at_war = obs.fighting * obs.share[None, :]                    # [j, k]
            camp = np.maximum(obs.distance @ at_war.T
                              - obs.distance * at_war.sum(axis=1)[None, :], 0.0) * friendly
            np.fill_diagonal(camp, 0.0)
            camp = camp + camp.T

        # A room relieves only the front it coordinates (the front where i and j
        # have most at stake): at `front_relief` 1 the relief of joining j counts
        # j's group there alone; at 0 (the default) j's group on every front, as
        # if coordinating made allies everywhere.
        if p.front_relief > 0.0:
            coord_relief = threat[:, None] * ((1.0 - p.front_relief) * obs.support
                                              + p.front_relief * obs.pair_support)
        else:
            coord_relief = relief
        # A room on a front that carries little of one's losses is not worth joining
        # for the same reason it is worth leaving (the commitment term of `leave`).
        coordinate = {
            "affinity to j's group": aff_group,
            "threat relief": p.threat_coordination * coord_relief,
            "commitment away from one's fronts": -(p.commitment_cost * threat[:, None]
                                                   * (1.0 - obs.pair_focus)),
            "coordination cost": -p.coordination_cost,
        }
        # Mechanism 2: a merger needs far more ideological closeness than a room
        # does (Gade, Hafez & Gabbay 2019): distance counts three times over.
        # A crisis (a shock, a designation, an offensive, an attack) waives part
        # of the cost of merging: mergers come in windows (an offensive opens
        # only `rise_merge` of one: `window`).
        # A merger with a group sworn to a foreign patron means swearing the oath
        # too: Nusra's pledge to al-Qaeda kept its partners out of one body with it
        # until July 2016 (`allegiance_weight`; timeline line 27).
        # Shared operations make partners, not necessarily one body: only the
        # `merger_trust` share of trust counts toward a merger (none withheld at 1).
        # A designated group seeks cover in undesignated partners the more when an
        # agreement has just left it out, making it everyone's target (the ceasefire
        # of December 2016 and Astana, then HTS in January 2017; timeline lines 44-51).
        cover_need = ((1.0 - p.cover_exclusion) + p.cover_exclusion * obs.exclusion
                      if p.cover_exclusion > 0.0 else np.ones(m))
        # ... and it hides only in a partner that is not drowned in it: with
        # `cover_dilution` d, d of the cover grows with the partner's weight in the
        # pair (full from a partner at least as strong as oneself).
        cover_partner = ((1.0 - p.cover_dilution) + p.cover_dilution * np.minimum(1.0, 2.0 * pair_share)
                         if p.cover_dilution > 0.0 else 1.0)
        withheld = ((1.0 - p.merger_trust) * p.trust_weight * obs.trust
                    if p.merger_trust < 1.0 else 0.0)
        # Mechanism 9: what drives a component out of an entity keeps a group from
        # joining one: merging with a group under an ultimatum that does not name
        # oneself means bearing it too (the mirror of `defect`'s ultimatum term).
        named = obs.ultimatum > 0.0
        merge = {
            **affinity_parts,
            "ideological distance, twice more for a merger": -(
                2.0 * p.distance_weight * p.ideology_weight * obs.distance),
            "trust withheld from mergers": -withheld,
            "threat relief": 0.5 * p.threat_coordination * merge_relief,
            "cover (designated with undesignated)": p.cover_seeking * cover_partner * (
                obs.designated[:, None] & ~obs.designated[None, :]) * cover_need[:, None],
            "balancing a common rival": p.balancing_weight * balancing,
            "protection when attacked": p.protection_weight * protection,
            "camp in a war": p.camp_weight * camp,
            "same room": 1.0 * same_room,
            "subordination": -(p.dominance_weight * subordination),
            "merger cost (waived in a window)": -(p.merge_cost * (0.5 + obs.cohesion[:, None])
                                                  * (1.0 - p.crisis_merge * obs.window[:, None])),
            "size of the entity": -(p.merge_size_cost * (obs.units[:, None] + obs.units[None, :] - 2)),
            "oath of allegiance": -(p.allegiance_weight * obs.allegiance),
            "ultimatum on the partner": -(bp * p.ultimatum_weight * (named[None, :] & ~named[:, None])),
        }

        # Mechanism 5: hegemonic consolidation.
        advantage = np.maximum(0.5 - pair_share, 0.0)         # [i, j]: i dominates j
        hegemony = obs.hardline[:, None] * advantage * (0.5 + obs.foreign_backing[None, :])
        # Agreements that leave some groups out set them against the parties: the
        # excluded expect the parties to be turned on them and strike first (the Feb
        # 2016 cessation of hostilities, the Dec 2016 ceasefire and Astana, the 2017
        # de-escalation zones, Sochi 2018: timeline lines 22, 44-47, 69-70, 79, 111;
        # each followed by the excluded group's attacks within two months).
        exclusion = np.maximum(obs.exclusion[:, None] - obs.exclusion[None, :], 0.0)
        # A rival on the rise is struck before it grows: a merger or absorption that
        # makes j stronger, or a move away from i's line, in the month after (JTS,
        # Feb 2018, attacked by HTS within a day; Ahrar's revolution flag, Jun 2017,
        # then HTS's war on it; timeline lines 71-73, 98-99). Fearon (1995) on
        # preventive war under shifting power.
        fight = {
            "hegemony": p.hegemony_weight * hegemony,
            "rival on the rise": p.preventive_weight * obs.rise,
            "exclusion from an agreement": p.exclusion_weight * exclusion,
            "grievance": p.grievance_weight * obs.grievance,
            "ideological distance": 0.5 * p.distance_weight * p.ideology_weight * obs.distance,
            "trust": -(p.trust_weight * obs.trust),
            "same room": -(2.0 * same_room),
            "restraint under pressure": -(p.fight_restraint * obs.pressure[:, None]),
            "fight cost": -p.fight_cost,
        }

        # Mechanisms 7 and 3: a member far from its room's line, or whose
        # partners are unwelcome to its backers, leaves; threat keeps it in,
        # unless the room's front carries little of its losses (the room then
        # draws fighters away from where it bleeds). All of it about its least
        # attached room.
        mates = obs.room_mates
        partners = np.maximum(mates.sum(axis=1), 1)
        partner_red = (obs.red_line * mates).max(axis=1, initial=0.0)
        partner_grievance = (obs.grievance * mates).sum(axis=1) / partners
        partner_trust = (obs.trust * mates).sum(axis=1) / partners
        leave = {
            "distance from the room's line": p.line_weight * p.ideology_weight * (
                obs.room_gap - p.line_tolerance),
            "red line on partners": bp * p.red_line_weight * partner_red,
            "grievance towards partners": p.grievance_weight * partner_grievance,
            "trust in partners": -(p.trust_weight * partner_trust),
            "relief the room gives": -(p.threat_coordination * threat * obs.room_support),
            "room away from one's fronts": p.commitment_cost * threat * (1.0 - obs.room_focus)
            * obs.in_room,
            "cost of breaking with the partners": -p.coordination_cost,
        }
        expel = {
            "distance from the room's line": p.line_weight * p.ideology_weight * (
                obs.room_gap - p.line_tolerance - 0.1),
            "red line": bp * p.red_line_weight * obs.room_red,
            "partners' grievance": p.grievance_weight * obs.room_grievance,
            "cost of breaking with a member": -p.coordination_cost,
        }

        # Mechanism 9: dissolve under an ultimatum; big groups have more to lose.
        dissolve = {
            "ultimatum": bp * p.ultimatum_weight * obs.ultimatum,
            "dissolution cost": -(p.dissolve_cost * (1.0 + 4.0 * obs.share)),
        }

        # Mechanisms 4, 8 and 3 for components of merged entities.
        cohesion = obs.cohesion[obs.comp_actor]
        defect = {
            "leader's dominance": p.dominance_weight * np.maximum(obs.comp_leader_share - 0.5, 0.0),
            "distance from the entity's line": p.line_weight * p.ideology_weight * (
                obs.comp_gap - p.line_tolerance),
            "grievance towards the leader": p.grievance_weight * obs.comp_grievance,
            "red line on the entity": bp * p.red_line_weight * obs.comp_red_line,
            "ultimatum on the entity": bp * p.ultimatum_weight * obs.comp_ultimatum,
            "outside option": 0.25 * np.maximum(obs.comp_outside, 0.0),
            "defection cost": -(p.defection_cost * (0.5 + cohesion)),
        }

        return {"none": {"reference": np.zeros(m)}, "leave": leave, "dissolve": dissolve,
                "coordinate": coordinate, "merge": merge, "fight": fight,
                "defect": defect, "expel": expel}


def total(parts: dict[str, np.ndarray | float]) -> np.ndarray:
    """The sum of named terms, left to right (the order `WeightedUtility.terms` gives)."""
    values = iter(parts.values())
    out = next(values)
    for v in values:
        out = out + v
    return out
