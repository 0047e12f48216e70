"""The scenario schema: every key a scenario file may hold, its type and range.

Each class is one section of a scenario. All reject unknown keys and are strict
about types (PyYAML reads `no` as false and `010` as 8; a bool where a number or
a name is expected is an error, not a silent conversion). Cross-references
(a faction naming an unknown backer, a room naming an unknown faction, ...) are
checked in `checks.py`, after this schema.

`coalsim schema` prints the JSON Schema generated from these classes.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Scale = Annotated[float, Field(ge=1.0, le=5.0)]
Sources = dict[str, Annotated[str, StringConstraints(min_length=1)]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Parameters(Strict):
    """Model parameters. Defaults are generic starting values, not fitted to any
    case (the baseline's calibrated values are set in its scenario file, see
    `docs/calibration.md`); every one can be set in a scenario, swept and
    calibrated. Weights are in utility units; the choice temperature divides them."""

    temperature: float = Field(0.35, gt=0.0, le=10.0,
                               description="Softmax temperature of random-utility choices.")
    nest_scale: float = Field(1.0, ge=0.02, le=1.0,
                              description="Nested-logit scale of the choice among the targets of "
                              "one action (1: plain softmax over all options; towards 0 an action "
                              "is weighed by its best target, so the number of possible partners "
                              "does not inflate how often an actor acts).")
    loss_rate: float = Field(0.035, ge=0.0, le=0.5,
                             description="Monthly fraction of fighters lost on a front at intensity 1.")
    loss_sharing: Unit = Field(0.5, description="Share of a faction's front losses absorbed "
                               "by room partners present on the same front.")
    growth: float = Field(0.012, ge=0.0, le=0.2, description="Monthly recruitment growth rate.")
    funding_growth: float = Field(0.02, ge=0.0, le=0.2,
                                  description="Extra monthly growth per unit of backer funding.")
    threat_memory: Unit = Field(0.6, description="Weight of last month's threat in the "
                                "threat memory (exponential smoothing).")
    loss_sensitivity: float = Field(1.0, ge=0.0, le=10.0,
                                    description="Multiplier of the threat felt from losses.")
    ideology_weight: float = Field(1.0, ge=0.0, le=10.0,
                                   description="Multiplier of ideological distance in every choice.")
    backer_pressure: float = Field(1.0, ge=0.0, le=10.0,
                                   description="Multiplier of backer unity pushes, red lines and ultimatums.")
    threat_coordination: float = Field(6.0, ge=0.0, le=50.0,
                                       description="Weight of threat in the wish to coordinate.")
    trust_weight: float = Field(1.5, ge=0.0, le=20.0, description="Weight of trust in affinity.")
    distance_weight: float = Field(4.0, ge=0.0, le=50.0,
                                   description="Weight of ideological distance in affinity.")
    grievance_weight: float = Field(2.0, ge=0.0, le=20.0,
                                    description="Weight of grievance in affinity.")
    unity_weight: float = Field(2.0, ge=0.0, le=20.0,
                                description="Weight of a shared backer's push to unite.")
    red_line_weight: float = Field(4.0, ge=0.0, le=50.0,
                                   description="Penalty for associating with a designated group, "
                                   "times the client's dependence on a backer with a red line.")
    coordination_cost: float = Field(2.0, ge=0.0, le=50.0,
                                     description="Cost of a change of room partners: of forming or "
                                     "entering an operations room, and of leaving one or expelling "
                                     "a member from it.")
    commitment_cost: float = Field(0.0, ge=0.0, le=50.0,
                                   description="Wish to leave an operations room whose front carries "
                                   "little of one's own losses, times threat (a room's front draws "
                                   "fighters away from where one bleeds).")
    merge_cost: float = Field(5.0, ge=0.0, le=50.0,
                              description="Cost of a merger to the group weighing it, times 0.5 + its "
                              "cohesion (an open merger window waives `crisis_merge` of it).")
    merge_size_cost: float = Field(0.0, ge=0.0, le=50.0,
                                   description="Extra cost of a merger per faction beyond two in the "
                                   "resulting entity (large entities are hard to hold together).")
    cover_seeking: float = Field(2.0, ge=0.0, le=20.0,
                                 description="Wish of a designated group to merge with undesignated ones.")
    cover_exclusion: float = Field(0.0, ge=0.0, le=1.0,
                                   description="Share of `cover_seeking` felt only while an agreement "
                                   "that left the group out is recent (its `exclusion`): cover matters "
                                   "when the designation makes one a target. 0: felt always.")
    cover_dilution: float = Field(0.0, ge=0.0, le=1.0,
                                  description="Share of `cover_seeking` that grows with the partner's "
                                  "weight: a designated group hides only in a partner that is not "
                                  "drowned in it (full cover from a partner at least as strong, in "
                                  "proportion below). JFS courted Ahrar, the largest group, for the "
                                  "merger talks of December 2016 (timeline line 42). 0: any partner covers "
                                  "in full.")
    fight_cost: float = Field(5.0, ge=0.0, le=50.0,
                              description="Cost of starting a fight with another actor.")
    hegemony_weight: float = Field(6.0, ge=0.0, le=50.0,
                                   description="Wish of a strong hardline group to attack weaker, "
                                   "foreign-backed rivals (mechanism 5).")
    dominance_weight: float = Field(4.0, ge=0.0, le=50.0,
                                    description="Wish of a component to leave an entity its "
                                    "strongest partner dominates (mechanism 4).")
    balancing_weight: float = Field(3.0, ge=0.0, le=50.0,
                                    description="Wish to merge with those threatened by the same "
                                    "dominant group (mechanism 4).")
    protection_weight: float = Field(4.0, ge=0.0, le=50.0,
                                     description="Wish of a group under attack to merge into a "
                                     "stronger group that is not its attacker.")
    line_weight: float = Field(5.0, ge=0.0, le=50.0,
                               description="Pressure on a member far from its room's or entity's "
                               "line to leave, or on the others to expel it (mechanisms 7, 8).")
    line_tolerance: Unit = Field(0.3, description="Distance from a room's or entity's line "
                                 "(on the [0, 1] ideology scale) beyond which the line pushes a member out.")
    defection_cost: float = Field(4.0, ge=0.0, le=50.0,
                                  description="Cost to a component of leaving its merged entity, "
                                  "times 0.5 + the entity's cohesion.")
    ultimatum_weight: float = Field(6.0, ge=0.0, le=50.0,
                                    description="Wish to dissolve under a backer's ultimatum.")
    dissolve_cost: float = Field(6.0, ge=0.0, le=50.0,
                                 description="Cost of dissolving, times 1 + 4 x the actor's share of "
                                 "all fighters (big groups have more to lose).")
    veto_threshold: float = Field(0.4, gt=0.0, le=5.0,
                                  description="Dependence on vetoing backers at which a client's "
                                  "merger with a group they find unwelcome is blocked (also "
                                  "when the client is one faction of a merged entity).")
    absorb_ratio: float = Field(3.0, ge=1.0, le=100.0,
                                description="A merger with a partner this many times weaker absorbs it.")
    fight_intensity: float = Field(0.08, ge=0.0, le=1.0,
                                   description="Monthly losses in a fight, as a fraction of the "
                                   "opponent's strength.")
    foreign_edge: float = Field(0.0, ge=0.0, le=10.0,
                                description="Fighting power of foreign fighters in infighting: "
                                "a side's blows count its fighters times (1 + foreign_edge x "
                                "each faction's `foreign_fighters` share); 0: fighters are "
                                "fighters (Bakke 2014, International Security 38(4)).")
    collapse_ratio: float = Field(0.45, gt=0.0, lt=1.0,
                                  description="A side falling below this share of its strength at "
                                  "the fight's start collapses.")
    spoils: Unit = Field(0.4, description="Share of a collapsed side's fighters the winner takes.")
    truce_rate: Unit = Field(0.25, description="Base monthly probability that a fight ends in a truce.")
    grievance_decay: Unit = Field(0.05, description="Monthly decay of grievances.")
    trust_gain: Unit = Field(0.03, description="Monthly gain of trust between room partners.")
    min_strength: float = Field(150.0, ge=0.0, description="Below this many fighters a faction dissolves.")
    neglect_grievance: float = Field(0.5, ge=0.0, le=10.0,
                                     description="Grievance a partner earns per month by not reinforcing "
                                     "a front where one bleeds, per unit of intensity.")
    betrayal_grievance: float = Field(1.5, ge=0.0, le=10.0,
                                      description="Grievance of an entity towards a component that left it "
                                      "(mechanism 6).")
    fight_grievance: float = Field(0.3, ge=0.0, le=10.0,
                                   description="Grievance added per month of fighting.")
    base_activity: Unit = Field(1.0, description="Monthly probability that an actor untouched by "
                                "any crisis considers an organisational change at all (1: every "
                                "actor every month). A crisis raises it towards 1 (see `crisis_memory`).")
    crisis_memory: Unit = Field(0.5, description="Share of a crisis carried into the next month. "
                                "Crises: a dated event naming the faction, a policy change of one of "
                                "its backers, the designation of a room partner, a rise in its fronts' "
                                "intensity, a fight, merger or split it is part of.")
    crisis_merge: Unit = Field(0.0, description="Share of the merger cost (`merge_cost`) an actor "
                               "waives in a full crisis: mergers wait for a window opened by a "
                               "shock (0: crises do not change the cost).")
    camp_weight: float = Field(0.0, ge=0.0, le=50.0,
                               description="Bystanders take sides: the wish to merge with a group "
                               "at war with k, per unit of k's strength share times how much "
                               "closer one stands to the group than to k ideologically "
                               "(mechanism 4; 0: wars do not polarise).")
    fight_restraint: float = Field(0.0, ge=0.0, le=20.0,
                                   description="Infighting waits for lulls: the wish to attack "
                                   "another group falls by this much per unit of the attacker's "
                                   "front pressure this month (presence-weighted intensity; 0: "
                                   "fights ignore the fronts).")
    exclusion_weight: float = Field(0.0, ge=0.0, le=50.0,
                                    description="Agreements that leave some groups out set them "
                                    "against the parties: the wish of an excluded group to attack "
                                    "one that is not, per unit of the difference in exclusion still "
                                    "felt (the excluded strike first; 0: agreements change no fight).")
    preventive_weight: float = Field(0.0, ge=0.0, le=50.0,
                                     description="Rivals on the rise are struck before they "
                                     "grow: the wish to attack j per unit of the relative rise, "
                                     "since last month, of j's strength times its ideological "
                                     "distance (j merged, absorbed others, or moved away from "
                                     "one's line; capped at a doubling), weighed by the pair's "
                                     "parity, 4p(1-p) with p j's share of the pair's strength (a "
                                     "preventive attack; 0: shifts of "
                                     "power change no fight).")
    exclusion_memory: Unit = Field(0.5, description="Share of an agreement's exclusion carried "
                                   "into the next month.")
    merger_trust: Unit = Field(1.0, description="Share of trust (shared operations) that counts "
                               "toward a merger; it always counts in full toward a room (1: the "
                               "same affinity for both; 0: mergers rest on ideology, backers, "
                               "threat and power alone).")
    rivalry_floor: Unit = Field(0.0, description="Share of a rivalry open at the start "
                                "(`rivalries`) that never fades: the grievance between the two "
                                "does not decay below this share of its initial value (0: "
                                "rivalries fade like any grievance).")
    front_relief: Unit = Field(0.0, description="Share of the relief of coordinating that is "
                               "counted on the room's own front (where the two have most at "
                               "stake) rather than on every front the partner's group holds "
                               "(0: coordinating is valued like an alliance on every front; 1: "
                               "a room relieves only the front it coordinates, as on the "
                               "battlefield). Mechanism 1.")
    marginal_relief: Unit = Field(0.0, description="Share of the relief of merging that is "
                                  "counted only beyond what one's rooms already give (0: a "
                                  "merger is valued for all the losses the partner's group "
                                  "would absorb, as if one had no room; 1: only for the "
                                  "losses its rooms do not absorb yet, as on the "
                                  "battlefield, where room partners on a front already "
                                  "share losses). Mechanism 1.")
    allegiance_weight: float = Field(0.0, ge=0.0, le=50.0,
                                     description="Cost of merging with a group sworn to a "
                                     "backer that demands allegiance (an oath, bay'ah), times the "
                                     "group's dependence on that backer beyond one's own: a merger "
                                     "means swearing the oath too (0: no cost). Mechanism 3.")
    room_consent: Unit = Field(0.0, description="How far entering an operations room needs "
                               "the consent of the members already in it: a coordination "
                               "proposal is accepted on the utility of its target (0) or of "
                               "the least willing member of the room the two would share (1), "
                               "each member judging the newcomer as a partner. Fatah Halab "
                               "kept Nusra out, Jaish al-Fatah Jund al-Aqsa (timeline lines 9 "
                               "and 25). Mechanism 1.")
    room_heat: float = Field(0.0, ge=0.0, le=5.0,
                             description="Front intensity an operations room needs: a room "
                             "whose front is below it this month lapses, and no room is "
                             "formed or entered on such a front (0: rooms never lapse). "
                             "Rooms served offensives: Jaish al-Fatah for Idlib in March "
                             "2015, re-activated for Aleppo in May 2016, gone by January "
                             "2017 (timeline lines 6, 25, 51). Mechanism 1.")
    counter_offer: Unit = Field(0.0, description="How far the target of a merger proposal "
                                "weighs it against a room with the proposer instead: it "
                                "accepts on its utility of merging over the better of doing "
                                "nothing and (this share of) coordinating with the proposer, "
                                "where the two do not share a room yet (0: over doing "
                                "nothing). Groups courted by Nusra joined its operations rooms "
                                "and kept their own command until 2017 (timeline lines 8-11, "
                                "46-49). Mechanism 2.")
    rise_merge: Unit = Field(1.0, description="Share of a front-intensity crisis (see "
                             "`crisis_rise`) that also opens a merger window (`crisis_merge`); "
                             "the other crises (dated events, backers' turns, fights, mergers, "
                             "splits) open it in full (1: one crisis for both; 0: offensives "
                             "put change on the agenda but only events open merger windows).")
    crisis_rise: float = Field(0.3, gt=0.0, le=5.0,
                               description="Rise in a faction's presence-weighted front intensity "
                               "that counts as a full crisis (smaller rises count in proportion).")


class Faction(Strict):
    id: Id = Field(description="Stable id used everywhere (events, membership, targets).")
    name: str = Field(min_length=1, description="Display name (a `renamed` event can change it).")
    strength: float = Field(gt=0.0, description="Fighters at the start.")
    ideology: list[Scale] = Field(min_length=1, max_length=8,
                                  description="Position on the scenario's ideology scales (1-5).")
    cohesion: Unit = Field(0.6, description="Internal cohesion; makes merging and leaving costlier.")
    fronts: dict[Id, Unit] = Field(default_factory=dict,
                                   description="Share of the faction's fighters on each front.")
    backers: dict[Id, Unit] = Field(default_factory=dict,
                                    description="Dependence on each backer (0-1).")
    designated: bool = Field(False, description="Designated a terrorist group at the start.")
    foreign_fighters: Unit = Field(0.0, description="Share of non-Syrian fighters (in "
                                   "infighting they count 1 + `foreign_edge` times).")
    sources: Sources = Field(default_factory=dict, description="Source of each value, by key.")


class BackerPolicy(Strict):
    """A dated change of a backer's policy (exogenous)."""
    month: Month
    funding: float | None = Field(None, ge=0.0, le=10.0)
    unity_push: float | None = Field(None, ge=0.0, le=10.0)
    tolerance: float | None = Field(None, ge=0.0, le=10.0)
    red_line: bool | None = None
    veto_mergers: bool | None = None
    demands_allegiance: bool | None = None
    clients: dict[Id, Unit] | None = Field(None, description="New dependence of named clients.")
    note: str = ""
    source: str = Field(min_length=1)


class Backer(Strict):
    id: Id
    name: str = Field(min_length=1)
    ideal: list[Scale] = Field(min_length=1, max_length=8,
                               description="The ideology the backer prefers its clients to hold.")
    tolerance: float = Field(1.5, ge=0.0, le=10.0,
                             description="Ideological distance from `ideal` it tolerates in its "
                             "clients' partners.")
    funding: float = Field(1.0, ge=0.0, le=10.0)
    unity_push: float = Field(0.0, ge=0.0, le=10.0,
                              description="How hard it pushes its clients to unite.")
    red_line: bool = Field(False, description="Forbids clients any association with a designated group.")
    veto_mergers: bool = Field(False, description="Vetoes clients' mergers with groups it does "
                               "not tolerate or that are designated.")
    demands_allegiance: bool = Field(False, description="Its clients are sworn to it (an oath of "
                                     "allegiance, bay'ah): merging with one of them means swearing "
                                     "it too (see `allegiance_weight`).")
    policy: list[BackerPolicy] = Field(default_factory=list)
    sources: Sources = Field(default_factory=dict)


class Front(Strict):
    id: Id
    name: str = Field(min_length=1)
    intensity: dict[Month, Annotated[float, Field(ge=0.0, le=5.0)]] = Field(
        min_length=1, description="Regime-and-allies offensive intensity from each month on "
        "(held until the next entry).")
    sources: Sources = Field(default_factory=dict)


class _Event(Strict):
    month: Month
    source: str = Field(min_length=1)
    note: str = ""


class Renamed(_Event):
    type: Literal["renamed"]
    faction: Id
    name: str = Field(min_length=1)


class Designated(_Event):
    type: Literal["designated"]
    by: Id = Field(description="The designating backer.")
    factions: list[Id] = Field(min_length=1)


class Ultimatum(_Event):
    type: Literal["ultimatum"]
    by: Id
    factions: list[Id] = Field(min_length=1)
    deadline: Month
    escalation: float = Field(0.5, ge=0.0, le=5.0,
                              description="Extra front intensity borne by those who did not dissolve "
                              "after the deadline.")


class Shock(_Event):
    type: Literal["shock"]
    label: str = Field(min_length=1)
    losses: dict[Id, Unit] = Field(default_factory=dict,
                                   description="Immediate fraction of fighters lost, by faction.")
    ideology: dict[Id, list[Scale]] = Field(default_factory=dict,
                                            description="New ideology of named factions.")
    excluded: list[Id] = Field(default_factory=list,
                               description="Factions an agreement (ceasefire, talks, zone) leaves "
                               "out: they expect its parties to be turned on them "
                               "(see `exclusion_weight`).")


Event = Annotated[Union[Renamed, Designated, Ultimatum, Shock], Field(discriminator="type")]


class Trust(Strict):
    a: Id
    b: Id
    value: Unit
    source: str = Field(min_length=1)


class Rivalry(Strict):
    a: Id
    b: Id
    value: float = Field(ge=0.0, le=10.0, description="Initial grievance, both ways, in the "
                         "units of `fight_grievance` (0.3 is one month of fighting).")
    source: str = Field(min_length=1)


class Room(Strict):
    id: Id
    name: str = Field(min_length=1)
    members: list[Id] = Field(min_length=2)
    front: Id | None = Field(None, description="The front the room coordinates; "
                             "omitted: every front.")
    source: str = Field(min_length=1)


class Entity(Strict):
    id: Id
    name: str = Field(min_length=1)
    members: list[Id] = Field(min_length=2, description="Components; the first leads.")
    source: str = Field(min_length=1)


class Label(Strict):
    """Display name of an emergent room or entity, chosen by membership: the
    first label whose `contains` are all members (and whose `applies_to`
    matches) and that is valid in the month names it. A name is chosen when
    the membership changes, by the labels valid in that month."""
    name: str = Field(min_length=1)
    contains: list[Id] = Field(min_length=1)
    applies_to: Literal["entity", "room", "any"] = "any"
    since: Month | None = Field(None, description="First month the name may be given (the "
                                "documented body's founding); none: from the start.")
    until: Month | None = Field(None, description="Last month the name may be given (the "
                                "documented body's end); none: to the end.")


class Scenario(Strict):
    """A whole scenario file."""
    name: Id = Field(description="Scenario id, used in run-folder names.")
    description: str = Field("", description="What the scenario is and what differs from the baseline.")
    start: Month = Field(description="First month simulated.")
    end: Month = Field(description="Last month simulated (`coalsim run --until` can go further).")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="Default random seed.")
    rule: str = Field("utility", description="Decision rule name (see `sim/rules`).")
    targets: str | None = Field(None, description="Calibration targets file, relative to the scenario.")
    ideology_scales: list[str] = Field(min_length=1, max_length=8,
                                       description="Names of the ideology scales (1-5 each).")
    parameters: Parameters = Field(default_factory=Parameters, description="Model parameters.")
    parameter_sources: Sources = Field(default_factory=dict,
                                       description="Source of each parameter set in the file.")
    factions: list[Faction] = Field(min_length=1, description="The factions at the start.")
    backers: list[Backer] = Field(default_factory=list, description="Foreign backers.")
    fronts: list[Front] = Field(default_factory=list, description="Battlefronts and their intensity.")
    events: list[Event] = Field(default_factory=list, description="Exogenous events (inputs).")
    trust: list[Trust] = Field(default_factory=list,
                               description="Initial trust between pairs (e.g. from joint operations).")
    rivalries: list[Rivalry] = Field(default_factory=list,
                                     description="Initial grievance between pairs (documented "
                                     "rivalries or wars before the start).")
    rooms: list[Room] = Field(default_factory=list, description="Operations rooms at the start.")
    entities: list[Entity] = Field(default_factory=list,
                                   description="Merged entities at the start.")
    labels: list[Label] = Field(default_factory=list,
                                description="Display names of emergent rooms and entities.")
