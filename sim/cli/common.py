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


def parameter_changes(values: list[str], option: str = "--set") -> dict[str, float]:
    """`KEY=VALUE` strings (a model parameter and a number) as a dict."""
    out: dict[str, float] = {}
    for text in values:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{option} expects KEY=VALUE with a model parameter, got '{text}'")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise InputError(f"{option} {key.strip()}: expected a number, got '{value}'") from None
    return out
