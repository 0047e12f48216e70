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


def split_ids(text: Any) -> tuple[str, ...]:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ()
    return tuple(p.strip() for p in str(text).split(";") if p.strip())


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
