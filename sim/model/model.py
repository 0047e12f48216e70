"""The coalition model: construction and the one place where the step order lives."""

from __future__ import annotations

import mesa
import numpy as np
from threadpoolctl import ThreadpoolController

from sim.config.months import to_month
from sim.config.schema import Designated, Renamed, Scenario, Shock, Ultimatum
from sim.model.agents import BackerAgent, FactionAgent
from sim.model.battlefield import battlefield
from sim.model.observe import Actors, actors_of, coordination_fronts, observe, remember
from sim.model.organisations import Ledger
from sim.model.schedule import build_schedule
from sim.model.state import State, Ultimatum as UltimatumState, initial_state, normalise
from sim.rules import make_rule
from sim.rules.base import DISSOLVE, LEAVE, Decisions, Observation
from sim.trajectory import Trajectory

COORDINATE, MERGE, FIGHT = 3, 4, 5
CRISIS_EVENTS = frozenset({"infighting_started", "merger", "absorbed", "split", "room_expelled"})
_THREADPOOLS: ThreadpoolController | None = None


def _blas():
    """The process's BLAS thread pools, found once (scanning them costs ~0.5 ms)."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    return _THREADPOOLS


class CoalitionModel(mesa.Model):
    """Factions, backers and fronts, stepped one month at a time.

    One step is one month, in this order:

    1. **Exogenous events** of the month, from the scenario: backer policy
       changes (funding, unity push, tolerance, red lines, vetoes, oaths,
       clients),
       designations, ultimatums, renames and shocks (immediate losses,
       ideology shifts). **Crisis**: each faction's crisis decays by
       `crisis_memory` and is raised to 1 by this month's events that touch
       it (a policy change of one of its backers, an event naming it, the
       designation of a room partner), by last month's fights, mergers,
       absorptions, splits and expulsions it was part of, and in proportion
       by the rise of its fronts' intensity (`crisis_rise` is a full crisis).
       **Merger window**: the same, except that a rise of front intensity
       counts only `rise_merge` of its crisis.
       **Front pressure**: each faction's presence-weighted intensity of
       this month's fronts (what restrains infighting, `fight_restraint`).
       **Exclusion**: each faction's exclusion decays by `exclusion_memory`
       and is set to 1 by an agreement (a shock) that leaves it out.
    2. **Rooms lapse**: with `room_heat` > 0, an operations room whose front
       is below that intensity this month dissolves.
       **Battlefield**: each front's intensity (plus the escalation borne by
       those who defied a past-deadline ultimatum) inflicts losses, shared
       with entity components present on the same front and with partners in
       a room that coordinates that front;
       partners that do not reinforce earn grievance; partners gain trust;
       grievances decay (rivalries open at the start no lower than
       `rivalry_floor` of their initial value); threat memory updates;
       recruitment and backer funding add fighters.
    3. **Infighting**: each active fight costs both sides fighters (in
       proportion to the other side's fighters, foreign ones counting
       `1 + foreign_edge` times); a side
       that falls below `collapse_ratio` of its strength at the fight's start
       collapses (absorbed by the winner when ideologically close, otherwise
       dissolved, the winner taking `spoils` of its fighters); otherwise the
       fight may end in a truce.
    4. **Attrition**: factions below `min_strength` dissolve.
    5. **Observation**: actors (standalone factions and merged entities) and
       what they see are computed from the state (`sim.model.observe`),
       including how far each rival rose against each actor since last month
       (its strength times its distance, against its largest predecessor as
       then observed; with `preventive_weight` > 0, each faction's actor is
       then remembered for next month).
    6. **Decision**: the scenario's rule gives utilities; every actor draws
       one action (none, leave its least attached room, dissolve, coordinate
       with / merge with / fight a target), room partners draw expulsions,
       each component of a merged entity draws whether to leave it
       (`sim.rules.choice`).
    7. **Resolution**, in this order: expulsions (from the least attached
       room); leaving rooms; splits from merged entities; dissolutions; new
       fights; mergers (the target must have accepted, no backer veto,
       neither side changed this month); coordination on the front where both
       have most at stake (join the partner's room for that front, leaving
       one's own there, bring the partner into one's own, or form a room for
       that front: one room per front, none on a front below `room_heat`
       (such proposals are not options); with `room_consent` the members already
       in that room had a say in the acceptance); rooms left with fewer than
       two members dissolve.
    8. **Record** one membership row per faction.

    All randomness comes from `self.rng`, seeded by the `seed` argument.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, until: str | None = None,
                 rule: str | None = None) -> None:
        seed = scenario.seed if seed is None else seed
        super().__init__(rng=seed)
        self.config = scenario
        self.seed = seed
        self.params = scenario.parameters
        self.rule = make_rule(rule or scenario.rule)
        self.schedule = build_schedule(scenario, until)
        self.state: State = initial_state(scenario)
        self.trajectory = Trajectory(scenario=scenario.name, seed=seed,
                                     factions=list(self.state.ids))
        self.ledger = Ledger(self.state, list(scenario.labels), self.trajectory.events)
        self.t = 0
        self._touched = np.zeros(self.state.n)     # crises carried from last month's events
        self._unit = {fid: u for u, fid in enumerate(self.state.ids)}   # fixed for the run
        self.last_observation: Observation | None = None
        self.last_actors: Actors | None = None
        self.factions = [FactionAgent(self, i) for i in range(self.state.n)]
        self.backers = [BackerAgent(self, b) for b in range(len(self.state.backer_ids))]

    # ------------------------------------------------------------------------

    @property
    def month(self) -> str:
        return to_month(self.schedule.start + self.t)

    @property
    def finished(self) -> bool:
        return self.t >= self.schedule.n_months

    def step(self) -> None:
        if self.finished:
            return
        st, p = self.state, self.params
        self.ledger.month, self.ledger.t = self.month, self.t
        n_events = len(self.trajectory.events)
        touched, self._touched = self._touched, np.zeros(st.n)
        st.exclusion = st.exclusion * p.exclusion_memory
        self._exogenous(touched)
        intensity = self.schedule.intensity[self.t]
        previous = self.schedule.intensity[self.t - 1] if self.t > 0 else intensity
        rise = st.presence @ np.maximum(intensity - previous, 0.0)
        st.pressure = st.presence @ intensity
        risen = np.minimum(rise / p.crisis_rise, 1.0)
        st.window = np.maximum(st.window * p.crisis_memory,
                               np.maximum(touched, p.rise_merge * risen))
        touched = np.maximum(touched, risen)
        st.crisis = np.maximum(st.crisis * p.crisis_memory, touched)
        if p.room_heat > 0.0:
            self.ledger.lapse_rooms(intensity, p.room_heat)
        actors = actors_of(st, self.last_actors)
        battlefield(st, actors, p, intensity, self._escalation())
        self._fights()
        for u in np.flatnonzero(st.alive & (st.strength < p.min_strength)):
            if st.alive[u]:
                self._dissolve_faction(int(u))
        for ent in st.entities.values():
            ent.cohesion = min(0.9, ent.cohesion + 0.02)
        actors = actors_of(st, actors)
        if actors.keys:
            obs = observe(st, actors, p, intensity, self.t)
            if p.preventive_weight > 0.0:        # the only reader of what is remembered
                remember(st, actors, obs.ideology)
            decisions = self.rule.decide(obs, self.rng)
            self._resolve(obs, actors, decisions)
            self.last_observation = obs
        self.last_actors = actors
        self._carry_crises(n_events)
        self._record()
        self.t += 1

    def run(self) -> Trajectory:
        """Step to the end. BLAS is held to one thread: the model's matrices are
        small, threads only add overhead, and parallelism belongs to sweeps."""
        with _blas().limit(limits=1, user_api="blas"):
            while not self.finished:
                self.step()
        return self.trajectory

    # ---- step parts ----------------------------------------------------------

    def _exogenous(self, touched: np.ndarray) -> None:
        """Apply the month's scenario events; mark in `touched` the factions they touch."""
        st, led = self.state, self.ledger
        for b, pol in self.schedule.policies.get(self.t, []):
            changes = []
            for name, arr in (("funding", st.funding), ("unity_push", st.unity)):
                value = getattr(pol, name)
                if value is not None:
                    arr[b] = value
                    changes.append(f"{name}={value:g}")
            if pol.tolerance is not None:
                st.tolerance[b] = pol.tolerance / 4.0
                changes.append(f"tolerance={pol.tolerance:g}")
            for name, arr in (("red_line", st.red_line), ("veto_mergers", st.veto),
                              ("demands_allegiance", st.allegiance)):
                value = getattr(pol, name)
                if value is not None:
                    arr[b] = value
                    changes.append(f"{name}={value}")
            clients = pol.clients or {}
            touched[st.dependence[:, b] > 0] = 1.0
            for fid, dep in clients.items():
                st.dependence[self._unit[fid], b] = dep
                touched[self._unit[fid]] = 1.0
                changes.append(f"{fid}={dep:g}")
            note = f" ({pol.note})" if pol.note else ""
            led.record("policy", tuple(clients), "", f"{st.backer_ids[b]}: {', '.join(changes)}{note}")
        for ev in self.schedule.events.get(self.t, []):
            if isinstance(ev, Renamed):
                u = self._unit[ev.faction]
                led.record("renamed", (ev.faction,), "", f"{st.names[u]} becomes {ev.name}")
                touched[u] = 1.0
                st.names[u] = ev.name
                ent = st.entities.get(ev.faction)
                if ent is not None and not ent.generated:
                    ent.name = ev.name          # an absorber's entity goes by its name
            elif isinstance(ev, Designated):
                for fid in ev.factions:
                    u = self._unit[fid]
                    st.designated[u] = True
                    if st.alive[u]:
                        touched[self._partners(st.actor_of[u])] = 1.0
                led.record("designated", tuple(ev.factions), "", f"designated by {ev.by}")
            elif isinstance(ev, Ultimatum):
                b = st.backer_ids.index(ev.by)
                units = frozenset(self._unit[fid] for fid in ev.factions)
                touched[list(units)] = 1.0
                deadline = ev.deadline
                st.ultimatums.append(UltimatumState(
                    backer=b, units=units, month=self.t,
                    deadline=self._index(deadline), escalation=ev.escalation))
                led.record("ultimatum", tuple(ev.factions), "",
                           f"{ev.by}: dissolve by {deadline} or bear the offensive")
            elif isinstance(ev, Shock):
                for fid, frac in ev.losses.items():
                    st.strength[self._unit[fid]] *= 1.0 - frac
                for fid, vec in ev.ideology.items():
                    st.ideology[self._unit[fid]] = normalise(vec)
                for fid in ev.excluded:
                    st.exclusion[self._unit[fid]] = 1.0
                named = sorted(set(ev.losses) | set(ev.ideology) | set(ev.excluded))
                touched[[self._unit[fid] for fid in named]] = 1.0
                led.record("shock", tuple(named), "", ev.label)

    def _partners(self, key: str) -> list[int]:
        """Faction indices of an actor and of its room partners on any front."""
        st = self.state
        keys = {key} | {k for rid in st.rooms_of(key) for k in st.rooms[rid].members}
        return sorted(u for k in keys for u in st.units_of(k))

    def _carry_crises(self, start: int) -> None:
        """Fights, mergers, absorptions, splits and expulsions of this month put
        change on the agenda of every faction they involve, next month."""
        for ev in self.trajectory.events[start:]:
            if ev.type in CRISIS_EVENTS:
                for fid in ev.actors:
                    if fid in self._unit:
                        self._touched[self._unit[fid]] = 1.0

    def _index(self, month: str) -> int:
        from sim.config.months import to_index
        return to_index(month) - self.schedule.start

    def _escalation(self) -> np.ndarray:
        esc = np.zeros(self.state.n)
        for ult in self.state.ultimatums:
            if self.t >= ult.deadline:
                for u in ult.units:
                    if self.state.alive[u]:
                        esc[u] = max(esc[u], ult.escalation)
        return esc

    def _fights(self) -> None:
        st, p, led = self.state, self.params, self.ledger
        power = 1.0 + p.foreign_edge * st.foreign        # a foreign fighter's blows count more
        for key in sorted(st.fights):
            draw = self.rng.random()
            fight = st.fights.get(key)
            if fight is None:
                continue
            ua, ub = led.units(fight.a), led.units(fight.b)
            sa, sb = st.strength[ua].sum(), st.strength[ub].sum()
            pa, pb = ((st.strength[u] * power[u]).sum() for u in (ua, ub))
            for units, s_self, s_other in ((ua, sa, pb), (ub, sb, pa)):
                loss = min(p.fight_intensity * s_other, 0.9 * s_self)
                st.strength[units] -= loss * st.strength[units] / max(s_self, 1e-9)
            st.grievance[np.ix_(ua, ub)] += p.fight_grievance
            st.grievance[np.ix_(ub, ua)] += p.fight_grievance
            st.trust[np.ix_(ua, ub)] *= 0.9
            st.trust[np.ix_(ub, ua)] *= 0.9
            ra = st.strength[ua].sum() / max(fight.start_a, 1e-9)
            rb = st.strength[ub].sum() / max(fight.start_b, 1e-9)
            if min(ra, rb) < p.collapse_ratio:
                winner, loser = (fight.a, fight.b) if ra >= rb else (fight.b, fight.a)
                self._collapse(key, winner, loser)
            elif draw < min(0.9, p.truce_rate * (1.0 + 0.5 * (self.t - fight.start))):
                led.end_fight(key, "truce")

    def _collapse(self, key: tuple[str, str], winner: str, loser: str) -> None:
        st, p, led = self.state, self.params, self.ledger
        led.end_fight(key, f"collapse of {led.display(loser)}")
        uw, ul = led.units(winner), led.units(loser)
        xw = np.average(st.ideology[uw], axis=0, weights=st.strength[uw] + 1e-9)
        xl = np.average(st.ideology[ul], axis=0, weights=st.strength[ul] + 1e-9)
        close = np.sqrt(((xw - xl) ** 2).mean()) <= 0.3
        if close:
            led.merge(winner, loser, p.absorb_ratio, into=winner)
        else:
            taken = p.spoils * st.strength[ul].sum()
            st.strength[uw] += taken * st.strength[uw] / max(st.strength[uw].sum(), 1e-9)
            led.dissolve(loser, f"defeated by {led.display(winner)}")

    def _dissolve_faction(self, u: int) -> None:
        """A faction too weak to go on: alone it dissolves; inside an entity it fades."""
        st, led = self.state, self.ledger
        key = st.actor_of[u]
        if key in st.entities and len(led.units(key)) > 1:
            st.alive[u] = False
            st.strength[u] = 0.0
            ent = st.entities[key]
            led.record("dissolved", (st.ids[u],), key, f"{st.names[u]} fades inside {ent.name}")
            alive = [v for v in ent.components if st.alive[v]]
            if len(alive) <= 1:
                led._unwind(key, alive)
        else:
            led.dissolve(key, "too few fighters left")

    def _resolve(self, obs: Observation, actors: Actors, d: Decisions) -> None:
        st, p, led = self.state, self.params, self.ledger
        keys = actors.keys
        room_ids = list(st.rooms)          # the order `observe` numbered them in
        # 1. expulsions, 2. leaving rooms: both concern an actor's least attached room
        for i in np.flatnonzero(d.expel):
            slot = int(obs.room_slot[i])
            if slot >= 0 and keys[i] in st.rooms[room_ids[slot]].members:
                if len(st.rooms[room_ids[slot]].members) >= 3:
                    led.leave_room(keys[i], room_ids[slot], expelled=True)
        for i in np.flatnonzero(d.action == LEAVE):
            slot = int(obs.room_slot[i])
            if slot >= 0 and room_ids[slot] in st.rooms and keys[i] in st.rooms[room_ids[slot]].members:
                led.leave_room(keys[i], room_ids[slot])
        # 3. splits
        comp_units = self._component_units(actors)
        changed: set[str] = set()
        for c in np.flatnonzero(d.defect):
            u = comp_units[c]
            if st.alive[u] and st.actor_of[u] in st.entities:
                changed.add(st.actor_of[u])
                led.split(u, p.betrayal_grievance)
                changed.add(st.ids[u])
        # 4. dissolutions
        for i in np.flatnonzero(d.action == DISSOLVE):
            if keys[i] not in changed and led.units(keys[i]):
                led.dissolve(keys[i], "own decision")
                changed.add(keys[i])
        alive_key = set(st.actor_of[u] for u in range(st.n) if st.alive[u])
        # 5. fights
        for i in np.flatnonzero(d.action == FIGHT):
            a, b = keys[i], keys[d.target[i]]
            if a in alive_key and b in alive_key and a != b:
                led.start_fight(a, b)
        # 6. mergers
        for i in np.flatnonzero((d.action == MERGE) & d.accepted):
            a, b = keys[i], keys[d.target[i]]
            if a in changed or b in changed or a not in alive_key or b not in alive_key:
                continue
            if tuple(sorted((a, b))) in st.fights:
                continue
            key = led.merge(a, b, p.absorb_ratio)
            changed.update((a, b, key))
            alive_key = set(st.actor_of[u] for u in range(st.n) if st.alive[u])
        # 7. coordination, on the front where both have most at stake
        coordinating = np.flatnonzero((d.action == COORDINATE) & d.accepted)
        if len(coordinating):
            fronts = coordination_fronts(st, actors, self.schedule.intensity[self.t], self.t)
        for i in coordinating:
            a, b = keys[i], keys[d.target[i]]
            if a in alive_key and b in alive_key and a != b and not (
                    tuple(sorted((a, b))) in st.fights):
                led.coordinate(a, b, -1 if fronts is None else int(fronts[i, d.target[i]]))
        # 8. rooms too small to matter
        led.close_small_rooms()

    def _component_units(self, actors: Actors) -> list[int]:
        """Faction index of each component, in the order `observe` lists them."""
        index = {k: i for i, k in enumerate(actors.keys)}
        units: list[int] = []
        for key, ent in self.state.entities.items():
            alive = [u for u in ent.components if self.state.alive[u]]
            if len(alive) >= 2 and key in index:
                units.extend(alive)
        return units

    def _record(self) -> None:
        st, tr = self.state, self.trajectory
        month = self.month
        tr.months.append(month)
        rooms: dict[str, list[str]] = {}
        for room in st.rooms.values():
            for key in room.members:
                rooms.setdefault(key, []).append(room.id)
        alive = st.alive.tolist()
        keys = [k if a else "" for k, a in zip(st.actor_of, alive)]
        joined = {k: ";".join(sorted(v)) for k, v in rooms.items()}
        tr.m_month.extend([month] * st.n)
        tr.m_faction.extend(st.ids)
        tr.m_entity.extend(keys)
        tr.m_rooms.extend([joined.get(k, "") for k in keys])
        tr.m_strength.extend(np.rint(st.strength).astype(np.int64).tolist())
        tr.m_alive.extend(alive)
        tr.names.update(zip(st.ids, st.names))
        for key, ent in st.entities.items():
            tr.entity_names[key] = ent.name
        for rid, room in st.rooms.items():
            tr.entity_names[rid] = room.name
