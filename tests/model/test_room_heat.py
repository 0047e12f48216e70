"""Rooms serve offensives (`room_heat`): a room whose front falls below that
intensity lapses, and no room is formed or entered on such a front."""

from __future__ import annotations

import numpy as np

from sim.model.model import CoalitionModel
from sim.model.observe import actors_of, observe
from sim.model.state import initial_state
from sim.rules.choice import N_SINGLE, valid_options
from two_fronts import two_fronts


def scenario(**params):
    """a holds the north and the south, b and d the north, c the south; a and d
    share a northern room. The north is fought at 1.0 in January and at 0.2
    from February; the south at 0.2 throughout."""
    return two_fronts("heat", "2030-04", {"2030-01": 1.0, "2030-02": 0.2}, {"2030-01": 0.2},
                      {"coordination_cost": 0.0, "threat_coordination": 20.0, **params})


def look(intensity, **params):
    sc = scenario(**params)
    st = initial_state(sc)
    actors = actors_of(st)
    obs = observe(st, actors, sc.parameters, np.asarray(intensity), 0)
    return obs, {k: i for i, k in enumerate(actors.keys)}


def test_no_room_is_offered_on_a_quiet_front() -> None:
    """a and b would coordinate in the north (fought at 1.0), a and c in the
    south (0.2). At `room_heat` 0.5 only the southern proposal is barred; at 0
    (the default) neither is."""
    obs, ix = look([1.0, 0.2], room_heat=0.5)
    a, b, c = ix["a"], ix["b"], ix["c"]
    assert obs.quiet[a, c] and obs.quiet[c, a]
    assert not obs.quiet[a, b]
    coordinate = valid_options(obs)[:, N_SINGLE:N_SINGLE + obs.n_actors]
    assert not coordinate[a, c] and coordinate[a, b]
    # Once the north is quiet too, no room is on offer anywhere.
    obs, _ = look([0.2, 0.2], room_heat=0.5)
    assert obs.quiet[~np.eye(obs.n_actors, dtype=bool)].all()
    obs, _ = look([0.2, 0.2])
    assert not obs.quiet.any()
    assert valid_options(obs)[a, N_SINGLE + c]


def rooms_by_month(model: CoalitionModel) -> dict[str, set[str]]:
    model.run()
    tr = model.trajectory
    out: dict[str, set[str]] = {}
    for month, rooms in zip(tr.m_month, tr.m_rooms):
        out.setdefault(month, set()).update(r for r in rooms.split(";") if r)
    return out


def test_a_room_lapses_when_its_front_falls_quiet() -> None:
    """The northern room holds while the north is fought (January), lapses in
    February, and no room is formed in the quiet months that follow. Without
    `room_heat` the same seed keeps the room to the end and forms another on
    the quiet south."""
    model = CoalitionModel(scenario(room_heat=0.5), seed=3)
    rooms = rooms_by_month(model)
    assert rooms["2030-01"] == {"rn"}
    assert rooms["2030-02"] == rooms["2030-03"] == rooms["2030-04"] == set()
    lapsed = [e for e in model.trajectory.events if e.type == "room_dissolved"]
    assert [(e.month, e.entity) for e in lapsed] == [("2030-02", "rn")]
    assert "lapses" in lapsed[0].detail
    assert not [e for e in model.trajectory.events
                if e.type in ("room_formed", "room_joined") and e.month > "2030-01"]
    # The default: rooms never lapse, and form on any front.
    model = CoalitionModel(scenario(), seed=3)
    rooms = rooms_by_month(model)
    assert "rn" in rooms["2030-04"]
    assert [e for e in model.trajectory.events if e.type == "room_formed" and e.month > "2030-01"]
