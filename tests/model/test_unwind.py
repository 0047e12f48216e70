"""An entity left with one faction is that faction again, in every room and
fight the entity held."""

from __future__ import annotations

from sim.config import scenario_from_dict
from sim.model.organisations import Ledger
from sim.model.state import initial_state


def ledger():
    factions = [{"id": f, "name": f.title(), "strength": s, "ideology": [2.0]}
                for f, s in (("ahrar", 9000), ("suqour", 1000), ("faylaq", 3000), ("zenki", 2000))]
    sc = scenario_from_dict({"name": "unwind", "start": "2030-01", "end": "2030-06",
                             "ideology_scales": ["x"], "factions": factions})
    st = initial_state(sc)
    return st, Ledger(st, [], [])


def test_an_absorber_left_alone_keeps_its_rooms_and_fights() -> None:
    st, led = ledger()
    led.coordinate("ahrar", "faylaq")
    key = led.merge("ahrar", "suqour", absorb_ratio=3.0)
    assert key == "ahrar" and "ahrar" in st.entities          # absorbed: the entity keeps ahrar's id
    led.start_fight("ahrar", "zenki")
    led.split(st.ids.index("suqour"), betrayal=1.0)
    assert "ahrar" not in st.entities
    room = st.rooms_of("ahrar")
    assert len(room) == 1 and set(st.rooms[room[0]].members) == {"ahrar", "faylaq"}
    assert ("ahrar", "zenki") in st.fights


def test_a_generated_entity_left_alone_hands_its_rooms_to_its_last_faction() -> None:
    st, led = ledger()
    key = led.merge("faylaq", "zenki", absorb_ratio=3.0)      # 3000 vs 2000: a merger, new id
    assert key.startswith("E")
    led.coordinate(key, "ahrar")
    led.split(st.ids.index("zenki"), betrayal=1.0)
    room = st.rooms_of("faylaq")
    assert len(room) == 1 and set(st.rooms[room[0]].members) == {"faylaq", "ahrar"}
