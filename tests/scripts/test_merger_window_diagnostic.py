"""The merger-window diagnostic bars mergers before its month, and only then."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sim.api import load_scenario, simulate, with_parameters

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "merger_window_diagnostic", ROOT / "scripts" / "merger_window_diagnostic.py")
diagnostic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(diagnostic)

MERGERS = {"merger", "absorbed"}


def _mergers(trajectory):
    return [e.month for e in trajectory.events if e.endogenous and e.type in MERGERS]


def test_no_merger_before_the_month_and_the_baseline_when_nothing_is_barred() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "idlib_2015_2018.yaml")
    cheap = {"merge_cost": 0.5}                                  # mergers from the start
    plain = simulate(with_parameters(scenario, **cheap), seed=1)
    assert any(m < "2016-09" for m in _mergers(plain))
    barred = diagnostic.barred_trajectory(1, "2016-09", cheap, scenario)
    assert _mergers(barred) and min(_mergers(barred)) >= "2016-09"
    unbarred = diagnostic.barred_trajectory(1, "2015-01", cheap, scenario)
    assert [(e.month, e.type, e.actors) for e in unbarred.events] == \
        [(e.month, e.type, e.actors) for e in plain.events]
