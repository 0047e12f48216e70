"""The contract every decision rule keeps, in the manner of Axelrod's player tests.

A rule (`sim.rules.base.Rule`) is a small pure class: from an `Observation` to
`Utilities`, and from those to `Decisions` drawn with the generator it is
handed. This module holds

* builders of hand-written observations (`observation`, `random_observation`,
  `vary`) that fill every array consistently, so that a test only states what
  matters to it (`observation(3, rooms=[[0, 1]], fights=[(1, 2)])`);
* `CASES`: small observations (1, 2, 3 and 6 actors; with and without
  components of merged entities; with rooms, fights, designations, vetoes, a
  dead actor and a zero-strength actor) on which the generic invariants run;
* `RuleContract`: the generic invariants as pytest test methods.

Getting the contract for a new rule costs nothing: register the class in
`sim.rules.RULES` and `tests/rules/test_contract.py` builds a
`TestContract_<name>` class for it. A rule kept outside the registry (say, an
experimental one in a notebook package) gets the same tests with

    from contract import RuleContract

    class TestMyRule(RuleContract):
        rule_class = MyRule
        known_failures = {}          # test name -> reason, run as strict xfails

Scripted "versus" tests of a rule's own behaviour go in their own module
(`test_utility_rule.py`, `test_simple_rules.py`) and use the same builders and
`decide_many` / `frequency` for statistical checks with fixed seeds.

Observation fields that this module does not know yet (a field added to
`Observation` later) get zeros of the shape and type written in their comment
in `sim/rules/base.py` (`# (M, M) bool: ...`), so new fields do not break the
builders.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from sim.config.schema import Parameters
from sim.rules import RULES
from sim.rules import base as rules_base
from sim.rules.base import Classifier, Decisions, Observation, Rule, Utilities
from sim.rules.choice import N_SINGLE, option_matrix, valid_options

K = 3
ACTIONS = Decisions.ACTIONS
NONE, LEAVE, DISSOLVE, COORDINATE, MERGE, FIGHT = range(6)
FORBIDDEN_IMPORTS = ("mesa", "sim.model", "sim.api")
# Fields that say what the observation is shaped like rather than what an
# actor sees: any rule may touch them without declaring them in `reads`.
STRUCTURAL = frozenset({"params", "n_actors", "n_components", "alive", "comp_actor",
                        "comp_is_leader"})


# ---- field shapes, read from the comments in sim/rules/base.py -------------------------


def _field_specs() -> dict[str, tuple[str, bool]]:
    """Observation field -> (shape code 'M' | 'MM' | 'MK' | 'C', is_bool)."""
    src = inspect.getsource(rules_base.Observation)
    specs = {}
    for line in src.splitlines():
        m = re.match(r"\s+(\w+): np\.ndarray\s*#\s*\(([MCK])(?:,\s*([MK]))?(?:,\s*(M))?,?\)(.*)",
                     line)
        if m:
            name, first, second, third, rest = m.groups()
            specs[name] = (first + (second or "") + (third or ""), bool(re.match(r"\s*bool", rest)))
    return specs


FIELD_SPECS = _field_specs()
FIELDS = tuple(f.name for f in dataclasses.fields(Observation))


def _zeros(name: str, m: int, c: int) -> np.ndarray:
    code, is_bool = FIELD_SPECS.get(name, ("M", False))
    shape = {"M": (m,), "MM": (m, m), "MMM": (m, m, m), "MK": (m, K), "C": (c,)}[code]
    return np.zeros(shape, dtype=bool if is_bool else float)


# ---- builders ------------------------------------------------------------------------


def pairwise_distance(x: np.ndarray) -> np.ndarray:
    diff = x[:, None, :] - x[None, :, :]
    return np.sqrt((diff * diff).sum(axis=2) / x.shape[1])


def _pairs(pairs: Iterable[tuple[int, int]], m: int) -> np.ndarray:
    out = np.zeros((m, m), dtype=bool)
    for a, b in pairs:
        out[a, b] = out[b, a] = True
    return out


def observation(n: int = 3, *, params: Parameters | None = None,
                strength: Sequence[float] | None = None,
                ideology: Sequence[Sequence[float]] | None = None,
                rooms: Iterable[Sequence[int]] = (),
                fights: Iterable[tuple[int, int]] = (),
                entities: dict[int, Sequence[float]] | None = None,
                designated: Iterable[int] = (),
                vetoes: Iterable[tuple[int, int]] = (),
                dead: Iterable[int] = (),
                red_dep: Sequence[float] | None = None,
                presence: Sequence[Sequence[float]] | None = None,
                intensity: Sequence[float] | None = None,
                **fields: object) -> Observation:
    """A consistent hand-written observation of `n` actors.

    `strength` (fighters) and `ideology` ((n, 3) on [0, 1]) default to distinct
    values; `share`, `hardline` and `distance` follow from them. `rooms` lists the
    actor indices of each operations room (giving `same_room`, `in_room`, and
    `room_gap` as the distance to the strength-weighted line of the room's other
    members); `fights` and `vetoes` are symmetric pairs; `entities` maps an actor
    to the strength shares of its components (the first strongest leads), giving
    `comp_actor`, `comp_is_leader` and `comp_leader_share`; `red_dep` is each
    actor's dependence on red-line backers, so that `red_line[i, j] = red_dep[i]`
    when j is designated. `presence` ((n, F) share of each actor's fighters on
    each front) and `intensity` ((F,), default 1) give the battlefield fields
    (`overlap`, and `support`, `pair_support`, `room_support` where the Observation has them)
    the way `sim.model.observe` computes them. Any other field, or any of
    these, can be given directly as a keyword and wins over what is derived.
    """
    m = n
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not Observation fields: {sorted(unknown)}")
    S = (np.asarray(strength, dtype=float) if strength is not None
         else 1000.0 * (1.0 + np.arange(m)))
    x = (np.asarray(ideology, dtype=float).reshape(m, K) if ideology is not None
         else np.clip(np.linspace(0.2, 0.8, m)[:, None] * np.array([1.0, 0.9, 1.1]), 0.0, 1.0))
    entities = dict(entities or {})
    comp_actor, comp_share = [], []
    for actor in sorted(entities):
        shares = np.asarray(entities[actor], dtype=float)
        comp_actor += [actor] * len(shares)
        comp_share += list(shares / shares.sum())
    c = len(comp_actor)

    out: dict[str, object] = {name: _zeros(name, m, c) for name in FIELDS if name != "params"}
    out["params"] = params or Parameters()
    out["strength"] = S
    total = max(float(S.sum()), 1e-9)
    out["share"] = S / total
    out["ideology"] = x
    out["hardline"] = x.mean(axis=1)
    out["distance"] = pairwise_distance(x)
    out["cohesion"] = np.full(m, 0.6)
    alive = np.ones(m, dtype=bool)
    alive[list(dead)] = False
    out["alive"] = alive
    des = np.zeros(m, dtype=bool)
    des[list(designated)] = True
    out["designated"] = des
    out["fighting"] = _pairs(fights, m)
    out["vetoed"] = _pairs(vetoes, m)

    # Backers' red lines.
    rd = np.zeros(m) if red_dep is None else np.asarray(red_dep, dtype=float)
    red_line = np.asarray(fields.get("red_line", rd[:, None] * des[None, :]), dtype=float)
    out["red_line"] = red_line

    # Rooms.
    rooms = [list(r) for r in rooms]
    inc = np.zeros((m, len(rooms)))
    for r, members in enumerate(rooms):
        inc[members, r] = 1.0
    same_room = (inc @ inc.T > 0) & ~np.eye(m, dtype=bool)
    out["same_room"] = same_room
    out["in_room"] = inc.sum(axis=1) > 0
    # Rooms here cover every front, so an actor's least attached room is the one
    # farthest from its line (the first such).
    gap = np.zeros(m)
    slot = np.full(m, -1, dtype=np.int64)
    for r, members in enumerate(rooms):
        for i in members:
            others = [j for j in members if j != i]
            if others:
                w = S[others] + 1e-9
                line = (w[:, None] * x[others]).sum(axis=0) / w.sum()
                g = float(np.sqrt(((x[i] - line) ** 2).sum() / K))
                if slot[i] < 0 or g > gap[i]:
                    gap[i], slot[i] = g, r
    out["room_gap"] = gap
    out["room_slot"] = slot
    mates = np.zeros((m, m), dtype=bool)
    for i in range(m):
        if slot[i] >= 0:
            mates[i, [j for j in rooms[slot[i]] if j != i]] = True
    out["room_mates"] = mates
    # The room i's coordinating with j would put them in (rooms here cover every
    # front): j's if it has one, else i's; `panel` is who already sits in it.
    joining = np.broadcast_to(inc.sum(axis=1) > 0, (m, m)).copy()
    room = np.where(joining[:, :, None], inc[None, :, :], inc[:, None, :])
    panel = (room @ inc.T) > 0
    panel &= ~np.eye(m, dtype=bool)[:, None, :] & ~np.eye(m, dtype=bool)[None, :, :]
    out["joining"] = joining
    out["panel"] = panel
    out["room_focus"] = (slot >= 0).astype(float)
    if "pair_focus" in out:
        out["pair_focus"] = np.ones((m, m))        # no fronts given: every room is on one's front
    grievance = np.asarray(fields.get("grievance", out["grievance"]), dtype=float)
    pw = mates * S[None, :]
    pw = pw / np.maximum(pw.sum(axis=1, keepdims=True), 1e-9)
    out["room_red"] = (pw * red_line.T).sum(axis=1)
    out["room_grievance"] = (pw * grievance.T).sum(axis=1)
    out["units"] = np.ones(m, dtype=np.int64)

    # Components of merged entities.
    ca = np.array(comp_actor, dtype=np.int64)
    cs = np.array(comp_share, dtype=float)
    leader = np.zeros(c, dtype=bool)
    lead_share = np.zeros(c)
    for actor in set(comp_actor):
        idx = np.flatnonzero(ca == actor)
        leader[idx[np.argmax(cs[idx])]] = True
        lead_share[idx] = cs[idx].max()
    out["comp_actor"] = ca
    for actor in set(comp_actor):
        out["units"][actor] = comp_actor.count(actor)
    out["comp_is_leader"] = leader
    out["comp_leader_share"] = lead_share
    if "comp_gap" in out:
        out["comp_gap"] = np.full(c, 0.1)

    # Battlefield: the same formulas as sim.model.observe.
    eye = np.eye(m, dtype=bool)
    if presence is not None:
        P = np.asarray(presence, dtype=float).reshape(m, -1)
        inten = np.ones(P.shape[1]) if intensity is None else np.asarray(intensity, dtype=float)
        pres = P * inten[None, :]
        exposure = pres.sum(axis=1)
        shared = sum(np.minimum(pres[:, f][:, None], pres[:, f][None, :])
                     for f in range(P.shape[1]))
        overlap = shared / np.maximum(exposure, 1e-9)[:, None]
        overlap[eye] = 0.0
        if "overlap" in out:
            out["overlap"] = overlap
        group = (same_room | eye).astype(float)
        fighters = S[:, None] * P
        weight = fighters * inten[None, :]
        weight = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-9)
        partner = group @ fighters
        support = (weight[:, None, :] * partner[None, :, :]
                   / np.maximum(fighters[:, None, :] + partner[None, :, :], 1e-9)).sum(axis=2)
        room_mates = out["room_mates"].astype(float) @ fighters
        room_support = (weight * room_mates / np.maximum(fighters + room_mates, 1e-9)).sum(axis=1)
        if "support" in out:
            out["support"] = support
        if "room_support" in out:
            out["room_support"] = room_support
        if "pressure" in out:
            out["pressure"] = exposure
        if "pair_focus" in out:
            stake = P * (inten + 0.05)[None, :]
            focus, pair_support = np.ones((m, m)), np.zeros((m, m))
            for i in range(m):
                for j in range(m):
                    joint = stake[i] * stake[j]
                    f = int(np.argmax(joint if joint.max() > 0 else stake[i] + stake[j]))
                    focus[i, j] = weight[i, f]
                    pair_support[i, j] = (weight[i, f] * partner[j, f]
                                          / max(fighters[i, f] + partner[j, f], 1e-9))
            out["pair_focus"] = focus
            out["pair_support"] = pair_support
    if "group" in out:
        out["group"] = same_room | eye
    if "red_dependence" in out:
        out["red_dependence"] = rd

    if "window" in out and "window" not in fields:
        # without front rises the merger window is the crisis
        out["window"] = np.array(fields.get("crisis", out["crisis"]), dtype=float)
    if "pair_support" in out and presence is None:
        # no fronts given: the relief on the pair's front is the relief on all of them
        out["pair_support"] = np.array(fields.get("support", out["support"]), dtype=float)
    for name, value in fields.items():
        ref = out[name]
        arr = np.array(value, dtype=ref.dtype if isinstance(ref, np.ndarray) else None)
        out[name] = arr
    return Observation(**out)


def random_observation(n: int, seed: int, entities: dict[int, Sequence[float]] | None = None,
                       params: Parameters | None = None) -> Observation:
    """A dense observation with every quantity drawn at random (fixed `seed`)."""
    rng = np.random.default_rng(seed)
    m = n
    sym = lambda a: (a + a.T) / 2.0  # noqa: E731
    rooms = [sorted(rng.choice(m, size=min(m, 3), replace=False).tolist())] if m >= 2 else []
    outside = [i for i in range(m) if not rooms or i not in rooms[0]]
    fights = [(outside[0], rooms[0][0])] if rooms and outside else []
    vetoes = [(0, m - 1)] if m >= 2 else []
    e = dict(entities or {})
    c = sum(len(v) for v in e.values())
    extra = {}
    for name in FIELDS:
        code, is_bool = FIELD_SPECS.get(name, ("M", False))
        if name.startswith("comp_") and name not in (
                "comp_actor", "comp_is_leader", "comp_leader_share") and not is_bool:
            extra[name] = rng.uniform(0.0, 0.8, c)
    extra.pop("comp_outside", None)
    return observation(
        m, params=params, strength=rng.uniform(200, 8000, m), ideology=rng.uniform(0, 1, (m, K)),
        rooms=rooms, fights=fights, vetoes=vetoes, designated=[m - 1] if m >= 2 else [],
        entities=e, red_dep=rng.uniform(0, 1, m),
        presence=rng.dirichlet(np.ones(3), m) * rng.uniform(0.5, 1.0, (m, 1)),
        intensity=rng.uniform(0.1, 1.5, 3), threat=rng.uniform(0, 2, m),
        trust=sym(rng.uniform(0, 1, (m, m))) * ~np.eye(m, dtype=bool),
        grievance=rng.uniform(0, 2, (m, m)) * ~np.eye(m, dtype=bool),
        unity=sym(rng.uniform(0, 1, (m, m))), intolerance=rng.uniform(0, 0.5, (m, m)),
        foreign_backing=rng.uniform(0, 1.5, m), cohesion=rng.uniform(0.3, 0.9, m),
        ultimatum=rng.uniform(0, 2, m) * (rng.random(m) < 0.5),
        comp_outside=rng.uniform(-1, 1, c), **extra)


def vary(obs: Observation, **changes: object) -> Observation:
    """A copy of `obs` with some fields replaced (nothing re-derived): the one
    difference a "versus" test is about."""
    ref = {f: getattr(obs, f) for f in changes}
    conv = {k: np.array(v, dtype=ref[k].dtype) if isinstance(ref[k], np.ndarray) else v
            for k, v in changes.items()}
    return dataclasses.replace(obs, **conv)


def copy_observation(obs: Observation) -> Observation:
    return dataclasses.replace(obs, **{f: np.array(getattr(obs, f), copy=True)
                                       for f in FIELDS if isinstance(getattr(obs, f), np.ndarray)})


def assert_same_observation(a: Observation, b: Observation) -> None:
    for f in FIELDS:
        va, vb = getattr(a, f), getattr(b, f)
        if isinstance(va, np.ndarray):
            assert va.dtype == vb.dtype and va.shape == vb.shape, f
            assert np.array_equal(va, vb, equal_nan=va.dtype.kind == "f"), f"field {f} changed"
        else:
            assert va == vb, f"field {f} changed"


CASES: dict[str, Callable[[], Observation]] = {
    "1_actor": lambda: observation(1),
    "1_actor_entity": lambda: observation(1, entities={0: [0.6, 0.4]}),
    "2_actors": lambda: observation(2, threat=[1.0, 0.5], presence=[[1.0], [1.0]]),
    "2_in_room": lambda: observation(2, rooms=[[0, 1]], grievance=[[0, 0.7], [0.2, 0]]),
    "2_fighting": lambda: observation(2, fights=[(0, 1)], grievance=[[0, 1.0], [1.5, 0]]),
    "3_mixed": lambda: observation(
        3, rooms=[[0, 1]], fights=[(1, 2)], entities={0: [0.7, 0.3]}, designated=[2],
        vetoes=[(0, 2)], red_dep=[0.6, 0.0, 0.0], threat=[1.0, 0.4, 0.0],
        presence=[[0.6, 0.4], [0.8, 0.0], [0.0, 1.0]], intensity=[0.8, 0.3], ultimatum=[0, 0, 1.5],
        trust=[[0, 0.5, 0], [0.5, 0, 0], [0, 0, 0]]),
    "3_zero_strength": lambda: observation(3, strength=[0.0, 1000.0, 3000.0], rooms=[[0, 2]],
                                           entities={2: [0.5, 0.5]}),
    "6_full": lambda: observation(
        6, rooms=[[0, 1, 2], [2, 3]], fights=[(4, 5), (0, 5)],
        entities={0: [0.5, 0.3, 0.2], 3: [0.8, 0.2]}, designated=[5], vetoes=[(0, 4), (1, 5)],
        dead=[4], red_dep=[0.5, 0.7, 0, 0, 0, 0], threat=np.linspace(0, 2, 6),
        presence=(np.eye(6)[:, :3] + 0.2) / 1.6, intensity=[1.0, 0.5, 0.0],
        ultimatum=[0, 0, 0, 0, 0, 2.0], foreign_backing=[0.6, 0.6, 0, 0, 1.0, 0],
        grievance=np.eye(6)[::-1] * 1.5, unity=np.full((6, 6), 0.3)),
    "6_random_a": lambda: random_observation(6, 11, entities={1: [0.6, 0.4], 4: [0.4, 0.3, 0.3]}),
    "6_random_b": lambda: random_observation(6, 12, entities={1: [0.6, 0.4], 4: [0.4, 0.3, 0.3]}),
}


# ---- drawing many decisions ------------------------------------------------------------


@dataclasses.dataclass
class Draws:
    """`n` decisions stacked: action (n, M), target (n, M), accepted (n, M),
    defect (n, C), expel (n, M)."""

    action: np.ndarray
    target: np.ndarray
    accepted: np.ndarray
    defect: np.ndarray
    expel: np.ndarray

    def rate(self, actor: int, action: int, target: int | None = None) -> float:
        hit = self.action[:, actor] == action
        if target is not None:
            hit &= self.target[:, actor] == target
        return float(hit.mean())


def decide_many(rule: Rule, obs: Observation, n: int = 400, seed: int = 0) -> Draws:
    rng = np.random.default_rng(seed)
    ds = [rule.decide(obs, rng) for _ in range(n)]
    return Draws(*(np.stack([getattr(d, f) for d in ds])
                   for f in ("action", "target", "accepted", "defect", "expel")))


def frequency(rule: Rule, obs: Observation, actor: int, action: int, target: int | None = None,
              n: int = 400, seed: int = 0) -> float:
    return decide_many(rule, obs, n, seed).rate(actor, action, target)


def chosen_columns(d: Decisions, m: int) -> np.ndarray:
    """The column of `valid_options` each actor picked."""
    return np.where(d.action < N_SINGLE, d.action, N_SINGLE + (d.action - N_SINGLE) * m + d.target)


# ---- the contract --------------------------------------------------------------------------


def _cites_literature(doc: str) -> bool:
    """An author and a year ('Walt 1987', 'Gade et al. 2019', '(Axelrod, 1984)')."""
    author = r"[A-Z][\w'\-]+(?: et al\.| & [A-Z][\w'\-]+)?"
    return bool(re.search(author + r",? \(?(1[89]|20)\d\d[a-z]?\b", doc))


def _imports(path: Path, package: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{alias.name}" for alias in node.names)
    return names


class _Recorder:
    """Stands in for an Observation and records which fields are read."""

    def __init__(self, obs: Observation) -> None:
        object.__setattr__(self, "_obs", obs)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name: str):
        self.read.add(name)
        return getattr(self._obs, name)


class RuleContract:
    """Generic invariants of a decision rule. Subclass and set `rule_class`."""

    rule_class: ClassVar[type[Rule]]
    known_failures: ClassVar[dict[str, str]] = {}   # test name -> reason (strict xfail)
    draws: ClassVar[int] = 60                        # decisions drawn per observation

    @pytest.fixture(autouse=True)
    def _known_failure(self, request: pytest.FixtureRequest) -> None:
        reason = self.known_failures.get(request.node.originalname or request.node.name)
        if reason:
            request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))

    @pytest.fixture
    def rule(self) -> Rule:
        return self.rule_class()

    @pytest.fixture(params=sorted(CASES))
    def obs(self, request: pytest.FixtureRequest) -> Observation:
        return CASES[request.param]()

    # -- utilities -------------------------------------------------------------------

    def test_utilities_shapes_and_finite(self, rule: Rule, obs: Observation) -> None:
        u = rule.utilities(obs)
        assert isinstance(u, Utilities)
        m, c = obs.n_actors, obs.n_components
        shapes = {"none": (m,), "leave": (m,), "dissolve": (m,), "coordinate": (m, m),
                  "merge": (m, m), "fight": (m, m), "defect": (c,), "expel": (m,)}
        for name, arr in u.arrays().items():
            assert isinstance(arr, np.ndarray), name
            assert arr.shape == shapes[name], (name, arr.shape)
            assert arr.dtype.kind == "f", (name, arr.dtype)
        valid = valid_options(obs)
        opts = option_matrix(u)
        assert np.isfinite(opts[valid]).all(), "a valid option has a non-finite utility"
        assert np.isfinite(u.none).all()
        live = obs.alive[obs.comp_actor] & ~obs.comp_is_leader
        assert np.isfinite(u.defect[live]).all()
        assert np.isfinite(u.expel[obs.in_room & obs.alive]).all()

    def test_utilities_do_not_mutate_the_observation(self, rule: Rule, obs: Observation) -> None:
        before = copy_observation(obs)
        rule.utilities(obs)
        assert_same_observation(obs, before)

    def test_utilities_are_deterministic(self, rule: Rule, obs: Observation) -> None:
        a, b = rule.utilities(obs).arrays(), self.rule_class().utilities(obs).arrays()
        for name in a:
            assert np.array_equal(a[name], b[name], equal_nan=True), name

    def test_utilities_read_only_declared_fields(self, rule: Rule) -> None:
        read: set[str] = set()
        for name in sorted(CASES):
            rec = _Recorder(CASES[name]())
            rule.utilities(rec)  # type: ignore[arg-type]
            read |= rec.read
        undeclared = read - set(rule.classifier.reads) - STRUCTURAL
        assert not undeclared, (f"{type(rule).__name__} reads {sorted(undeclared)} without "
                                "declaring them in classifier.reads")

    # -- decisions ----------------------------------------------------------------------

    def test_decide_is_reproducible(self, rule: Rule, obs: Observation) -> None:
        for seed in (0, 1, 12345):
            a = rule.decide(obs, np.random.default_rng(seed))
            b = self.rule_class().decide(obs, np.random.default_rng(seed))
            for f in ("action", "target", "accepted", "defect", "expel"):
                assert np.array_equal(getattr(a, f), getattr(b, f)), (seed, f)

    def test_decide_ignores_global_random_state(self, rule: Rule, obs: Observation) -> None:
        import random

        out = []
        for g in (1, 2):
            np.random.seed(g)
            random.seed(g)
            out.append(rule.decide(obs, np.random.default_rng(5)))
        for f in ("action", "target", "accepted", "defect", "expel"):
            assert np.array_equal(getattr(out[0], f), getattr(out[1], f)), f

    def test_decide_does_not_mutate_the_observation(self, rule: Rule, obs: Observation) -> None:
        before = copy_observation(obs)
        rule.decide(obs, np.random.default_rng(0))
        assert_same_observation(obs, before)

    def test_decisions_are_valid(self, rule: Rule, obs: Observation) -> None:
        m, c = obs.n_actors, obs.n_components
        valid = valid_options(obs)
        rng = np.random.default_rng(2024)
        for _ in range(self.draws):
            d = rule.decide(obs, rng)
            assert isinstance(d, Decisions)
            assert d.action.shape == d.target.shape == d.accepted.shape == d.expel.shape == (m,)
            assert d.defect.shape == (c,)
            assert d.action.dtype.kind == d.target.dtype.kind == "i"
            assert d.accepted.dtype == d.defect.dtype == d.expel.dtype == np.bool_
            assert ((d.action >= 0) & (d.action < len(ACTIONS))).all()
            single = d.action < N_SINGLE
            assert (d.target[single] == -1).all(), "a single action has a target"
            tgt = d.target[~single]
            assert ((tgt >= 0) & (tgt < m)).all(), "target out of range"
            assert (tgt != np.flatnonzero(~single)).all(), "an actor targets itself"
            assert obs.alive[tgt].all(), "a dead actor is targeted"
            assert valid[np.arange(m), chosen_columns(d, m)].all(), "an invalid option was chosen"
            assert not (d.action[~obs.alive] != NONE).any(), "a dead actor acts"
            assert not d.accepted[(d.action != COORDINATE) & (d.action != MERGE)].any(), \
                "acceptance of something that was not proposed"
            assert not d.defect[obs.comp_is_leader].any(), "a leader defects from its own entity"
            assert not d.defect[~obs.alive[obs.comp_actor]].any()
            assert not d.expel[~obs.in_room].any(), "an actor in no room is expelled"
            assert not d.expel[~obs.alive].any()

    def test_random_draws_depend_only_on_shape(self, rule: Rule) -> None:
        """Two observations of the same shape consume the same random numbers, so
        that the model's generator stays in step whatever the rule decides."""
        shape = {1: [0.6, 0.4], 4: [0.4, 0.3, 0.3]}
        a, b = random_observation(6, 1, shape), random_observation(6, 2, shape)
        ra, rb = np.random.default_rng(9), np.random.default_rng(9)
        rule.decide(a, ra)
        rule.decide(b, rb)
        assert ra.bit_generator.state == rb.bit_generator.state

    def test_stochastic_classifier_matches_behaviour(self, rule: Rule) -> None:
        differs = False
        for name in sorted(CASES):
            obs = CASES[name]()
            first = rule.decide(obs, np.random.default_rng(0))
            for seed in range(1, 20):
                d = rule.decide(obs, np.random.default_rng(seed))
                if any(not np.array_equal(getattr(first, f), getattr(d, f))
                       for f in ("action", "target", "accepted", "defect", "expel")):
                    differs = True
                    break
        assert differs == rule.classifier.stochastic, (
            f"classifier.stochastic is {rule.classifier.stochastic} but decisions "
            f"{'do' if differs else 'do not'} vary with the seed")

    # -- what the rule declares about itself --------------------------------------------

    def test_classifier(self, rule: Rule) -> None:
        cl = rule.classifier
        assert isinstance(cl, Classifier)
        assert isinstance(cl.stochastic, bool)
        assert set(cl.reads) <= set(FIELDS) - {"params"}, set(cl.reads) - set(FIELDS)
        assert set(cl.mechanisms) <= set(range(1, 10)), cl.mechanisms
        assert list(cl.mechanisms) == sorted(set(cl.mechanisms))

    def test_name(self, rule: Rule) -> None:
        name = self.rule_class.name
        assert isinstance(name, str) and name.strip() == name and name
        if name in RULES or self.rule_class in RULES.values():
            assert RULES.get(name) is self.rule_class, "name differs from the registry key"

    def test_docstring_cites_literature(self) -> None:
        doc = inspect.getdoc(self.rule_class) or ""
        assert self.rule_class.__doc__ and self.rule_class.__doc__ is not Rule.__doc__, \
            "the rule class has no docstring of its own"
        assert _cites_literature(doc), (
            f"the docstring of {self.rule_class.__name__} cites no literature "
            f"(an author and a year): {doc[:200]!r}")

    def test_module_does_not_import_mesa_or_the_model(self) -> None:
        path = Path(inspect.getsourcefile(self.rule_class) or "")
        module = self.rule_class.__module__
        package = module.rpartition(".")[0]
        bad = sorted(n for n in _imports(path, package)
                     if any(n == f or n.startswith(f + ".") for f in FORBIDDEN_IMPORTS))
        assert not bad, f"{path.name} imports {bad}: rules must stay pure"
