"""Landscape files: YAML with actors, sizes and pairwise propensities.

Format (every key but ``actors`` and ``propensities`` optional)::

    name: Two friendly pairs            # free text
    source: where the numbers come from # free text; cite it
    actors:                             # at least one
      - {id: a, size: 2}                # id: a string; size: a number > 0
      - {id: b, size: 1, name: Bravo}   # name: optional display name
      - {id: c, size: 1}
    propensities:                       # exactly one of matrix / pairs
      pairs:                            # pairs not listed have propensity 0
        - [a, b, 1.5]                   # list form [id, id, p]
        - {a: b, b: c, p: -1}           # or mapping form
      # matrix:                         # or a full n x n matrix, rows in actor order,
      #   - [0, 1.5, 0]                 # symmetric (p_ij = p_ji); the diagonal is ignored
      #   - [1.5, 0, -1]
      #   - [0, -1, 0]

Rules: files are read with ``yaml.safe_load`` only; unknown keys, duplicate
keys, wrong types (PyYAML reads ``no`` as false and ``010`` as 8, so ids must
be strings: quote them), sizes that are not > 0, non-finite numbers, a
non-symmetric or wrongly shaped matrix, unknown or duplicate actor ids, a pair
of an actor with itself and a pair given twice all raise
:class:`sim.errors.InputError` naming the file, the line (from
``yaml.compose``) and the key path, e.g. ``propensities.pairs[3]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from sim.config.loader import line_map

from sim.errors import InputError

__all__ = ["Landscape", "load_landscape", "parse_landscape", "read_yaml_top"]

TOP_KEYS = {"name", "source", "actors", "propensities"}
ACTOR_KEYS = {"id", "size", "name"}
PAIR_KEYS = {"a", "b", "p"}


@dataclass
class Landscape:
    """A validated landscape: ``sizes[i]`` and ``p[i, j]`` for actor ``ids[i]``."""

    ids: list[str]
    sizes: np.ndarray
    p: np.ndarray
    name: str | None = None
    source: str | None = None
    file: str | None = None
    names: list[str | None] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.ids)


class _Lines:
    """Key path -> 1-based line, from the composed YAML node tree."""

    def __init__(self, root, file: str | None) -> None:
        self.file = file
        self.lines: dict[str, int] = line_map(root, file)

    def line(self, path: str) -> int | None:
        p = path
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""

    def error(self, message: str, path: str) -> InputError:
        return InputError(message, file=self.file, line=self.line(path), key=path or None)


def _yaml_error(err: yaml.YAMLError, file: str | None) -> InputError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(err, "problem", None) or str(err)
    return InputError(f"this is not valid YAML ({problem}).", file=file, line=line)


def read_yaml_top(path: str | Path) -> tuple[object, str]:
    """Read a YAML file with ``safe_load``; return (data, text). InputError if unreadable."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file.", file=file) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the file ({err}).", file=file) from None
    try:
        return yaml.safe_load(text), text
    except yaml.YAMLError as err:
        raise _yaml_error(err, file) from None


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _number(x, lines: _Lines, path: str, what: str) -> float:
    if not _is_number(x):
        raise lines.error(f"{what} must be a number, got {type(x).__name__} {x!r}.", path)
    v = float(x)
    if not math.isfinite(v):
        raise lines.error(f"{what} must be finite, got {x!r}.", path)
    return v


def _check_keys(d: dict, allowed: set[str], lines: _Lines, path: str, what: str) -> None:
    for k in d:
        if k not in allowed:
            sub = f"{path}.{k}" if path else str(k)
            raise lines.error(f"unknown key '{k}' in {what}; allowed keys: {', '.join(sorted(allowed))}.", sub)


def load_landscape(path: str | Path) -> Landscape:
    """Read and validate a landscape file; see the module docstring for the format."""
    data, text = read_yaml_top(path)
    return parse_landscape(text, file=str(path), data=data)


def parse_landscape(text: str, file: str | None = None, data=None) -> Landscape:
    """Validate landscape YAML given as text (``data`` = its ``safe_load`` if already done)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if data is None:
            data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise _yaml_error(err, file) from None
    lines = _Lines(root, file)

    if not isinstance(data, dict):
        raise lines.error("a landscape file must be a mapping with 'actors' and 'propensities'.", "")
    _check_keys(data, TOP_KEYS, lines, "", "a landscape file")
    for key in ("actors", "propensities"):
        if key not in data:
            raise InputError(f"missing required key '{key}'.", file=file, line=1, key=key)
    meta = {}
    for key in ("name", "source"):
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise lines.error(f"'{key}' must be text, got {type(v).__name__}.", key)
        meta[key] = v

    actors = data["actors"]
    if not isinstance(actors, list) or not actors:
        raise lines.error("'actors' must be a non-empty list of {id, size} entries.", "actors")
    ids: list[str] = []
    sizes: list[float] = []
    names: list[str | None] = []
    where: dict[str, int] = {}
    for i, a in enumerate(actors):
        path = f"actors[{i}]"
        if not isinstance(a, dict):
            raise lines.error(f"each actor must be a mapping with 'id' and 'size', got {type(a).__name__}.", path)
        _check_keys(a, ACTOR_KEYS, lines, path, "an actor")
        for key in ("id", "size"):
            if key not in a:
                raise lines.error(f"actor is missing '{key}'.", path)
        aid = a["id"]
        if not isinstance(aid, str) or not aid.strip():
            raise lines.error(f"actor id must be a non-empty string, got {type(aid).__name__} {aid!r} "
                              "(quote ids such as no, yes, on or 010).", f"{path}.id")
        if aid in where:
            raise lines.error(f"duplicate actor id '{aid}' (also actors[{where[aid]}]).", f"{path}.id")
        size = _number(a["size"], lines, f"{path}.size", "actor size")
        if size <= 0:
            raise lines.error(f"actor size must be > 0, got {a['size']!r}.", f"{path}.size")
        name = a.get("name")
        if name is not None and not isinstance(name, str):
            raise lines.error("actor name must be text.", f"{path}.name")
        where[aid] = i
        ids.append(aid)
        sizes.append(size)
        names.append(name)
    n = len(ids)

    prop = data["propensities"]
    if not isinstance(prop, dict):
        raise lines.error("'propensities' must be a mapping with either 'matrix' or 'pairs'.", "propensities")
    _check_keys(prop, {"matrix", "pairs"}, lines, "propensities", "'propensities'")
    if ("matrix" in prop) == ("pairs" in prop):
        raise lines.error("give exactly one of 'propensities.matrix' or 'propensities.pairs'.", "propensities")
    P = np.zeros((n, n))
    if "matrix" in prop:
        M = prop["matrix"]
        path = "propensities.matrix"
        if not isinstance(M, list) or len(M) != n:
            raise lines.error(f"the matrix must be a list of {n} rows (one per actor, in actor order).", path)
        for i, row in enumerate(M):
            if not isinstance(row, list) or len(row) != n:
                got = f"{len(row)} entries" if isinstance(row, list) else type(row).__name__
                raise lines.error(f"row {i} ({ids[i]}) must be a list of {n} numbers, got {got}.", f"{path}[{i}]")
            for j, v in enumerate(row):
                P[i, j] = _number(v, lines, f"{path}[{i}][{j}]", "a propensity")
        for i in range(n):
            for j in range(i + 1, n):
                if abs(P[i, j] - P[j, i]) > 1e-12 * max(1.0, abs(P[i, j]), abs(P[j, i])):
                    raise lines.error(
                        f"the matrix must be symmetric: p[{ids[i]}][{ids[j]}] = {P[i, j]:g} but "
                        f"p[{ids[j]}][{ids[i]}] = {P[j, i]:g}.", f"{path}[{j}][{i}]")
        np.fill_diagonal(P, 0.0)
    else:
        pairs = prop["pairs"]
        path0 = "propensities.pairs"
        if not isinstance(pairs, list):
            raise lines.error("'pairs' must be a list of [a, b, p] or {a:, b:, p:} entries.", path0)
        given: dict[tuple[int, int], int] = {}
        for k, item in enumerate(pairs):
            path = f"{path0}[{k}]"
            if isinstance(item, list):
                if len(item) != 3:
                    raise lines.error(f"a pair must be [a, b, p] with 3 entries, got {len(item)}.", path)
                a, b, pv = item
            elif isinstance(item, dict):
                _check_keys(item, PAIR_KEYS, lines, path, "a pair")
                missing = [x for x in ("a", "b", "p") if x not in item]
                if missing:
                    raise lines.error(f"a pair needs keys a, b and p; missing {', '.join(missing)}.", path)
                a, b, pv = item["a"], item["b"], item["p"]
            else:
                raise lines.error(f"a pair must be [a, b, p] or {{a:, b:, p:}}, got {type(item).__name__}.", path)
            idx = []
            for x in (a, b):
                if not isinstance(x, str):
                    raise lines.error(f"pair entries a and b must be actor ids (strings), got {x!r}.", path)
                if x not in where:
                    raise lines.error(f"unknown actor id '{x}' (known: {', '.join(ids)}).", path)
                idx.append(where[x])
            i, j = idx
            if i == j:
                raise lines.error(f"a pair needs two different actors, got '{a}' twice.", path)
            v = _number(pv, lines, path, "a propensity")
            key = (min(i, j), max(i, j))
            if key in given:
                raise lines.error(f"the pair {ids[key[0]]}-{ids[key[1]]} is given twice "
                                  f"(also {path0}[{given[key]}]).", path)
            given[key] = k
            P[i, j] = P[j, i] = v
    return Landscape(ids=ids, sizes=np.array(sizes), p=P, name=meta["name"], source=meta["source"],
                     file=file, names=names)
