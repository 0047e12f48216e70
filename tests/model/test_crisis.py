"""Change needs an agenda: crises (dated events, backer policy changes, front
escalations, fights and mergers) put organisational change on an actor's
agenda; with `base_activity` below 1 actors without a crisis keep things as
they are."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import scenario_from_dict
from sim.config.schema import Parameters
from sim.model.model import CoalitionModel
from sim.rules.choice import choose
from sim.rules.utility import WeightedUtility
from tests.rules.contract import observation

A, B, C, D, E = range(5)


def scenario(**params):
    factions = []
    for fid, fronts, backers in (("a", {"north": 1.0}, {"patron": 0.5}),
                                 ("b", {"north": 1.0}, {}),
                                 ("c", {"south": 1.0}, {"patron": 0.2}),
                                 ("d", {"north": 0.5, "south": 0.5}, {}),
                                 ("e", {"south": 1.0}, {})):
        factions.append({"id": fid, "name": fid.upper(), "strength": 3000,
                         "ideology": [2.0, 2.0, 2.0], "fronts": fronts, "backers": backers})
    return scenario_from_dict({
        "name": "crises", "start": "2030-01", "end": "2030-12",
        "ideology_scales": ["x", "y", "z"], "factions": factions,
        "backers": [{"id": "patron", "name": "Patron", "ideal": [2.0, 2.0, 2.0],
                     "tolerance": 1.0, "funding": 1.0,
                     "policy": [{"month": "2030-03", "unity_push": 2.0, "source": "test"}]}],
        "fronts": [{"id": "north", "name": "North",
                    "intensity": {"2030-01": 0.2, "2030-05": 0.35}},
                   {"id": "south", "name": "South", "intensity": {"2030-01": 0.2}}],
        "rooms": [{"id": "r0", "name": "Room", "members": ["d", "e"], "source": "test"}],
        "events": [{"month": "2030-07", "type": "designated", "by": "patron",
                    "factions": ["e"], "source": "test"}],
        "parameters": {"base_activity": 0.0, "crisis_memory": 0.5, "crisis_rise": 0.3,
                       **params}})


def crises_by_month(sc, seed: int = 1, field: str = "crisis"
                    ) -> tuple[dict[str, np.ndarray], CoalitionModel]:
    """Each month's crisis levels (or merger windows, `field="window"`) after the
    month's step, and the finished model."""
    model = CoalitionModel(sc, seed=seed)
    out = {}
    while not model.finished:
        month = model.month
        model.step()
        out[month] = getattr(model.state, field).copy()
    return out, model


def test_dated_inputs_open_crises_that_fade() -> None:
    crisis, _ = crises_by_month(scenario())
    assert crisis["2030-01"].tolist() == [0.0] * 5          # nothing has happened yet
    # The patron's policy change touches its clients a and c, and no one else.
    assert crisis["2030-03"].tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]
    assert crisis["2030-04"].tolist() == [0.5, 0.0, 0.5, 0.0, 0.0]   # crisis_memory 0.5
    # The north front rises by 0.15, half of `crisis_rise`: a half crisis, by presence
    # (c is not on the north front: its earlier crisis just decays).
    np.testing.assert_allclose(crisis["2030-05"], [0.5, 0.5, 0.25, 0.25, 0.0])   # c: 0.5 decayed
    # Designating e touches e and its room partner d.
    assert crisis["2030-07"][[D, E]].tolist() == [1.0, 1.0]
    assert crisis["2030-07"][B] < 0.2


@pytest.mark.parametrize("rise_merge", [1.0, 0.4, 0.0])
def test_offensives_open_merger_windows_by_rise_merge(rise_merge: float) -> None:
    """Dated events open the merger window as they open the crisis; the north
    front's rise (a half crisis) opens `rise_merge` of it."""
    sc = scenario(rise_merge=rise_merge)
    crisis, _ = crises_by_month(sc)
    window, _ = crises_by_month(sc, field="window")
    assert window["2030-03"].tolist() == crisis["2030-03"].tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]
    # 2030-05: a and c carry 0.25 of the patron's window; the rise adds 0.5 (a, b) and
    # 0.25 (d) of a crisis, of which the window takes rise_merge.
    np.testing.assert_allclose(window["2030-05"],
                               [max(0.25, 0.5 * rise_merge), 0.5 * rise_merge, 0.25,
                                0.25 * rise_merge, 0.0])
    assert window["2030-07"][[D, E]].tolist() == [1.0, 1.0]   # the designation opens it in full
    if rise_merge == 1.0:
        for month in crisis:
            assert window[month].tolist() == crisis[month].tolist()


def test_without_base_activity_nothing_happens_outside_crises() -> None:
    """With base_activity 0 and utilities that favour change, only actors with a
    crisis act: the first change comes with the first crisis (2030-03)."""
    sc = scenario(coordination_cost=0.0, threat_coordination=20.0, merge_cost=0.0,
                  temperature=0.2, unity_weight=6.0)
    _, model = crises_by_month(sc)
    changes = [ev for ev in model.trajectory.events if ev.endogenous]
    assert changes, "crises should let the actors act"
    assert min(ev.month for ev in changes) >= "2030-03"
    first = [ev for ev in changes if ev.month == min(e.month for e in changes)]
    for ev in first:                         # only the patron's clients a, c act then
        assert set(ev.actors) & {"a", "c"}


def test_base_activity_one_ignores_crises() -> None:
    """At base_activity 1 (the default) the crisis plays no part: decisions are
    those of the plain random-utility choice, whatever the crises."""
    obs = observation(5, crisis=np.array([0.0, 1.0, 0.0, 0.5, 0.0]))
    calm = observation(5)
    u = WeightedUtility().utilities(obs)
    d1 = choose(u, obs, np.random.default_rng(7))
    d2 = choose(u, calm, np.random.default_rng(7))
    for name in ("action", "target", "accepted", "defect", "expel"):
        assert np.array_equal(getattr(d1, name), getattr(d2, name))


@pytest.mark.parametrize("crisis,acts", [(0.0, False), (1.0, True)])
def test_gating_silences_calm_actors(crisis: float, acts: bool) -> None:
    params = Parameters(base_activity=0.0, coordination_cost=0.0, threat_coordination=30.0,
                        temperature=0.1)
    obs = observation(4, params=params, rooms=[(0, 1)], entities={2: [0.6, 0.4]},
                      threat=np.full(4, 1.0), support=np.full((4, 4), 0.5),
                      crisis=np.full(4, crisis))
    u = WeightedUtility().utilities(obs)
    u.defect[:] = 10.0
    u.expel[:] = 10.0
    changed = 0
    for seed in range(20):
        d = choose(u, obs, np.random.default_rng(seed))
        changed += int((d.action != 0).any() or d.defect.any() or d.expel.any())
    assert (changed == 20) if acts else (changed == 0)
