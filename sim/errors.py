"""Errors that reach the user.

`InputError` is bad input (a scenario, a spec, a run folder): the command line
prints its message as one paragraph and exits with code 2, without a traceback.
Anything else is an internal error (exit code 1).
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input, located by file, line and key path where known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file) + (f", line {self.line}" if self.line else ""))
        if self.key:
            where.append(f"key '{self.key}'")
        prefix = ": ".join([" ".join(where)]) if where else ""
        return f"{prefix}: {self.message}" if prefix else self.message
