"""Documented rivalries give an initial grievance, both ways, that lowers
affinity from the first month."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.config import load_scenario, scenario_from_dict
from sim.model.model import CoalitionModel
from sim.model.state import initial_state
from sim.rules.utility import affinity

ROOT = Path(__file__).resolve().parents[2]


def scenario(rivalries=(), end="2030-03", **params):
    factions = [{"id": fid, "name": fid.upper(), "strength": 2000, "ideology": [2.0, 2.0, 2.0],
                 "fronts": {"north": 1.0}} for fid in ("a", "b", "c")]
    return scenario_from_dict({
        "name": "rivals", "start": "2030-01", "end": end,
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 0.5}}],
        "rivalries": list(rivalries), "parameters": params})


def test_a_rivalry_is_an_initial_grievance_both_ways() -> None:
    st = initial_state(scenario([{"a": "a", "b": "c", "value": 2.5, "source": "test"}]))
    assert st.grievance[0, 2] == st.grievance[2, 0] == 2.5
    assert st.grievance[0, 1] == st.grievance[1, 2] == 0.0


def test_rivals_like_each_other_less() -> None:
    def first_affinity(sc):
        model = CoalitionModel(sc, seed=1)
        model.step()
        return affinity(model.last_observation)

    calm = first_affinity(scenario())
    rivals = first_affinity(scenario([{"a": "a", "b": "c", "value": 2.5, "source": "test"}]))
    assert rivals[0, 2] < calm[0, 2] - 1.0 and rivals[2, 0] < calm[2, 0] - 1.0
    assert np.isclose(rivals[0, 1], calm[0, 1])


def test_a_rivalry_fades_down_to_its_floor_and_no_further() -> None:
    """Grievances decay each month; with `rivalry_floor` the grievance of a
    rivalry open at the start stops at that share of its initial value, while
    grievances born later still decay (0: the rivalry fades like the rest)."""
    rival = [{"a": "a", "b": "c", "value": 2.0, "source": "test"}]

    def grievance_after(months, **params):
        model = CoalitionModel(scenario(rival, end="2035-12", coordination_cost=50.0,
                                        merge_cost=50.0, fight_cost=50.0, **params), seed=1)
        for _ in range(months):
            model.step()
        return model.state.grievance

    faded = grievance_after(60)
    assert faded[0, 2] == faded[2, 0] < 0.2          # 2.0 * 0.95 ** 60 = 0.09
    held = grievance_after(60, rivalry_floor=0.5)
    assert held[0, 2] == held[2, 0] == 1.0
    early = grievance_after(3, rivalry_floor=0.5)     # above the floor it decays as before
    assert early[0, 2] == early[2, 0] < 2.0 * 0.95 ** 2 and early[0, 2] > 1.0
    assert held[0, 1] == held[1, 2] == 0.0


def test_the_baseline_encodes_the_documented_wars_with_the_islamic_state() -> None:
    sc = load_scenario(ROOT / "scenarios" / "idlib_2015_2018.yaml")
    pairs = {frozenset((r.a, r.b)) for r in sc.rivalries}
    for rival in ("nusra", "ahrar", "jaysh_islam", "suqour"):
        assert frozenset(("isis", rival)) in pairs
    assert all(r.source.startswith("MMP") for r in sc.rivalries)
