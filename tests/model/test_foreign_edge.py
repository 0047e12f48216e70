"""Foreign fighters hit harder in infighting: with `foreign_edge`, each side's
blows count its fighters times (1 + foreign_edge x foreign share), so a smaller
side with many foreign fighters can break a larger one (HTS, with the Turkistan
Islamic Party, against nominally larger Ahrar al-Sham in July 2017; timeline
line 73)."""

from __future__ import annotations

import pytest

from sim.config import scenario_from_dict
from sim.model.model import CoalitionModel

BIG, SMALL, FOREIGN = 6000.0, 4000.0, 0.8


def model(**params) -> CoalitionModel:
    factions = [
        {"id": "big", "name": "Big", "strength": BIG, "ideology": [1.0, 1.0, 1.0],
         "fronts": {"north": 1.0}},
        {"id": "small", "name": "Small", "strength": SMALL, "ideology": [5.0, 5.0, 5.0],
         "fronts": {"north": 1.0}, "foreign_fighters": FOREIGN},
    ]
    sc = scenario_from_dict({
        "name": "edge", "start": "2030-01", "end": "2030-12",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "fronts": [{"id": "north", "name": "North", "intensity": {"2030-01": 0.0}}],
        "parameters": {"truce_rate": 0.0, "fight_intensity": 0.1, "collapse_ratio": 0.3,
                       **params}})
    m = CoalitionModel(sc, seed=1)
    m.ledger.start_fight("big", "small")
    return m


def test_one_month_of_fighting_counts_foreign_fighters_edge_times() -> None:
    for edge in (0.0, 2.0):
        m = model(foreign_edge=edge)
        m._fights()
        big, small = m.state.strength
        assert small == pytest.approx(SMALL - 0.1 * BIG)
        assert big == pytest.approx(BIG - 0.1 * SMALL * (1.0 + edge * FOREIGN))


@pytest.mark.parametrize("edge, winner", [(0.0, "big"), (2.0, "small")])
def test_the_edge_decides_who_breaks(edge, winner) -> None:
    m = model(foreign_edge=edge)
    for _ in range(24):
        if not m.state.fights:
            break
        m._fights()
    assert not m.state.fights
    loser = "small" if winner == "big" else "big"
    ended = [e for e in m.trajectory.events if e.type == "infighting_ended"]
    assert len(ended) == 1 and ended[0].detail.endswith(f"collapse of {loser.capitalize()}")
    assert not m.state.alive[m.state.ids.index(loser)]
