"""Mesa agents: factions and backers.

Their state lives in the model's numpy arrays (`sim.model.state.State`), so
that pairwise computations stay vectorised; an agent is a named view of one
row, with the verbs a reader of the code looks for.
"""

from __future__ import annotations

import mesa


class FactionAgent(mesa.Agent):
    """An armed faction: fighters, ideology, backers, fronts, grievances."""

    def __init__(self, model, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.faction_id = model.state.ids[index]

    @property
    def name(self) -> str:
        return self.model.state.names[self.index]

    @property
    def strength(self) -> float:
        return float(self.model.state.strength[self.index])

    @property
    def alive(self) -> bool:
        return bool(self.model.state.alive[self.index])

    @property
    def entity(self) -> str:
        """The merged entity it belongs to, or its own id."""
        return self.model.state.actor_of[self.index]

    @property
    def rooms(self) -> list[str]:
        return self.model.state.rooms_of(self.entity)

    @property
    def designated(self) -> bool:
        return bool(self.model.state.designated[self.index])

    def grievance_towards(self, other: "FactionAgent") -> float:
        return float(self.model.state.grievance[self.index, other.index])


class BackerAgent(mesa.Agent):
    """A foreign backer: funding, unity push, tolerance, red line, veto."""

    def __init__(self, model, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.backer_id = model.state.backer_ids[index]

    @property
    def funding(self) -> float:
        return float(self.model.state.funding[self.index])

    @property
    def clients(self) -> dict[str, float]:
        st = self.model.state
        col = st.dependence[:, self.index]
        return {st.ids[u]: float(col[u]) for u in range(st.n) if col[u] > 0 and st.alive[u]}
