"""Named outcomes: what a sweep records of each run, one number per outcome.

Each outcome is a pure function of a `Trajectory` (and, for `fit`, of the
scenario's calibration targets) that returns a float; NaN means "did not
happen" or "not defined for this run". Outcomes are declared by name in a
sweep spec, with arguments when they take some:

    outcomes:
      - n_mergers
      - {name: first_merger_month, if_never: 48}
      - {name: largest_share_at, month: "2017-08", column: share_aug2017}

`column` names the results column (default: the name, followed by the
argument values). Arguments are validated like every other key of a spec:
unknown or mistyped ones are located errors.

Add an outcome with the `@outcome` decorator: a name, an optional pydantic
model of its arguments, and a docstring (shown by `coalsim sweep --list-outcomes`
and in docs/sweeps.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.config.schema import Id, Month
from sim.trajectory import Trajectory

NAN = float("nan")


class Args(BaseModel):
    """Base of outcome argument models: unknown keys are errors, types strict."""
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@dataclass
class Context:
    """What an outcome may read besides the trajectory (filled per process)."""
    targets: Any = None                 # sim.scoring Targets, loaded lazily by the task
    targets_path: str | None = None


@dataclass(frozen=True)
class OutcomeDef:
    name: str
    func: Callable[..., float]
    args: type[Args] | None
    doc: str
    needs_targets: bool = False
    month_args: tuple[str, ...] = ()     # argument names that are months (checked against the run)
    faction_args: tuple[str, ...] = ()   # argument names that are faction ids


REGISTRY: dict[str, OutcomeDef] = {}


def outcome(name: str, args: type[Args] | None = None, *, needs_targets: bool = False,
            month_args: tuple[str, ...] = (), faction_args: tuple[str, ...] = ()):
    """Register `func(trajectory, context, **args) -> float` under `name`."""
    def deco(func: Callable[..., float]) -> Callable[..., float]:
        doc = " ".join((func.__doc__ or "").split())
        REGISTRY[name] = OutcomeDef(name, func, args, doc, needs_targets, month_args, faction_args)
        return func
    return deco


@dataclass(frozen=True)
class OutcomeCall:
    """One outcome as declared in a spec: results column, registry name, arguments."""
    column: str
    name: str
    args: tuple[tuple[str, Any], ...] = field(default=())

    def evaluate(self, trajectory: Trajectory, context: Context) -> float:
        value = REGISTRY[self.name].func(trajectory, context, **dict(self.args))
        return NAN if value is None else float(value)


#: Arguments that do not change what is measured, only a default value: not in the column name.
_NOT_IN_COLUMN = {"if_never"}


def default_column(name: str, args: dict[str, Any]) -> str:
    """`name`, then the values of the arguments that differ from their defaults
    (`if_never` aside): `largest_share_at` + month 2017-08 -> `largest_share_at_2017_08`."""
    parts = [name]
    model = REGISTRY[name].args if name in REGISTRY else None
    for key, value in args.items():
        default = model.model_fields[key].default if model and key in model.model_fields else None
        if value is None or key in _NOT_IN_COLUMN or value == default:
            continue
        text = str(value).replace("-", "_").replace(".", "_").replace(" ", "_")
        parts.append(text)
    return "_".join(parts)


# ---- helpers --------------------------------------------------------------------------


def _month_index(trajectory: Trajectory, month: str) -> int | None:
    try:
        return trajectory.months.index(month)
    except ValueError:
        return None


def _resolve_month(trajectory: Trajectory, month: str | None) -> str | None:
    if not trajectory.months:
        return None
    if month is None:
        return trajectory.months[-1]
    return month if month in trajectory.months else None


def _rows_at(trajectory: Trajectory, month: str):
    """Membership rows (faction, entity, rooms, strength, alive) of one month."""
    return [(f, e, r, s, a) for m, f, e, r, s, a in trajectory.membership_rows() if m == month]


def _actor_strengths(trajectory: Trajectory, month: str | None) -> dict[str, float] | None:
    month = _resolve_month(trajectory, month)
    if month is None:
        return None
    out: dict[str, float] = {}
    for _f, e, _r, s, a in _rows_at(trajectory, month):
        if a:
            out[e] = out.get(e, 0.0) + float(s)
    return out


# ---- counts ---------------------------------------------------------------------------

EventType = Literal["room_formed", "room_joined", "room_left", "room_expelled", "room_dissolved",
                    "merger", "absorbed", "split", "infighting_started", "infighting_ended",
                    "dissolved", "renamed", "designated", "ultimatum", "shock", "policy"]


class TypeArgs(Args):
    type: EventType = Field(description="Event type (events.csv `type`).")


class FirstArgs(Args):
    if_never: float | None = Field(None, description="Value when the event never happens "
                                   "(default NaN; give e.g. the run length + 1 for sensitivity "
                                   "indices, which need a number for every run).")


class FirstTypeArgs(FirstArgs):
    type: EventType


def _count(trajectory: Trajectory, *types: str) -> float:
    return float(sum(1 for e in trajectory.events if e.type in types))


def _first(trajectory: Trajectory, types: tuple[str, ...], if_never: float | None) -> float:
    for e in trajectory.events:
        if e.type in types:
            i = _month_index(trajectory, e.month)
            if i is not None:
                return float(i)
    return NAN if if_never is None else float(if_never)


@outcome("n_events", TypeArgs)
def n_events(tr: Trajectory, ctx: Context, type: str) -> float:
    """Number of events of one type."""
    return _count(tr, type)


@outcome("n_mergers")
def n_mergers(tr: Trajectory, ctx: Context) -> float:
    """Number of `merger` events (new merged entities or joins)."""
    return _count(tr, "merger")


@outcome("n_absorptions")
def n_absorptions(tr: Trajectory, ctx: Context) -> float:
    """Number of `absorbed` events (a faction swallowed by a stronger one)."""
    return _count(tr, "absorbed")


@outcome("n_splits")
def n_splits(tr: Trajectory, ctx: Context) -> float:
    """Number of `split` events (a component leaving a merged entity)."""
    return _count(tr, "split")


@outcome("n_infighting")
def n_infighting(tr: Trajectory, ctx: Context) -> float:
    """Number of fights started (`infighting_started`)."""
    return _count(tr, "infighting_started")


@outcome("n_rooms_formed")
def n_rooms_formed(tr: Trajectory, ctx: Context) -> float:
    """Number of operations rooms formed (`room_formed`)."""
    return _count(tr, "room_formed")


@outcome("n_room_exits")
def n_room_exits(tr: Trajectory, ctx: Context) -> float:
    """Number of departures from rooms, voluntary or not (`room_left` + `room_expelled`)."""
    return _count(tr, "room_left", "room_expelled")


@outcome("n_dissolved")
def n_dissolved(tr: Trajectory, ctx: Context) -> float:
    """Number of factions dissolved (`dissolved`)."""
    return _count(tr, "dissolved")


@outcome("n_endogenous")
def n_endogenous(tr: Trajectory, ctx: Context) -> float:
    """Number of endogenous (coalition) events of any type."""
    return float(len(tr.endogenous_events()))


# ---- timing ---------------------------------------------------------------------------


@outcome("first_event_month", FirstTypeArgs)
def first_event_month(tr: Trajectory, ctx: Context, type: str, if_never: float | None = None
                      ) -> float:
    """Months from the start to the first event of a type (0 = the first month), or NaN."""
    return _first(tr, (type,), if_never)


@outcome("first_merger_month", FirstArgs)
def first_merger_month(tr: Trajectory, ctx: Context, if_never: float | None = None) -> float:
    """Months from the start to the first merger (`merger` or `absorbed`), or NaN if none."""
    return _first(tr, ("merger", "absorbed"), if_never)


@outcome("first_room_month", FirstArgs)
def first_room_month(tr: Trajectory, ctx: Context, if_never: float | None = None) -> float:
    """Months from the start to the first operations room formed, or NaN if none."""
    return _first(tr, ("room_formed",), if_never)


@outcome("first_infighting_month", FirstArgs)
def first_infighting_month(tr: Trajectory, ctx: Context, if_never: float | None = None) -> float:
    """Months from the start to the first fight, or NaN if none."""
    return _first(tr, ("infighting_started",), if_never)


@outcome("first_split_month", FirstArgs)
def first_split_month(tr: Trajectory, ctx: Context, if_never: float | None = None) -> float:
    """Months from the start to the first split from a merged entity, or NaN if none."""
    return _first(tr, ("split",), if_never)


# ---- structure at a month ---------------------------------------------------------------


class AtArgs(Args):
    month: Month | None = Field(None, description="YYYY-MM (default: the last month run).")


class AtRequiredArgs(Args):
    month: Month = Field(description="YYYY-MM.")


@outcome("largest_share", AtArgs, month_args=("month",))
def largest_share(tr: Trajectory, ctx: Context, month: str | None = None) -> float:
    """Share of all alive fighters held by the largest actor (a merged entity counts as one)
    at `month` (default: the end)."""
    actors = _actor_strengths(tr, month)
    if not actors:
        return NAN
    total = sum(actors.values())
    return max(actors.values()) / total if total > 0 else NAN


@outcome("largest_share_at", AtRequiredArgs, month_args=("month",))
def largest_share_at(tr: Trajectory, ctx: Context, month: str) -> float:
    """`largest_share` at a given month (the month is required)."""
    return largest_share(tr, ctx, month)


@outcome("largest_bloc_share", AtArgs, month_args=("month",))
def largest_bloc_share(tr: Trajectory, ctx: Context, month: str | None = None) -> float:
    """Share of alive fighters in the largest bloc at `month`: actors linked by merged
    entities or shared operations rooms count together."""
    m = _resolve_month(tr, month)
    if m is None:
        return NAN
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    strength: dict[str, float] = {}
    for _f, e, r, s, a in _rows_at(tr, m):
        if not a:
            continue
        strength[e] = strength.get(e, 0.0) + float(s)
        find(e)
        for room in (r.split(";") if r else ()):
            parent[find("room:" + room)] = find(e)
    blocs: dict[str, float] = {}
    for e, s in strength.items():
        root = find(e)
        blocs[root] = blocs.get(root, 0.0) + s
    total = sum(blocs.values())
    return max(blocs.values()) / total if blocs and total > 0 else NAN


@outcome("n_actors", AtArgs, month_args=("month",))
def n_actors(tr: Trajectory, ctx: Context, month: str | None = None) -> float:
    """Number of independent actors (standalone factions and merged entities) alive at
    `month` (default: the end)."""
    actors = _actor_strengths(tr, month)
    return NAN if actors is None else float(len(actors))


@outcome("n_actors_at_end")
def n_actors_at_end(tr: Trajectory, ctx: Context) -> float:
    """Number of independent actors alive in the last month."""
    return n_actors(tr, ctx)


@outcome("n_alive_at_end")
def n_alive_at_end(tr: Trajectory, ctx: Context) -> float:
    """Number of original factions still alive (standalone or inside an entity) at the end."""
    m = _resolve_month(tr, None)
    return NAN if m is None else float(sum(1 for row in _rows_at(tr, m) if row[4]))


@outcome("effective_actors", AtArgs, month_args=("month",))
def effective_actors(tr: Trajectory, ctx: Context, month: str | None = None) -> float:
    """Effective number of actors, 1 / sum of squared strength shares (Laakso-Taagepera),
    at `month` (default: the end)."""
    actors = _actor_strengths(tr, month)
    if not actors:
        return NAN
    total = sum(actors.values())
    return 1.0 / sum((s / total) ** 2 for s in actors.values()) if total > 0 else NAN


@outcome("n_rooms", AtArgs, month_args=("month",))
def n_rooms(tr: Trajectory, ctx: Context, month: str | None = None) -> float:
    """Number of operations rooms with members at `month` (default: the end)."""
    m = _resolve_month(tr, month)
    if m is None:
        return NAN
    rooms = {room for _f, _e, r, _s, a in _rows_at(tr, m) if a and r for room in r.split(";")}
    return float(len(rooms))


@outcome("total_strength", AtArgs, month_args=("month",))
def total_strength(tr: Trajectory, ctx: Context, month: str | None = None) -> float:
    """Fighters of all alive factions at `month` (default: the end)."""
    actors = _actor_strengths(tr, month)
    return NAN if actors is None else float(sum(actors.values()))


class FactionArgs(Args):
    faction: Id = Field(description="A faction id of the scenario.")
    month: Month | None = Field(None, description="YYYY-MM (default: the last month run).")


@outcome("strength_of", FactionArgs, month_args=("month",), faction_args=("faction",))
def strength_of(tr: Trajectory, ctx: Context, faction: str, month: str | None = None) -> float:
    """Fighters of one faction at `month` (0 once it is dissolved)."""
    m = _resolve_month(tr, month)
    if m is None:
        return NAN
    for f, _e, _r, s, a in _rows_at(tr, m):
        if f == faction:
            return float(s) if a else 0.0
    return NAN


class PairArgs(Args):
    a: Id = Field(description="A faction id of the scenario.")
    b: Id = Field(description="Another faction id.")
    month: Month | None = Field(None, description="YYYY-MM (default: the last month run).")


@outcome("same_entity", PairArgs, month_args=("month",), faction_args=("a", "b"))
def same_entity(tr: Trajectory, ctx: Context, a: str, b: str, month: str | None = None) -> float:
    """1 if factions `a` and `b` are alive in the same merged entity at `month`, else 0."""
    m = _resolve_month(tr, month)
    if m is None:
        return NAN
    ent = {f: e for f, e, _r, _s, alive in _rows_at(tr, m) if alive}
    return 1.0 if a in ent and b in ent and ent[a] == ent[b] else 0.0


# ---- fit ------------------------------------------------------------------------------

FitMetric = Literal["fit", "recall", "weighted_recall", "family_recall", "key_recall",
                    "high_confidence_recall", "precision",
                    "precision_all", "mean_timing_error", "timing_score", "snapshot_entities",
                    "snapshot_rooms", "n_matched"]


class FitArgs(Args):
    metric: FitMetric = Field("fit", description="Which number of the score report.")
    start: Month | None = Field(None, description="Score only from this month on.")
    end: Month | None = Field(None, description="Score only up to this month.")


def trajectory_frames(tr: Trajectory):
    """The trajectory as the (events, membership) DataFrames `sim.scoring` reads."""
    import pandas as pd

    from sim.trajectory import EVENT_COLUMNS, MEMBERSHIP_COLUMNS

    events = pd.DataFrame([e.row() for e in tr.events], columns=list(EVENT_COLUMNS))
    membership = pd.DataFrame({"month": tr.m_month, "faction": tr.m_faction,
                               "entity": tr.m_entity, "rooms": tr.m_rooms,
                               "strength": tr.m_strength, "alive": tr.m_alive},
                              columns=list(MEMBERSHIP_COLUMNS))
    return events, membership


@outcome("fit", FitArgs, needs_targets=True, month_args=("start", "end"))
def fit(tr: Trajectory, ctx: Context, metric: str = "fit", start: str | None = None,
        end: str | None = None) -> float:
    """Fit to the documented trajectory (`sim.scoring.score_frames` against the scenario's
    `targets:`), or another number of the score report chosen by `metric`."""
    from sim.scoring import score_frames

    if ctx.targets is None:
        return NAN
    events, membership = trajectory_frames(tr)
    report = score_frames(events, membership, ctx.targets, start=start, end=end)
    value = getattr(report, metric)
    if value is None:
        return NAN
    value = float(value)
    return value if math.isfinite(value) else NAN
