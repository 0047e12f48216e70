"""Shared helpers for the sweep tests: small specs on the teaching scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEACHING = REPO / "scenarios" / "teaching" / "four_factions.yaml"
PYTHON = sys.executable


def spec_dict(**overrides):
    """A small random-design spec on the teaching scenario (12 months)."""
    spec = {
        "name": "t_sweep",
        "scenario": str(TEACHING),
        "parameters": {"backer_pressure": {"range": [0.0, 3.0]},
                       "ideology_weight": {"range": [0.25, 2.0]},
                       "loss_sensitivity": {"choices": [0.5, 2.0]},
                       "temperature": {"value": 0.35}},
        "design": {"type": "random", "n": 6},
        "replicates": 2,
        "root_seed": 11,
        "until": "2030-12",
        "outcomes": ["n_rooms_formed", "n_room_exits", "n_infighting",
                     {"name": "first_room_month", "if_never": 12},
                     "first_merger_month", "largest_share", "largest_bloc_share",
                     "total_strength", "n_actors_at_end"],
    }
    spec.update(overrides)
    return spec


@pytest.fixture
def write_spec(tmp_path):
    def write(name="spec.yaml", **overrides) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(spec_dict(**overrides), sort_keys=False))
        return path
    return write


def coalsim(*args, **kwargs) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess (the way a user does)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([PYTHON, "-m", "sim.cli.main", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, env=env, **kwargs)
