"""`coalsim dashboard [SCENARIO]`: the browser dashboard for teaching.

Starts a Solara server (`solara run sim.dashboard.app --production`) as a
child process on 127.0.0.1, prints the address and waits; Ctrl-C (or SIGTERM)
stops the server cleanly.

It works offline: Solara's JavaScript, CSS and fonts are served by the server
itself from the `solara-assets` package (`SOLARA_ASSETS_PROXY=true` serves
them from the local cache that package fills, and `SOLARA_ASSETS_CDN` points
at a local address, so a missing file fails at once instead of being fetched
from cdn.jsdelivr.net). Solara's usage telemetry is switched off. The page
draws with matplotlib only (Altair needs a CDN).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sim.config import load_scenario
from sim.dashboard import ENV_ROOT, ENV_SCENARIO
from sim.errors import InputError

DEFAULT_PORT = 8765
#: Environment of the Solara server: everything local, nothing phoned home.
OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/offline-no-cdn/",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "MPLBACKEND": "Agg",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dashboard", help="open the browser dashboard (teaching)",
        description="Start the browser dashboard on this machine and print its address. "
        "Pick a scenario, set the seed and the sliders (backer pressure, ideology weight, "
        "loss sensitivity, choice temperature) and Step / Play / Reset to watch factions "
        "coordinate, merge, fight and split. Works without internet. Ctrl-C stops it.")
    p.add_argument("scenario", nargs="?", default=None,
                   help="scenario YAML to open first (default: scenarios/teaching/four_factions.yaml)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--scenarios", default=None, metavar="DIR",
                   help="folder whose **/*.yaml scenarios the picker lists (default: ./scenarios, "
                   "else the repository's)")
    p.set_defaults(func=run)


def _default_scenario(root: Path) -> Path:
    candidate = root / "teaching" / "four_factions.yaml"
    if candidate.is_file():
        return candidate
    raise InputError(f"no scenario given and {candidate} does not exist; "
                     "name a scenario file: coalsim dashboard SCENARIO")


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as err:
            raise InputError(f"cannot listen on {host}:{port} ({err.strerror or err}); "
                             "choose another --port") from None


def _wait_for_port(host: str, port: int, child: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    probe = "127.0.0.1" if host in ("0.0.0.0", "") else host
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        try:
            with socket.create_connection((probe, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop(child: subprocess.Popen) -> None:
    """Ask the server to stop (SIGINT, like Ctrl-C), then insist."""
    if child.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGTERM, 5.0)):
        try:
            child.send_signal(sig)
            child.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return
    child.kill()
    child.wait()


def run(args: argparse.Namespace) -> int:
    root = Path(args.scenarios) if args.scenarios else (
        Path.cwd() / "scenarios" if (Path.cwd() / "scenarios").is_dir()
        else Path(__file__).resolve().parents[2] / "scenarios")
    if args.scenarios and not root.is_dir():
        raise InputError(f"--scenarios {root}: no such folder")
    scenario = Path(args.scenario) if args.scenario else _default_scenario(root)
    load_scenario(scenario)                 # bad file -> InputError (exit 2) before any server
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, got {args.port}")
    port = args.port or _free_port(args.host)
    _check_port(args.host, port)

    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    env[ENV_SCENARIO] = str(scenario.resolve())
    env[ENV_ROOT] = str(root.resolve())
    # Solara warns on every page load over plain http at 127.0.0.1 that it falls back to
    # SameSite=lax cookies: expected for a local server, so keep the terminal quiet.
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), quiet) if w)
    cmd = [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--production",
           "--host", args.host, "--port", str(port), "--no-open", "--log-level", "warning"]
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '') else args.host}:{port}/"

    # SIGTERM (e.g. from a test or a service manager) stops us like Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    child = subprocess.Popen(cmd, env=env)
    try:
        print(f"coalsim dashboard: starting {scenario} at {url}", flush=True)
        if not _wait_for_port(args.host, port, child, timeout=90.0):
            code = child.poll()
            _stop(child)
            raise RuntimeError(f"the Solara server did not start (exit code {code})")
        print(f"Dashboard ready: open {url} in a browser (Ctrl-C to stop)", flush=True)
        code = child.wait()
        if code not in (0, -signal.SIGINT, 130):
            print(f"the dashboard server stopped with exit code {code}", file=sys.stderr)
            return 1
        # The server stopped on its own, or on a Ctrl-C that reached only it (a
        # process started as a background job ignores SIGINT itself).
        print("dashboard stopped", flush=True)
        return 0
    except KeyboardInterrupt:
        print("\nstopping the dashboard ...", flush=True)
        try:            # Ctrl-C in a terminal reaches the server too: give it a moment
            child.wait(timeout=3.0)
        except subprocess.TimeoutExpired:
            _stop(child)
        print("dashboard stopped", flush=True)
        return 0
    finally:
        if child.poll() is None:
            _stop(child)
        signal.signal(signal.SIGTERM, previous)
