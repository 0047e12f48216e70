"""The fights a model run started, for tests of the mechanisms that start them."""

from __future__ import annotations

from sim.model.model import CoalitionModel


def fights(sc, seed: int) -> list[tuple[str, frozenset]]:
    """(month, actors) of every fight started in a run of `sc` with `seed`."""
    model = CoalitionModel(sc, seed=seed)
    while not model.finished:
        model.step()
    return [(e.month, frozenset(e.actors)) for e in model.trajectory.events
            if e.type == "infighting_started"]
