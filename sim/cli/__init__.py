"""The `coalsim` command line. Each subcommand lives in its own `cmd_<name>.py`
module exposing `register(subparsers)`; `main.py` discovers them."""
