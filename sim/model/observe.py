"""From the state to what the actors observe: actor-level numpy arrays.

Faction-level quantities are aggregated to actors (standalone factions and
merged entities) as strength-weighted means, with one sort and `reduceat`
per array, so that the cost grows with the number of factions squared and
never loops over pairs in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sim.config.schema import Parameters
from sim.model.state import State
from sim.rules.base import Observation


@dataclass
class Actors:
    """The month's actors and how factions map onto them."""

    keys: list[str]             # (M,) actor keys
    of_unit: np.ndarray         # (N,) actor index of each faction, -1 if dead
    order: np.ndarray           # alive faction indices sorted by actor
    starts: np.ndarray          # (M,) where each actor's block starts in `order`
    strength: np.ndarray        # (M,)
    weight: np.ndarray          # (len(order),) faction strength / actor strength, in `order`
    block: np.ndarray           # (len(order),) actor index of each entry of `order`
    version: int                # state.version it was computed at
    cache: dict = field(default_factory=dict)  # derived arrays valid while `version` holds

    @property
    def singletons(self) -> bool:
        return len(self.keys) == len(self.order)

    def mean(self, x: np.ndarray) -> np.ndarray:
        """Strength-weighted mean over each actor's factions of a per-faction array."""
        xs = x[self.order]
        if self.singletons:
            return xs
        w = self.weight.reshape((-1,) + (1,) * (xs.ndim - 1))
        return np.add.reduceat(xs * w, self.starts, axis=0)

    def mean_pairs(self, x: np.ndarray) -> np.ndarray:
        """Strength-weighted mean over faction pairs of a per-pair (N, N) array."""
        if self.singletons and len(self.order) == x.shape[0]:
            return x.copy()          # every faction alive and alone, in index order
        xs = x[np.ix_(self.order, self.order)]
        if self.singletons:
            return xs
        xs = xs * self.weight[:, None] * self.weight[None, :]
        return np.add.reduceat(np.add.reduceat(xs, self.starts, axis=0), self.starts, axis=1)

    def max(self, x: np.ndarray) -> np.ndarray:
        """Largest value over each actor's factions of a per-faction array."""
        return np.maximum.reduceat(x[self.order], self.starts) if len(self.starts) else x[:0]

    def any(self, x: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(x[self.order].astype(np.int8), self.starts) > 0


def actors_of(state: State, previous: Actors | None = None) -> Actors:
    """The month's actors. When nothing organisational changed since
    `previous` was computed, only strengths and weights are refreshed."""
    if previous is not None and previous.version == state.version:
        order, starts = previous.order, previous.starts
        strength = np.add.reduceat(state.strength[order], starts) if len(starts) else np.zeros(0)
        weight = state.strength[order] / np.maximum(strength, 1e-9)[previous.block]
        return Actors(keys=previous.keys, of_unit=previous.of_unit, order=order, starts=starts,
                      strength=strength, weight=weight, block=previous.block,
                      version=state.version, cache=previous.cache)
    keys: list[str] = []
    index: dict[str, int] = {}
    of_unit = np.full(state.n, -1, dtype=np.int64)
    for u in range(state.n):
        if state.alive[u]:
            key = state.actor_of[u]
            if key not in index:
                index[key] = len(keys)
                keys.append(key)
            of_unit[u] = index[key]
    alive = np.flatnonzero(of_unit >= 0)
    order = alive[np.argsort(of_unit[alive], kind="stable")]
    counts = np.bincount(of_unit[order], minlength=len(keys))
    starts = (np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if keys
              else np.zeros(0, dtype=np.int64))
    strength = np.add.reduceat(state.strength[order], starts) if len(keys) else np.zeros(0)
    block = np.repeat(np.arange(len(keys)), counts)
    weight = state.strength[order] / np.maximum(strength, 1e-9)[block]
    return Actors(keys=keys, of_unit=of_unit, order=order, starts=starts, strength=strength,
                  weight=weight, block=block, version=state.version)


@lru_cache(maxsize=64)
def _eye(m: int) -> np.ndarray:
    eye = np.eye(m, dtype=bool)
    eye.flags.writeable = False
    return eye


def pairwise_distance(x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """Euclidean distance between rows of ideology arrays on [0, 1]^K, scaled to [0, 1]."""
    y = x if y is None else y
    sq = (x * x).sum(axis=1)[:, None] + (y * y).sum(axis=1)[None, :] - 2.0 * (x @ y.T)
    return np.sqrt(np.maximum(sq, 0.0) / x.shape[1])


def observe(state: State, actors: Actors, params: Parameters, intensity: np.ndarray,
            month: int) -> Observation:
    m = len(actors.keys)
    S = actors.strength
    total = max(float(S.sum()), 1e-9)
    eye = _eye(m)
    rooms = structure(state, actors)
    index, incidence, same_room, group = (rooms["index"], rooms["incidence"],
                                          rooms["same_room"], rooms["group"])
    # Ideology and backing are strength-weighted over an entity's components, so
    # they are constant between organisational changes only when every actor is
    # a single faction.
    if actors.singletons and "backing" in actors.cache:
        backing = actors.cache["backing"]
    else:
        backing = _backing(state, actors, params)
        if actors.singletons:
            actors.cache["backing"] = backing
    ideology, distance, dep, designated = (backing["ideology"], backing["distance"],
                                           backing["dep"], backing["designated"])
    unity, red_dep, red_line, intolerance, vetoed, foreign_backing = (
        backing["unity"], backing["red_dep"], backing["red_line"], backing["intolerance"],
        backing["vetoed"], backing["foreign_backing"])

    # What coordinating would bring on the battlefield: the share of i's
    # losses that j's whole group (j and its room partners on each front) would absorb.
    fighters = S[:, None] * actors.mean(state.presence)                   # (M, F) on each front
    weight = fighters * intensity[None, :]
    weight = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-9)
    same_front = rooms["same_front"]                                      # (F, M, M)
    helpers = np.empty_like(fighters)                                     # (M, F) j's room partners
    for f in range(fighters.shape[1]):
        helpers[:, f] = same_front[f] @ fighters[:, f]
    partner = fighters + helpers                                          # (M, F) j's group
    support = (weight[:, None, :] * partner[None, :, :]
               / np.maximum(fighters[:, None, :] + partner[None, :, :], 1e-9)).sum(axis=2)
    merge_support = (_merge_support(same_front, fighters, helpers, weight)
                     if params.marginal_relief > 0.0 else np.zeros((m, m)))
    fronts = coordination_fronts(state, actors, intensity, month)
    pair_focus = _pair_focus(fronts, weight)
    pair_support = _pair_support(fronts, fighters, partner, weight, support)
    # Only the consent to enter a room reads them: not built at `room_consent` 0.
    joining, panel = (_panels(incidence, rooms["room_fronts"], fronts)
                      if params.room_consent > 0.0 else _no_panels(m))
    # No room on a front too quiet to need one (`room_heat`).
    quiet = (intensity[fronts] < params.room_heat if fronts is not None and params.room_heat > 0.0
             else np.zeros((m, m), dtype=bool))

    # Rooms: each actor's least attached room (farthest from its line, on the
    # front that carries least of its losses) is the one it may leave or be
    # expelled from; the room fields below describe that room.
    in_room = rooms["in_room"]
    trust = actors.mean_pairs(state.trust)
    grievance = actors.mean_pairs(state.grievance)
    memb = _memberships(incidence, rooms["room_fronts"], S, ideology, fighters, weight,
                        grievance, red_line)
    room_mates = memb["mates"]

    fighting = rooms["fighting"]

    cohesion = np.empty(m)
    for i, key in enumerate(actors.keys):
        ent = state.entities.get(key)
        cohesion[i] = ent.cohesion if ent else state.cohesion[actors.order[actors.starts[i]]]

    ultimatum = np.zeros(m)
    for ult in state.ultimatums:
        targeted = np.zeros(m, dtype=bool)
        for u in ult.units:
            if actors.of_unit[u] >= 0:
                targeted[actors.of_unit[u]] = True
        ultimatum += targeted * (1.0 + dep[:, ult.backer])

    comp = _components(state, actors, ideology, designated, distance, trust, index)
    rising = (rise(state, actors, ideology, distance) if params.preventive_weight > 0.0
              else np.zeros((m, m)))
    return Observation(
        params=params, strength=S, share=S / total, ideology=ideology,
        hardline=ideology.mean(axis=1), threat=actors.mean(state.threat),
        support=support, merge_support=merge_support, room_support=memb["support"], group=group, red_dependence=red_dep,
        distance=distance, trust=trust, grievance=grievance, unity=unity, red_line=red_line,
        intolerance=intolerance, allegiance=backing["allegiance"], vetoed=vetoed,
        foreign_backing=foreign_backing, designated=designated, cohesion=cohesion,
        ultimatum=ultimatum,
        crisis=actors.max(state.crisis), window=actors.max(state.window), pressure=actors.mean(state.pressure),
        exclusion=actors.max(state.exclusion),
        rise=rising, same_room=same_room,
        in_room=in_room, room_gap=memb["gap"], room_red=memb["red"],
        room_grievance=memb["grievance"], room_focus=memb["focus"], room_mates=room_mates,
        pair_focus=pair_focus, pair_support=pair_support, joining=joining, panel=panel,
        quiet=quiet, room_slot=memb["slot"], units=np.diff(np.append(actors.starts, len(actors.order))),
        fighting=fighting, alive=np.ones(m, dtype=bool), **comp)


def _merge_support(same_front: np.ndarray, fighters: np.ndarray, helpers: np.ndarray,
                   weight: np.ndarray) -> np.ndarray:
    """(M, M) the share of i's losses that merging with j would absorb beyond
    what i's rooms absorb now, as on the battlefield: on each front, i's
    partners after the merger are j and the room partners of either (each
    counted once), against i's room partners there now (`helpers`)."""
    m, n_fronts = fighters.shape
    gain = np.zeros((m, m))
    for f in range(n_fronts):
        sf, F, now = same_front[f], fighters[:, f], helpers[:, f]      # now: i's partners
        common = (sf * F[None, :]) @ sf.T                               # [i, j] partners of both
        after = (F[None, :] + (now[:, None] - sf * F[None, :])
                 + (now[None, :] - sf.T * F[:, None]) - common)         # [i, j]
        after = np.maximum(after, 0.0)
        own = F[:, None]
        gain += weight[:, f][:, None] * (after / np.maximum(own + after, 1e-9)
                                         - (now / np.maximum(F + now, 1e-9))[:, None])
    gain = np.maximum(gain, 0.0)
    np.fill_diagonal(gain, 0.0)
    return gain


def rise(state: State, actors: Actors, ideology: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """(M, M) how far j has risen against i since last month: the relative rise of
    j's strength times its ideological distance from i (a merger, an absorption,
    a move away from i's line), capped at a doubling, times the pair's parity
    (4 p (1 - p), p j's share of the pair's strength: a rival far weaker is no
    threat, one far stronger cannot be stopped).

    j is compared with its largest predecessor: the actor, as last observed
    (`remember`), of j's faction that belonged to the strongest one. Distances
    are floored at 0.05 so that a close partner's growth is not an infinite
    rise; actors not yet observed have risen by nothing."""
    m = len(actors.keys)
    if m == 0:
        return np.zeros((0, 0))
    prior = state.prior_strength[actors.order]
    largest = np.maximum.reduceat(prior, actors.starts)
    first = np.flatnonzero(prior == largest[actors.block])
    _, at = np.unique(actors.block[first], return_index=True)
    pred = actors.order[first[at]]                                   # (M,) faction of the predecessor
    S = actors.strength
    before = largest[None, :] * np.maximum(pairwise_distance(ideology, state.prior_ideology[pred]), 0.05)
    now = S[None, :] * distance
    grown = np.clip(now / np.maximum(before, 1e-9) - 1.0, 0.0, 1.0) * (largest > 0)[None, :]
    share = S[None, :] / np.maximum(S[:, None] + S[None, :], 1e-9)
    out = grown * 4.0 * share * (1.0 - share)
    np.fill_diagonal(out, 0.0)
    return out


def remember(state: State, actors: Actors, ideology: np.ndarray) -> None:
    """Keep each alive faction's actor as observed this month (its strength and
    ideology), for next month's `rise`."""
    alive = actors.order
    state.prior_strength[alive] = actors.strength[actors.block]
    state.prior_ideology[alive] = ideology[actors.block]


def structure(state: State, actors: Actors) -> dict:
    """Rooms and fights as actor-level arrays; they change only with
    organisational changes, so they are kept in the actors' cache."""
    if "rooms" in actors.cache:
        return actors.cache["rooms"]
    m = len(actors.keys)
    eye = _eye(m)
    index = {k: i for i, k in enumerate(actors.keys)}
    room_rows = [[index[k] for k in r.members if k in index] for r in state.rooms.values()]
    incidence = np.zeros((m, len(room_rows)))
    for r, rows in enumerate(room_rows):
        incidence[rows, r] = 1.0
    n_fronts = state.presence.shape[1]
    room_fronts = np.zeros((len(room_rows), n_fronts))              # (R, F) fronts each room covers
    for r, room in enumerate(state.rooms.values()):
        if room.front < 0:
            room_fronts[r] = 1.0
        else:
            room_fronts[r, room.front] = 1.0
    same_room = (incidence @ incidence.T > 0) & ~eye
    same_front = np.zeros((n_fronts, m, m))                           # partners per front
    for f in range(n_fronts):
        same_front[f] = ((incidence * room_fronts[:, f]) @ incidence.T > 0) & ~eye
    group = same_room | eye
    fighting = np.zeros((m, m), dtype=bool)
    for fight in state.fights.values():
        a, b = index.get(fight.a), index.get(fight.b)
        if a is not None and b is not None:
            fighting[a, b] = fighting[b, a] = True
    out = {"index": index, "incidence": incidence, "same_room": same_room, "group": group,
           "room_fronts": room_fronts, "same_front": same_front,
           "in_room": incidence.sum(axis=1) > 0, "fighting": fighting}
    for value in out.values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    actors.cache["rooms"] = out
    return out


def _backing(state: State, actors: Actors, params: Parameters) -> dict:
    """Ideology, distances and everything backers impose, actor by actor."""
    m = len(actors.keys)
    ideology = actors.mean(state.ideology)
    dep = actors.mean(state.dependence)                                # (M, B)
    designated = actors.any(state.designated)
    red_dep = dep @ state.red_line.astype(float)                      # (M,)
    to_ideal = pairwise_distance(ideology, state.ideal) if len(state.backer_ids) else np.zeros((m, 0))
    outside = to_ideal > state.tolerance[None, :]                     # (M, B): j outside b's tolerance
    excess = np.maximum(to_ideal - state.tolerance[None, :], 0.0)
    # A merger of i with j is vetoed when the dependence of one of i's factions
    # on backers that veto and find j unwelcome (designated, or outside their
    # tolerance) reaches `veto_threshold`: a backer vetoes for its client, however
    # many other groups the client's entity holds (Ahrar's backers blocked its
    # merger with HTS, seed 000).
    unwelcome = (outside | designated[:, None]).astype(float)         # (M, B)
    vetoing = state.dependence * state.veto[None, :]                  # (N, B) per faction
    vetoed_one = actors.max(vetoing @ unwelcome.T) >= params.veto_threshold   # [i, j]
    # Merging with j means swearing the oath j owes its patrons (bay'ah), as far
    # as j is sworn to them beyond i: [i, j] = sum over oath-demanding backers of
    # max(dep_j - dep_i, 0) (Nusra's pledge to al-Qaeda until July 2016).
    if state.allegiance.any():
        sworn = dep[:, state.allegiance]                               # (M, B')
        allegiance = np.maximum(sworn[None, :, :] - sworn[:, None, :], 0.0).sum(axis=2)
    else:
        allegiance = np.zeros((m, m))
    return {"ideology": ideology, "distance": pairwise_distance(ideology), "dep": dep,
            "allegiance": allegiance,
            "designated": designated, "unity": (dep * state.unity[None, :]) @ dep.T,
            "red_dep": red_dep, "red_line": red_dep[:, None] * designated[None, :],
            "intolerance": dep @ excess.T, "vetoed": vetoed_one | vetoed_one.T,
            "foreign_backing": dep @ state.funding}


def pair_front(presence: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """(M, M) the front two actors coordinate on: where both have most at stake
    (presence times intensity + 0.05), or where together they have most when they
    share no front. `CoalitionModel` forms and joins rooms on this front."""
    stake = presence * (intensity + 0.05)[None, :]
    m = stake.shape[0]
    # argmax over fronts, one (M, M) slice at a time (first maximum wins, as argmax)
    best_joint, joint_front = np.full((m, m), -np.inf), np.zeros((m, m), dtype=np.intp)
    best_together, together_front = np.full((m, m), -np.inf), np.zeros((m, m), dtype=np.intp)
    for f in range(stake.shape[1]):
        col = stake[:, f]
        for best, front, value in ((best_joint, joint_front, np.multiply.outer(col, col)),
                                   (best_together, together_front, np.add.outer(col, col))):
            better = value > best
            front[better] = f
            np.maximum(best, value, out=best)
    return np.where(best_joint > 0, joint_front, together_front)


def coordination_fronts(state: State, actors: Actors, intensity: np.ndarray,
                        month: int) -> np.ndarray | None:
    """`pair_front` for this month's actors (None without fronts), computed once
    a month: the observation and the model's coordination step share it."""
    if state.presence.shape[1] == 0:
        return None
    cached = actors.cache.get("fronts")
    if cached is None or cached[0] != month:
        cached = actors.cache["fronts"] = (month, pair_front(actors.mean(state.presence),
                                                             intensity))
    return cached[1]


def _pair_focus(fronts: np.ndarray | None, weight: np.ndarray) -> np.ndarray:
    """(M, M) the share of i's intensity-weighted fighters on the front i and j
    would coordinate on (1 without fronts)."""
    if fronts is None:
        m = weight.shape[0]
        return np.ones((m, m))
    return np.take_along_axis(weight, fronts, axis=1)


def _pair_support(fronts: np.ndarray | None, fighters: np.ndarray, partner: np.ndarray,
                  weight: np.ndarray, support: np.ndarray) -> np.ndarray:
    """(M, M) the share of i's losses that j's group would absorb on the one front
    i and j would coordinate on (`support` without fronts): a room relieves the
    front it coordinates, not the others."""
    if fronts is None:
        return support
    mine = np.take_along_axis(fighters, fronts, axis=1)                  # [i, j]: i on front(i, j)
    theirs = partner.T[fronts, np.arange(fronts.shape[1])[None, :]]     # [i, j]: j's group there
    return np.take_along_axis(weight, fronts, axis=1) * theirs / np.maximum(mine + theirs, 1e-9)


def _panels(incidence: np.ndarray, room_fronts: np.ndarray,
            fronts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Who already sits in the room that i's coordinating with j would put them
    in, as `CoalitionModel` resolves it: j's room on their front (i joins it),
    else i's (j is brought in), else none (a new room). `joining[i, j]`: i joins
    j's room; `panel[i, j, k]`: k is in that room (k neither i nor j). With two
    rooms on one front (a merger's leftover) the panel is both rooms' members."""
    m = incidence.shape[0]
    if incidence.shape[1] == 0:
        return _no_panels(m)
    if fronts is None:                          # no fronts: every room covers all
        j_rooms = np.broadcast_to(incidence[None, :, :] > 0, (m, m, incidence.shape[1]))
        i_rooms = np.broadcast_to(incidence[:, None, :] > 0, (m, m, incidence.shape[1]))
    else:
        on = (incidence[:, None, :] * room_fronts.T[None, :, :]) > 0     # (M, F, R)
        ar = np.arange(m)
        j_rooms = on[ar[None, :], fronts, :]                              # [i, j, r]
        i_rooms = on[ar[:, None], fronts, :]
    joining = j_rooms.any(axis=2)
    room = np.where(joining[:, :, None], j_rooms, i_rooms).astype(float)
    eye = _eye(m)
    panel = ((room @ incidence.T) > 0) & ~eye[:, None, :] & ~eye[None, :, :]
    return joining, panel


def _no_panels(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((m, m), dtype=bool), np.zeros((m, m, m), dtype=bool)


def _memberships(incidence: np.ndarray, room_fronts: np.ndarray, S: np.ndarray,
                 ideology: np.ndarray, fighters: np.ndarray, weight: np.ndarray,
                 grievance: np.ndarray, red_line: np.ndarray) -> dict:
    """Each actor's least attached room and what that room means to it.

    For every membership (actor i in room r): `gap`, the distance from i to the
    strength-weighted line of r's other members; `focus`, the share of i's
    (intensity-weighted) fighters on the fronts r coordinates; `support`, the
    share of i's losses r's other members absorb there; the partners' mean
    `grievance` towards i and their `red` line objection to it. The least
    attached room maximises gap + (1 - focus). Actors in no room get zeros,
    `slot` -1 and no `mates`.
    """
    m, r = incidence.shape
    zeros = np.zeros(m)
    if r == 0:
        return {"gap": zeros, "focus": zeros, "support": zeros, "grievance": zeros,
                "red": zeros, "slot": np.full(m, -1, dtype=np.int64),
                "mates": np.zeros((m, m), dtype=bool)}
    member = incidence > 0
    w = incidence * S[:, None]                                          # (M, R)
    total = w.sum(axis=0)                                               # (R,)
    rest = np.maximum(total[None, :] - S[:, None], 1e-9)                # (M, R) the others' strength
    line_sum = w.T @ ideology                                           # (R, K)
    others = (line_sum[None, :, :] - (S[:, None] * ideology)[:, None, :]) / rest[:, :, None]
    gap = np.sqrt(((ideology[:, None, :] - others) ** 2).sum(axis=2) / ideology.shape[1])
    focus = weight @ room_fronts.T                                      # (M, R)
    room_fighters = incidence.T @ fighters                              # (R, F)
    others_f = (room_fighters[None, :, :] - fighters[:, None, :]) * room_fronts[None, :, :]
    support = (weight[:, None, :] * others_f                            # (M, R) over r's fronts
               / np.maximum(fighters[:, None, :] + others_f, 1e-9)).sum(axis=2)
    diag_g, diag_r = np.diag(grievance), np.diag(red_line)
    griev = (w.T @ grievance).T - (S * diag_g)[:, None]                 # (M, R): sum over others k of S_k g[k, i]
    red = (w.T @ red_line).T - (S * diag_r)[:, None]
    score = np.where(member, gap + 1.0 - focus, -np.inf)
    slot = np.where(member.any(axis=1), score.argmax(axis=1), -1)
    rows = np.arange(m)
    pick = np.maximum(slot, 0)
    has = slot >= 0

    def at(x: np.ndarray) -> np.ndarray:
        return np.where(has, x[rows, pick], 0.0)

    mates_b = (incidence[:, pick].T > 0) & has[:, None]                 # [i, k]: k in i's picked room
    np.fill_diagonal(mates_b, False)
    return {"gap": at(gap), "focus": at(focus), "support": at(support),
            "grievance": at(griev / rest), "red": at(red / rest), "slot": slot.astype(np.int64),
            "mates": mates_b}


def _comp_ultimatum(state: State, units: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """1 for a component whose entity-mates are named by an ultimatum that
    does not name the component itself."""
    out = np.zeros(len(units))
    for ult in state.ultimatums:
        named = np.array([u in ult.units for u in units])
        entity_named = np.zeros(int(owner.max()) + 1 if len(owner) else 0, dtype=bool)
        entity_named[owner[named]] = True
        out = np.maximum(out, (entity_named[owner] & ~named).astype(float))
    return out


def component_units(state: State, index: dict[str, int]) -> tuple[list[int], list[int]]:
    """The factions that could split off (alive components of entities of two or
    more, entity by entity) and the actor index of each: the rows of the
    observation's `comp_*` fields."""
    units, owner = [], []
    for key, ent in state.entities.items():
        alive = [u for u in ent.components if state.alive[u]]
        if len(alive) >= 2 and key in index:
            units.extend(alive)
            owner.extend([index[key]] * len(alive))
    return units, owner


def _components(state: State, actors: Actors, ideology: np.ndarray, designated: np.ndarray,
                distance: np.ndarray, trust: np.ndarray, index: dict[str, int]) -> dict:
    units, owner = component_units(state, index)
    c = len(units)
    out = {"comp_actor": np.array(owner, dtype=np.int64), "comp_is_leader": np.zeros(c, dtype=bool),
           "comp_leader_share": np.zeros(c), "comp_gap": np.zeros(c),
           "comp_grievance": np.zeros(c), "comp_red_line": np.zeros(c), "comp_outside": np.zeros(c),
           "comp_ultimatum": np.zeros(c)}
    if c == 0:
        return out
    u = np.array(units)
    own = out["comp_actor"]
    s = state.strength[u]
    S = actors.strength[own]
    # Leader: the strongest component of each entity.
    best = np.zeros(len(actors.keys))
    np.maximum.at(best, own, s)
    is_leader = s >= best[own]
    # Keep one leader per entity (the first strongest).
    seen: set[int] = set()
    for k in range(c):
        if is_leader[k]:
            if own[k] in seen:
                is_leader[k] = False
            seen.add(int(own[k]))
    leader_unit = np.zeros(len(actors.keys), dtype=np.int64)
    leader_unit[own[is_leader]] = u[is_leader]
    x = state.ideology[u]
    others = (ideology[own] * S[:, None] - x * s[:, None]) / np.maximum(S - s, 1e-9)[:, None]
    gap = np.sqrt(((x - others) ** 2).sum(axis=1) / x.shape[1])
    red_dep = state.dependence[u] @ state.red_line.astype(float)
    # Is any *other* component of the same entity designated?
    designated_u = state.designated[u].astype(np.int64)
    per_entity = np.bincount(own, weights=designated_u, minlength=len(actors.keys))
    others_designated = (per_entity[own] - designated_u) > 0
    # Best outside option: trust minus distance to the nearest other actor.
    unit_dist = pairwise_distance(x, ideology)
    outside = trust[own] - unit_dist
    outside[np.arange(c), own] = -np.inf
    out.update(
        comp_is_leader=is_leader,
        comp_leader_share=best[own] / np.maximum(S, 1e-9),
        comp_gap=gap,
        comp_grievance=state.grievance[u, leader_unit[own]],
        comp_red_line=red_dep * others_designated,
        comp_outside=outside.max(axis=1) if outside.shape[1] > 1 else np.zeros(c),
        comp_ultimatum=_comp_ultimatum(state, u, own),
    )
    return out
