"""Months as `YYYY-MM` strings and as integer indices (months since year 0)."""

from __future__ import annotations

import re

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def to_index(month: str) -> int:
    """`'2015-03'` -> 2015 * 12 + 2."""
    if not MONTH_RE.match(month):
        raise ValueError(f"'{month}' is not a month in YYYY-MM form")
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def to_month(index: int) -> str:
    """Inverse of `to_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(start: str, end: str) -> list[str]:
    """All months from `start` to `end`, both included."""
    return [to_month(i) for i in range(to_index(start), to_index(end) + 1)]
