"""Entry point of the `coalsim` console script.

Exit codes: 0 success, 2 bad input (one-paragraph message, no traceback),
1 internal error. Subcommands are the `cmd_*` modules of this package; each
exposes `register(subparsers)` and sets `func` on its parser.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import threading
import textwrap

from sim import __version__
from sim.errors import InputError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse prints usage and exits 2 on bad arguments already; keep that."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="coalsim",
        description="Agent-based simulator of armed-faction coalitions (Mesa).",
    )
    parser.add_argument("--version", action="version", version=f"coalsim {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show full tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    import sim.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"sim.cli.{info.name}").register(sub)
    return parser


def _terminate(_signum, _frame) -> None:
    """SIGTERM (kill, a batch scheduler) unwinds like Ctrl-C, so that worker pools,
    Dask clusters and temporary folders are cleaned up on the way out."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _dispatch(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace) -> int:
    try:
        code = args.func(args)
    except InputError as err:
        print(textwrap.fill(f"error: {err}", width=100), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except Exception as err:  # an internal error: say so plainly
        if args.debug:
            raise
        print(f"internal error: {type(err).__name__}: {err} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK if code is None else int(code)


if __name__ == "__main__":
    sys.exit(main())
