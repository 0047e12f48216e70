"""Every scenario file in `scenarios/` validates and runs to its end.

A file is a scenario when its top level is a mapping with a `factions:` key
(landscape files and others in `scenarios/` are skipped). Counterfactuals of
the baseline must differ from it only in the sections they say they change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.api import simulate
from sim.config import load_scenario
from sim.config.months import to_index

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "idlib_2015_2018.yaml"


def _is_scenario(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return True   # a broken file under scenarios/ should fail loudly below
    return isinstance(data, dict) and "factions" in data


FILES = sorted(p for p in SCENARIOS.rglob("*.yaml") if _is_scenario(p))


def test_there_are_scenarios():
    assert BASELINE in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_scenario_validates_and_runs(path):
    sc = load_scenario(path)
    tr = simulate(sc, seed=1)
    n_months = to_index(sc.end) - to_index(sc.start) + 1
    assert len(tr.months) == n_months
    assert tr.months[0] == sc.start and tr.months[-1] == sc.end
    assert set(tr.factions) == {f.id for f in sc.factions}


# Sections each counterfactual of the baseline may change (besides name, description and
# the targets path, which is relative to its folder).
COUNTERFACTUALS = {
    "no_russian_intervention.yaml": {"fronts", "events"},
    "backers_allow_merger.yaml": {"backers"},
    "no_us_programme_end.yaml": {"backers"},
}


@pytest.mark.parametrize("name", sorted(COUNTERFACTUALS))
def test_counterfactual_differs_only_where_it_says(name):
    path = SCENARIOS / "counterfactuals" / name
    if not path.exists():
        pytest.skip(f"{name} is not there")
    base = load_scenario(BASELINE).model_dump(mode="json")
    cf = load_scenario(path).model_dump(mode="json")
    changed = {k for k in base if base[k] != cf[k]} - {"name", "description", "targets"}
    assert changed, f"{name} is identical to the baseline"
    assert changed <= COUNTERFACTUALS[name], (
        f"{name} changes {sorted(changed - COUNTERFACTUALS[name])} beyond what it declares")
    assert cf["description"].strip() and cf["name"] != base["name"]
    if base["targets"] is not None:
        resolved_base = (BASELINE.parent / base["targets"]).resolve()
        resolved_cf = (path.parent / cf["targets"]).resolve()
        assert resolved_base == resolved_cf, "the counterfactual points at other targets"


def test_no_russian_intervention_holds_the_pre_intervention_levels():
    path = SCENARIOS / "counterfactuals" / "no_russian_intervention.yaml"
    if not path.exists():
        pytest.skip("no_russian_intervention.yaml is not there")
    base = {fr.id: fr.intensity for fr in load_scenario(BASELINE).fronts}
    for fr in load_scenario(path).fronts:
        assert max(fr.intensity) <= "2015-09", fr.id
        assert fr.intensity == {m: v for m, v in base[fr.id].items() if m <= "2015-09"}
