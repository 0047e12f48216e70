"""What a decision rule sees, what it returns, and the base class every rule extends.

A rule is pure: from an `Observation` (plain numpy arrays, built by the model
each month) it computes `Utilities`; `Rule.decide` turns those into
`Decisions` with random-utility (softmax) choices drawn from the generator it
is handed. Rules never import Mesa or the model, so every rule can be tested
on hand-written observations.

Indices: `M` actors (independent organisations: a standalone faction or a
merged entity), `C` components of merged entities (factions that could split
off), `K` ideology scales. Pairwise arrays are `[i, j]` = "i towards j".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np

from sim.config.schema import Parameters

# Option layout of one actor's choice: three single options, then one block of
# M targets for each targeted action.
NONE, LEAVE, DISSOLVE = 0, 1, 2
SINGLE_ACTIONS = ("none", "leave", "dissolve")
TARGETED_ACTIONS = ("coordinate", "merge", "fight")


@dataclass(frozen=True)
class Observation:
    """Everything a rule may read this month. All arrays are read-only views."""

    params: Parameters
    strength: np.ndarray          # (M,) fighters
    share: np.ndarray             # (M,) share of all fighters
    ideology: np.ndarray          # (M, K) on [0, 1] (scale value 1..5 mapped to 0..1)
    hardline: np.ndarray          # (M,) mean of `ideology`: 0 moderate/nationalist, 1 hardline
    threat: np.ndarray            # (M,) smoothed monthly loss fraction, relative to loss_rate
    support: np.ndarray           # (M, M) share of i's front losses that j's group (j and its room) would absorb
    merge_support: np.ndarray     # (M, M) share of i's losses a merger with j would absorb beyond what i's rooms absorb now (zeros at `marginal_relief` 0)
    room_support: np.ndarray      # (M,) share of i's losses the partners in its least attached room absorb
    group: np.ndarray             # (M, M) bool: k is j itself or in j's room ([j, k])
    red_dependence: np.ndarray    # (M,) dependence on backers with a red line
    distance: np.ndarray          # (M, M) ideological distance on [0, 1]
    trust: np.ndarray             # (M, M) on [0, 1]
    grievance: np.ndarray         # (M, M) >= 0, i's grievance towards j
    unity: np.ndarray             # (M, M) push to unite from backers i and j share
    red_line: np.ndarray          # (M, M) i's dependence on red-line backers if j is designated
    intolerance: np.ndarray       # (M, M) how far j lies outside the tolerance of i's backers
    allegiance: np.ndarray        # (M, M) oath i would swear by merging with j: j's dependence on oath-demanding backers beyond i's
    vetoed: np.ndarray            # (M, M) bool: a backer of i or j vetoes their merger
    foreign_backing: np.ndarray   # (M,) dependence on foreign backers, times their funding
    designated: np.ndarray        # (M,) bool
    cohesion: np.ndarray          # (M,) on [0, 1]
    ultimatum: np.ndarray         # (M,) pressure of standing ultimatums to dissolve
    crisis: np.ndarray            # (M,) on [0, 1]: how much a crisis has put change on its agenda
    window: np.ndarray            # (M,) on [0, 1]: how far a merger window is open (the crisis, offensives counted by `rise_merge`)
    pressure: np.ndarray          # (M,) this month's front intensity where its fighters are (presence-weighted)
    exclusion: np.ndarray         # (M,) on [0, 1]: left out of a recent agreement (its most excluded faction)
    rise: np.ndarray              # (M, M) relative rise since last month of j's strength times its distance from i, capped at 1, times the pair's parity 4p(1-p)
    same_room: np.ndarray         # (M, M) bool: share a room (on any front), False on the diagonal
    in_room: np.ndarray           # (M,) bool
    # An actor may be in one room per front. The `room_*` fields describe its least
    # attached room (the largest gap + 1 - focus), the one it may leave or be expelled from.
    room_gap: np.ndarray          # (M,) distance to the line of that room's other members (0 if none)
    room_red: np.ndarray          # (M,) those partners' red-line objection to it (strength-weighted)
    room_grievance: np.ndarray    # (M,) those partners' grievance towards it (strength-weighted)
    room_focus: np.ndarray        # (M,) share of its intensity-weighted fighters on that room's front
    pair_focus: np.ndarray        # (M, M) share of i's intensity-weighted fighters on the front i and j would coordinate on
    pair_support: np.ndarray      # (M, M) share of i's losses j's group would absorb on that front alone
    quiet: np.ndarray             # (M, M) bool: the front i and j would coordinate on is below `room_heat` (no room there this month)
    room_mates: np.ndarray        # (M, M) bool: k is in i's least attached room
    # Coordination puts i and j in one room on their front (`pair_front`): j's room
    # there if it has one (i joins it), else i's (j is brought in), else a new one.
    # Built only when `room_consent` > 0 (their only reader); all False otherwise.
    joining: np.ndarray           # (M, M) bool: coordinating with j means i joins j's room
    panel: np.ndarray             # (M, M, M) bool: [i, j, k] k already sits in the room i and j would share (k not i, j)
    room_slot: np.ndarray         # (M,) int: that room's position in the model's room list, -1 if none
    units: np.ndarray             # (M,) number of factions in the actor (1, or an entity's components)
    fighting: np.ndarray          # (M, M) bool: an active fight between i and j
    alive: np.ndarray             # (M,) bool (actors that can act)
    comp_actor: np.ndarray        # (C,) the actor each component belongs to
    comp_is_leader: np.ndarray    # (C,) bool
    comp_leader_share: np.ndarray  # (C,) the leading component's share of the entity
    comp_gap: np.ndarray          # (C,) distance from the component to its entity's line
    comp_grievance: np.ndarray    # (C,) its grievance towards the entity's leader
    comp_red_line: np.ndarray     # (C,) its dependence on red-line backers if the entity is designated
    comp_outside: np.ndarray      # (C,) its best affinity to an actor outside the entity
    comp_ultimatum: np.ndarray    # (C,) its entity is under an ultimatum that does not name it

    @property
    def n_actors(self) -> int:
        return int(self.strength.shape[0])

    @property
    def n_components(self) -> int:
        return int(self.comp_actor.shape[0])


@dataclass
class Utilities:
    """Utilities of every option; `none` is the reference (usually 0)."""

    none: np.ndarray        # (M,)
    leave: np.ndarray       # (M,)
    dissolve: np.ndarray    # (M,)
    coordinate: np.ndarray  # (M, M)
    merge: np.ndarray       # (M, M)
    fight: np.ndarray       # (M, M)
    defect: np.ndarray      # (C,) utility of leaving the entity, against 0 for staying
    expel: np.ndarray       # (M,) the room partners' utility of expelling i, against 0

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Decisions:
    """One month's choices. `action[i]` indexes SINGLE_ACTIONS + TARGETED_ACTIONS;
    `target[i]` is the target actor (or -1); `accepted[i]` says whether the
    target of a coordinate or merge proposal accepted it."""

    action: np.ndarray      # (M,) int
    target: np.ndarray      # (M,) int
    accepted: np.ndarray    # (M,) bool
    defect: np.ndarray      # (C,) bool
    expel: np.ndarray       # (M,) bool

    ACTIONS: ClassVar[tuple[str, ...]] = SINGLE_ACTIONS + TARGETED_ACTIONS


@dataclass(frozen=True)
class Classifier:
    """What a rule is, in the manner of Axelrod's strategy classifiers."""

    stochastic: bool = True
    reads: frozenset[str] = field(default_factory=frozenset)
    mechanisms: tuple[int, ...] = ()   # DESIGN.md section 4 mechanisms it expresses


class Rule:
    """Base class. Subclasses set `name`, `classifier` and implement `utilities`."""

    name: ClassVar[str] = ""
    classifier: ClassVar[Classifier] = Classifier()

    def utilities(self, obs: Observation) -> Utilities:
        raise NotImplementedError

    def decide(self, obs: Observation, rng: np.random.Generator) -> Decisions:
        from sim.rules.choice import choose

        return choose(self.utilities(obs), obs, rng)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
