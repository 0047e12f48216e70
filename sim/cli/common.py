"""Argument helpers shared by subcommands."""

from __future__ import annotations

from sim.config.months import MONTH_RE
from sim.errors import InputError


def month_arg(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    if not MONTH_RE.match(value):
        raise InputError(f"{option} expects a month as YYYY-MM, got '{value}'")
    return value
