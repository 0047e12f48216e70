"""Fixtures for the scoring tests (helpers live in scoring_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring_helpers import TARGETS_FILE  # noqa: E402


@pytest.fixture(scope="session")
def real_targets():
    from sim.scoring import load_targets

    return load_targets(TARGETS_FILE)
