"""Fit of a simulated trajectory to the documented 2015–2018 trajectory.

Metrics (formulas in ``docs/scoring.md``):

* **event recall** = matched scorable targets / scorable targets; **weighted
  recall** = matched target weight / total target weight; **key recall** over
  the ``key: true`` targets;
* **precision** = matched major simulated events / major simulated events,
  where a simulated event is *major* when it is endogenous, is not an
  ``infighting_ended`` (the end of a fight is counted with its start), and
  its actors together hold at least ``major_share`` (5 %) of the total strength
  of alive factions that month (every endogenous event counts when the run
  records no strengths). With no major simulated event precision is 0: doing
  nothing earns nothing. ``precision_all`` uses every endogenous event;
* **timing**: mean |simulated month − target month| over matched targets;
  timing score = max(0, 1 − mean error / 3), 0 when nothing is matched;
* **snapshots**: adjusted Rand index (ARI) between the simulated and the
  documented partitions of the alive factions at each snapshot month, once for
  merged entities and once for operations rooms (each faction labelled by its
  main room, i.e. the room with most members, a faction inheriting the rooms
  of its merged entity; factions in no group are singletons); rescaled as
  max(0, ARI) and averaged over snapshots;
* **fit** = 0.55·F1(family recall, precision)
  + 0.10·timing score·family recall + 0.25·snapshot(entities)
  + 0.10·snapshot(rooms), renormalised over the components that are defined
  in the window (e.g. no snapshot in it). Recall and precision enter as their
  harmonic mean, so that neither one lucky event (precision 1) nor events
  everywhere (high recall, precision near 0) earns the events share; the
  timing share is scaled by the family recall so that matching one event on
  time cannot earn all of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.scoring.match import (PRE_EVENT_TYPES, THRESHOLD, TOLERANCE, MembershipIndex,
                               match_events, prepare_target)
from sim.scoring.targets import (INFIGHTING_TYPES, Targets, is_month, load_targets, month_index,
                                 month_label)
from sim.scoring.trajectory import event_rows, read_run

#: Families of documented events. The fit's recall is the mean of the weighted
#: recalls of the families present in the window ("family recall"), so that a run
#: cannot score by reproducing one kind of event and switching the others off.
FAMILIES: dict[str, tuple[str, ...]] = {
    "rooms": ("room_formed", "room_joined", "room_left", "room_expelled", "room_dissolved"),
    "mergers": ("merger", "absorbed"),
    "fights": ("infighting_started", "infighting_ended"),
    "exits": ("split", "dissolved"),
}
FIT_WEIGHTS: dict[str, float] = {
    "events": 0.55,          # F1 of family recall and precision
    "timing_score": 0.10,
    "snapshot_entities": 0.25,
    "snapshot_rooms": 0.10,
}
MAJOR_SHARE = 0.05
TIMING_SCALE = 3.0

TARGET_COLUMNS = ["target", "month", "type", "actors", "weight", "key", "confidence", "status",
                  "matched", "sim_month", "timing_error", "sim_type", "sim_actors",
                  "similarity", "steps", "note"]
EVENT_OUT_COLUMNS = ["month", "type", "actors", "entity", "detail", "strength_share"]


def _safe(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


class _Deferred:
    """A table not built yet: ``make()`` returns it (see :class:`_Table`)."""

    __slots__ = ("make",)

    def __init__(self, make) -> None:
        self.make = make


class _Table:
    """A DataFrame field of :class:`ScoreReport` that may be built on first access.

    ``score_frames`` passes its three tables as :class:`_Deferred` builders:
    calibration reads only the metrics of thousands of reports, and building the
    DataFrames would take longer than the scoring itself. Reading the attribute
    (``report.targets_table``), ``to_dict``, ``to_text``, copying and pickling all
    see the same DataFrame as when it was built eagerly.
    """

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            # no class-level default: the dataclass field stays required
            raise AttributeError(self.slot[1:])
        value = obj.__dict__[self.slot]
        if isinstance(value, _Deferred):
            value = obj.__dict__[self.slot] = value.make()
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class ScoreReport:
    """Numbers, the per-target table and the spurious major simulated events."""

    n_targets: int
    n_scorable: int
    n_matched: int
    recall: float | None
    weighted_recall: float | None
    key_recall: float | None
    family_recall: float | None
    n_major: int
    n_major_matched: int
    precision: float | None
    precision_all: float | None
    mean_timing_error: float | None
    timing_score: float | None
    snapshot_entities: float | None
    snapshot_rooms: float | None
    fit: float | None
    high_confidence_recall: float | None
    #: weighted recall of each family of documented events present in the window
    family_recalls: dict[str, float]
    targets_table: pd.DataFrame = _Table()
    spurious: pd.DataFrame = _Table()
    snapshots_table: pd.DataFrame = _Table()
    window: tuple[str | None, str | None] = (None, None)
    run: str | None = None
    targets_path: str | None = None
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        for name in ("targets_table", "spurious", "snapshots_table"):
            getattr(self, name)  # build deferred tables: builders do not pickle
        return self.__dict__.copy()

    # ---------------------------------------------------------------- export
    def metrics(self) -> dict[str, Any]:
        keys = ["n_targets", "n_scorable", "n_matched", "recall", "weighted_recall",
                "key_recall", "family_recall", "n_major", "n_major_matched", "precision", "precision_all",
                "mean_timing_error", "timing_score", "snapshot_entities", "snapshot_rooms",
                "fit", "high_confidence_recall"]
        return {k: getattr(self, k) for k in keys}

    def to_dict(self) -> dict[str, Any]:
        def records(df: pd.DataFrame) -> list[dict]:
            out = []
            for rec in df.to_dict(orient="records"):
                clean = {}
                for k, v in rec.items():
                    if isinstance(v, (np.integer,)):
                        v = int(v)
                    elif isinstance(v, (np.floating, float)):
                        v = None if np.isnan(v) else float(v)
                    elif isinstance(v, np.bool_):
                        v = bool(v)
                    elif v is pd.NA:
                        v = None
                    clean[k] = v
                out.append(clean)
            return out

        return {
            "run": self.run,
            "targets": self.targets_path,
            "window": {"start": self.window[0], "end": self.window[1]},
            "metrics": {k: (_safe(v) if isinstance(v, float) else v)
                        for k, v in self.metrics().items()},
            "family_recalls": {k: _safe(v) for k, v in self.family_recalls.items()},
            "fit_weights": dict(FIT_WEIGHTS),
            "settings": self.settings,
            "per_target": records(self.targets_table),
            "snapshots": records(self.snapshots_table),
            "spurious_major_events": records(self.spurious),
            "warnings": list(self.warnings),
        }

    def to_text(self, *, width: int = 30) -> str:
        def f(x, digits=3):
            return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) \
                else f"{x:.{digits}f}"

        lines: list[str] = []
        head = "Score"
        if self.run:
            head += f" of {self.run}"
        if self.targets_path:
            head += f" against {self.targets_path}"
        lines.append(head)
        lo, hi = self.window
        lines.append(f"window {lo or 'start'} .. {hi or 'end'}; match: same or compatible type, "
                     f"±{self.settings.get('tolerance', TOLERANCE)} months, actor similarity ≥ "
                     f"{self.settings.get('threshold', THRESHOLD)}")
        lines.append("")
        lines.append("Documented events")
        tt = self.targets_table
        hdr = f"{'':1} {'target':<{width}} {'month':<7} {'type':<18} {'w':>4}  {'result':<9} " \
              f"{'sim':<7} {'err':>4}  actors"
        lines.append(hdr)
        lines.append("-" * len(hdr))
        for r in tt.itertuples(index=False):
            if r.status == "matched":
                result, sim, err = "matched", r.sim_month, f"{int(r.timing_error):+d}"
            elif r.status == "missed":
                result, sim, err = "missed", "", ""
            else:
                result, sim, err = r.status, "", ""
            star = "*" if r.key else ""
            name = r.target if len(r.target) <= width else r.target[: width - 1] + "…"
            lines.append(f"{star:1} {name:<{width}} {r.month:<7} {r.type:<18} {r.weight:>4.1f}  "
                         f"{result:<9} {sim:<7} {err:>4}  {r.actors}")
        lines.append("(* key event)")
        lines.append("")
        lines.append("Metrics")
        rows = [
            ("event recall", f"{self.n_matched}/{self.n_scorable}" + (
                f" = {f(self.recall)}" if self.recall is not None else "")),
            ("weighted recall", f(self.weighted_recall)),
            ("family recall (rooms, mergers, fights, exits)", f(self.family_recall)),
            *((f"  {name}", f(v)) for name, v in self.family_recalls.items()),
            ("key-event recall", f(self.key_recall)),
            ("high-confidence recall", f(self.high_confidence_recall)),
            ("precision (major events)", f"{self.n_major_matched}/{self.n_major} = "
                                          f"{f(self.precision)}"),
            ("precision (all endogenous)", f(self.precision_all)),
            ("mean timing error (months)", f(self.mean_timing_error, 2)),
            ("timing score", f(self.timing_score)),
            ("snapshot ARI, entities", f(self.snapshot_entities)),
            ("snapshot ARI, rooms", f(self.snapshot_rooms)),
            ("combined fit", f(self.fit)),
        ]
        for name, val in rows:
            lines.append(f"  {name:<28} {val}")
        if not self.snapshots_table.empty:
            lines.append("")
            lines.append("Snapshots (adjusted Rand index; 1 = same partition, 0 = chance)")
            for r in self.snapshots_table.itertuples(index=False):
                lines.append(f"  {r.month}  factions {int(r.n_factions):>2}   entities "
                             f"{f(_safe(r.ari_entities)):>6}   rooms {f(_safe(r.ari_rooms)):>6}"
                             + (f"   ({r.note})" if r.note else ""))
        lines.append("")
        lines.append(f"Spurious major simulated events ({len(self.spurious)})")
        if self.spurious.empty:
            lines.append("  none")
        for r in self.spurious.itertuples(index=False):
            share = "" if pd.isna(r.strength_share) else f"  [{100 * r.strength_share:.0f}% of strength]"
            ent = f" ({r.entity})" if r.entity else ""
            det = f" {r.detail}" if r.detail and " vs " in r.detail else ""
            lines.append(f"  {r.month}  {r.type:<18} {r.actors}{ent}{det}{share}")
        if self.warnings:
            lines.append("")
            lines.append("Notes")
            for w in self.warnings:
                lines.append(f"  - {w}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- snapshots

def adjusted_rand_score(labels_true, labels_pred) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of two labelings of the same items.

    Computed exactly from the contingency table with integer pair counts: with
    ``s = sum_ij C(n_ij, 2)``, ``a = sum_i C(a_i, 2)``, ``b = sum_j C(b_j, 2)`` and
    ``N = C(n, 2)``, ARI = (s - a*b/N) / ((a + b)/2 - a*b/N)
    = 2 (N s - a b) / (N (a + b) - 2 a b), one correctly rounded division.
    Conventions of ``sklearn.metrics.adjusted_rand_score``: identical partitions
    (including all singletons, a single cluster, and empty or one-item labelings)
    give 1.0. For the partitions compared here (n << 10^4, so that scikit-learn's
    float arithmetic is exact too) the result is the same float as scikit-learn's,
    which spends a thousand times longer on input validation.
    """
    n = len(labels_true)
    if len(labels_pred) != n:
        raise ValueError(f"labelings of different lengths: {n} and {len(labels_pred)}")
    cells: dict = {}
    rows: dict = {}
    cols: dict = {}
    for x, y in zip(labels_true, labels_pred):
        key = (x, y)
        cells[key] = cells.get(key, 0) + 1
        rows[x] = rows.get(x, 0) + 1
        cols[y] = cols.get(y, 0) + 1
    s = sum(c * (c - 1) for c in cells.values()) // 2
    a = sum(c * (c - 1) for c in rows.values()) // 2
    b = sum(c * (c - 1) for c in cols.values()) // 2
    if s == a == b:
        # no pair split by one partition and joined by the other (incl. n < 2)
        return 1.0
    pairs = n * (n - 1) // 2
    return 2 * (pairs * s - a * b) / (pairs * (a + b) - 2 * a * b)


def _partition_labels(index: MembershipIndex, m: int, universe: list[str]):
    entity = index.entities(m)
    rooms = index.rooms(m)
    ent_labels = [f"e:{entity.get(f, f)}" for f in universe]
    # a faction inherits the rooms of every alive faction in its merged entity
    by_entity: dict[str, set[str]] = {}
    for f in universe:
        by_entity.setdefault(entity.get(f, f), set()).update(rooms.get(f, ()))
    eff = {f: by_entity[entity.get(f, f)] for f in universe}
    size: dict[str, int] = {}
    for f in universe:
        for r in eff[f]:
            size[r] = size.get(r, 0) + 1
    room_labels = []
    for f in universe:
        if eff[f]:
            main = min(eff[f], key=lambda r: (-size[r], r))
            room_labels.append(f"r:{main}")
        else:
            room_labels.append(f"solo:{f}")
    return ent_labels, room_labels


def _doc_labels(groups, universe: list[str]) -> list[str]:
    where = {m: g.name for g in groups for m in g.members}
    return [f"g:{where[f]}" if f in where else f"solo:{f}" for f in universe]


SNAPSHOT_COLUMNS = ["month", "n_factions", "ari_entities", "ari_rooms", "note"]


def _snapshot_rows(targets: Targets, index: MembershipIndex) -> list[dict]:
    rows = []
    for i, snap in enumerate(targets.snapshots):
        m = snap.m
        if not index.has(m):
            rows.append(dict(month=snap.month, n_factions=0, ari_entities=np.nan,
                             ari_rooms=np.nan, note="month not in the run"))
            continue
        # The universe is every faction the run starts with: a faction the run
        # has lost by the snapshot is a singleton of its own ("dead:"), so that a
        # run that destroys everyone cannot agree with the documented partition
        # by default.
        universe = sorted(f for f, a in index.alive(index.first).items() if a)
        if len(universe) < 2:
            rows.append(dict(month=snap.month, n_factions=len(universe), ari_entities=np.nan,
                             ari_rooms=np.nan, note="fewer than two factions in the run"))
            continue
        alive = index.alive(m)
        sim_e, sim_r = _partition_labels(index, m, universe)
        sim_e = [lab if alive.get(f, False) else f"dead:{f}" for f, lab in zip(universe, sim_e)]
        sim_r = [lab if alive.get(f, False) else f"dead:{f}" for f, lab in zip(universe, sim_r)]
        doc_e, doc_r = targets.cached(
            ("snapshot labels", i, tuple(universe)),
            lambda: (_doc_labels(snap.entities, universe), _doc_labels(snap.rooms, universe)))
        rows.append(dict(month=snap.month, n_factions=len(universe),
                         ari_entities=float(adjusted_rand_score(doc_e, sim_e)),
                         ari_rooms=float(adjusted_rand_score(doc_r, sim_r)), note=""))
    return rows


def snapshot_table(targets: Targets, index: MembershipIndex) -> pd.DataFrame:
    return pd.DataFrame(_snapshot_rows(targets, index), columns=SNAPSHOT_COLUMNS)


# --------------------------------------------------------------------------- scoring

def _check_window(start: str | None, end: str | None) -> None:
    for name, val in (("start", start), ("end", end)):
        if val is not None and not is_month(val):
            raise InputError(f"the window {name} '{val}' is not a month (YYYY-MM).", key=name)
    if start and end and month_index(start) > month_index(end):
        raise InputError(f"the window start {start} is after its end {end}.", key="start")


def _prepared_targets(tw: Targets, run_factions: frozenset[str], first: int | None,
                      last: int | None):
    """The window's targets prepared for a run, and their status (memoised on ``tw``:
    it depends on the run only through its factions and first and last months)."""
    def make():
        prepared, status = [], []
        for t in tw.targets:
            pt = prepare_target(t, run_factions)
            if first is not None and not (first <= t.m <= last):
                pt = replace(pt, scorable=False,
                             reason=f"outside the run's months ({month_label(first)}.."
                                    f"{month_label(last)})")
                status.append("outside run")
            elif not pt.scorable:
                status.append("unscorable")
            else:
                status.append("")
            prepared.append(pt)
        return tuple(prepared), tuple(status)

    return tw.cached(("prepared", run_factions, first, last), make)


#: target types whose named leaders are expanded with the record of the month before
BEFORE = PRE_EVENT_TYPES | INFIGHTING_TYPES


def _documented_expansion(targets: Targets, tw: Targets, prepared, run_factions: frozenset[str],
                          first: int | None, last: int | None):
    """The targets with each named faction that led a merged entity in the record
    standing for the entity's members, as a simulated entity stands for its own
    (the record replayed, ``sim.scoring.record.documented_groups``): strict
    matching's targets, and what default matching tries beside the targets as
    written (``PreparedTarget.documented``).
    Group events only, at the month before for mergers, absorptions (the
    entities that merged) and fights (the sides as the fight broke out: the
    model starts fights before it merges), at the event month for rooms; a
    faction named on the other side of a fight stays off this one. Memoised on
    ``tw``."""
    from sim.scoring.record import documented_groups

    def make():
        groups = documented_groups(targets, run_factions)
        out = []
        for pt in prepared:
            t = pt.target
            if not (pt.scorable and pt.group):
                out.append(pt)
                continue
            month = month_label(t.m - 1) if t.type in BEFORE else t.month

            def expand(named, other=frozenset()):
                return frozenset(f for n in named for f in groups.get((month, n), (n,))
                                 if f in run_factions and f not in other)

            sides = pt.sides
            if sides is not None:
                sides = (expand(sides[0], sides[1]), expand(sides[1], sides[0]))
            actors = expand(pt.actors) if sides is None else sides[0] | sides[1]
            if actors == pt.actors and sides == pt.sides:
                out.append(pt)          # no named leader of a documented entity
            else:
                out.append(replace(pt, actors=actors, sides=sides, with_partners=None))
        return tuple(out)

    return tw.cached(("documented expansion", run_factions, first, last), make)


def _target_table(prepared, status, result, ev) -> pd.DataFrame:
    """The per-target table (plain columns, one DataFrame built at the end)."""
    steps: dict[int, int] = {}
    for t_pos in result.attached.values():
        steps[t_pos] = steps.get(t_pos, 0) + 1
    cols: dict[str, list] = {c: [] for c in TARGET_COLUMNS}
    for i, pt in enumerate(prepared):
        t = pt.target
        e = result.matches.get(i)
        note = pt.reason
        if pt.dropped and pt.scorable:
            note = f"not in run, ignored: {', '.join(pt.dropped)}"
        cols["target"].append(t.id)
        cols["month"].append(t.month)
        cols["type"].append(t.type)
        cols["actors"].append(";".join(t.actors) if t.sides is None
                              else f"{';'.join(t.sides[0])} vs {';'.join(t.sides[1])}")
        cols["weight"].append(float(t.weight))
        cols["key"].append(bool(t.key))
        cols["confidence"].append(t.confidence)
        cols["status"].append(status[i] or ("matched" if e is not None else "missed"))
        cols["matched"].append(e is not None)
        if e is not None:
            j = e.event
            cols["sim_month"].append(ev.month[j])
            cols["timing_error"].append(float(e.dt))
            cols["sim_type"].append(ev.type[j])
            cols["sim_actors"].append(ev.detail[j] if ev.sides[j] is not None
                                      else ev.actors[j])
            cols["similarity"].append(round(e.similarity, 3))
        else:
            cols["sim_month"].append("")
            cols["timing_error"].append(np.nan)
            cols["sim_type"].append("")
            cols["sim_actors"].append("")
            cols["similarity"].append(np.nan)
        cols["steps"].append(steps.get(i, 0))
        cols["note"].append(note)
    if not prepared:
        return pd.DataFrame([], columns=TARGET_COLUMNS)
    return pd.DataFrame(cols, columns=TARGET_COLUMNS)


def _spurious_table(ev, idx: list[int], shares: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "month": pd.Series([ev.month[i] for i in idx], dtype="str"),
        "type": pd.Series([ev.type[i] for i in idx], dtype="str"),
        "actors": pd.Series([ev.actors[i] for i in idx], dtype="str"),
        "entity": pd.Series([ev.entity[i] for i in idx], dtype="str"),
        "detail": pd.Series([ev.detail[i] for i in idx], dtype="str"),
        "strength_share": pd.Series([shares[i] if shares[i] is not None else np.nan
                                     for i in idx], dtype="float64"),
    }, columns=EVENT_OUT_COLUMNS)


def score_frames(events: pd.DataFrame | None, membership: pd.DataFrame, targets: Targets, *,
                 start: str | None = None, end: str | None = None,
                 tolerance: int = TOLERANCE, threshold: float = THRESHOLD,
                 major_share: float = MAJOR_SHARE, run: str | None = None,
                 entity_level: bool = True) -> ScoreReport:
    """Score an (events, membership) pair against the targets.

    ``start``/``end`` (YYYY-MM, inclusive) restrict both the targets (and
    snapshots) and the simulated events to a period, for out-of-sample checks.
    Targets outside the months the run covers are reported as ``outside run``
    and left out of every denominator.

    The frames are read once into plain lists (see ``sim.scoring.trajectory``);
    everything below works on lists, sets and dicts, and only the three tables of
    the report are built as DataFrames.

    ``entity_level=False`` matches strictly: no entity-level similarity (see
    ``sim.scoring.match``).
    """
    _check_window(start, end)
    lo = month_index(start) if start else -10**9
    hi = month_index(end) if end else 10**9
    # the endogenous events of the window
    ev = event_rows(events, keep=(lo, hi))
    index = MembershipIndex.from_frame(membership)
    warnings: list[str] = []
    tw = targets.window(start, end)

    prepared, status = _prepared_targets(tw, index.factions, index.first, index.last)
    expanded = _documented_expansion(targets, tw, prepared, index.factions, index.first,
                                     index.last)
    prepared = expanded if not entity_level else tw.cached(
        ("with documented", index.factions, index.first, index.last),
        lambda: tuple(pt if e is pt else replace(pt, documented=e)
                      for pt, e in zip(prepared, expanded)))
    prepared = list(prepared)
    result = match_events(prepared, ev, index, tolerance=tolerance, threshold=threshold,
                          entity_level=entity_level)
    table = _Deferred(lambda: _target_table(prepared, status, result, ev))

    scorable = [i for i, pt in enumerate(prepared) if pt.scorable]
    n_scorable = len(scorable)
    matched = [i for i in scorable if i in result.matches]
    n_excluded = len(prepared) - n_scorable
    if n_excluded:
        warnings.append(f"{n_excluded} target(s) not scored (outside the run's months or "
                        "naming factions the run lacks); see the status column.")
    if n_scorable:
        w_all = sum(prepared[i].target.weight for i in scorable)
        recall = len(matched) / n_scorable
        weighted_recall = sum(prepared[i].target.weight for i in matched) / w_all
        keys = [i for i in scorable if prepared[i].target.key]
        key_recall = (sum(1 for i in keys if i in result.matches) / len(keys)) if keys else None
        sure = [i for i in scorable if prepared[i].target.confidence == "high"]
        high_recall = (sum(1 for i in sure if i in result.matches) / len(sure)) if sure else None
        by_family: dict[str, float] = {}
        for name, types in FAMILIES.items():
            fam = [i for i in scorable if prepared[i].target.type in types]
            if fam:
                w_fam = sum(prepared[i].target.weight for i in fam)
                by_family[name] = sum(prepared[i].target.weight for i in fam
                                      if i in result.matches) / w_fam
        family_recall = float(np.mean(list(by_family.values())))
        errs = [abs(result.matches[i].dt) for i in matched]
        mean_err = float(np.mean(errs)) if errs else None
        timing = max(0.0, 1.0 - mean_err / TIMING_SCALE) if errs else 0.0
    else:
        recall = weighted_recall = key_recall = family_recall = mean_err = timing = None
        high_recall = None
        by_family = {}

    # precision over major simulated events
    shares = [index.strength_share(set(a) | (set(s[0]) | set(s[1]) if s else set()), m)
              for a, s, m in zip(ev.actor_list, ev.sides, ev.m)]
    if ev.empty:
        major_idx: list[int] = []
    else:
        no_strength = all(s is None for s in shares)
        if no_strength:
            warnings.append("the run records no strengths: every endogenous event counts as "
                            "major for precision.")
        major_idx = [i for i, (t, s) in enumerate(zip(ev.type, shares))
                     if t != "infighting_ended" and (s is None or s >= major_share)]
    matched_events = result.matched_events | set(result.attached)
    n_major = len(major_idx)
    n_major_matched = sum(1 for i in major_idx if i in matched_events)
    if not n_scorable:
        # nothing documented to compare with (other factions, other period)
        precision = precision_all = None
        warnings.append("no target can be scored against this run (its factions or months "
                        "do not overlap the targets'); there is no fit to report.")
    else:
        precision = n_major_matched / n_major if n_major else 0.0
        precision_all = len(matched_events) / len(ev) if len(ev) else 0.0
    spurious_idx = [i for i in major_idx if i not in matched_events]
    spurious = _Deferred(lambda: _spurious_table(ev, spurious_idx, shares))

    snap_rows = _snapshot_rows(tw, index)
    snaps = _Deferred(lambda: pd.DataFrame(snap_rows, columns=SNAPSHOT_COLUMNS))
    ent = [r["ari_entities"] for r in snap_rows if not math.isnan(r["ari_entities"])]
    rms = [r["ari_rooms"] for r in snap_rows if not math.isnan(r["ari_rooms"])]
    snap_e = float(np.mean(np.clip(ent, 0, 1))) if len(ent) else None
    snap_r = float(np.mean(np.clip(rms, 0, 1))) if len(rms) else None

    # the timing share is earned in proportion to the matched weight, so that a run
    # matching a single event on time cannot collect it
    # (no match at all earns no timing share either: 0, not undefined)
    timing_term = None if family_recall is None else (timing or 0.0) * family_recall
    # recall and precision enter as their harmonic mean (F1), so that neither a run
    # that makes one lucky event (precision 1, recall ~0) nor one that makes events
    # everywhere (recall high, precision ~0) scores on events
    events_term = None
    if family_recall is not None and precision is not None:
        events_term = (2.0 * family_recall * precision / (family_recall + precision)
                       if family_recall + precision > 0 else 0.0)
    parts = {"events": events_term, "timing_score": timing_term,
             "snapshot_entities": snap_e, "snapshot_rooms": snap_r}
    defined = {k: v for k, v in parts.items() if v is not None}
    if defined:
        total_w = sum(FIT_WEIGHTS[k] for k in defined)
        fit = sum(FIT_WEIGHTS[k] * v for k, v in defined.items()) / total_w
    else:
        fit = None
    return ScoreReport(
        n_targets=len(prepared), n_scorable=n_scorable, n_matched=len(matched), recall=recall,
        weighted_recall=weighted_recall, key_recall=key_recall, family_recall=family_recall,
        n_major=n_major,
        n_major_matched=n_major_matched, precision=precision, precision_all=precision_all,
        mean_timing_error=mean_err, timing_score=timing, snapshot_entities=snap_e,
        snapshot_rooms=snap_r, fit=fit, high_confidence_recall=high_recall,
        family_recalls=by_family, targets_table=table,
        spurious=spurious,
        snapshots_table=snaps, window=(start, end), run=run, targets_path=targets.path,
        warnings=warnings,
        settings={"tolerance": tolerance, "threshold": threshold, "major_share": major_share,
                  "timing_scale": TIMING_SCALE})


def score_run(run_dir: str | Path, targets: Targets | str | Path | None = None, *,
              start: str | None = None, end: str | None = None, **kwargs) -> ScoreReport:
    """Read a run folder and score it (targets: a Targets object, a path, or None for
    the default file, see :func:`sim.scoring.targets.find_default_targets`)."""
    from sim.scoring.targets import find_default_targets

    run = read_run(run_dir)
    if targets is None:
        targets = load_targets(find_default_targets(run_dir))
    elif not isinstance(targets, Targets):
        targets = load_targets(targets)
    report = score_frames(run.events, run.membership, targets, start=start, end=end,
                          run=str(run_dir), **kwargs)
    unknown = sorted(set(run.events.loc[~run.events["endogenous"], "type"]) -
                     {"renamed", "designated", "ultimatum", "shock", "policy"})
    if unknown:
        report.warnings.append(f"event types not in the contract were ignored: {', '.join(unknown)}")
    return report
