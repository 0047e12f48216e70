"""Calibration targets: the documented coalition events and membership snapshots.

The targets file (``calibration/targets_2015_2018.yaml``) is read with
``yaml.safe_load`` semantics and validated with pydantic (unknown keys are
rejected, every field's type is checked strictly, so that PyYAML's ``no`` ->
``False`` or ``010`` -> ``8`` cannot slip through). Every problem becomes an
:class:`sim.errors.InputError` naming the file, the line and the key path.

Layout of the file (see ``calibration/README.md``)::

    schema_version: 1
    sources: "..."                 # where the facts come from
    extra_ids: [jaysh_nasr]        # ids allowed in addition to the baseline ids
    targets:
      - id: jaf_formed
        month: "2015-03"
        type: room_formed          # endogenous event type (DESIGN section 5)
        alt_types: []              # other types that also count as a match
        actors: [nusra, ahrar, ...]
        sides: [[nusra], [hazm]]   # infighting only: the two sides
        partners: [...]            # movers' counterpart (room or entity members)
        not_actors: [ahrar]        # factions that must NOT take part
        weight: 3.0
        key: true
        confidence: high
        source: "timeline_2015_2018.csv line 6 (2015-03 coalition_formation); ..."
        note: "..."
    snapshots:
      - month: "2015-06"
        entities: [{name: ..., members: [...], source: ...}]
        rooms:    [{name: ..., members: [...], source: ...}]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (BaseModel, ConfigDict, Field, Strict, StrictBool, ValidationError,
                      field_validator, model_validator)

from sim.errors import InputError

#: Faction ids of the baseline scenario (DESIGN section 5).
BASELINE_IDS: tuple[str, ...] = (
    "nusra", "ahrar", "jund_aqsa", "faylaq", "zenki", "liwa_haqq", "jaysh_sunna",
    "ajnad_sham", "ansar_din", "tip", "ansar_sham", "suqour", "jaysh_izza", "div13",
    "levant_front", "jaysh_mujahideen", "hazm", "jaysh_islam", "isis",
)

ENDOGENOUS_TYPES: tuple[str, ...] = (
    "room_formed", "room_joined", "room_left", "room_expelled", "room_dissolved",
    "merger", "absorbed", "split", "infighting_started", "infighting_ended", "dissolved",
)
EXOGENOUS_TYPES: tuple[str, ...] = ("renamed", "designated", "ultimatum", "shock", "policy")
INFIGHTING_TYPES = frozenset({"infighting_started", "infighting_ended"})
#: Types whose actor list names a whole group (all founders / all members of the
#: resulting entity / both sides); they need at least two actors.
GROUP_TYPES = frozenset({"merger", "absorbed", "room_formed", "room_dissolved"}) | INFIGHTING_TYPES

SCHEMA_VERSION = 1
DEFAULT_TARGETS = Path("calibration") / "targets_2015_2018.yaml"

EventType = Literal[
    "room_formed", "room_joined", "room_left", "room_expelled", "room_dissolved",
    "merger", "absorbed", "split", "infighting_started", "infighting_ended", "dissolved",
]
Month = Annotated[str, Strict(), Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Id = Annotated[str, Strict(), Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, Strict(), Field(min_length=1)]


def month_index(month: str) -> int:
    """'2015-03' -> 2015*12 + 2 (an integer that orders months)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def is_month(text: Any) -> bool:
    return isinstance(text, str) and bool(_MONTH_RE.match(text))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """One documented endogenous coalition event."""

    id: Id
    month: Month
    type: EventType
    alt_types: tuple[EventType, ...] = ()
    actors: Annotated[tuple[Id, ...], Field(min_length=1)]
    sides: tuple[tuple[Id, ...], tuple[Id, ...]] | None = None
    partners: tuple[Id, ...] = ()
    not_actors: tuple[Id, ...] = ()
    weight: Annotated[float, Strict(), Field(gt=0, le=10)]
    key: StrictBool = False
    confidence: Literal["high", "medium", "low"]
    source: Text
    description: Text | None = None
    note: Text | None = None

    @field_validator("actors", "partners", "not_actors")
    @classmethod
    def _no_duplicates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({a for a in value if value.count(a) > 1})
        if dup:
            raise ValueError(f"lists {', '.join(dup)} more than once")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if self.type in INFIGHTING_TYPES:
            if self.sides is None:
                raise ValueError(f"an {self.type} target needs 'sides': two lists of faction ids")
            a, b = self.sides
            if not a or not b:
                raise ValueError("each of the two 'sides' needs at least one faction id")
            if set(a) & set(b):
                raise ValueError(f"'sides' overlap: {', '.join(sorted(set(a) & set(b)))}")
            if set(a) | set(b) != set(self.actors):
                raise ValueError("'actors' must be exactly the factions of both 'sides'")
        elif self.sides is not None:
            raise ValueError(f"'sides' is only for infighting targets, not {self.type}")
        if self.type in GROUP_TYPES - INFIGHTING_TYPES and len(self.actors) < 2:
            raise ValueError(f"a {self.type} target needs at least two actors")
        if set(self.partners) & set(self.actors):
            raise ValueError("'partners' must not repeat 'actors'")
        if set(self.not_actors) & (set(self.actors) | set(self.partners)):
            raise ValueError("'not_actors' must not repeat 'actors' or 'partners'")
        if self.type in self.alt_types:
            raise ValueError("'alt_types' must not repeat 'type'")
        return self

    @property
    def m(self) -> int:
        return month_index(self.month)

    @property
    def accepted_types(self) -> frozenset[str]:
        return frozenset((self.type, *self.alt_types))


class Group(_Strict):
    """Factions documented together (in a merged entity, or in an operations room)."""

    name: Id
    members: Annotated[tuple[Id, ...], Field(min_length=2)]
    source: Text
    note: Text | None = None


class Snapshot(_Strict):
    """Who was with whom at one month: merged entities and (main) operations rooms.

    Factions not listed in any group are singletons. Groups must be disjoint; for
    rooms each faction is listed under its main room (the room with most baseline
    members), because a partition is compared.
    """

    month: Month
    entities: tuple[Group, ...] = ()
    rooms: tuple[Group, ...] = ()
    note: Text | None = None

    @model_validator(mode="after")
    def _disjoint(self) -> "Snapshot":
        for kind in ("entities", "rooms"):
            seen: dict[str, str] = {}
            for group in getattr(self, kind):
                for member in group.members:
                    if member in seen:
                        raise ValueError(f"{member} is listed in both {seen[member]} and "
                                         f"{group.name} under {kind}; groups must be disjoint")
                    seen[member] = group.name
        return self

    @property
    def m(self) -> int:
        return month_index(self.month)


class TargetsFile(_Strict):
    schema_version: Annotated[int, Strict(), Field(ge=1, le=1)]
    title: Text | None = None
    sources: Text | tuple[Text, ...]
    extra_ids: tuple[Id, ...] = ()
    extra_ids_note: Text | None = None
    targets: Annotated[tuple[Target, ...], Field(min_length=1)]
    snapshots: tuple[Snapshot, ...] = ()


@dataclass(frozen=True)
class Targets:
    """Validated targets, with the file they came from."""

    targets: tuple[Target, ...]
    snapshots: tuple[Snapshot, ...]
    known_ids: frozenset[str]
    path: str | None = None
    sources: str | tuple[str, ...] = ""
    schema_version: int = SCHEMA_VERSION
    _by_id: dict[str, Target] = field(default_factory=dict, repr=False, compare=False)
    #: memo of things derived only from the targets (windows, per-run preparation),
    #: see :meth:`cached`; the targets are immutable, so it never goes stale
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False,
                                   compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({t.id: t for t in self.targets})

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cache": {}}  # the memo is not worth shipping

    def __len__(self) -> int:
        return len(self.targets)

    def __iter__(self):
        return iter(self.targets)

    def __getitem__(self, target_id: str) -> Target:
        return self._by_id[target_id]

    @property
    def key_targets(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.key)

    def cached(self, key: Any, make, *, limit: int = 256) -> Any:
        """``make()``, computed once per ``key`` for this Targets object.

        The scorer keeps here what depends only on the targets (and on small,
        hashable facts about a run, such as its set of factions), so that scoring
        thousands of runs against the same targets does not redo it. At most
        ``limit`` entries are kept (the memo is emptied when full).
        """
        try:
            return self._cache[key]
        except KeyError:
            pass
        value = make()
        if len(self._cache) >= limit:
            self._cache.clear()
        self._cache[key] = value
        return value

    def window(self, start: str | None = None, end: str | None = None) -> "Targets":
        """The targets and snapshots whose month lies in [start, end] (inclusive)."""
        def make() -> "Targets":
            lo = month_index(start) if start else -10**9
            hi = month_index(end) if end else 10**9
            return Targets(
                targets=tuple(t for t in self.targets if lo <= t.m <= hi),
                snapshots=tuple(s for s in self.snapshots if lo <= s.m <= hi),
                known_ids=self.known_ids, path=self.path, sources=self.sources,
                schema_version=self.schema_version,
            )

        return self.cached(("window", start, end), make)


# --------------------------------------------------------------------------- loading

def _key_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The deepest node of the composed YAML tree along a pydantic error location."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == part:
                    nxt = value_node
                    break
            if nxt is None:
                return node
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _line(root: yaml.Node | None, loc: tuple) -> int | None:
    node = _node_at(root, loc)
    return None if node is None else node.start_mark.line + 1


def _check_duplicate_keys(node: yaml.Node | None, file: str, path: tuple = ()) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if key in seen:
                raise InputError(f"the key '{key}' appears twice in the same mapping; "
                                 "remove one of them.", file=file,
                                 line=key_node.start_mark.line + 1,
                                 key=_key_path(path + (key,)))
            seen.add(key)
            _check_duplicate_keys(value_node, file, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(item, file, path + (i,))


def _friendly(err: dict) -> str:
    kind, loc = err["type"], err["loc"]
    name = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return f"unknown key '{name}' (check its spelling; unknown keys are rejected)."
    if name == "schema_version":
        return f"schema_version must be the integer {SCHEMA_VERSION} (got {err.get('input')!r})."
    if kind == "missing":
        return f"the required key '{name}' is missing."
    if name == "month" and kind == "string_type":
        return (f"{err.get('input')!r} is not a month; write it as a quoted \"YYYY-MM\" "
                "string (for example \"2016-01\"; unquoted dates are read as dates).")
    if kind == "string_pattern_mismatch":
        if name == "month":
            return (f"'{err.get('input')}' is not a month; write it as a quoted \"YYYY-MM\" "
                    "string (for example \"2016-01\").")
        return (f"'{err.get('input')}' is not a valid id (lower-case letters, digits and "
                "underscores, starting with a letter).")
    if kind == "literal_error":
        return f"{err['msg']} (got {err.get('input')!r})."
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (got {err.get('input')!r})." if kind.endswith("_type") else msg + "."


def _strip_loc(loc: tuple) -> tuple:
    # pydantic inserts union/tagged-union member names ("str", "tuple[...]") in loc
    return tuple(p for p in loc if isinstance(p, int) or ("[" not in p and p not in {"str"}))


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets YAML file; raise InputError on any problem."""
    file = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError("the targets file does not exist (pass --targets FILE, or add a "
                         "'targets:' key to the run's config.resolved.yaml).", file=file)
    text = p.read_text(encoding="utf-8")
    return parse_targets(text, file=file)


def parse_targets(text: str, *, file: str = "<targets>") -> Targets:
    """Validate targets given as YAML text (used by :func:`load_targets` and tests)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        raise InputError(f"this is not valid YAML: {problem}.", file=file,
                         line=(mark.line + 1) if mark else None) from None
    if not isinstance(data, dict):
        raise InputError("the targets file must be a mapping with the keys schema_version, "
                         "sources, targets and snapshots.", file=file, line=1)
    _check_duplicate_keys(root, file)
    try:
        model = TargetsFile.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        locs = [tuple(e["loc"]) for e in errors]
        # drop knock-on errors on a parent (e.g. "too short" after an item failed)
        errors = [e for e, loc in zip(errors, locs)
                  if not any(o != loc and o[:len(loc)] == loc for o in locs)] or err.errors()
        first = errors[0]
        loc = _strip_loc(first["loc"])
        more = len(errors) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
        raise InputError(_friendly(first) + tail, file=file, line=_line(root, loc),
                         key=_key_path(loc) or None) from None

    known = frozenset(BASELINE_IDS) | frozenset(model.extra_ids)

    def fail(loc: tuple, message: str) -> None:
        raise InputError(message, file=file, line=_line(root, loc), key=_key_path(loc))

    seen: dict[str, int] = {}
    for i, t in enumerate(model.targets):
        if t.id in seen:
            fail(("targets", i, "id"), f"the target id '{t.id}' is used twice "
                 f"(also by targets[{seen[t.id]}]); ids must be unique.")
        seen[t.id] = i
        for field_name in ("actors", "partners", "not_actors"):
            for j, fid in enumerate(getattr(t, field_name)):
                if fid not in known:
                    fail(("targets", i, field_name, j),
                         f"'{fid}' is not a baseline faction id; use one of "
                         f"{', '.join(sorted(known))}, or list it under 'extra_ids'.")
    for i, s in enumerate(model.snapshots):
        for kind in ("entities", "rooms"):
            for g_i, g in enumerate(getattr(s, kind)):
                for j, fid in enumerate(g.members):
                    if fid not in known:
                        fail(("snapshots", i, kind, g_i, "members", j),
                             f"'{fid}' is not a baseline faction id; use one of "
                             f"{', '.join(sorted(known))}, or list it under 'extra_ids'.")
    months = [s.month for s in model.snapshots]
    for i, s in enumerate(model.snapshots):
        if months.count(s.month) > 1:
            fail(("snapshots", i, "month"), f"two snapshots have the month {s.month}.")

    return Targets(targets=model.targets, snapshots=model.snapshots, known_ids=known,
                   path=file, sources=model.sources, schema_version=model.schema_version)


# --------------------------------------------------------------------------- locating

def _repo_roots(*starts: Path) -> list[Path]:
    roots: list[Path] = []
    for start in starts:
        for d in [start, *start.parents]:
            if (d / DEFAULT_TARGETS).is_file() and d not in roots:
                roots.append(d)
                break
    return roots


def find_default_targets(run_dir: str | Path | None = None) -> Path:
    """The targets file for a run.

    Order: (1) a ``targets:`` key (a path; also accepted under ``calibration:``)
    in the run's ``config.resolved.yaml``, resolved against the run folder (where
    ``coalsim run`` makes it relative to), then the scenario's folder
    (``scenario_path`` in manifest.json; scenario files name targets relative to
    themselves), the repository root and the working directory; (2)
    ``calibration/targets_2015_2018.yaml`` in the repository root, found by
    walking up from the working directory, from the run folder and from the
    installed package. Raises InputError when neither exists.
    """
    import sim

    starts = [Path.cwd().resolve()]
    if run_dir is not None:
        starts.append(Path(run_dir).resolve())
    starts.append(Path(sim.__file__).resolve().parent.parent)
    roots = _repo_roots(*starts)

    if run_dir is not None:
        cfg = Path(run_dir) / "config.resolved.yaml"
        if cfg.is_file():
            try:
                config = yaml.safe_load(cfg.read_text(encoding="utf-8"))
            except yaml.YAMLError as err:
                mark = getattr(err, "problem_mark", None)
                raise InputError(f"the run's resolved config is not valid YAML: "
                                 f"{getattr(err, 'problem', err)}.", file=str(cfg),
                                 line=(mark.line + 1) if mark else None) from None
            value, key = None, None
            if isinstance(config, dict):
                if isinstance(config.get("targets"), str):
                    value, key = config["targets"], "targets"
                elif isinstance(config.get("calibration"), dict) and \
                        isinstance(config["calibration"].get("targets"), str):
                    value, key = config["calibration"]["targets"], "calibration.targets"
            if value:
                candidate = Path(value)
                scenario_dirs = []
                manifest = Path(run_dir) / "manifest.json"
                try:
                    import json

                    sp = json.loads(manifest.read_text(encoding="utf-8")).get("scenario_path")
                    if isinstance(sp, str) and sp:
                        # recorded relative to where `coalsim run` ran: try the
                        # working directory and the repository root
                        scenario_dirs.append(Path(sp).parent)
                        if not Path(sp).is_absolute():
                            scenario_dirs += [root / Path(sp).parent for root in roots]
                except (OSError, ValueError, AttributeError):
                    pass
                # `coalsim run` writes the path relative to the run folder; older
                # folders and hand-made ones may name it relative to the scenario.
                bases = [] if candidate.is_absolute() else \
                    [Path(run_dir), *scenario_dirs, *roots, Path.cwd()]
                for base in bases or [Path("/")]:
                    full = candidate if candidate.is_absolute() else base / candidate
                    if full.is_file():
                        return full.resolve()
                raise InputError(f"the targets file '{value}' named in the run's config "
                                 "was not found (looked relative to the run folder, the "
                                 "scenario's folder, the repository root and the working "
                                 "directory).",
                                 file=str(cfg), key=key)
    for root in roots:
        return root / DEFAULT_TARGETS
    raise InputError(f"no targets file: pass --targets FILE, add a 'targets:' key to the "
                     f"run's config.resolved.yaml, or run from the repository that holds "
                     f"{DEFAULT_TARGETS}.", file=str(run_dir) if run_dir else None)
