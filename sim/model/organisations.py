"""Changes to who is with whom: rooms, mergers, splits, dissolution, fights.

`Ledger` applies one change at a time to the state and records the event that
says so. The model calls it in the order its step docstring gives; the
decision rules never see it.
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import Label
from sim.model.state import Entity, Fight, Room, State, fight_key
from sim.naming import entity_name, room_name
from sim.trajectory import Event


class Ledger:
    def __init__(self, state: State, labels: list[Label], events: list[Event]) -> None:
        self.state = state
        self.labels = labels
        self.events = events
        self.month = ""
        self.t = 0

    # ---- naming -------------------------------------------------------------

    def units(self, key: str) -> list[int]:
        return self.state.units_of(key)

    def ids(self, key: str) -> tuple[str, ...]:
        return tuple(self.state.ids[u] for u in self.units(key))

    def display(self, key: str) -> str:
        ent = self.state.entities.get(key)
        if ent is None:
            return self.state.names[self.state.ids.index(key)]
        return ent.name

    def _entity_name(self, components: list[int]) -> str:
        lead = max(components, key=lambda u: self.state.strength[u])
        return entity_name(self.labels, {self.state.ids[u] for u in components},
                           self.state.names[lead], self.month)

    def _room_name(self, members: list[str]) -> str:
        return room_name(self.labels, {fid for key in members for fid in self.ids(key)},
                         [self.display(k) for k in members], self.month)

    def record(self, kind: str, actors, entity: str = "", detail: str = "") -> None:
        self.events.append(Event(self.month, kind, tuple(actors), entity, detail))
        self.state.version += 1

    # ---- rooms --------------------------------------------------------------

    def form_room(self, a: str, b: str, front: int = -1) -> None:
        rid = self.state.next_id("R")
        room = Room(id=rid, name=self._room_name([a, b]), members=[a, b], formed=self.t,
                    front=front)
        self.state.rooms[rid] = room
        self.record("room_formed", self.ids(a) + self.ids(b), rid,
                    f"{room.name}: {self.display(a)} and {self.display(b)}")

    def join_room(self, key: str, rid: str) -> None:
        room = self.state.rooms[rid]
        room.members.append(key)
        room.name = self._room_name(room.members)
        self.record("room_joined", self.ids(key), rid, f"{self.display(key)} joins {room.name}")

    def leave_room(self, key: str, rid: str, expelled: bool = False) -> None:
        room = self.state.rooms[rid]
        room.members.remove(key)
        kind = "room_expelled" if expelled else "room_left"
        verb = "is expelled from" if expelled else "leaves"
        self.record(kind, self.ids(key), rid, f"{self.display(key)} {verb} {room.name}")
        for other in room.members:   # leaving breeds a little resentment on both sides
            self._grieve(other, key, 0.2)

    def close_small_rooms(self) -> None:
        for rid in list(self.state.rooms):
            room = self.state.rooms[rid]
            if len(room.members) < 2:
                actors = tuple(fid for key in room.members for fid in self.ids(key))
                self.record("room_dissolved", actors, rid, f"{room.name} dissolves")
                del self.state.rooms[rid]

    def lapse_rooms(self, intensity, heat: float) -> None:
        """Rooms whose front is below `heat` this month dissolve (rooms serve
        offensives); rooms of a scenario without fronts never lapse."""
        for rid in list(self.state.rooms):
            room = self.state.rooms[rid]
            if room.front >= 0 and intensity[room.front] < heat:
                actors = tuple(fid for key in room.members for fid in self.ids(key))
                self.record("room_dissolved", actors, rid, f"{room.name} lapses: its front is quiet")
                del self.state.rooms[rid]

    def coordinate(self, a: str, b: str, front: int = -1) -> None:
        """a wants to coordinate with b on `front`: join b's room on that front
        (leaving its own there: one room per front), bring b into a's, or form
        a room with b for that front."""
        rooms_a = self.state.rooms_of(a, front)
        rooms_b = self.state.rooms_of(b, front)
        if set(rooms_a) & set(rooms_b):
            return
        if rooms_b:
            for rid in rooms_a:
                self.leave_room(a, rid)
            self.join_room(a, self._biggest(rooms_b))
        elif rooms_a:
            self.join_room(b, self._biggest(rooms_a))
        else:
            self.form_room(a, b, front)

    def _one_room_per_front(self, key: str) -> None:
        """After a merger the entity may sit in two rooms on one front (one from
        each side): it keeps the biggest and leaves the others."""
        for front in range(self.state.presence.shape[1]):
            rids = self.state.rooms_of(key, front)
            if len(rids) > 1:
                keep = self._biggest(rids)
                for rid in rids:
                    if rid != keep:
                        self.leave_room(key, rid)

    def _biggest(self, rids: list[str]) -> str:
        return max(rids, key=lambda r: (len(self.state.rooms[r].members), r))

    # ---- entities -----------------------------------------------------------

    def merge(self, a: str, b: str, absorb_ratio: float, into: str | None = None) -> str:
        """Merge actors a and b; return the key of the resulting actor.

        A partner `absorb_ratio` times weaker is absorbed (the stronger keeps its
        identity); otherwise both join the stronger's generated entity or form a
        new one. `into` forces absorption into that actor (a fight's winner).
        """
        st = self.state
        sa = st.strength[self.units(a)].sum()
        sb = st.strength[self.units(b)].sum()
        big, small = (a, b) if sa >= sb else (b, a)
        if into is not None:
            big, small = into, (b if into == a else a)
        s_big = st.strength[self.units(big)].sum()
        s_small = st.strength[self.units(small)].sum()
        small_ids = self.ids(small)
        if into is not None or s_big >= absorb_ratio * s_small:
            kind, key = "absorbed", big
            if big not in st.entities:
                u = st.ids.index(big)
                st.entities[big] = Entity(id=big, name=st.names[u], components=[u], formed=self.t,
                                          cohesion=float(st.cohesion[u]), generated=False)
        elif big in st.entities and st.entities[big].generated:
            kind, key = "merger", big
        else:
            kind, key = "merger", st.next_id("E")
            st.entities[key] = Entity(id=key, name="", components=[], formed=self.t,
                                      cohesion=0.0, generated=True)
        target = st.entities[key]
        before = float(np.mean([self._cohesion(k) for k in (big, small)]))
        for k in (big, small):
            if k == key:
                continue
            for u in self.units(k):
                if u not in target.components:
                    target.components.append(u)
                st.actor_of[u] = key
            st.entities.pop(k, None)
            st.rename_actor(k, key)
        target.cohesion = 0.7 * before
        if target.generated:
            target.name = self._entity_name(target.components)
        ids = self.ids(key)
        if kind == "absorbed":
            self.record(kind, ids, key, f"{self.display(key)} absorbs {';'.join(small_ids)}")
        else:
            self.record(kind, ids, key, f"{target.name}: " + " + ".join(ids))
        self._one_room_per_front(key)
        return key

    def _cohesion(self, key: str) -> float:
        ent = self.state.entities.get(key)
        return ent.cohesion if ent else float(self.state.cohesion[self.state.ids.index(key)])

    def split(self, u: int, betrayal: float) -> None:
        """Faction u leaves its merged entity and stands alone again."""
        st = self.state
        key = st.actor_of[u]
        ent = st.entities[key]
        ent.components.remove(u)
        st.actor_of[u] = st.ids[u]
        fid = st.ids[u]
        self.record("split", (fid,), key, f"{st.names[u]} leaves {ent.name}")
        self._grieve(key, fid, betrayal)
        alive = [v for v in ent.components if st.alive[v]]
        if len(alive) <= 1:
            self._unwind(key, alive)

    def _unwind(self, key: str, alive: list[int]) -> None:
        """An entity with one faction left is that faction again."""
        st = self.state
        ent = st.entities.pop(key)
        for v in ent.components:
            st.actor_of[v] = st.ids[v]
        if alive:
            st.rename_actor(key, st.ids[alive[0]])
        else:
            self._drop(key)

    def dissolve(self, key: str, detail: str) -> None:
        st = self.state
        units = self.units(key)
        self.record("dissolved", tuple(st.ids[u] for u in units), key if key in st.entities else "",
                    f"{self.display(key)} dissolves ({detail})")
        for u in units:
            st.alive[u] = False
            st.strength[u] = 0.0
        if key in st.entities:
            del st.entities[key]
        self._drop(key)

    def _drop(self, key: str) -> None:
        """Remove a vanished actor from rooms and fights."""
        st = self.state
        for room in st.rooms.values():
            if key in room.members:
                room.members.remove(key)
        for fk in [k for k in st.fights if key in k]:
            fight = st.fights.pop(fk)
            other = fight.b if fight.a == key else fight.a
            self.record("infighting_ended", self.ids(other), "", f"{self.display(other)}'s "
                        f"opponent is gone")

    # ---- fights -------------------------------------------------------------

    def start_fight(self, a: str, b: str) -> None:
        st = self.state
        k = fight_key(a, b)
        if k in st.fights:
            return
        sa = st.strength[self.units(a)].sum()
        sb = st.strength[self.units(b)].sum()
        st.fights[k] = Fight(a=a, b=b, start=self.t, start_a=float(sa), start_b=float(sb))
        self.record("infighting_started", self.ids(a) + self.ids(b), "",
                    f"{';'.join(self.ids(a))} vs {';'.join(self.ids(b))}")
        self._grieve(b, a, 1.0)
        self._upset_components(a, b)

    def _upset_components(self, attacker: str, target: str) -> None:
        """Components of an attacking entity that are ideologically close to the
        target resent their leader for the attack (Zenki leaving HTS, 2017)."""
        st = self.state
        comps = self.units(attacker)
        victims = self.units(target)
        if len(comps) < 2 or not victims:
            return
        leader = max(comps, key=lambda u: st.strength[u])
        x_target = np.average(st.ideology[victims], axis=0,
                              weights=st.strength[victims] + 1e-9)
        for u in comps:
            if u != leader:
                d = float(np.sqrt(((st.ideology[u] - x_target) ** 2).mean()))
                st.grievance[u, leader] += max(0.0, 1.0 - 2.0 * d)

    def end_fight(self, k: tuple[str, str], how: str) -> None:
        fight = self.state.fights.pop(k)
        self.record("infighting_ended", self.ids(fight.a) + self.ids(fight.b), "",
                    f"{';'.join(self.ids(fight.a))} vs {';'.join(self.ids(fight.b))}: {how}")

    def _grieve(self, who: str, at: str, amount: float) -> None:
        ua, ub = self.units(who), self.units(at)
        if ua and ub:
            self.state.grievance[np.ix_(ua, ub)] += amount
