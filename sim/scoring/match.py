"""Matching simulated events to documented targets.

A simulated event *can* match a target (an "edge") when all of these hold:

1. **Type.** The simulated type is the target's ``type``, one of its
   ``alt_types``, or compatible with ``type`` by one of the pairs in
   :data:`COMPATIBLE`: room_formed~room_joined, room_left~room_expelled,
   merger~absorbed, dissolved~absorbed.
2. **Time.** ``|simulated month - target month| <= tolerance`` (2 months).
3. **Actors.** The similarity (below) is at least ``threshold`` (0.5).
4. **Exclusions.** No faction in the target's ``not_actors`` takes part (e.g.
   the HTS merger must not include ``ahrar``).
5. **Partners.** For movers (room_joined, room_left, room_expelled, split,
   dissolved) whose simulated ``entity`` can be found in membership.csv (as a
   room id or an entity id, in the event month or the month before), the
   other members of that room/entity must include at least one of the target's
   ``partners`` -- Zenki leaving *HTS*, not leaving some other body. When the
   entity is empty or unknown the check is skipped.

**Similarity.** Jaccard |A∩B|/|A∪B| of actor sets, computed in several ways;
the best is kept, so that entity expansion can only help:

* *raw*: target actors vs simulated actors (entity ids among the simulated
  actors are first replaced by their member factions);
* *with partners*: target actors ∪ partners vs simulated actors (a simulator
  may list the room's or entity's members along with the mover);
* *entity level* (group events only: merger, absorbed, room_formed,
  room_dissolved, infighting): each faction is replaced by the merged entity
  it belongs to in membership.csv, and the sets of entities are compared.
  Months used: the month before the event for merger/absorbed (the entities
  that merged, not the result -- otherwise any merger would match any other),
  the event month and the month before for the others. A target "nusra vs
  ahrar" thus matches a simulated fight between HTS's entity (all its
  components) and ahrar.
* *per side* (infighting, when both the target has ``sides`` and the simulated
  ``detail`` reads ``a;b vs c``): the score of an orientation is the smaller of
  the two sides' similarities (each side raw or entity-level, whichever is
  better); the better orientation counts. Both sides must match, so "HTS vs
  Ahrar" is not matched by "HTS vs Zenki".

Movers (room_joined, room_left, room_expelled, split, dissolved) are compared
raw only: at the entity level every component of HTS would look alike and
Ansar al-Din's exit would match Zenki's.

**What a simulated event stands for.** Entity or room ids among simulated
actors are replaced by their member factions. The simulator forms rooms
pairwise and lets others join, so a ``room_formed`` event stands for the
room's members over its first three months (event month .. +tolerance); a
room dissolves when its next-to-last member leaves, so a ``room_dissolved``
event stands for the room's members over the six months before.

**One-to-one assignment.** Each target takes at most one simulated event and
vice versa. The assignment maximises the matched target weight, then
minimises the total timing error, then maximises total similarity
(Hungarian algorithm via ``scipy.optimize.linear_sum_assignment``; a greedy
fallback, by weight then time distance, is used if scipy is missing).

**Steps of a matched event** (:func:`attach`): room joins right after a matched
room formation, partial mergers right before a matched merger, and members
leaving right before a matched room dissolution are not spurious; precision
counts them as matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scoring.targets import GROUP_TYPES, Target

COMPATIBLE: frozenset[frozenset[str]] = frozenset({
    frozenset({"room_formed", "room_joined"}),
    frozenset({"room_left", "room_expelled"}),
    frozenset({"merger", "absorbed"}),
    frozenset({"dissolved", "absorbed"}),
})
MOVER_TYPES = frozenset({"room_joined", "room_left", "room_expelled", "split", "dissolved"})
PRE_EVENT_TYPES = frozenset({"merger", "absorbed"})

TOLERANCE = 2
THRESHOLD = 0.5
DISSOLVED_LOOKBACK = 6


def types_compatible(target: Target, sim_type: str) -> bool:
    if sim_type in target.accepted_types:
        return True
    return frozenset({target.type, sim_type}) in COMPATIBLE


def jaccard(a: frozenset | set, b: frozenset | set) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


class MembershipIndex:
    """Fast look-ups in membership.csv: entity, rooms, strength, alive per month."""

    def __init__(self, membership: pd.DataFrame) -> None:
        self.months: list[int] = sorted(int(m) for m in membership["m"].unique())
        self.factions: frozenset[str] = frozenset(membership["faction"])
        self._entity: dict[int, dict[str, str]] = {}
        self._rooms: dict[int, dict[str, frozenset[str]]] = {}
        self._strength: dict[int, dict[str, float]] = {}
        self._alive: dict[int, dict[str, bool]] = {}
        cache: dict[str, frozenset[str]] = {}

        def room_set(text: str) -> frozenset[str]:
            if text not in cache:
                cache[text] = frozenset(r.strip() for r in text.split(";") if r.strip())
            return cache[text]

        cols = zip(membership["m"].tolist(), membership["faction"].tolist(),
                   membership["entity"].tolist(), membership["rooms"].astype(str).tolist(),
                   membership["strength"].astype(float).tolist(),
                   membership["alive"].astype(bool).tolist())
        for m, f, e, r, st, a in cols:
            m = int(m)
            if m not in self._entity:
                self._entity[m], self._rooms[m] = {}, {}
                self._strength[m], self._alive[m] = {}, {}
            self._entity[m][f] = e
            self._rooms[m][f] = room_set(r)
            self._strength[m][f] = st
            self._alive[m][f] = a

    @property
    def first(self) -> int | None:
        return self.months[0] if self.months else None

    @property
    def last(self) -> int | None:
        return self.months[-1] if self.months else None

    def month(self, m: int) -> int | None:
        """The recorded month to use for month ``m``: itself, else the latest earlier one."""
        if m in self._entity:
            return m
        earlier = [x for x in self.months if x <= m]
        return earlier[-1] if earlier else None

    def has(self, m: int) -> bool:
        return m in self._entity

    def entity(self, faction: str, m: int) -> str:
        k = self.month(m)
        return self._entity[k].get(faction, faction) if k is not None else faction

    def alive(self, m: int) -> dict[str, bool]:
        k = self.month(m)
        return self._alive[k] if k is not None else {}

    def entities(self, m: int) -> dict[str, str]:
        k = self.month(m)
        return self._entity[k] if k is not None else {}

    def rooms(self, m: int) -> dict[str, frozenset[str]]:
        k = self.month(m)
        return self._rooms[k] if k is not None else {}

    def members(self, label: str, m: int) -> set[str]:
        """Alive factions whose entity is ``label`` or that sit in room ``label``."""
        k = self.month(m)
        if k is None or not label:
            return set()
        alive = self._alive[k]
        return {f for f, e in self._entity[k].items()
                if alive.get(f, True) and (e == label or label in self._rooms[k].get(f, ()))}

    def members_over(self, label: str, months) -> set[str]:
        """Union of :meth:`members` over recorded months in ``months``."""
        out: set[str] = set()
        for x in months:
            if x in self._entity:
                out |= self.members(label, x)
        return out

    def resolve(self, tokens, m: int) -> frozenset[str]:
        """Faction ids stay; an entity or room id is replaced by its member factions."""
        out: set[str] = set()
        for tok in tokens:
            if tok in self.factions:
                out.add(tok)
                continue
            members = self.members(tok, m) or self.members(tok, m - 1)
            out |= members if members else {tok}
        return frozenset(out)

    def blocks(self, factions, m: int) -> frozenset[str]:
        return frozenset(self.entity(f, m) for f in factions)

    def strength_share(self, factions, m: int) -> float | None:
        """Combined strength of ``factions`` over the total strength of alive factions."""
        k = self.month(m)
        if k is None:
            return None
        strength, alive = self._strength[k], self._alive[k]
        total = sum(s for f, s in strength.items() if alive.get(f) and np.isfinite(s) and s > 0)
        if total <= 0:
            return None
        own = sum(strength.get(f, 0.0) for f in set(factions)
                  if np.isfinite(strength.get(f, np.nan)) and strength.get(f, 0.0) > 0)
        return own / total


@dataclass(frozen=True)
class PreparedTarget:
    """A target restricted to the factions that exist in the run."""

    target: Target
    actors: frozenset[str]
    sides: tuple[frozenset[str], frozenset[str]] | None
    partners: frozenset[str]
    not_actors: frozenset[str]
    dropped: tuple[str, ...] = ()
    scorable: bool = True
    reason: str = ""


def prepare_target(target: Target, run_factions: frozenset[str]) -> PreparedTarget:
    """Drop target actors that the run does not have; flag targets left too small."""
    keep = lambda ids: frozenset(i for i in ids if i in run_factions)  # noqa: E731
    dropped = tuple(sorted({*target.actors, *target.partners} - run_factions))
    actors = keep(target.actors)
    sides = (keep(target.sides[0]), keep(target.sides[1])) if target.sides else None
    reason = ""
    if sides is not None and (not sides[0] or not sides[1]):
        reason = "a side has no faction present in the run"
    elif target.type in GROUP_TYPES and sides is None and len(actors) < 2:
        reason = "fewer than two of its actors are present in the run"
    elif not actors:
        reason = "none of its actors is present in the run"
    if reason and dropped:
        reason += f" (missing: {', '.join(dropped)})"
    return PreparedTarget(target=target, actors=actors, sides=sides,
                          partners=keep(target.partners), not_actors=frozenset(target.not_actors),
                          dropped=dropped, scorable=not reason, reason=reason)


def similarity(pt: PreparedTarget, sim_type: str, m: int, actors: frozenset[str],
               sides: tuple[frozenset[str], frozenset[str]] | None,
               index: MembershipIndex) -> float:
    """Best Jaccard similarity of a target and a simulated event (see module doc).

    ``actors`` and ``sides`` are the simulated event's resolved faction sets
    (see :func:`effective_actors`).
    """
    group = pt.target.type in GROUP_TYPES and sim_type in GROUP_TYPES
    months = (m - 1,) if sim_type in PRE_EVENT_TYPES else (m - 1, m)
    months = tuple(x for x in months if index.month(x) is not None)

    def score(t_set: frozenset, s_set: frozenset) -> float:
        best = jaccard(t_set, s_set)
        if group:
            for x in months:
                best = max(best, jaccard(index.blocks(t_set, x), index.blocks(s_set, x)))
        return best

    if pt.sides is not None and sides is not None:
        s1, s2 = sides
        t1, t2 = pt.sides
        return max(min(score(t1, s1), score(t2, s2)), min(score(t2, s1), score(t1, s2)))
    best = score(pt.actors, actors)
    if pt.partners:
        best = max(best, score(pt.actors | pt.partners, actors))
    return best


def effective_actors(sim_type: str, m: int, actor_list, sides, entity: str,
                     index: MembershipIndex, tolerance: int = TOLERANCE):
    """The factions a simulated event stands for.

    Entity or room ids among the actors become their member factions. The
    simulator forms rooms pairwise and lets others join, and a room dissolves
    when its next-to-last member leaves, so a ``room_formed`` event stands for
    the room's members over its first ``tolerance + 1`` months and a
    ``room_dissolved`` event for the room's members over the
    :data:`DISSOLVED_LOOKBACK` months before it dissolved.
    """
    actors = index.resolve(actor_list, m)
    side_sets = None
    if sides is not None:
        side_sets = (index.resolve(sides[0], m), index.resolve(sides[1], m))
        actors = actors | side_sets[0] | side_sets[1]
    if entity and sim_type == "room_formed":
        actors = actors | index.members_over(entity, range(m, m + tolerance + 1))
    elif entity and sim_type == "room_dissolved":
        actors = actors | index.members_over(entity, range(m - DISSOLVED_LOOKBACK, m))
    return frozenset(actors), side_sets


@dataclass(frozen=True)
class Edge:
    target: int       # position in the prepared-target list
    event: int        # position in the events frame
    dt: int           # simulated month - target month
    similarity: float


def candidate_edges(prepared: list[PreparedTarget], events: pd.DataFrame,
                    index: MembershipIndex, *, tolerance: int = TOLERANCE,
                    threshold: float = THRESHOLD) -> list[Edge]:
    """Every (target, simulated event) pair that may be matched."""
    edges: list[Edge] = []
    if events.empty:
        return edges
    ev_m = events["m"].to_numpy()
    ev_type = events["type"].tolist()
    ev_actors = events["actor_list"].tolist()
    ev_sides = events["sides"].tolist()
    ev_entity = events["entity"].tolist()
    eff = [effective_actors(ev_type[i], int(ev_m[i]), ev_actors[i], ev_sides[i], ev_entity[i],
                            index, tolerance) for i in range(len(events))]
    for ti, pt in enumerate(prepared):
        if not pt.scorable:
            continue
        t = pt.target
        near = np.flatnonzero(np.abs(ev_m - t.m) <= tolerance)
        for ei in near:
            ei = int(ei)
            if not types_compatible(t, ev_type[ei]):
                continue
            m = int(ev_m[ei])
            resolved, side_sets = eff[ei]
            if pt.not_actors & resolved:
                continue
            if ev_type[ei] in MOVER_TYPES and pt.partners and ev_entity[ei]:
                others = (index.members(ev_entity[ei], m - 1) |
                          index.members(ev_entity[ei], m)) - resolved
                if others and not (others & pt.partners):
                    continue
            sim = similarity(pt, ev_type[ei], m, resolved, side_sets, index)
            if sim + 1e-12 >= threshold:
                edges.append(Edge(ti, ei, m - t.m, sim))
    return edges


def assign(edges: list[Edge], weights: list[float]) -> dict[int, Edge]:
    """One-to-one assignment: max matched weight, then min |dt|, then max similarity."""
    if not edges:
        return {}
    t_ids = sorted({e.target for e in edges})
    e_ids = sorted({e.event for e in edges})
    t_pos = {t: i for i, t in enumerate(t_ids)}
    e_pos = {e: j for j, e in enumerate(e_ids)}

    def value(e: Edge) -> float:
        # lexicographic: weight dominates (>=0.01 apart -> 10), then |dt| (<=2 -> <=0.03)
        return weights[e.target] * 1000.0 - abs(e.dt) * 0.01 + e.similarity * 1e-4

    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        linear_sum_assignment = None
    if linear_sum_assignment is not None:
        mat = np.zeros((len(t_ids), len(e_ids)))
        best: dict[tuple[int, int], Edge] = {}
        for e in edges:
            key = (t_pos[e.target], e_pos[e.event])
            if key not in best or value(e) > value(best[key]):
                best[key] = e
                mat[key] = value(e)
        rows, cols = linear_sum_assignment(mat, maximize=True)
        out = {}
        for r, c in zip(rows, cols):
            e = best.get((int(r), int(c)))
            if e is not None:
                out[e.target] = e
        return out
    out, used = {}, set()
    for e in sorted(edges, key=lambda e: (-weights[e.target], abs(e.dt), -e.similarity,
                                          e.target, e.event)):
        if e.target in out or e.event in used:
            continue
        out[e.target] = e
        used.add(e.event)
    return out


def attach(matches: dict[int, Edge], prepared: list[PreparedTarget], events: pd.DataFrame,
           index: MembershipIndex, *, tolerance: int = TOLERANCE) -> dict[int, int]:
    """Unmatched simulated events that are steps of a matched group event.

    The simulator builds groups step by step, so a documented event may appear
    as several simulated ones:

    * a matched ``room_formed`` is followed by ``room_joined`` events of the same
      room within ``tolerance`` months, by factions among the target's actors
      or partners;
    * a matched ``merger``/``absorbed`` is preceded (within ``tolerance`` months)
      by partial mergers/absorptions whose actors are a subset of its actors;
    * a matched ``room_dissolved`` is preceded (within ``tolerance`` months) by
      members leaving or being expelled from the same room.

    Such steps are not spurious: they count as matched for precision. Returns
    {event position: target position}.
    """
    out: dict[int, int] = {}
    if not matches or events.empty:
        return out
    used = {e.event for e in matches.values()}
    ev_m = events["m"].to_numpy()
    ev_type = events["type"].tolist()
    ev_entity = events["entity"].tolist()
    resolved = [index.resolve(a, int(m)) for a, m in zip(events["actor_list"], ev_m)]
    for ti in sorted(matches):
        edge, pt = matches[ti], prepared[ti]
        si = edge.event
        s_type, m, ent = ev_type[si], int(ev_m[si]), ev_entity[si]
        allowed = pt.actors | pt.partners
        s_actors, _ = effective_actors(s_type, m, events["actor_list"].iat[si],
                                       events["sides"].iat[si], ent, index, tolerance)
        for ej in range(len(events)):
            if ej in used or ej in out:
                continue
            typ, mj, act = ev_type[ej], int(ev_m[ej]), resolved[ej]
            if not act:
                continue
            if s_type == "room_formed" and typ == "room_joined" and ent and \
                    ev_entity[ej] == ent and m <= mj <= m + tolerance and act <= allowed:
                out[ej] = ti
            elif s_type in PRE_EVENT_TYPES and typ in PRE_EVENT_TYPES and \
                    m - tolerance <= mj <= m and act <= s_actors:
                out[ej] = ti
            elif s_type == "room_dissolved" and typ in ("room_left", "room_expelled") and ent \
                    and ev_entity[ej] == ent and m - tolerance <= mj <= m and act <= allowed:
                out[ej] = ti
    return out


@dataclass
class MatchResult:
    prepared: list[PreparedTarget]
    matches: dict[int, Edge] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    attached: dict[int, int] = field(default_factory=dict)

    @property
    def matched_events(self) -> set[int]:
        return {e.event for e in self.matches.values()}

    def attached_to(self, target: int) -> list[int]:
        return sorted(e for e, t in self.attached.items() if t == target)


def match_events(prepared: list[PreparedTarget], events: pd.DataFrame, index: MembershipIndex,
                 *, tolerance: int = TOLERANCE, threshold: float = THRESHOLD) -> MatchResult:
    edges = candidate_edges(prepared, events, index, tolerance=tolerance, threshold=threshold)
    matches = assign(edges, [pt.target.weight for pt in prepared])
    attached = attach(matches, prepared, events, index, tolerance=tolerance)
    return MatchResult(prepared=prepared, matches=matches, edges=edges, attached=attached)
