"""`coalsim schema`: the JSON Schema of scenario files (or a Markdown key reference)."""

from __future__ import annotations

import argparse
import json

from sim.config.reference import markdown_reference
from sim.config.schema import Scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files",
                       description="Print the JSON Schema of scenario files, for editors that "
                       "complete and check YAML (e.g. with a yaml-language-server comment), or "
                       "with --markdown a reference of every key.")
    p.add_argument("--markdown", action="store_true", help="print a Markdown key reference")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.markdown:
        print(markdown_reference(), end="")
    else:
        print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0
