"""Null models: what a trajectory with no skill scores.

* :func:`frozen` -- nothing ever happens: no events, and the membership of the
  first month is copied to every later month.
* :func:`random_events` -- random endogenous events at the documented rates:
  for every target one event of the same type in the same calendar year (so
  the count per type per year equals the targets'), in a uniformly random
  month of that year, with a uniformly random set of factions of the
  documented size (for infighting, two random disjoint sides of the documented
  sizes); membership stays unchanged. Randomness comes only from
  ``numpy.random.default_rng(seed)``.

Both return ``(events, membership)`` frames for
:func:`sim.scoring.score.score_frames`. :func:`null_scores` scores the random
model over many seeds; :func:`frozen_report` scores the frozen one. Their
starting point should be the documented initial state,
:func:`initial_membership` of the scenario (or of a run folder's
``config.resolved.yaml``): a run's own first month already holds the model's
first decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.scoring.score import ScoreReport, score_frames
from sim.scoring.targets import Target, Targets, is_month, month_index, month_label
from sim.scoring.trajectory import EVENT_COLUMNS, MEMBERSHIP_COLUMNS, read_run

DEFAULT_END = "2018-12"
DEFAULT_START = "2015-01"
METRIC_COLUMNS = ["recall", "weighted_recall", "family_recall", "key_recall", "high_confidence_recall",
                  "precision", "mean_timing_error",
                  "timing_score", "snapshot_entities", "snapshot_rooms", "fit"]


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=str) for c in EVENT_COLUMNS})


def _base_membership(source) -> tuple[pd.DataFrame, list[str]]:
    """First-month membership rows and the run's months from a run folder, a
    membership frame, a {faction: entity} mapping or a list of faction ids."""
    if isinstance(source, (str, Path)):
        source = read_run(source).membership
    if isinstance(source, pd.DataFrame):
        if source.empty:
            raise InputError("the initial membership has no rows.")
        df = source.copy()
        for col in ("month", "faction"):
            if col not in df.columns:
                raise InputError(f"the initial membership lacks the column '{col}'.", key=col)
        months = sorted(df["month"].astype(str).unique())
        base = df[df["month"].astype(str) == months[0]].copy()
        for col, default in (("entity", None), ("rooms", ""), ("strength", np.nan),
                             ("alive", True)):
            if col not in base.columns:
                base[col] = base["faction"] if default is None else default
        return base[list(MEMBERSHIP_COLUMNS)].reset_index(drop=True), months
    if isinstance(source, dict):
        items = list(source.items())
    else:
        items = [(f, f) for f in source]
    if not items:
        raise InputError("the initial partition names no faction.")
    base = pd.DataFrame({"month": DEFAULT_START, "faction": [f for f, _ in items],
                         "entity": [e for _, e in items], "rooms": "", "strength": 1.0,
                         "alive": True})
    return base, [DEFAULT_START]


def initial_membership(config) -> pd.DataFrame:
    """The scenario's documented initial state as a membership frame, repeated
    over the scenario's months: every faction alive with its starting strength,
    in the merged entities and operations rooms the scenario declares.

    ``config``: a validated scenario (``sim.config.schema.Scenario``), its plain
    mapping, or the path of a scenario file or of a run folder (whose
    ``config.resolved.yaml`` is read with ``yaml.safe_load``; nothing is run).
    """
    if isinstance(config, (str, Path)):
        import yaml

        path = Path(config)
        if path.is_dir():
            path = path / "config.resolved.yaml"
        if not path.is_file():
            raise InputError("no scenario to take the initial state from.", file=str(path))
        with open(path, encoding="utf-8") as fh:
            config = yaml.safe_load(fh)
    if hasattr(config, "model_dump"):
        config = config.model_dump()
    if not isinstance(config, dict) or not config.get("factions"):
        raise InputError("the scenario names no faction: no initial state.")
    entity_of = {fid: e["id"] for e in config.get("entities") or [] for fid in e["members"]}
    rooms_of: dict[str, list[str]] = {}
    for r in config.get("rooms") or []:
        for actor in r["members"]:
            rooms_of.setdefault(actor, []).append(r["id"])
    rows = []
    for f in config["factions"]:
        fid = str(f["id"])
        entity = entity_of.get(fid, fid)
        rows.append({"faction": fid, "entity": entity,
                     "rooms": ";".join(sorted(rooms_of.get(entity, []))),
                     "strength": float(f.get("strength", 1.0)), "alive": True})
    base = pd.DataFrame(rows)
    start, end = str(config.get("start", DEFAULT_START)), str(config.get("end", DEFAULT_END))
    months = [month_label(m) for m in range(month_index(start), month_index(end) + 1)]
    base["month"] = start
    return _repeat(base[list(MEMBERSHIP_COLUMNS)], months)


def _month_list(months, first: str) -> list[str]:
    """Normalise ``months``: a list of YYYY-MM, a (start, end) tuple (inclusive), a
    count of months from ``first``, or None (``first`` .. 2018-12)."""
    if months is None:
        lo, hi = month_index(first), month_index(DEFAULT_END)
        return [month_label(m) for m in range(lo, max(lo, hi) + 1)]
    if isinstance(months, int):
        lo = month_index(first)
        return [month_label(m) for m in range(lo, lo + months)]
    if isinstance(months, tuple) and len(months) == 2 and all(is_month(m) for m in months):
        lo, hi = month_index(months[0]), month_index(months[1])
        if lo > hi:
            raise InputError(f"the month range {months[0]}..{months[1]} is empty.", key="months")
        return [month_label(m) for m in range(lo, hi + 1)]
    months = list(months)
    bad = [m for m in months if not is_month(m)]
    if bad:
        raise InputError(f"'{bad[0]}' is not a month (YYYY-MM).", key="months")
    return sorted(set(months))


def _repeat(base: pd.DataFrame, months: Sequence[str]) -> pd.DataFrame:
    frames = []
    for month in months:
        f = base.copy()
        f["month"] = month
        frames.append(f)
    return pd.concat(frames, ignore_index=True)[list(MEMBERSHIP_COLUMNS)]


def frozen(membership_first_month, months=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Null (a): no events; the first month's membership holds for every month.

    ``membership_first_month``: a run folder, a membership frame (its first month
    is used; its months are kept unless ``months`` is given), a mapping
    {faction: entity} or a list of faction ids (each its own entity).
    """
    base, month_list = _base_and_months(membership_first_month, months)
    return _empty_events(), _repeat(base, month_list)


def _base_and_months(source, months) -> tuple[pd.DataFrame, list[str]]:
    """First-month membership of `source` and the months to simulate: the run's own
    months unless `months` is given (or the source has a single month)."""
    base, run_months = _base_membership(source)
    if months is None and len(run_months) > 1:
        return base, run_months
    return base, _month_list(months, run_months[0])


def _sample(rng: np.random.Generator, pool: list[str], k: int) -> list[str]:
    k = min(k, len(pool))
    return [pool[i] for i in rng.choice(len(pool), size=k, replace=False)]


def random_events(targets: Targets | Iterable[Target], factions, seed: int | None,
                  months=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Null (b): random endogenous events at the documented rates.

    ``factions``: a list of faction ids (singletons with strength 1), a membership
    frame or a run folder (its first month is kept constant). ``months``: the
    simulated months (list, (start, end) pair, count, or None for the frame's
    months / first month .. 2018-12). A target whose year has no simulated month
    produces no event.
    """
    base, month_list = _base_and_months(factions, months)
    alive = base["alive"]
    if alive.dtype != bool:
        alive = alive.astype(str).str.lower().isin({"true", "1", "yes"})
    pool = sorted(base.loc[alive, "faction"].astype(str))
    rng = np.random.default_rng(seed)
    by_year: dict[int, list[str]] = {}
    for m in month_list:
        by_year.setdefault(int(m[:4]), []).append(m)
    rows = []
    tlist = sorted(targets, key=lambda t: (t.m, t.id))
    for t in tlist:
        year_months = by_year.get(int(t.month[:4]))
        if not year_months or len(pool) < 2:
            continue
        month = year_months[int(rng.integers(len(year_months)))]
        if t.sides is not None:
            n1, n2 = len(t.sides[0]), len(t.sides[1])
            if n1 + n2 > len(pool):
                n1, n2 = max(1, len(pool) // 2), max(1, len(pool) - len(pool) // 2)
            chosen = _sample(rng, pool, n1 + n2)
            a, b = chosen[:n1], chosen[n1:]
            rows.append(dict(month=month, type=t.type, actors=";".join(a + b), entity="",
                             detail=f"{';'.join(a)} vs {';'.join(b)}"))
        else:
            chosen = _sample(rng, pool, len(t.actors))
            rows.append(dict(month=month, type=t.type, actors=";".join(chosen), entity="",
                             detail="random null"))
    events = pd.DataFrame(rows, columns=list(EVENT_COLUMNS)) if rows else _empty_events()
    events = events.sort_values("month", kind="stable").reset_index(drop=True)
    return events, _repeat(base, month_list)


def frozen_report(run_dir_or_initial, targets: Targets, *, start: str | None = None,
                  end: str | None = None, months=None, entity_level: bool = True) -> ScoreReport:
    events, membership = frozen(run_dir_or_initial, months)
    return score_frames(events, membership, targets, start=start, end=end, run="null: frozen",
                        entity_level=entity_level)


def null_scores(run_dir_or_initial, targets: Targets, seeds: Iterable[int] = range(20), *,
                start: str | None = None, end: str | None = None,
                months=None, entity_level: bool = True) -> pd.DataFrame:
    """Scores of the random-events null over ``seeds``: one row per seed with the
    metrics of :class:`ScoreReport` (use ``.describe()`` for the distribution)."""
    if isinstance(run_dir_or_initial, (str, Path)):
        run_dir_or_initial = read_run(run_dir_or_initial).membership
    rows = []
    for seed in seeds:
        events, membership = random_events(targets, run_dir_or_initial, seed, months)
        rep = score_frames(events, membership, targets, start=start, end=end,
                           run=f"null: random (seed {seed})", entity_level=entity_level)
        rows.append({"seed": seed, **{k: rep.metrics()[k] for k in METRIC_COLUMNS}})
    return pd.DataFrame(rows, columns=["seed", *METRIC_COLUMNS])
