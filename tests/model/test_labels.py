"""Display names: a label names a room or entity only in the months it is valid
for, and an absorber's entity goes by its faction's current name."""

from __future__ import annotations

from sim.config import scenario_from_dict
from sim.config.schema import Label
from sim.model.model import CoalitionModel
from sim.model.organisations import Ledger
from sim.model.state import initial_state
from sim.naming import label_for

FACTIONS = [{"id": f, "name": f.title(), "strength": s, "ideology": [2.0]}
            for f, s in (("nusra", 7000), ("zenki", 5000), ("ahrar", 9000), ("suqour", 1000))]


def _scenario(**extra):
    return scenario_from_dict({"name": "labels", "start": "2016-01", "end": "2017-06",
                               "ideology_scales": ["x"], "factions": FACTIONS, **extra})


def test_a_label_is_valid_from_since_to_until_inclusive() -> None:
    labs = [Label(name="HTS", contains=["nusra", "zenki"], since="2017-01", until="2018-12"),
            Label(name="any time", contains=["nusra"])]
    ids = {"nusra", "zenki"}
    assert label_for(labs, ids, "entity", "2016-12") == "any time"     # falls through
    assert label_for(labs, ids, "entity", "2017-01") == "HTS"
    assert label_for(labs, ids, "entity", "2018-12") == "HTS"
    assert label_for(labs, ids, "entity", "2019-01") == "any time"
    assert label_for(labs, {"zenki"}, "entity", "2017-06") is None


def test_the_ledger_names_a_merger_by_the_labels_of_its_month() -> None:
    sc = _scenario(labels=[{"name": "Hay'at Tahrir al-Sham", "contains": ["nusra", "zenki"],
                            "applies_to": "entity", "since": "2017-01"}])
    st = initial_state(sc)
    led = Ledger(st, list(sc.labels), [])
    led.month = "2016-06"
    early = led.merge("nusra", "zenki", absorb_ratio=3.0)        # 7000 vs 5000: a merger
    assert st.entities[early].name == "Nusra coalition"
    led.split(st.ids.index("zenki"), betrayal=0.0)
    led.month = "2017-01"
    late = led.merge("nusra", "zenki", absorb_ratio=3.0)
    assert st.entities[late].name == "Hay'at Tahrir al-Sham"
    assert led.events[-1].detail.startswith("Hay'at Tahrir al-Sham: ")


def test_an_absorber_renamed_by_the_scenario_names_its_entity_anew() -> None:
    """Nusra absorbs a group, then is renamed (JFS, July 2016): the entity it
    leads is called by the new name in the events that follow."""
    sc = _scenario(events=[{"month": "2016-03", "type": "renamed", "faction": "nusra",
                            "name": "Jabhat Fatah al-Sham", "source": "fictional"}])
    model = CoalitionModel(sc, seed=1)
    st = model.state
    model.ledger.month = "2016-01"
    assert model.ledger.merge("nusra", "suqour", absorb_ratio=3.0) == "nusra"
    assert st.entities["nusra"].name == "Nusra"
    while model.month < "2016-04":
        model.step()
    assert st.names[st.ids.index("nusra")] == "Jabhat Fatah al-Sham"
    assert st.entities["nusra"].name == "Jabhat Fatah al-Sham"
    renamed = [e for e in model.trajectory.events if e.type == "renamed"]
    assert renamed and renamed[0].detail == "Nusra becomes Jabhat Fatah al-Sham"
