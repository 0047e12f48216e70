"""One dashboard session: a model, its settings, and snapshots of its state.

A `Session` owns a `CoalitionModel` built from a scenario file, a seed and a
few parameter overrides (the dashboard's sliders). It steps the model one
month at a time and, after every month, copies what the views need out of
the live state into an immutable `Snapshot`. Views read snapshots and the
trajectory, never the live agents, so that drawing can never change a run.

The network layout is computed once per scenario file (a networkx spring
layout with a fixed seed over all factions, pulled together by initial trust,
ideological closeness and shared backers) and kept for every step, seed and
parameter setting of that scenario, so that nodes never jump.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from sim.config import Scenario, load_scenario, with_parameters
from sim.errors import InputError
from sim.model import CoalitionModel
from sim.trajectory import Trajectory

from . import ENV_ROOT, ENV_SCENARIO

#: The model parameters the dashboard exposes as sliders: name -> (label, min, max, step).
SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "backer_pressure": ("Backer pressure", 0.0, 5.0, 0.1),
    "ideology_weight": ("Ideology weight", 0.0, 5.0, 0.1),
    "loss_sensitivity": ("Loss sensitivity", 0.0, 5.0, 0.1),
    "temperature": ("Choice temperature", 0.05, 2.0, 0.05),
}
LAYOUT_SEED = 42
DEFAULT_SCENARIO = Path("teaching") / "four_factions.yaml"
_FACTIONS_KEY = re.compile(r"^factions\s*:", re.MULTILINE)


# ---- finding scenarios ---------------------------------------------------------

def default_root() -> Path:
    """The scenarios folder: $COALSIM_DASHBOARD_ROOT, ./scenarios, or the repository's."""
    env = os.environ.get(ENV_ROOT)
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


def discover_scenarios(root: str | Path | None = None) -> list[Path]:
    """Scenario files under `root` (`**/*.yaml` with a top-level `factions:` key), sorted."""
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if _FACTIONS_KEY.search(text):
            found.append(path)
    return found


def initial_scenario_path(root: str | Path | None = None) -> Path:
    """The scenario to open first: $COALSIM_DASHBOARD_SCENARIO, the four-faction
    teaching scenario, or the first scenario found."""
    env = os.environ.get(ENV_SCENARIO)
    if env:
        return Path(env)
    root = Path(root) if root is not None else default_root()
    if (root / DEFAULT_SCENARIO).is_file():
        return root / DEFAULT_SCENARIO
    found = discover_scenarios(root)
    if not found:
        raise InputError(f"no scenario files (YAML with a 'factions:' key) under {root}")
    return found[0]


# ---- documented events -----------------------------------------------------------

@dataclass(frozen=True)
class DocumentedEvent:
    """One calibration target: what the record says happened in a month."""

    id: str
    month: str
    type: str
    actors: tuple[str, ...]
    description: str = ""


def load_documented(scenario: Scenario, scenario_path: str | Path) -> tuple[list[DocumentedEvent], str]:
    """The documented events of a scenario with `targets:` (path relative to the
    scenario file), and a warning ('' if none). A missing or unreadable targets
    file gives no events and a warning, never an error: the dashboard still runs."""
    if not scenario.targets:
        return [], ""
    path = (Path(scenario_path).parent / scenario.targets).resolve()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        return [], f"targets file {path} could not be read ({type(err).__name__})"
    rows = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        return [], f"targets file {path} has no 'targets:' list"
    events = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        month, kind, actors = row.get("month"), row.get("type"), row.get("actors")
        if not (isinstance(month, str) and isinstance(kind, str) and isinstance(actors, list)):
            continue
        text = row.get("description") or row.get("note") or ""
        events.append(DocumentedEvent(id=str(row.get("id", "")), month=month, type=kind,
                                      actors=tuple(str(a) for a in actors),
                                      description=str(text)))
    events.sort(key=lambda e: e.month)
    return events, ""


# ---- snapshots -------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """What the views need from the state after one month (copies, not references)."""

    t: int                                   # months simulated so far
    month: str | None                        # the month just simulated (None before the first)
    ids: tuple[str, ...]
    names: tuple[str, ...]
    strength: tuple[float, ...]
    alive: tuple[bool, ...]
    actor_of: tuple[str, ...]                # actor (entity) key of each faction
    rooms: tuple[tuple[str, str, tuple[str, ...]], ...]   # (room id, name, member actor keys)
    fights: tuple[tuple[str, str], ...]      # actor keys of both sides
    entity_names: dict[str, str] = field(default_factory=dict)

    @property
    def merged(self) -> dict[str, list[str]]:
        """Merged entities with at least two alive factions: key -> faction ids."""
        groups: dict[str, list[str]] = {}
        for fid, key, alive in zip(self.ids, self.actor_of, self.alive):
            if alive:
                groups.setdefault(key, []).append(fid)
        return {k: v for k, v in groups.items() if len(v) >= 2}

    @property
    def counts(self) -> dict[str, int]:
        return {"rooms": len(self.rooms), "entities": len(self.merged),
                "fights": len(self.fights), "factions": int(sum(self.alive))}

    def display(self, key: str) -> str:
        """Display name of an actor key (faction, entity) or room id."""
        if key in self.entity_names:
            return self.entity_names[key]
        if key in self.ids:
            return self.names[self.ids.index(key)]
        return key


def snapshot_of(model: CoalitionModel) -> Snapshot:
    st = model.state
    names = {key: ent.name for key, ent in st.entities.items()}
    names.update({rid: room.name for rid, room in st.rooms.items()})
    months = model.trajectory.months
    return Snapshot(
        t=model.t,
        month=months[-1] if months else None,
        ids=tuple(st.ids),
        names=tuple(st.names),
        strength=tuple(float(s) for s in st.strength),
        alive=tuple(bool(a) for a in st.alive),
        actor_of=tuple(st.actor_of),
        rooms=tuple((rid, room.name, tuple(room.members)) for rid, room in st.rooms.items()),
        fights=tuple((f.a, f.b) for f in st.fights.values()),
        entity_names=names,
    )


# ---- layout ----------------------------------------------------------------------

_LAYOUTS: dict[tuple, dict[str, tuple[float, float]]] = {}
_LAYOUT_LOCK = threading.Lock()


def compute_layout(scenario: Scenario, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Spring layout over all factions of a scenario, with a fixed seed.

    Edges pull factions together by initial trust, ideological closeness,
    shared backers and shared initial rooms or entities, so that likely
    partners start near each other."""
    import networkx as nx

    ids = [f.id for f in scenario.factions]
    x = (np.array([f.ideology for f in scenario.factions], dtype=float) - 1.0) / 4.0
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).mean(axis=2))
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    weight: dict[tuple[str, str], float] = {}

    def add(a: str, b: str, w: float) -> None:
        if a != b:
            key = (a, b) if a < b else (b, a)
            weight[key] = weight.get(key, 0.0) + w

    for i, a in enumerate(ids):
        for j in range(i + 1, len(ids)):
            add(a, ids[j], 0.15 + 0.5 * max(0.0, 1.0 - 2.0 * dist[i, j]))
    for t in scenario.trust:
        add(t.a, t.b, 2.0 * t.value)
    for i, fa in enumerate(scenario.factions):
        for fb in scenario.factions[i + 1:]:
            shared = set(fa.backers) & set(fb.backers)
            if shared:
                add(fa.id, fb.id, 0.5 * sum(min(fa.backers[b], fb.backers[b]) for b in shared))
    for ent in scenario.entities:
        for i, a in enumerate(ent.members):
            for b in ent.members[i + 1:]:
                add(a, b, 2.0)
    for (a, b), w in weight.items():
        if w > 1e-6:
            graph.add_edge(a, b, weight=w)
    k = 3.0 / np.sqrt(max(len(ids), 1))
    pos = nx.spring_layout(graph, seed=seed, weight="weight", k=k, iterations=200)
    return {fid: (float(p[0]), float(p[1])) for fid, p in pos.items()}


def scenario_layout(scenario: Scenario, path: str | Path | None = None) -> dict[str, tuple[float, float]]:
    """The layout of a scenario, computed once and cached (by file and its mtime)."""
    stamp = None
    if path is not None:
        p = Path(path).resolve()
        stamp = (str(p), p.stat().st_mtime_ns if p.exists() else 0)
    key = (stamp, scenario.name, tuple(f.id for f in scenario.factions))
    with _LAYOUT_LOCK:
        if key not in _LAYOUTS:
            _LAYOUTS[key] = compute_layout(scenario)
        return _LAYOUTS[key]


# ---- the session -----------------------------------------------------------------

class Session:
    """A model, its settings, and one snapshot per month simulated so far."""

    def __init__(self, scenario_path: str | Path, seed: int | None = None,
                 parameters: dict[str, float] | None = None) -> None:
        self.lock = threading.RLock()
        self.version = 0
        self._load(scenario_path)
        self.reset(seed=seed, parameters=parameters)

    # ---- settings ------------------------------------------------------------

    def _load(self, scenario_path: str | Path) -> None:
        path = Path(scenario_path)
        base = load_scenario(path)          # InputError on a bad file
        self.scenario_path = path
        self.base = base
        self.layout = scenario_layout(base, path)
        self.documented, self.documented_warning = load_documented(base, path)
        self.seed = base.seed
        self.parameters = self.default_parameters()

    def default_parameters(self) -> dict[str, float]:
        """The scenario's own values of the slider parameters."""
        return {name: float(getattr(self.base.parameters, name)) for name in SLIDERS}

    def reset(self, *, scenario_path: str | Path | None = None, seed: int | None = None,
              parameters: dict[str, float] | None = None) -> None:
        """Start over at the scenario's first month, with the current settings
        changed by those given. Another scenario file brings its own seed and
        parameter values unless they are given too. Bad settings raise
        `InputError` and leave the session as it was."""
        with self.lock:
            if scenario_path is not None and Path(scenario_path) != self.scenario_path:
                old = (self.scenario_path, self.base, self.layout, self.documented,
                       self.documented_warning, self.seed, self.parameters)
                self._load(scenario_path)
            else:
                old = None
            try:
                new_seed = self.seed if seed is None else seed
                if isinstance(new_seed, bool) or not isinstance(new_seed, (int, np.integer)) \
                        or new_seed < 0:
                    raise InputError(f"the seed must be a non-negative integer, got {new_seed!r}")
                params = dict(self.parameters)
                if parameters:
                    unknown = set(parameters) - set(SLIDERS)
                    if unknown:
                        raise InputError("the dashboard has no slider for "
                                         + ", ".join(sorted(unknown)))
                    params.update({k: float(v) for k, v in parameters.items()})
                defaults = self.default_parameters()
                overrides = {k: v for k, v in params.items() if v != defaults[k]}
                scenario = with_parameters(self.base, **overrides) if overrides else self.base
            except Exception:
                if old is not None:
                    (self.scenario_path, self.base, self.layout, self.documented,
                     self.documented_warning, self.seed, self.parameters) = old
                raise
            self.seed, self.parameters, self.scenario = int(new_seed), params, scenario
            self.model = CoalitionModel(scenario, seed=self.seed)
            self.history: list[Snapshot] = [snapshot_of(self.model)]
            self.version += 1

    # ---- stepping --------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.model.finished

    def step(self, months: int = 1) -> bool:
        """Advance up to `months` months; False when the run had already ended."""
        with self.lock:
            if self.model.finished:
                return False
            for _ in range(months):
                if self.model.finished:
                    break
                self.model.step()
                self.history.append(snapshot_of(self.model))
            self.version += 1
            return True

    # ---- what the views read -----------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        return self.history[-1]

    @property
    def trajectory(self) -> Trajectory:
        return self.model.trajectory

    @property
    def month(self) -> str | None:
        """The month last simulated (None before the first step)."""
        return self.snapshot.month

    @property
    def next_month(self) -> str:
        return self.model.month

    @property
    def n_months(self) -> int:
        """Months in the run."""
        return self.model.schedule.n_months

    @property
    def months(self) -> tuple[str, str]:
        """First and last month of the run."""
        return self.scenario.start, self.scenario.end

    def explain(self, actor: str, partner: str | None = None):
        """Why `actor` (a faction or entity id) did what it did in the month last
        simulated, term by term (`sim.explain.explain` on this run: the same
        scenario, settings and seed); None before the first step."""
        from sim.explain import explain

        with self.lock:
            month, scenario, seed = self.month, self.scenario, self.seed
        if month is None:
            return None
        return explain(scenario, month, actor, seed=seed, partner=partner)

    def documented_in(self, month: str | None) -> list[DocumentedEvent]:
        return [e for e in self.documented if e.month == month] if month else []

    def next_documented(self, month: str | None) -> DocumentedEvent | None:
        later = [e for e in self.documented if month is None or e.month > month]
        return later[0] if later else None
