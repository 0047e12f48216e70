"""Reading a run folder (DESIGN section 5) into two tidy DataFrames.

``read_run(run_dir)`` returns a :class:`Run` with

* ``events``: the columns of ``events.csv`` (``month``, ``type``, ``actors``,
  ``entity``, ``detail``, all strings) plus ``m`` (integer month index),
  ``actor_list`` (tuple of ids), ``sides`` (two tuples for ``a;b vs c`` details,
  else ``None``), ``endogenous`` (bool) and ``row`` (line in the file);
* ``membership``: ``month``, ``faction``, ``entity``, ``rooms`` (strings),
  ``strength`` (float), ``alive`` (bool) plus ``m``.

Everything that is missing or malformed raises :class:`sim.errors.InputError`
naming the file, the line and the column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.scoring.targets import ENDOGENOUS_TYPES, is_month, month_index

EVENT_COLUMNS = ("month", "type", "actors", "entity", "detail")
MEMBERSHIP_COLUMNS = ("month", "faction", "entity", "rooms", "strength", "alive")
_REQUIRED_EVENT = ("month", "type", "actors")
_REQUIRED_MEMBERSHIP = ("month", "faction", "entity", "alive")
_FAILED_STATUS = {"failed", "error", "interrupted", "running", "incomplete", "aborted"}
_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f"}


@dataclass
class Run:
    """A run folder read from disk."""

    path: str
    events: pd.DataFrame
    membership: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def months(self) -> list[str]:
        return sorted(self.membership["month"].unique())


_WHITESPACE = re.compile(r"\s")


def split_ids(text: Any) -> tuple[str, ...]:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ()
    text = str(text)
    if not _WHITESPACE.search(text):  # nothing to strip
        return tuple(p for p in text.split(";") if p)
    return tuple(p.strip() for p in text.split(";") if p.strip())


def parse_sides(detail: Any) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """'nusra;zenki vs ahrar' -> (('nusra', 'zenki'), ('ahrar',)); None otherwise."""
    if not isinstance(detail, str) or " vs " not in detail:
        return None
    left, _, right = detail.partition(" vs ")
    # the simulator may prefix a name ("HTS: a;b vs c") or append how it ended
    # ("a vs b: truce"); ids never contain ':' or spaces
    left = left.rsplit(":", 1)[-1]
    right = right.split(":", 1)[0]
    a, b = split_ids(left), split_ids(right)
    if any(" " in x for x in a + b):
        return None
    return (a, b) if a and b else None


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"the run folder has no {path.name} (is this a finished coalsim run "
                         "folder?).", file=str(path))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except pd.errors.EmptyDataError:
        raise InputError(f"{path.name} is empty; it needs at least the header line "
                         f"({','.join(required)}, ...).", file=str(path), line=1) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(f"{path.name} is not a readable CSV file: {err}.", file=str(path)) from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"{path.name} lacks the column(s) {', '.join(missing)} "
                         f"(found: {', '.join(map(str, df.columns)) or 'none'}).",
                         file=str(path), line=1)
    return df


def _check_months(df: pd.DataFrame, file: str | None) -> None:
    bad = ~df["month"].map(is_month)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"'{df['month'].iloc[i]}' is not a month; months are written YYYY-MM.",
                         file=file, line=i + 2, key="month")


def normalize_events(events: pd.DataFrame | None, *, file: str | None = None) -> pd.DataFrame:
    """Check an events frame and add the derived columns (idempotent)."""
    if events is None:
        events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    df = events.copy()
    for col in _REQUIRED_EVENT:
        if col not in df.columns:
            raise InputError(f"the events table lacks the column '{col}'.", file=file, key=col)
    for col in EVENT_COLUMNS:
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    df = df.reset_index(drop=True)
    _check_months(df, file)
    df["m"] = df["month"].map(month_index).astype(int) if len(df) else pd.Series(dtype=int)
    df["actor_list"] = df["actors"].map(split_ids)
    df["sides"] = df["detail"].map(parse_sides)
    df["type"] = df["type"].str.strip()
    df["endogenous"] = df["type"].isin(ENDOGENOUS_TYPES)
    if "row" not in events.columns:
        df["row"] = np.arange(len(df)) + 2
    return df


def normalize_membership(membership: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Check a membership frame, parse strength and alive, add ``m`` (idempotent)."""
    df = membership.copy().reset_index(drop=True)
    for col in _REQUIRED_MEMBERSHIP:
        if col not in df.columns:
            raise InputError(f"the membership table lacks the column '{col}'.", file=file, key=col)
    if "rooms" not in df.columns:
        df["rooms"] = ""
    if "strength" not in df.columns:
        df["strength"] = np.nan
    for col in ("month", "faction", "entity", "rooms"):
        df[col] = df[col].fillna("").astype(str).str.strip()
    if len(df) == 0:
        raise InputError("the membership table has no rows; it needs one row per faction per "
                         "month.", file=file, line=2)
    _check_months(df, file)
    empty = df["faction"] == ""
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError("a row has an empty faction id.", file=file, line=i + 2, key="faction")
    df.loc[df["entity"] == "", "entity"] = df.loc[df["entity"] == "", "faction"]
    strength = pd.to_numeric(df["strength"].replace("", np.nan), errors="coerce")
    bad = strength.isna() & ~df["strength"].astype(str).isin(["", "nan", "NaN"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"strength '{df['strength'].iloc[i]}' is not a number.", file=file,
                         line=i + 2, key="strength")
    df["strength"] = strength.astype(float)
    if df["alive"].dtype != bool:
        text = df["alive"].astype(str).str.strip().str.lower()
        ok = text.isin(_TRUE | _FALSE)
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            raise InputError(f"alive '{df['alive'].iloc[i]}' is not True or False.", file=file,
                             line=i + 2, key="alive")
        df["alive"] = text.isin(_TRUE)
    dup = df.duplicated(["month", "faction"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"faction '{df['faction'].iloc[i]}' has two rows for {df['month'].iloc[i]}.",
                         file=file, line=i + 2, key="faction")
    df["m"] = df["month"].map(month_index).astype(int)
    return df


# --------------------------------------------------------------------------- plain columns
#
# The scorer is called thousands of times by calibration, so it does not work on
# DataFrames: it reads each column once into a Python list. The fast paths below
# accept frames whose text columns hold only ``str`` values, whose ``strength`` is
# numeric and whose ``alive`` is boolean (what ``sim.calibration.objective.frames``
# and ``read_run`` produce). Anything else -- and every malformed frame -- goes
# through ``normalize_events``/``normalize_membership``, which raise the errors, so
# results and error messages are the same on both paths.


@dataclass
class EventRows:
    """The columns of a normalised events table as plain lists (see ``normalize_events``)."""

    month: list[str]
    type: list[str]
    actors: list[str]
    entity: list[str]
    detail: list[str]
    m: list[int]
    actor_list: list[tuple[str, ...]]
    sides: list[tuple[tuple[str, ...], tuple[str, ...]] | None]
    endogenous: list[bool]

    def __len__(self) -> int:
        return len(self.month)

    @property
    def empty(self) -> bool:
        return not self.month

    @classmethod
    def from_normalized(cls, df: pd.DataFrame) -> "EventRows":
        """From a frame returned by :func:`normalize_events`."""
        return cls(month=df["month"].tolist(), type=df["type"].tolist(),
                   actors=df["actors"].tolist(), entity=df["entity"].tolist(),
                   detail=df["detail"].tolist(), m=[int(x) for x in df["m"].tolist()],
                   actor_list=df["actor_list"].tolist(), sides=df["sides"].tolist(),
                   endogenous=[bool(x) for x in df["endogenous"].tolist()])

    def take(self, idx: list[int]) -> "EventRows":
        return EventRows(*([col[i] for i in idx] for col in (
            self.month, self.type, self.actors, self.entity, self.detail, self.m,
            self.actor_list, self.sides, self.endogenous)))


def _str_values(df: pd.DataFrame, col: str) -> tuple[list[str], set[str]] | None:
    """The column as a list and the set of its values if every value is a ``str``,
    else None (missing values, numbers, ...)."""
    # to_numpy(object).tolist() is ~2x faster than .tolist() on pyarrow strings
    values = df[col].to_numpy(dtype=object).tolist()
    distinct = set(values)
    for v in distinct:
        if type(v) is not str:
            return None
    return values, distinct


def _stripped(values: list[str], distinct: set[str]) -> list[str]:
    """``[v.strip() for v in values]``, stripping each distinct value once."""
    changed = {v: w for v in distinct if (w := v.strip()) != v}
    if not changed:
        return values
    return [changed.get(v, v) for v in values]


_MONTHS: dict[str, int] = {}  # every valid month seen so far -> month_index
_SPLIT_CACHE: dict[str, tuple[str, ...]] = {}  # actors text -> split_ids(text)
_SIDES_CACHE: dict[str, Any] = {}  # detail text -> parse_sides(text)
_CACHE_LIMIT = 100_000


def _month_indices(months: set[str]) -> dict[str, int] | None:
    """{month: month_index(month)}; None if one of them is not a YYYY-MM month."""
    out: dict[str, int] = {}
    for month in months:
        m = _MONTHS.get(month)
        if m is None:
            if not is_month(month):
                return None
            if len(_MONTHS) > _CACHE_LIMIT:
                _MONTHS.clear()
            m = _MONTHS[month] = month_index(month)
        out[month] = m
    return out


def _fast_events(events: pd.DataFrame, keep: tuple[int, int] | None = None
                 ) -> EventRows | None:
    if not events.columns.is_unique or any(c not in events.columns for c in _REQUIRED_EVENT):
        return None
    cols: dict[str, list[str]] = {}
    distinct: dict[str, set[str]] = {}
    n = len(events)
    for col in EVENT_COLUMNS:
        if col in events.columns:
            got = _str_values(events, col)
            if got is None:
                return None
            cols[col], distinct[col] = got
        else:
            cols[col], distinct[col] = [""] * n, {""} if n else set()
    month_of = _month_indices(distinct["month"])
    if month_of is None:
        return None
    types = _stripped(cols["type"], distinct["type"])
    endogenous_types = frozenset(ENDOGENOUS_TYPES)
    m = [month_of[x] for x in cols["month"]]
    endogenous = [t in endogenous_types for t in types]
    month, actors, entity, detail = cols["month"], cols["actors"], cols["entity"], cols["detail"]
    if keep is not None:
        lo, hi = keep
        idx = [i for i, (e, x) in enumerate(zip(endogenous, m)) if e and lo <= x <= hi]
        if len(idx) < n:
            month, types, actors, entity, detail, m, endogenous = (
                [col[i] for i in idx]
                for col in (month, types, actors, entity, detail, m, endogenous))
    # parse each distinct text once (the results are immutable, so they are kept
    # across calls: runs of one model repeat the same actor lists and details)
    if len(_SPLIT_CACHE) > _CACHE_LIMIT:
        _SPLIT_CACHE.clear()
    if len(_SIDES_CACHE) > _CACHE_LIMIT:
        _SIDES_CACHE.clear()
    actor_list, sides = [], []
    for a in actors:
        got_a = _SPLIT_CACHE.get(a)
        if got_a is None:
            got_a = _SPLIT_CACHE[a] = split_ids(a)
        actor_list.append(got_a)
    for d in detail:
        try:
            sides.append(_SIDES_CACHE[d])
        except KeyError:
            sides.append(_SIDES_CACHE.setdefault(d, parse_sides(d)))
    return EventRows(month=month, type=types, actors=actors, entity=entity, detail=detail,
                     m=m, actor_list=actor_list, sides=sides, endogenous=endogenous)


def event_rows(events: pd.DataFrame | None, *, file: str | None = None,
               keep: tuple[int, int] | None = None) -> EventRows:
    """``normalize_events(events)`` as plain columns (fast for well-formed frames).

    ``keep=(lo, hi)`` keeps only the endogenous events of months ``lo..hi`` (month
    indices, inclusive), in their order; the others are not parsed.
    """
    rows = _fast_events(events, keep) if events is not None else None
    if rows is None:
        rows = EventRows.from_normalized(normalize_events(events, file=file))
        if keep is not None:
            lo, hi = keep
            rows = rows.take([i for i, (e, x) in enumerate(zip(rows.endogenous, rows.m))
                              if e and lo <= x <= hi])
    return rows


@dataclass
class MembershipRows:
    """The columns of a normalised membership table as plain lists."""

    m: list[int]
    faction: list[str]
    entity: list[str]
    rooms: list[str]
    strength: list[float]
    alive: list[bool]

    @classmethod
    def from_normalized(cls, df: pd.DataFrame) -> "MembershipRows":
        """From a frame returned by :func:`normalize_membership`."""
        return cls(m=[int(x) for x in df["m"].tolist()], faction=df["faction"].tolist(),
                   entity=df["entity"].tolist(), rooms=df["rooms"].astype(str).tolist(),
                   strength=df["strength"].astype(float).tolist(),
                   alive=df["alive"].astype(bool).tolist())


def _fast_membership(membership: pd.DataFrame, *, check_duplicates: bool = True
                     ) -> MembershipRows | None:
    """Plain columns of a well-formed membership frame, or None (use the slow path).

    ``check_duplicates=False`` leaves the (month, faction) uniqueness check to the
    caller (:class:`sim.scoring.match.MembershipIndex` does it while indexing).
    """
    columns = membership.columns
    if not columns.is_unique or any(c not in columns for c in _REQUIRED_MEMBERSHIP):
        return None
    n = len(membership)
    if n == 0:
        return None
    text: dict[str, list[str]] = {}
    distinct: dict[str, set[str]] = {}
    for col in ("month", "faction", "entity", "rooms"):
        if col not in columns:
            text[col], distinct[col] = [""] * n, {""}
            continue
        got = _str_values(membership, col)
        if got is None:
            return None
        if col == "faction" and any(not v.strip() for v in got[1]):
            return None  # an empty faction id
        text[col] = _stripped(*got)
        distinct[col] = got[1] if text[col] is got[0] else set(text[col])
    month_of = _month_indices(distinct["month"])
    if month_of is None:
        return None
    factions = text["faction"]
    # missing strengths (NaN, or no column) take the slow path: normalize_membership
    # decides what they mean (with pandas 3 it rejects them)
    if "strength" not in columns:
        return None
    s = membership["strength"]
    if not (isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf"):
        return None
    values = s.to_numpy(dtype=float)
    if np.isnan(values).any():
        return None
    strength = values.tolist()
    a = membership["alive"]
    if a.dtype != bool:
        return None
    alive = a.tolist()
    months = text["month"]
    if check_duplicates and len(set(zip(months, factions))) != n:
        return None
    entity = text["entity"]
    if "" in distinct["entity"]:
        entity = [e or f for e, f in zip(entity, factions)]
    return MembershipRows(m=[month_of[x] for x in months], faction=factions, entity=entity,
                          rooms=text["rooms"], strength=strength, alive=alive)


def membership_rows(membership: pd.DataFrame, *, file: str | None = None) -> MembershipRows:
    """``normalize_membership(membership)`` as plain columns (fast for well-formed frames)."""
    rows = _fast_membership(membership) if isinstance(membership, pd.DataFrame) else None
    if rows is not None:
        return rows
    return MembershipRows.from_normalized(normalize_membership(membership, file=file))


def read_run(run_dir: str | Path) -> Run:
    """Read ``events.csv``, ``membership.csv`` and ``manifest.json`` of a run folder."""
    path = Path(run_dir)
    if not path.exists():
        raise InputError("the run folder does not exist.", file=str(path))
    if not path.is_dir():
        raise InputError("this is not a run folder (expected a directory with events.csv, "
                         "membership.csv and manifest.json).", file=str(path))
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError("the run folder has no manifest.json (an unfinished or foreign "
                         "folder?).", file=str(manifest_path))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"manifest.json is not valid JSON: {err}.", file=str(manifest_path),
                         line=getattr(err, "lineno", None)) from None
    if not isinstance(manifest, dict):
        raise InputError("manifest.json must hold a JSON object.", file=str(manifest_path), line=1)
    status = str(manifest.get("status", "")).strip().lower()
    if status in _FAILED_STATUS:
        raise InputError(f"the run's status is '{manifest.get('status')}': only completed "
                         "runs can be scored.", file=str(manifest_path), key="status")
    ev_path, mem_path = path / "events.csv", path / "membership.csv"
    events = normalize_events(_read_csv(ev_path, _REQUIRED_EVENT), file=str(ev_path))
    membership = normalize_membership(_read_csv(mem_path, _REQUIRED_MEMBERSHIP),
                                      file=str(mem_path))
    return Run(path=str(path), events=events, membership=membership, manifest=manifest)
