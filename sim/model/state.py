"""The model's state: per-faction numpy arrays, plus rooms, entities and fights.

Factions ("units") keep their index for the whole run. An actor is an
independent organisation: a standalone faction (key = its id) or a merged
entity (key = the entity id) whose components are remembered so that one can
split off again with its own fighters. Rooms hold actor keys and coordinate
one front each (or every front); an actor is in at most one room per front.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config.schema import Scenario


def normalise(values) -> np.ndarray:
    """Ideology scale values 1..5 -> 0..1."""
    return (np.asarray(values, dtype=float) - 1.0) / 4.0


@dataclass
class Room:
    id: str
    name: str
    members: list[str]          # actor keys, in order of joining
    formed: int                 # month index
    front: int = -1             # the front it coordinates (index), -1: every front


@dataclass
class Entity:
    id: str
    name: str
    components: list[int]       # faction indices, in order of joining
    formed: int
    cohesion: float
    generated: bool             # False when a faction absorbed others and kept its id


@dataclass
class Fight:
    a: str
    b: str
    start: int
    start_a: float
    start_b: float


@dataclass
class Ultimatum:
    backer: int
    units: frozenset[int]
    month: int
    deadline: int
    escalation: float


@dataclass
class State:
    ids: list[str]
    names: list[str]
    strength: np.ndarray        # (N,)
    ideology: np.ndarray        # (N, K) on [0, 1]
    cohesion: np.ndarray        # (N,)
    alive: np.ndarray           # (N,) bool
    designated: np.ndarray      # (N,) bool
    foreign: np.ndarray         # (N,)
    presence: np.ndarray        # (N, F)
    dependence: np.ndarray      # (N, B)
    trust: np.ndarray           # (N, N)
    grievance: np.ndarray       # (N, N)
    threat: np.ndarray          # (N,)
    actor_of: list[str]         # actor key of each faction
    backer_ids: list[str]
    funding: np.ndarray         # (B,)
    unity: np.ndarray           # (B,)
    tolerance: np.ndarray       # (B,) on the [0, 1] ideology scale
    red_line: np.ndarray        # (B,) bool
    veto: np.ndarray            # (B,) bool
    allegiance: np.ndarray      # (B,) bool: demands an oath of allegiance of its clients
    ideal: np.ndarray           # (B, K) on [0, 1]
    rooms: dict[str, Room] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    fights: dict[tuple[str, str], Fight] = field(default_factory=dict)
    ultimatums: list[Ultimatum] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=lambda: {"R": 0, "E": 0})
    version: int = 0            # bumped by every organisational change (see Ledger.record)
    crisis: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) on [0, 1], see CoalitionModel
    window: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) on [0, 1]: the merger window, see CoalitionModel
    pressure: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) this month's front intensity at its fronts
    exclusion: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) on [0, 1]: left out of an agreement, decaying
    # Each faction's actor as last observed (its strength and ideology): what a
    # rival's rise is measured against (see `sim.model.observe.rise`).
    prior_strength: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) 0: not yet observed
    prior_ideology: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (N, K)
    rivalry: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (N, N) grievance of the rivalries open at the start

    @property
    def n(self) -> int:
        return len(self.ids)

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]}"

    def units_of(self, key: str) -> list[int]:
        """Alive faction indices of an actor."""
        if key in self.entities:
            return [u for u in self.entities[key].components if self.alive[u]]
        u = self.ids.index(key)
        return [u] if self.alive[u] else []

    def rooms_of(self, key: str, front: int | None = None) -> list[str]:
        """Rooms of an actor; with `front`, only those coordinating that front
        (a room for every front counts on each)."""
        return [r.id for r in self.rooms.values() if key in r.members
                and (front is None or r.front in (-1, front))]

    def rename_actor(self, old: str, new: str) -> None:
        """Actor `old` now continues as `new` (after a merger or a split). An
        absorber left alone in its entity keeps its id: nothing to rename."""
        if old == new:
            return
        for room in self.rooms.values():
            if old in room.members:
                if new in room.members:
                    room.members.remove(old)
                else:
                    room.members[room.members.index(old)] = new
        for key in list(self.fights):
            fight = self.fights.pop(key)
            a = new if fight.a == old else fight.a
            b = new if fight.b == old else fight.b
            if a != b:
                fight.a, fight.b = a, b
                self.fights[fight_key(a, b)] = fight


def fight_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def initial_state(sc: Scenario) -> State:
    """The state at the scenario's start, from the validated scenario."""
    n, k = len(sc.factions), len(sc.ideology_scales)
    index = {f.id: i for i, f in enumerate(sc.factions)}
    fronts = [fr.id for fr in sc.fronts]
    backers = [b.id for b in sc.backers]
    presence = np.zeros((n, len(fronts)))
    dependence = np.zeros((n, len(backers)))
    for i, f in enumerate(sc.factions):
        for fr, share in f.fronts.items():
            presence[i, fronts.index(fr)] = share
        for b, dep in f.backers.items():
            dependence[i, backers.index(b)] = dep
    trust = np.zeros((n, n))
    for t in sc.trust:
        trust[index[t.a], index[t.b]] = trust[index[t.b], index[t.a]] = t.value
    grievance = np.zeros((n, n))
    for r in sc.rivalries:
        grievance[index[r.a], index[r.b]] = grievance[index[r.b], index[r.a]] = r.value
    state = State(
        ids=[f.id for f in sc.factions],
        names=[f.name for f in sc.factions],
        strength=np.array([f.strength for f in sc.factions], dtype=float),
        ideology=normalise([f.ideology for f in sc.factions]).reshape(n, k),
        cohesion=np.array([f.cohesion for f in sc.factions], dtype=float),
        alive=np.ones(n, dtype=bool),
        designated=np.array([f.designated for f in sc.factions], dtype=bool),
        foreign=np.array([f.foreign_fighters for f in sc.factions], dtype=float),
        presence=presence,
        dependence=dependence,
        trust=trust,
        grievance=grievance,
        threat=np.zeros(n),
        actor_of=[f.id for f in sc.factions],
        backer_ids=backers,
        funding=np.array([b.funding for b in sc.backers], dtype=float),
        unity=np.array([b.unity_push for b in sc.backers], dtype=float),
        tolerance=np.array([b.tolerance for b in sc.backers], dtype=float) / 4.0,
        red_line=np.array([b.red_line for b in sc.backers], dtype=bool),
        veto=np.array([b.veto_mergers for b in sc.backers], dtype=bool),
        allegiance=np.array([b.demands_allegiance for b in sc.backers], dtype=bool),
        ideal=normalise([b.ideal for b in sc.backers]).reshape(len(backers), k),
        crisis=np.zeros(n),
        window=np.zeros(n),
        pressure=np.zeros(n),
        exclusion=np.zeros(n),
        rivalry=grievance.copy(),
        prior_strength=np.zeros(n),
        prior_ideology=np.zeros((n, k)),
    )
    for e in sc.entities:
        comps = [index[fid] for fid in e.members]
        state.entities[e.id] = Entity(id=e.id, name=e.name, components=comps, formed=-1,
                                      cohesion=float(np.mean(state.cohesion[comps])), generated=False)
        for u in comps:
            state.actor_of[u] = e.id
    for r in sc.rooms:
        state.rooms[r.id] = Room(id=r.id, name=r.name, members=list(r.members), formed=-1,
                                 front=fronts.index(r.front) if r.front is not None else -1)
    return state
