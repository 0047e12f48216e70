"""A small two-front scenario for tests of rooms and relief: a holds the north
and the south, b and d the north, c the south; a and d share a northern room
(`rn`). 2,000 fighters each, all of one ideology."""

from __future__ import annotations

from sim.config import scenario_from_dict
from sim.config.schema import Scenario


def two_fronts(name: str, end: str, north: dict[str, float], south: dict[str, float],
               parameters: dict) -> Scenario:
    """The scenario from 2030-01 to `end`, with the fronts' intensity schedules."""
    factions = []
    for fid, fronts in (("a", {"north": 0.5, "south": 0.5}), ("b", {"north": 1.0}),
                        ("c", {"south": 1.0}), ("d", {"north": 1.0})):
        factions.append({"id": fid, "name": fid.upper(), "strength": 2000,
                         "ideology": [2.0, 2.0, 2.0], "fronts": fronts})
    return scenario_from_dict({
        "name": name, "start": "2030-01", "end": end,
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "fronts": [{"id": "north", "name": "North", "intensity": north},
                   {"id": "south", "name": "South", "intensity": south}],
        "rooms": [{"id": "rn", "name": "N", "members": ["a", "d"], "front": "north",
                   "source": "test"}],
        "parameters": parameters})
