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

* *documented*: the targets name a merged group by its leading faction
  (``nusra`` for HTS). The documented record replayed as a run
  (``sim.scoring.record``) says which factions that leader stood for; the
  target with its leaders so expanded (at the month before for mergers,
  absorptions and fights, the event month for rooms) is compared raw with the
  simulated event (``PreparedTarget.documented``, built by
  ``sim.scoring.score``).

**Strict matching** (``entity_level=False``; ``coalsim score --strict``): the
scoring contract to the letter, on both sides. A simulated event's actors count
as the member factions of the entities among them, a target's as the members
of the documented entities its named leaders stood for, and the two sets are
compared raw: no entity-level similarity and no leader standing for a whole
entity. An absorption into a large entity then stands for all its members and
matches a documented absorption only when the documented entity was as large;
the documented record itself scores the same under both matchings.

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

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from math import isfinite

import numpy as np
import pandas as pd

from sim.scoring.targets import GROUP_TYPES, Target
from sim.scoring.trajectory import EventRows, MembershipRows, _fast_membership, membership_rows

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


def compatible_types(target: Target) -> frozenset[str]:
    """Every simulated type that :func:`types_compatible` accepts for ``target``."""
    out = set(target.accepted_types)
    for pair in COMPATIBLE:
        if target.type in pair:
            out |= pair
    return frozenset(out)


def jaccard(a: frozenset | set, b: frozenset | set) -> float:
    common = len(a & b)
    union = len(a) + len(b) - common  # = len(a | b)
    return common / union if union else 0.0


_EMPTY: frozenset[str] = frozenset()
_ROOM_SETS: dict[str, frozenset[str]] = {}  # rooms text -> its set of room ids


def _room_set(text: str) -> frozenset[str]:
    """'R1; R2' -> {'R1', 'R2'} (memoised across calls; bounded)."""
    hit = _ROOM_SETS.get(text)
    if hit is None:
        if len(_ROOM_SETS) > 100_000:
            _ROOM_SETS.clear()
        hit = _ROOM_SETS[text] = frozenset(x.strip() for x in text.split(";") if x.strip())
    return hit


class MembershipIndex:
    """Fast look-ups in membership.csv: entity, rooms, strength, alive per month.

    Built once per scored run from plain lists (no pandas in the look-ups); the
    answers that are asked again and again (a room's members, a month's total
    strength, the merged entities of a set of factions) are memoised. The sets
    returned are shared: do not modify them.
    """

    def __init__(self, membership: pd.DataFrame | MembershipRows) -> None:
        rows = membership if isinstance(membership, MembershipRows) else \
            membership_rows(membership)
        if not self._build(rows):
            raise ValueError("the membership rows name a faction twice in one month")

    @classmethod
    def from_frame(cls, membership: pd.DataFrame) -> "MembershipIndex":
        """Check a membership frame and index it (what ``normalize_membership`` accepts,
        with the same errors), reading well-formed frames without pandas copies."""
        if isinstance(membership, pd.DataFrame):
            rows = _fast_membership(membership, check_duplicates=False)
            if rows is not None:
                index = cls.__new__(cls)
                if index._build(rows):
                    return index
        return cls(membership_rows(membership))

    def _build(self, rows: MembershipRows) -> bool:
        """Index the rows; False if a faction has two rows in one month."""
        self._entity: dict[int, dict[str, str]] = {}
        self._rooms: dict[int, dict[str, frozenset[str]]] = {}
        # per month: the factions and their strengths, in row order
        self._strength: dict[int, tuple[list[str], list[float]]] = {}
        self._alive: dict[int, dict[str, bool]] = {}
        room_set = {r: _room_set(r) for r in set(rows.rooms)}
        # months with the same rows (factions, entities, rooms, alive) share their
        # dicts and a "structure" id, so that look-ups memoised for one serve all
        self._sid: dict[int, int] = {}
        months = rows.m
        if months == sorted(months):
            # rows grouped by month (as written by the simulator): one slice per month
            prev: tuple | None = None
            for m in sorted(set(months)):
                i, j = bisect_left(months, m), bisect_right(months, m)
                fac, ent = rows.faction[i:j], rows.entity[i:j]
                rms, alv = rows.rooms[i:j], rows.alive[i:j]
                if prev is not None and fac == prev[0] and ent == prev[1] and \
                        rms == prev[2] and alv == prev[3]:
                    k = prev[4]
                    self._entity[m], self._rooms[m] = self._entity[k], self._rooms[k]
                    self._alive[m], self._sid[m] = self._alive[k], self._sid[k]
                else:
                    entity_m = dict(zip(fac, ent))
                    if len(entity_m) != j - i:
                        return False
                    self._entity[m] = entity_m
                    self._rooms[m] = dict(zip(fac, [room_set[r] for r in rms]))
                    self._alive[m] = dict(zip(fac, alv))
                    self._sid[m] = m
                    prev = (fac, ent, rms, alv, m)
                self._strength[m] = (fac, rows.strength[i:j])
        else:
            entity_m = rooms_m = strength_m = alive_m = None
            last = None
            for m, f, e, r, st, a in zip(months, rows.faction, rows.entity, rows.rooms,
                                         rows.strength, rows.alive):
                if m != last:
                    if m not in self._entity:
                        self._entity[m], self._rooms[m] = {}, {}
                        self._strength[m], self._alive[m] = ([], []), {}
                    entity_m, rooms_m = self._entity[m], self._rooms[m]
                    strength_m, alive_m = self._strength[m], self._alive[m]
                    last = m
                if f in entity_m:
                    return False
                entity_m[f] = e
                rooms_m[f] = room_set[r]
                strength_m[0].append(f)
                strength_m[1].append(st)
                alive_m[f] = a
            self._sid = {m: m for m in self._entity}
        self.months: list[int] = sorted(self._entity)
        self.factions: frozenset[str] = frozenset(rows.faction)
        self._month: dict[int, int | None] = {}
        self._members: dict[int, dict[str, frozenset[str]]] = {}
        self._total: dict[int, tuple[dict[str, float], float]] = {}
        self._blocks: dict[tuple[frozenset[str], int], frozenset[str]] = {}
        self._merged: dict[int, dict[str, str]] = {}
        self._resolved: dict[tuple[tuple[str, ...], int], frozenset[str]] = {}
        self._over: dict[tuple[str, int, int], set[str]] = {}
        return True

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
        try:
            return self._month[m]
        except KeyError:
            pass
        i = bisect_right(self.months, m)
        k = self._month[m] = self.months[i - 1] if i else None
        return k

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

    def members(self, label: str, m: int) -> frozenset[str]:
        """Alive factions whose entity is ``label`` or that sit in room ``label``."""
        k = self.month(m)
        if k is None or not label:
            return _EMPTY
        sid = self._sid[k]
        groups = self._members.get(sid)
        if groups is None:
            # every entity and room of the month with its alive members, in one pass
            alive, rooms = self._alive[k], self._rooms[k]
            acc: dict[str, set[str]] = {}
            for f, e in self._entity[k].items():
                if alive.get(f, True):
                    acc.setdefault(e, set()).add(f)
                    for r in rooms.get(f, ()):
                        acc.setdefault(r, set()).add(f)
            groups = self._members[sid] = {g: frozenset(fs) for g, fs in acc.items()}
        return groups.get(label, _EMPTY)

    def members_over(self, label: str, months) -> set[str]:
        """Union of :meth:`members` over recorded months in ``months``."""
        key = (label, months.start, months.stop) \
            if isinstance(months, range) and months.step == 1 else None
        if key is not None and key in self._over:
            return set(self._over[key])
        out: set[str] = set()
        for x in months:
            if x in self._entity:
                out |= self.members(label, x)
        if key is not None:
            self._over[key] = frozenset(out)
        return out

    def resolve(self, tokens, m: int) -> frozenset[str]:
        """Faction ids stay; an entity or room id is replaced by its member factions."""
        if isinstance(tokens, tuple) and self.factions.issuperset(tokens):  # all factions
            return frozenset(tokens)
        key = (tokens, m) if isinstance(tokens, tuple) else None
        if key is not None:
            hit = self._resolved.get(key)
            if hit is not None:
                return hit
        out: set[str] = set()
        for tok in tokens:
            if tok in self.factions:
                out.add(tok)
                continue
            members = self.members(tok, m) or self.members(tok, m - 1)
            out |= members if members else {tok}
        result = frozenset(out)
        if key is not None:
            self._resolved[key] = result
        return result

    def blocks(self, factions, m: int) -> frozenset[str]:
        """The merged entities of ``factions`` in month ``m``."""
        k = self.month(m)
        if k is None:
            return frozenset(factions)
        if isinstance(factions, frozenset):
            return self.blocks_at(factions, k)
        entity = self._entity[k]
        return frozenset(entity.get(f, f) for f in factions)

    def merged(self, k: int) -> dict[str, str]:
        """{faction: entity} of the factions whose entity id is not their own id, in
        recorded month ``k``; when empty, :meth:`blocks` changes nothing that month."""
        sid = self._sid[k]
        merged = self._merged.get(sid)
        if merged is None:
            merged = self._merged[sid] = {f: e for f, e in self._entity[k].items() if e != f}
        return merged

    def blocks_at(self, factions: frozenset[str], k: int) -> frozenset[str]:
        """:meth:`blocks` for a recorded month ``k`` (memoised; ``factions`` itself
        when none of them is merged into an entity with another id)."""
        sid = self._sid[k]
        merged = self._merged.get(sid)
        if merged is None:
            merged = self.merged(k)
        if merged.keys().isdisjoint(factions):
            return factions
        key = (factions, sid)
        hit = self._blocks.get(key)
        if hit is None:
            hit = self._blocks[key] = frozenset(merged.get(f, f) for f in factions)
        return hit

    def _positive(self, k: int) -> tuple[dict[str, float], float]:
        """The finite positive strengths of month ``k`` and the total over alive factions."""
        hit = self._total.get(k)
        if hit is None:
            (factions, strength), alive = self._strength[k], self._alive[k]
            positive = {f: s for f, s in zip(factions, strength) if isfinite(s) and s > 0}
            # sum() over the rows in order, as in the reference formula: same order,
            # same (compensated) rounding
            total = sum(s for f, s in zip(factions, strength)
                        if alive.get(f) and isfinite(s) and s > 0)
            hit = self._total[k] = (positive, total)
        return hit

    def strength_share(self, factions, m: int) -> float | None:
        """Combined strength of ``factions`` over the total strength of alive factions."""
        k = self.month(m)
        if k is None:
            return None
        positive, total = self._positive(k)
        if total <= 0:
            return None
        own = sum([positive[f] for f in set(factions) if f in positive])
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
    #: derived: the target's month index, the simulated types it accepts,
    #: actors | partners, and whether it is a group event
    m: int | None = None
    types: frozenset[str] | None = None
    with_partners: frozenset[str] | None = None
    group: bool | None = None
    #: the target with its named leaders expanded to the documented entities'
    #: members (``sim.scoring.score``); default matching also tries it
    documented: "PreparedTarget | None" = None

    def __post_init__(self) -> None:
        if self.group is None:
            object.__setattr__(self, "group", self.target.type in GROUP_TYPES)
        if self.m is None:
            object.__setattr__(self, "m", self.target.m)
        if self.types is None:
            object.__setattr__(self, "types", compatible_types(self.target))
        if self.with_partners is None:
            object.__setattr__(self, "with_partners", self.actors | self.partners)


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
    ks = entity_months(sim_type, m, index) \
        if pt.target.type in GROUP_TYPES and sim_type in GROUP_TYPES else ()
    return _similarity(pt, actors, sides, ks, index)


def entity_months(sim_type: str, m: int, index: MembershipIndex) -> tuple[int, ...]:
    """The recorded months whose entities a group event is compared at: the month
    standing for m - 1 (merger, absorbed) or for m - 1 and m (others). Months
    without merged entities are left out: there the entity level is the raw level."""
    k1 = index.month(m - 1)
    k2 = None if sim_type in PRE_EVENT_TYPES else index.month(m)
    if k1 is not None and not index.merged(k1):
        k1 = None
    if k2 is not None and (k2 == k1 or not index.merged(k2)):
        k2 = None
    return (k1, k2) if k1 is not None and k2 is not None else \
        (k1,) if k1 is not None else (k2,) if k2 is not None else ()


def _similarity(pt: PreparedTarget, actors: frozenset[str],
                sides: tuple[frozenset[str], frozenset[str]] | None, ks: tuple[int, ...],
                index: MembershipIndex) -> float:
    """:func:`similarity` given the entity-level months ``ks`` (empty: raw only)."""
    if pt.sides is not None and sides is not None:
        s1, s2 = sides
        t1, t2 = pt.sides
        return max(min(_score(t1, s1, ks, index), _score(t2, s2, ks, index)),
                   min(_score(t2, s1, ks, index), _score(t1, s2, ks, index)))
    if not ks:  # raw similarity only (the common case, inlined)
        best = jaccard(pt.actors, actors)
        if pt.partners:
            best = max(best, jaccard(pt.with_partners, actors))
        return best
    best = _score(pt.actors, actors, ks, index)
    if pt.partners:
        best = max(best, _score(pt.with_partners, actors, ks, index))
    return best


def _score(t_set: frozenset[str], s_set: frozenset[str], ks: tuple[int, ...],
           index: MembershipIndex) -> float:
    """Raw Jaccard, or better the entity-level one in one of the months ``ks``."""
    best = jaccard(t_set, s_set)
    for k in ks:
        bt, bs = index.blocks_at(t_set, k), index.blocks_at(s_set, k)
        if bt is not t_set or bs is not s_set:  # else the same as the raw score
            best = max(best, jaccard(bt, bs))
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


def _event_rows(events: pd.DataFrame | EventRows) -> EventRows:
    """Events as plain columns; a DataFrame must come from ``normalize_events``."""
    return events if isinstance(events, EventRows) else EventRows.from_normalized(events)


class _Effective:
    """Memoised :func:`effective_actors` of the events of one run."""

    def __init__(self, ev: EventRows, index: MembershipIndex, tolerance: int) -> None:
        self.ev, self.index, self.tolerance = ev, index, tolerance
        self.cache: dict[int, tuple] = {}

    def __call__(self, i: int):
        hit = self.cache.get(i)
        if hit is None:
            ev = self.ev
            hit = self.cache[i] = effective_actors(ev.type[i], ev.m[i], ev.actor_list[i],
                                                    ev.sides[i], ev.entity[i], self.index,
                                                    self.tolerance)
        return hit


def candidate_edges(prepared: list[PreparedTarget], events: pd.DataFrame | EventRows,
                    index: MembershipIndex, *, tolerance: int = TOLERANCE,
                    threshold: float = THRESHOLD, entity_level: bool = True,
                    _eff: _Effective | None = None) -> list[Edge]:
    """Every (target, simulated event) pair that may be matched (``entity_level``
    False: raw and per-side similarities only, entities expanded to members)."""
    edges: list[Edge] = []
    ev = _event_rows(events)
    if ev.empty:
        return edges
    ev_m, ev_type, ev_entity = ev.m, ev.type, ev.entity
    eff = _eff if _eff is not None else _Effective(ev, index, tolerance)
    # the (target, event) pairs of compatible type within the tolerance, found from
    # the events' side: scorable targets by accepted simulated type, sorted by month
    by_type: dict[str, list[tuple[int, int]]] = {}
    for ti, pt in enumerate(prepared):
        if pt.scorable:
            for typ in pt.types:
                by_type.setdefault(typ, []).append((pt.m, ti))
    lookup = {typ: ([tm for tm, _ in lst], [ti for _, ti in lst])
              for typ, lst in ((typ, sorted(lst)) for typ, lst in by_type.items())}
    pairs: list[tuple[int, int]] = []
    for ei, (typ, m) in enumerate(zip(ev_type, ev_m)):
        found = lookup.get(typ)
        if found is not None:
            tms, tis = found
            for p in range(bisect_left(tms, m - tolerance), bisect_right(tms, m + tolerance)):
                pairs.append((tis[p], ei))
    pairs.sort()  # by target, then event
    others_of: dict[int, frozenset[str]] = {}  # mover -> other members of its room/entity
    eff_cache = eff.cache
    ks_of: dict[int, tuple[int, ...]] = {}  # group event -> its entity-level months
    for ti, ei in pairs:
        pt = prepared[ti]
        tm = pt.m
        typ = ev_type[ei]
        m = ev_m[ei]
        hit = eff_cache.get(ei)
        resolved, side_sets = hit if hit is not None else eff(ei)
        if not pt.not_actors.isdisjoint(resolved):
            continue
        ent = ev_entity[ei]
        if typ in MOVER_TYPES and pt.partners and ent:
            others = others_of.get(ei)
            if others is None:
                others = others_of[ei] = \
                    (index.members(ent, m - 1) | index.members(ent, m)) - resolved
            if others and others.isdisjoint(pt.partners):
                continue
        if entity_level and pt.group and typ in GROUP_TYPES:
            ks = ks_of.get(ei)
            if ks is None:
                ks = ks_of[ei] = entity_months(typ, m, index)
        else:
            ks = ()
        sim = _similarity(pt, resolved, side_sets, ks, index)
        if pt.documented is not None and sim + 1e-12 < threshold:
            sim = max(sim, _similarity(pt.documented, resolved, side_sets, (), index))
        if sim + 1e-12 >= threshold:
            edges.append(Edge(ti, ei, m - tm, sim))
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


def attach(matches: dict[int, Edge], prepared: list[PreparedTarget],
           events: pd.DataFrame | EventRows, index: MembershipIndex, *,
           tolerance: int = TOLERANCE, _eff: _Effective | None = None) -> dict[int, int]:
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
    ev = _event_rows(events)
    if not matches or ev.empty:
        return out
    eff = _eff if _eff is not None else _Effective(ev, index, tolerance)
    used = {e.event for e in matches.values()}
    ev_m, ev_type, ev_entity, ev_actors = ev.m, ev.type, ev.entity, ev.actor_list
    n = len(ev_m)
    for ti in sorted(matches):
        edge, pt = matches[ti], prepared[ti]
        si = edge.event
        s_type, m, ent = ev_type[si], ev_m[si], ev_entity[si]
        # at most one kind of step applies, decided by the matched event's type
        if s_type == "room_formed":
            if not ent:
                continue
            kinds, lo, hi, same_room = ("room_joined",), m, m + tolerance, True
            allowed = pt.actors | pt.partners
        elif s_type in PRE_EVENT_TYPES:
            kinds, lo, hi, same_room = PRE_EVENT_TYPES, m - tolerance, m, False
            allowed = eff(si)[0]
        elif s_type == "room_dissolved":
            if not ent:
                continue
            kinds, lo, hi, same_room = ("room_left", "room_expelled"), m - tolerance, m, True
            allowed = pt.actors | pt.partners
        else:
            continue
        for ej in range(n):
            if ej in used or ej in out:
                continue
            if ev_type[ej] not in kinds or (same_room and ev_entity[ej] != ent):
                continue
            mj = ev_m[ej]
            if not lo <= mj <= hi:
                continue
            act = index.resolve(ev_actors[ej], mj)
            if act and act <= allowed:
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


def match_events(prepared: list[PreparedTarget], events: pd.DataFrame | EventRows,
                 index: MembershipIndex, *, tolerance: int = TOLERANCE,
                 threshold: float = THRESHOLD, entity_level: bool = True) -> MatchResult:
    ev = _event_rows(events)
    eff = _Effective(ev, index, tolerance)
    edges = candidate_edges(prepared, ev, index, tolerance=tolerance, threshold=threshold,
                            entity_level=entity_level, _eff=eff)
    matches = assign(edges, [pt.target.weight for pt in prepared])
    attached = attach(matches, prepared, ev, index, tolerance=tolerance, _eff=eff)
    return MatchResult(prepared=prepared, matches=matches, edges=edges, attached=attached)
