"""The documented record as a run: the targets replayed as a trajectory.

:func:`record_trajectory` turns a targets file (its dated events) into the
:class:`sim.trajectory.Trajectory` the simulator would write if it had
reproduced history perfectly. Scored like any run, it gives the ceiling of the
fit under each matching, and it shows targets whose encoding the scoring
contract cannot honour (``scripts/score_record.py``, docs/scoring.md).

**State.** The scenario's factions, all alive, standalone, in the entities and
rooms the scenario declares (none in the baseline). Rooms and entities hold
*actors*, as in the model: a standalone faction, or a merged entity whose
components share its rooms. Rooms coordinate no particular front, so an actor
may sit in several rooms at once (the record says so: Ahrar was in Jaish
al-Fatah, Fatah Halab and the Battle of Victory in 2015).

**Order.** Month by month from the scenario's start to its end, each month's
targets are applied in the order of ``CoalitionModel``'s step, and within one
step in the order of the targets file: ends of fights that were open before
the month (step 3, infighting); then, as in the resolution step, expulsions,
leaving rooms, splits, dissolutions, new fights, mergers and absorptions,
room formations and joins; then documented room dissolutions and rooms left
with fewer than two members (step 7's last part). The model cannot start and
end a fight in one month; a fight documented so ends after the resolution. A
fight documented to start again while still open (no documented end) first
ends, with an event attributed to no target.
Then one membership row per faction is recorded (step 8), as
``CoalitionModel._record`` writes it: entity = the faction's actor key (its
own id when standalone), rooms = its actor's rooms, and for a dissolved
faction entity and rooms empty, strength 0, alive False.

**Who acts.** The targets name a merged group by its leading faction
(``calibration/README.md``: ``nusra`` for JFS and HTS, ``ahrar`` for Ahrar and
later JTS). So a named faction that leads its entity (the faction whose id
the entity keeps, else its first alive component) stands for the whole
entity; a named faction inside someone else's entity stands for itself:

* *fights*: each side is the named factions' actors, expanded to their member
  factions as the ledger writes them (``nusra;zenki;... vs ahrar;suqour``); a
  faction named on the other side is left out of a side (HTS against its own
  component Ansar al-Sham reads ``nusra;liwa_haqq;... vs ansar_sham``);
* *mergers and absorptions*: a named faction inside another entity leaves it
  first, without an event of its own (the targets file has none), and the move
  is listed in :attr:`Replay.notes`. ``absorbed``: the first listed actor is the
  absorber (the targets write "Suqour into Ahrar" as ``[ahrar, suqour]``); its
  entity keeps its key (the absorber's own id if it was standalone, as the
  ledger does), and the others join it. ``merger``: the actors join the
  generated entity (``E1``, ``E2``, ...) of the first of them that already
  has one, else a new generated entity;
* *rooms*: rooms hold actors, so a named faction brings its whole entity.
  A join, exit or dissolution takes the room whose members share most
  factions with the target's ``partners`` (for dissolutions: with its actors).

Each applied target gives one event, in the ledger's format
(``sim.model.organisations.Ledger``): actors are the member factions of the
actors involved, ``entity`` the room or entity id, ``detail`` the ledger's
sentence. Where the model acts pairwise (a fight between two actors, a merger
of two), a target with more actors still gives one event. Only the target's
``type`` is replayed, not its ``alt_types``, except that a join finding no
room with its partners forms one when ``room_formed`` is an alt_type.

**Left out.** Factions the scenario lacks are dropped from a target, and a
target left unscorable (``sim.scoring.match.prepare_target``) is skipped, as
the scorer skips it. Exogenous inputs (renames, designations, policies) are
not replayed: the scorer ignores them. Strengths stay at their scenario
values: the scorer uses strength only to decide which simulated events are
major for precision. Nothing is adjusted to the snapshots; where the events
and a snapshot disagree, :func:`snapshot_differences` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config.months import month_range
from sim.config.schema import Scenario
from sim.naming import entity_name, room_name
from sim.scoring.match import MembershipIndex, prepare_target
from sim.scoring.targets import Target, Targets
from sim.trajectory import Event, Trajectory

#: The steps of a month, in the order of ``CoalitionModel.step`` (see module doc).
STEPS: tuple[tuple[str, ...], ...] = (
    ("infighting_ended",), ("room_expelled",), ("room_left",), ("split",), ("dissolved",),
    ("infighting_started",), ("merger", "absorbed"), ("room_formed", "room_joined"),
    ("room_dissolved",),
)


@dataclass
class _Entity:
    name: str
    components: list[str]       # faction ids, in order of joining; the first leads
    generated: bool


@dataclass
class _Room:
    name: str
    members: list[str]          # actor keys, in order of joining


@dataclass
class Replay:
    """The replayed trajectory, which target each event came from, and notes on
    what the events alone could not do or had to imply."""

    trajectory: Trajectory
    sources: list[str] = field(default_factory=list)   # target id per event ("" if implied)
    notes: list[str] = field(default_factory=list)
    #: (month, faction) -> the factions it stands for that month, for a faction
    #: that leads a merged entity of two or more (the entity's alive members)
    stands_for: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def event_of(self, target_id: str) -> int | None:
        """Position of the event replaying ``target_id`` (None if it was not applied)."""
        return self.sources.index(target_id) if target_id in self.sources else None


class _Record:
    """The organisational state of the replay and the events that change it."""

    def __init__(self, scenario: Scenario, replay: Replay) -> None:
        self.ids = [f.id for f in scenario.factions]
        self.names = {f.id: f.name for f in scenario.factions}
        self.strength = {f.id: f.strength for f in scenario.factions}
        self.labels = list(scenario.labels)
        self.alive = dict.fromkeys(self.ids, True)
        self.actor_of = {f: f for f in self.ids}
        self.entities: dict[str, _Entity] = {}
        self.rooms: dict[str, _Room] = {}
        self.fights: dict[frozenset, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.counters = {"R": 0, "E": 0}
        self.replay, self.month, self.target = replay, "", ""
        for e in scenario.entities:
            self.entities[e.id] = _Entity(e.name, list(e.members), generated=False)
            for fid in e.members:
                self.actor_of[fid] = e.id
        for r in scenario.rooms:
            self.rooms[r.id] = _Room(r.name, list(r.members))

    # ---- naming and looking up (as the ledger does) ------------------------------

    def units(self, key: str) -> list[str]:
        """Alive factions of an actor."""
        comps = self.entities[key].components if key in self.entities else [key]
        return [f for f in comps if self.alive.get(f)]

    def units_of(self, keys) -> list[str]:
        return [f for k in keys for f in self.units(k)]

    def display(self, key: str) -> str:
        return self.entities[key].name if key in self.entities else self.names[key]

    def entity_name(self, components: list[str]) -> str:
        lead = max(components, key=lambda f: self.strength[f])
        return entity_name(self.labels, set(components), self.names[lead], self.month)

    def room_name(self, members: list[str]) -> str:
        return room_name(self.labels, set(self.units_of(members)),
                         [self.display(k) for k in members], self.month)

    def leads(self, fid: str) -> bool:
        """Whether ``fid`` stands for its actor: standalone, or its entity's lead
        (the faction whose id the entity keeps, else its first alive component)."""
        key = self.actor_of[fid]
        return key == fid or self.units(key)[:1] == [fid]

    def rooms_of(self, key: str) -> list[str]:
        return [rid for rid, room in self.rooms.items() if key in room.members]

    def best_room(self, rids, factions) -> str | None:
        """The room sharing most factions with ``factions`` (ties: more members, then
        the older room); None when no room shares any."""
        scored = [(len(set(self.units_of(self.rooms[r].members)) & set(factions)),
                   len(self.rooms[r].members), r) for r in rids]
        best = max(scored, key=lambda s: s[:2], default=None)
        return best[2] if best and best[0] > 0 else None

    # ---- changes ---------------------------------------------------------------

    def record(self, kind: str, actors, entity: str = "", detail: str = "") -> None:
        self.replay.trajectory.events.append(
            Event(self.month, kind, tuple(actors), entity, detail))
        self.replay.sources.append(self.target)

    def note(self, text: str) -> None:
        self.replay.notes.append(f"{self.month} {self.target or '-'}: {text}")

    def rename_actor(self, old: str, new: str) -> None:
        """Actor ``old`` continues as ``new`` in its rooms, as ``State.rename_actor``
        does (an absorber's entity unwinding to the absorber keeps its rooms). The
        replay keeps its own copy so that scoring does not import the model."""
        if old == new:
            return
        for room in self.rooms.values():
            if old in room.members:
                if new in room.members:
                    room.members.remove(old)
                else:
                    room.members[room.members.index(old)] = new

    def unwind(self, key: str) -> None:
        """An entity with at most one alive faction left is that faction again."""
        ent = self.entities.pop(key)
        for f in ent.components:
            self.actor_of[f] = f
        alive = [f for f in ent.components if self.alive[f]]
        if alive:
            self.rename_actor(key, alive[0])
        else:
            self.drop(key)

    def leave_entity(self, fid: str) -> None:
        """``fid`` leaves its entity (a split, or a move the targets imply)."""
        key = self.actor_of[fid]
        self.entities[key].components.remove(fid)
        self.actor_of[fid] = fid
        if len(self.units(key)) <= 1:
            self.unwind(key)

    def drop(self, key: str) -> None:
        """A vanished actor leaves its rooms."""
        for room in self.rooms.values():
            if key in room.members:
                room.members.remove(key)

    def end_orphan_fights(self) -> None:
        """Fights with a side left without an alive faction end (as ``Ledger._drop``)."""
        for fk, named in list(self.fights.items()):
            a, b = self.sides(*named)
            if not (a and b):
                del self.fights[fk]
                if a or b:
                    other = a or b
                    self.record("infighting_ended", other, "",
                                f"{self.display(self.actor_of[other[0]])}'s opponent is gone")

    def sides(self, a, b) -> tuple[list[str], list[str]]:
        """The factions of each side of a fight between the named factions a and b:
        a named faction's actor if it leads it, else itself; a faction named on
        one side is left out of the other."""
        def expand(named) -> list[str]:
            out: list[str] = []
            for fid in (f for f in named if self.alive[f]):
                factions = self.units(self.actor_of[fid]) if self.leads(fid) else [fid]
                out += [f for f in factions if f not in out]
            return out

        sa, sb = expand(a), expand(b)
        return [f for f in sa if f not in sb or f in a], [f for f in sb if f not in sa or f in b]

    def close_small_rooms(self) -> None:
        for rid in list(self.rooms):
            room = self.rooms[rid]
            if len(room.members) < 2:
                self.record("room_dissolved", self.units_of(room.members), rid,
                            f"{room.name} dissolves")
                del self.rooms[rid]

    # ---- one handler per target type -------------------------------------------

    def apply(self, t: Target, actors: list[str], sides) -> None:
        self.target = t.id
        if not any(self.alive[a] for a in actors):
            self.note("none of its actors is alive; not applied")
        else:
            getattr(self, "_" + t.type)(t, [a for a in actors if self.alive[a]], sides)
        self.target = ""

    def _infighting_started(self, t, actors, sides) -> None:
        key = fight_key(sides)
        if key in self.fights:
            self.note("the same fight is still open (no documented end): it ends first, "
                      "unattributed, then starts again")
            self.target, target = "", self.target
            self._infighting_ended(t, actors, sides)
            self.target = target
        a, b = self.sides(*sides)
        if not (a and b):
            return self.note("a side has no alive faction; not applied")
        self.fights[key] = sides
        self.record("infighting_started", a + b, "", f"{';'.join(a)} vs {';'.join(b)}")

    def _infighting_ended(self, t, actors, sides) -> None:
        key = fight_key(sides)
        if key not in self.fights:
            return self.note("no such fight is open; not applied")
        del self.fights[key]
        a, b = self.sides(*sides)
        self.record("infighting_ended", a + b, "", f"{';'.join(a)} vs {';'.join(b)}: truce")

    def _room_formed(self, t, actors, sides) -> None:
        keys = list(dict.fromkeys(self.actor_of[a] for a in actors))
        if len(keys) < 2:
            return self.note("its actors are one actor; no room formed")
        self.counters["R"] += 1
        rid = f"R{self.counters['R']}"
        room = self.rooms[rid] = _Room(self.room_name(keys), keys)
        shown = [self.display(k) for k in keys]
        self.record("room_formed", self.units_of(keys), rid,
                    f"{room.name}: {', '.join(shown[:-1])} and {shown[-1]}")

    def _room_joined(self, t, actors, sides) -> None:
        keys = list(dict.fromkeys(self.actor_of[a] for a in actors))
        rid = self.best_room(list(self.rooms), [p for p in t.partners if p in self.alive])
        if rid is None:
            if "room_formed" in t.alt_types:
                self.note("no room holds its partners; a room is formed (an alt_type)")
                partners = [self.actor_of[p] for p in t.partners if self.alive.get(p)]
                return self._room_formed(t, [*keys, *partners], sides)
            return self.note("no room holds its partners; not applied")
        room = self.rooms[rid]
        keys = [k for k in keys if k not in room.members]
        if not keys:
            return self.note(f"already in {room.name}; not applied")
        room.members += keys
        room.name = self.room_name(room.members)
        verb = "joins" if len(keys) == 1 else "join"
        self.record("room_joined", self.units_of(keys), rid,
                    f"{' and '.join(self.display(k) for k in keys)} {verb} {room.name}")

    def _room_left(self, t, actors, sides, expelled: bool = False) -> None:
        for key in dict.fromkeys(self.actor_of[a] for a in actors):
            rid = self.best_room(self.rooms_of(key), [p for p in t.partners if p in self.alive])
            if rid is None:
                self.note(f"{key} is in no room with its partners; not applied")
                continue
            room = self.rooms[rid]
            room.members.remove(key)
            verb = "is expelled from" if expelled else "leaves"
            self.record("room_expelled" if expelled else "room_left", self.units(key), rid,
                        f"{self.display(key)} {verb} {room.name}")

    def _room_expelled(self, t, actors, sides) -> None:
        self._room_left(t, actors, sides, expelled=True)

    def _room_dissolved(self, t, actors, sides) -> None:
        rid = self.best_room(list(self.rooms), actors)
        if rid is None:
            return self.note("no room holds its actors; not applied")
        room = self.rooms.pop(rid)
        self.record("room_dissolved", self.units_of(room.members), rid,
                    f"{room.name} dissolves")

    def _split(self, t, actors, sides) -> None:
        for fid in actors:
            key = self.actor_of[fid]
            if key == fid or key not in self.entities:
                self.note(f"{fid} is not a component of a merged entity; not applied")
                continue
            name = self.entities[key].name
            self.leave_entity(fid)
            self.record("split", (fid,), key, f"{self.names[fid]} leaves {name}")

    def _dissolved(self, t, actors, sides) -> None:
        for fid in actors:
            key = self.actor_of[fid]
            if not self.alive[fid]:
                continue
            if self.leads(fid):
                units = self.units(key)
                self.record("dissolved", units, key if key in self.entities else "",
                            f"{self.display(key)} dissolves (own decision)")
                for f in units:
                    self.alive[f], self.actor_of[f] = False, f
                self.entities.pop(key, None)
                self.drop(key)
            else:
                self.record("dissolved", (fid,), key,
                            f"{self.names[fid]} fades inside {self.entities[key].name}")
                self.alive[fid] = False
                if len(self.units(key)) <= 1:
                    self.unwind(key)
            self.end_orphan_fights()

    def _mover(self, fid: str, taken: set[str]) -> str | None:
        """The actor that a named faction brings into a merger (see module doc);
        None if its actor is already ``taken`` into it."""
        key = self.actor_of[fid]
        if key in taken:
            return None
        if self.leads(fid):
            return key
        self.note(f"{fid} leaves {self.display(key)} first (implied by the target, "
                  "no event)")
        self.leave_entity(fid)
        return fid

    def _movers(self, actors: list[str], taken: set[str]) -> list[str]:
        movers = []
        for fid in actors:
            mover = self._mover(fid, taken)
            if mover is not None:
                movers.append(mover)
                taken.add(mover)
        return movers

    def _join(self, key: str, movers: list[str]) -> list[str]:
        """Move the movers' factions into entity ``key``; return them."""
        target, moved = self.entities[key], []
        for k in movers:
            for f in self.units(k):
                if f not in target.components:
                    target.components.append(f)
                self.actor_of[f] = key
                moved.append(f)
            if k != key:
                self.entities.pop(k, None)
                self.rename_actor(k, key)
        if target.generated:
            target.name = self.entity_name(self.units(key))
        return moved

    def _absorbed(self, t, actors, sides) -> None:
        key = self.actor_of[actors[0]]
        movers = self._movers(actors[1:], {key})
        if not movers:
            return self.note("nothing left to absorb; not applied")
        if key not in self.entities:
            self.entities[key] = _Entity(self.names[key], [key], generated=False)
        small = self._join(key, movers)
        self.record("absorbed", self.units(key), key,
                    f"{self.display(key)} absorbs {';'.join(small)}")

    def _merger(self, t, actors, sides) -> None:
        movers = self._movers(actors, set())
        if len(movers) < 2:
            return self.note("its actors are one actor already; not applied")
        key = next((m for m in movers if m in self.entities and self.entities[m].generated), None)
        if key is None:
            self.counters["E"] += 1
            key = f"E{self.counters['E']}"
            self.entities[key] = _Entity("", [], generated=True)
        self._join(key, movers)
        ids = self.units(key)
        self.record("merger", ids, key, f"{self.entities[key].name}: " + " + ".join(ids))

    # ---- recording -------------------------------------------------------------

    def record_month(self) -> None:
        tr = self.replay.trajectory
        tr.months.append(self.month)
        for f in self.ids:
            alive = self.alive[f]
            key = self.actor_of[f] if alive else ""
            tr.m_month.append(self.month)
            tr.m_faction.append(f)
            tr.m_entity.append(key)
            tr.m_rooms.append(";".join(sorted(self.rooms_of(key))) if alive else "")
            tr.m_strength.append(int(np.rint(self.strength[f])) if alive else 0)
            tr.m_alive.append(alive)
        for key in self.entities:
            members = self.units(key)
            if len(members) > 1:
                lead = next(f for f in members if self.leads(f))
                self.replay.stands_for[(self.month, lead)] = tuple(members)
        tr.names.update(self.names)
        tr.entity_names.update({k: e.name for k, e in self.entities.items()})
        tr.entity_names.update({k: r.name for k, r in self.rooms.items()})


def fight_key(sides) -> frozenset:
    """A fight, by the factions named on its two sides (either way round)."""
    return frozenset((frozenset(sides[0]), frozenset(sides[1])))


def replay(targets: Targets, scenario: Scenario) -> Replay:
    """Replay the targets on the scenario's factions (see the module doc)."""
    result = Replay(Trajectory(scenario=scenario.name, seed=0,
                               factions=[f.id for f in scenario.factions]))
    state = _Record(scenario, result)
    present = frozenset(state.ids)
    by_month: dict[str, list[tuple[Target, list[str], tuple | None]]] = {}
    for t in targets:
        if not prepare_target(t, present).scorable:
            continue  # the scorer does not score it either
        actors = [a for a in t.actors if a in present]
        sides = tuple(tuple(f for f in s if f in present) for s in t.sides) if t.sides else None
        by_month.setdefault(t.month, []).append((t, actors, sides))
    for month in month_range(scenario.start, scenario.end):
        state.month = month
        todo = by_month.get(month, [])
        starting = {fight_key(s) for t, _a, s in todo if t.type == "infighting_started"}
        # the model cannot start and end a fight in one month: such an end comes last
        ends_late = [x for x in todo
                     if x[0].type == "infighting_ended" and fight_key(x[2]) in starting]
        late = {x[0].id for x in ends_late}
        for types in STEPS:
            for t, actors, sides in todo:
                if t.type in types and t.id not in late:
                    state.apply(t, actors, sides)
        state.close_small_rooms()
        for t, actors, sides in ends_late:
            state.apply(t, actors, sides)
        state.record_month()
    return result


def documented_groups(targets: Targets, factions: frozenset[str]) -> dict:
    """``Replay.stands_for`` of the record replayed on ``factions`` alone, over
    the months of the targets and snapshots (memoised on ``targets``): which
    factions each documented leader stands for, month by month. Strict matching
    expands a target's named leaders with it (``sim.scoring.score``)."""
    from sim.config import scenario_from_dict

    def make():
        months = [t.month for t in targets] + [s.month for s in targets.snapshots]
        if not months or not factions:
            return {}
        sc = scenario_from_dict({
            "name": "record", "start": min(months), "end": max(months),
            "ideology_scales": ["x"],
            "factions": [{"id": f, "name": f, "strength": 1.0, "ideology": [3.0]}
                         for f in sorted(factions)]})
        return replay(targets, sc).stands_for

    return targets.cached(("documented groups", factions), make)


def record_trajectory(targets: Targets, scenario: Scenario) -> Trajectory:
    """The documented record as the trajectory of a perfect run (module doc)."""
    return replay(targets, scenario).trajectory


def snapshot_differences(trajectory: Trajectory, targets: Targets) -> list[str]:
    """Where a snapshot's groups differ from the replay's in that month.

    Compared as the scorer compares them (``sim.scoring.score``): the factions
    the run starts with, a dissolved faction alone, rooms by each faction's main
    room. One line per snapshot and kind that differs, naming the groups of two
    or more factions found on one side only."""
    from sim.calibration.objective import frames
    from sim.scoring.score import _doc_labels, _partition_labels

    index = MembershipIndex.from_frame(frames(trajectory)[1])
    universe = sorted(f for f, a in index.alive(index.first).items() if a)
    out = []
    for snap in targets.snapshots:
        if not index.has(snap.m):
            continue
        alive = index.alive(snap.m)
        sim_e, sim_r = _partition_labels(index, snap.m, universe)
        dead = [f for f in universe if not alive.get(f)]
        for kind, sim, groups in (("entities", sim_e, snap.entities),
                                  ("rooms", sim_r, snap.rooms)):
            sim = [lab if alive.get(f) else f"dead:{f}" for f, lab in zip(universe, sim)]
            doc, rep = _groups(_doc_labels(groups, universe), universe), _groups(sim, universe)
            if doc != rep:
                out.append(f"{snap.month} {kind}: documented only {_show(doc - rep)}; "
                           f"replay only {_show(rep - doc)}"
                           + (f" (dissolved: {', '.join(dead)})" if dead else ""))
    return out


def _show(groups) -> str:
    return "; ".join("{" + ", ".join(sorted(g)) + "}" for g in sorted(groups, key=sorted)) or "-"


def _groups(labels: list[str], universe: list[str]) -> set[frozenset[str]]:
    """The groups of two or more factions of a labelling."""
    by: dict[str, set[str]] = {}
    for f, lab in zip(universe, labels):
        by.setdefault(lab, set()).add(f)
    return {frozenset(g) for g in by.values() if len(g) > 1}
