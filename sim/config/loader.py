"""Reading YAML input with every error located by file, line and key path.

`load_yaml` parses with `yaml.safe_load` (no Python tags are ever constructed)
and also walks the composed node tree to map each key path
(`factions[3].strength`) to its line and to reject duplicate keys, which
PyYAML would otherwise silently overwrite. `validate` turns pydantic errors
into `InputError`s naming the first problem.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import InputError

M = TypeVar("M", bound=BaseModel)


def key_path(loc: tuple[Any, ...], lines: dict[str, int] | None = None) -> str:
    """`('factions', 3, 'strength')` -> `'factions[3].strength'`.

    An integer is a list index when the document has that index there (or when
    no document is given), otherwise a mapping key (an unquoted year, say).
    pydantic's `[key]` marker (an error about a mapping key) is dropped."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int) and (lines is None or f"{out}[{part}]" in lines):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class LocatedYaml:
    """Parsed YAML data plus a map from key paths to line numbers (1-based)."""

    def __init__(self, data: Any, lines: dict[str, int], path: str) -> None:
        self.data = data
        self.lines = lines
        self.path = path

    def line_of(self, key: str) -> int | None:
        """Line of `key`, or of its nearest enclosing key."""
        while key:
            if key in self.lines:
                return self.lines[key]
            cut = max(key.rfind("."), key.rfind("["))
            key = key[:cut] if cut > 0 else ""
        return self.lines.get("", None)

    def error(self, key: str, message: str) -> InputError:
        return InputError(message, file=self.path, line=self.line_of(key), key=key or None)


MAX_NODES = 200_000
_OCTAL_LIKE = re.compile(r"^[-+]?0[0-9_]+$")


class _Walk:
    """State of one walk: nodes visited (aliases count each time) and the
    nodes on the current path (an alias that contains itself is a cycle)."""

    def __init__(self) -> None:
        self.visits = 0
        self.stack: set[int] = set()


def _walk(node: yaml.Node, path: str, lines: dict[str, int], file: str,
          walk: _Walk | None = None) -> None:
    walk = walk or _Walk()
    walk.visits += 1
    if walk.visits > MAX_NODES:
        raise InputError(f"the file expands to more than {MAX_NODES:,} values (through YAML "
                         "aliases?); a scenario never needs that many", file=file,
                         line=node.start_mark.line + 1)
    if id(node) in walk.stack:
        raise InputError("a YAML alias refers to a node that contains it", file=file,
                         line=node.start_mark.line + 1, key=path or None)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:int" and _OCTAL_LIKE.match(str(node.value)) \
                and node.style is None:
            raise InputError(f"the number {node.value} starts with a zero, which YAML 1.1 may "
                             "read as octal; write it without the leading zero, or quote it "
                             "if it is text", file=file, line=node.start_mark.line + 1,
                             key=path or None)
        return
    walk.stack.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                raise InputError(
                    f"duplicate key '{key}' (first given on line {seen[key]})",
                    file=file, line=key_node.start_mark.line + 1, key=child)
            seen[key] = key_node.start_mark.line + 1
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines, file, walk)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, file, walk)
    walk.stack.discard(id(node))


def line_map(node: yaml.Node | None, file: str | None) -> dict[str, int]:
    """Key path -> 1-based line for a composed YAML document; rejects duplicate
    keys, alias bombs and cycles, and octal-looking numbers (InputError)."""
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines, str(file) if file else "")
    return lines


def load_yaml(path: str | Path, what: str = "file") -> LocatedYaml:
    """Read a YAML mapping from `path` safely, with line numbers."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no such {what}", file=path) from None
    except IsADirectoryError:
        raise InputError(f"expected a {what} but found a directory", file=path) from None
    except UnicodeDecodeError as err:
        raise InputError(f"the {what} is not UTF-8 text ({err.reason})", file=path) from None
    except OSError as err:
        raise InputError(f"cannot read the {what}: {err.strerror}", file=path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            # Walk before constructing: rejects alias bombs, cycles and octal-looking numbers.
            lines: dict[str, int] = {}
            _walk(node, "", lines, path)
        data = yaml.safe_load(text)
    except RecursionError:
        raise InputError(f"the {what} is nested too deeply to be a scenario", file=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        if "could not determine a constructor" in str(err):
            problem = (f"{problem}: tags that build Python objects are not allowed, "
                       "only plain YAML values")
        raise InputError(f"not valid YAML: {problem}", file=path,
                         line=mark.line + 1 if mark else None) from None
    if node is None or data is None:
        raise InputError(f"the {what} is empty", file=path)
    if not isinstance(data, dict):
        raise InputError(f"the {what} must be a mapping of keys to values, "
                         f"not a {type(data).__name__}", file=path, line=node.start_mark.line + 1)
    return LocatedYaml(data, lines, path)


def _describe(err: dict[str, Any]) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check its spelling against `coalsim schema`)"
    if kind == "missing":
        return "this required key is missing"
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if isinstance(value, bool):
        shown += " (YAML reads yes/no/on/off/true/false as booleans: quote it if you meant text)"
    if kind == "string_pattern_mismatch" and r"\d{4}" in str(err.get("ctx", {}).get("pattern", "")):
        return f"expected a month written as \"YYYY-MM\" (quoted), got {shown}"
    if kind == "string_pattern_mismatch" and "a-z" in str(err.get("ctx", {}).get("pattern", "")):
        return (f"expected an id of lower-case letters, digits and underscores starting with a "
                f"letter, got {shown}")
    return f"{msg}; got {shown}"


def validate(model: type[M], doc: LocatedYaml) -> M:
    """Validate `doc` against `model`; the first error becomes an InputError."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # Prefer the error with the deepest location: the most specific one.
        err = errors[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
        key = key_path(loc, doc.lines or None)
        more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
        raise doc.error(key, _describe(err) + more) from None


# pydantic names the branch of a discriminated union in the error location.
_UNION_TAGS = {"renamed", "designated", "ultimatum", "shock"}
