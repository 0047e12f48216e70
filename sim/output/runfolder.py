"""Run folders: written under a temporary name, renamed when complete.

    runs/<scenario>-<UTC time>-<short hash>/
        manifest.json  config.resolved.yaml  events.csv  membership.csv  timeline.png

A failed or interrupted run leaves no folder that looks finished: the
temporary folder is removed on error and never has the final name.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from sim import __version__
from sim.config import Scenario, config_sha256, resolved_yaml
from sim.errors import InputError
from sim.trajectory import Trajectory

KEY_DEPENDENCIES = ("mesa", "numpy", "pandas", "pydantic", "pyyaml", "networkx", "matplotlib")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def dependency_versions(names=KEY_DEPENDENCIES) -> dict[str, str | None]:
    """Installed versions of `names` (None for a package that is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def default_folder(scenario: Scenario, seed: int, started: datetime, root: Path) -> Path:
    short = config_sha256(scenario)[:8]
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    return root / f"{scenario.name}-{stamp}-{short}-s{seed}"


def prepare_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("the output folder already exists and is not empty; choose another "
                         "--out or remove it", file=str(out))


@contextmanager
def atomic_folder(out: Path):
    """Write a folder atomically: yields a temporary folder beside `out` (which
    must be new or empty) and renames it to `out` when the block ends without
    an error; on an error it removes the temporary folder and the parents it
    created, so nothing half-written is left."""
    out = Path(out)
    prepare_target(out)
    created = [p for p in [out.parent, *out.parent.parents] if not p.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".coalsim-tmp-{out.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for p in created:  # parents this call made, deepest first
            try:
                p.rmdir()
            except OSError:
                break
        raise


def write_run_folder(out: Path, *, scenario: Scenario, scenario_path: str | None,
                     trajectory: Trajectory, started: datetime, until: str | None,
                     plot: bool = True, fit: dict | None = None) -> Path:
    """Write the run folder atomically and return its path."""
    out = Path(out)
    with atomic_folder(out) as tmp:
        (tmp / "config.resolved.yaml").write_text(resolved_yaml(scenario), encoding="utf-8")
        (tmp / "events.csv").write_text(trajectory.events_csv(), encoding="utf-8")
        (tmp / "membership.csv").write_text(trajectory.membership_csv(), encoding="utf-8")
        if plot:
            from sim.plots.timeline import plot_timeline

            # The resolved config names its targets relative to the run folder
            # (the temporary folder sits beside it, at the same depth).
            targets = str(tmp / scenario.targets) if scenario.targets else None
            plot_timeline(trajectory, tmp / "timeline.png", targets_path=targets)
        counts = Counter(e.type for e in trajectory.events)
        manifest = {
            "scenario": scenario.name,
            "scenario_path": str(scenario_path) if scenario_path else None,
            "config_sha256": config_sha256(scenario),
            "seed": trajectory.seed,
            "rule": scenario.rule,
            "period": {"start": trajectory.months[0] if trajectory.months else scenario.start,
                       "end": trajectory.months[-1] if trajectory.months else scenario.end,
                       "until": until},
            "coalsim_version": __version__,
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "dependencies": dependency_versions(),
            "command": sys.argv,
            "started": started.isoformat(timespec="seconds"),
            "finished": _now().isoformat(timespec="seconds"),
            "status": "complete",
            "event_counts": dict(sorted(counts.items())),
            "fit": fit,
            "files": sorted(p.name for p in tmp.iterdir()) + ["manifest.json"],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out
