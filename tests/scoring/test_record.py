"""The documented record replayed as a run (sim.scoring.record)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring_helpers import REPO, target, targets_yaml

from sim.calibration.objective import frames
from sim.config import scenario_from_dict
from sim.model.organisations import Ledger
from sim.model.state import initial_state
from sim.scoring.record import record_trajectory, replay, snapshot_differences
from sim.scoring.score import score_frames
from sim.scoring.targets import load_targets
from sim.scoring.trajectory import parse_sides

STRENGTH = {"nusra": 8000, "ahrar": 6000, "faylaq": 3000, "zenki": 2000, "suqour": 1000,
            "tip": 1500}


def small_scenario():
    factions = [{"id": f, "name": f.title(), "strength": s, "ideology": [3.0]}
                for f, s in STRENGTH.items()]
    return scenario_from_dict({"name": "record_test", "start": "2016-01", "end": "2016-12",
                               "ideology_scales": ["x"], "factions": factions})


def partners(*ids: str) -> str:
    return f"    partners: [{', '.join(ids)}]\n"


#: A small history: a room, an absorption, a fight, a merger, a split and a
#: merger in the same month, a join, a dissolution, the room's end, and a
#: target naming a faction the scenario lacks.
TARGETS = "".join([
    target("room", "2016-02", "room_formed", ["nusra", "ahrar", "faylaq"]),
    target("absorb", "2016-03", "absorbed", ["ahrar", "suqour"]),
    target("leave", "2016-04", "room_left", ["faylaq"], extra=partners("nusra", "ahrar")),
    target("fight", "2016-05", "infighting_started", ["ahrar", "nusra"],
           sides=(["ahrar"], ["nusra"])),
    target("fight_end", "2016-06", "infighting_ended", ["ahrar", "nusra"],
           sides=(["ahrar"], ["nusra"])),
    target("merge", "2016-07", "merger", ["nusra", "zenki"]),
    # listed before the split: the split still comes first (the model's order)
    target("jts", "2016-08", "merger", ["ahrar", "zenki"]),
    target("split", "2016-08", "split", ["zenki"], extra=partners("nusra")),
    target("join", "2016-09", "room_joined", ["faylaq"], extra=partners("nusra", "ahrar")),
    target("gone", "2016-10", "dissolved", ["tip"]),
    target("room_end", "2016-11", "room_dissolved", ["nusra", "ahrar", "faylaq"]),
    target("nasr", "2016-11", "room_formed", ["jaysh_nasr", "faylaq"]),
])
SNAPSHOT = """  - month: "2016-08"
    entities:
      - {name: jts, members: [ahrar, suqour, zenki], source: test}
    rooms:
      - {name: room, members: [nusra, ahrar, suqour, zenki], source: test}
"""


@pytest.fixture()
def small(tmp_path: Path):
    path = tmp_path / "targets.yaml"
    path.write_text(targets_yaml(TARGETS, SNAPSHOT), encoding="utf-8")
    return load_targets(path), small_scenario()


def row(tr, month: str, faction: str) -> tuple[str, str, int, bool]:
    for m, f, e, r, s, a in tr.membership_rows():
        if (m, f) == (month, faction):
            return e, r, s, a
    raise KeyError((month, faction))


def test_membership_follows_the_events(small) -> None:
    targets, scenario = small
    tr = record_trajectory(targets, scenario)
    assert tr.months[0] == "2016-01" and tr.months[-1] == "2016-12"
    assert len(tr.m_month) == 12 * len(STRENGTH)
    assert row(tr, "2016-01", "ahrar") == ("ahrar", "", 6000, True)
    assert [row(tr, "2016-02", f)[1] for f in ("nusra", "ahrar", "faylaq", "zenki")] == \
        ["R1", "R1", "R1", ""]
    # suqour inside Ahrar's entity shares its room
    assert row(tr, "2016-03", "suqour")[:2] == ("ahrar", "R1")
    assert row(tr, "2016-04", "faylaq")[1] == ""
    assert row(tr, "2016-07", "zenki")[:2] == ("E1", "R1")
    assert row(tr, "2016-07", "nusra")[0] == "E1"
    # the split comes before the merger of the same month; E1 unwinds and Nusra
    # keeps its room; Ahrar brings its whole entity (Suqour) into the merger
    assert row(tr, "2016-08", "nusra")[:2] == ("nusra", "R1")
    assert {f: row(tr, "2016-08", f)[0] for f in ("ahrar", "suqour", "zenki")} == \
        dict.fromkeys(("ahrar", "suqour", "zenki"), "E2")
    assert row(tr, "2016-08", "zenki")[1] == "R1"
    assert row(tr, "2016-09", "faylaq")[1] == "R1"
    assert row(tr, "2016-10", "tip") == ("", "", 0, False)
    assert row(tr, "2016-12", "tip") == ("", "", 0, False)
    assert all(row(tr, "2016-11", f)[1] == "" for f in STRENGTH)
    assert all(r == "" for m, f, e, r, s, a in tr.membership_rows() if m == "2016-01")


def test_events_have_the_ledgers_format(small) -> None:
    targets, scenario = small
    rec = replay(targets, scenario)
    rows = [e.row() for e in rec.trajectory.events]
    assert rec.sources == ["room", "absorb", "leave", "fight", "fight_end", "merge", "split",
                           "jts", "join", "gone", "room_end"]       # "nasr" is not scorable
    assert rows[0][:4] == ("2016-02", "room_formed", "nusra;ahrar;faylaq", "R1")
    assert rows[1] == ("2016-03", "absorbed", "ahrar;suqour", "ahrar", "Ahrar absorbs suqour")
    assert rows[2] == ("2016-04", "room_left", "faylaq", "R1",
                       "Faylaq leaves Operations room of Nusra, Ahrar, Faylaq")
    assert rows[3] == ("2016-05", "infighting_started", "ahrar;suqour;nusra", "",
                       "ahrar;suqour vs nusra")
    assert parse_sides(rows[4][4]) == (("ahrar", "suqour"), ("nusra",))
    assert rows[5][:4] == ("2016-07", "merger", "nusra;zenki", "E1")
    assert rows[6] == ("2016-08", "split", "zenki", "E1", "Zenki leaves Nusra coalition")
    assert rows[7][:4] == ("2016-08", "merger", "ahrar;suqour;zenki", "E2")
    assert rows[9] == ("2016-10", "dissolved", "tip", "", "Tip dissolves (own decision)")
    assert rows[10][1:4] == ("room_dissolved", "nusra;ahrar;suqour;zenki;faylaq", "R1")
    assert rec.notes == []


def test_events_are_written_as_the_ledger_writes_them() -> None:
    """The same changes made by the model's Ledger give the same event rows."""
    scenario = small_scenario()
    state = initial_state(scenario)
    ledger = Ledger(state, list(scenario.labels), [])
    ledger.month = "2016-02"
    ledger.form_room("nusra", "ahrar")
    ledger.month = "2016-03"
    ledger.merge("ahrar", "suqour", absorb_ratio=2.0)
    ledger.month = "2016-05"
    ledger.start_fight("ahrar", "nusra")
    ledger.month = "2016-06"
    ledger.merge("faylaq", "zenki", absorb_ratio=10.0)
    ledger.month = "2016-07"
    ledger.split(state.ids.index("zenki"), 0.0)
    text = "".join([
        target("r", "2016-02", "room_formed", ["nusra", "ahrar"]),
        target("a", "2016-03", "absorbed", ["ahrar", "suqour"]),
        target("f", "2016-05", "infighting_started", ["ahrar", "nusra"], sides=(["ahrar"], ["nusra"])),
        target("m", "2016-06", "merger", ["faylaq", "zenki"]),
        target("s", "2016-07", "split", ["zenki"], extra=partners("faylaq")),
    ])
    from sim.scoring.targets import parse_targets

    rec = replay(parse_targets(targets_yaml(text)), scenario)
    assert [e.row() for e in rec.trajectory.events] == [e.row() for e in ledger.events]


def test_the_replay_of_its_own_targets_is_matched_in_full(small) -> None:
    targets, scenario = small
    rep = score_frames(*frames(record_trajectory(targets, scenario)), targets)
    assert rep.n_scorable == 11 and rep.recall == 1.0 and rep.weighted_recall == 1.0
    assert rep.precision == 1.0 and rep.timing_score == 1.0
    table = rep.targets_table.set_index("target")
    assert table.loc["nasr", "status"] == "unscorable"
    assert rep.snapshot_entities == 1.0 and rep.snapshot_rooms == 1.0


def test_disagreeing_snapshots_and_implied_moves_are_reported(tmp_path: Path) -> None:
    """Nothing is adjusted to a snapshot: a disagreement is listed; a faction
    named from inside another entity moves alone, and the move is noted."""
    snapshot = SNAPSHOT.replace("[ahrar, suqour, zenki]", "[ahrar, zenki]")
    text = TARGETS + target("pledge", "2016-12", "absorbed", ["nusra", "suqour"])
    path = tmp_path / "targets.yaml"
    path.write_text(targets_yaml(text, snapshot), encoding="utf-8")
    targets = load_targets(path)
    rec = replay(targets, small_scenario())
    tr = rec.trajectory
    assert row(tr, "2016-08", "suqour")[0] == "E2"          # not patched to the snapshot
    diffs = snapshot_differences(tr, targets)
    assert len(diffs) == 1 and diffs[0].startswith("2016-08 entities")
    assert "{ahrar, zenki}" in diffs[0] and "{ahrar, suqour, zenki}" in diffs[0]
    assert row(tr, "2016-12", "suqour")[0] == "nusra" and row(tr, "2016-12", "zenki")[0] == "E2"
    assert len(rec.notes) == 1 and "pledge" in rec.notes[0] and "suqour" in rec.notes[0]


def test_an_absorber_keeps_its_rooms_when_its_entity_unwinds() -> None:
    """Suqour leaves Ahrar (Sep 2016): Ahrar is alone again and still in its rooms."""
    from sim.scoring.targets import parse_targets

    text = "".join([
        target("room", "2016-02", "room_formed", ["nusra", "ahrar"]),
        target("absorb", "2016-03", "absorbed", ["ahrar", "suqour"]),
        target("split", "2016-09", "split", ["suqour"], extra=partners("ahrar")),
    ])
    tr = record_trajectory(parse_targets(targets_yaml(text)), small_scenario())
    assert row(tr, "2016-08", "suqour")[:2] == ("ahrar", "R1")
    assert row(tr, "2016-09", "ahrar")[:2] == ("ahrar", "R1")
    assert row(tr, "2016-09", "suqour")[:2] == ("suqour", "")
    assert [e.type for e in tr.events] == ["room_formed", "absorbed", "split"]


def test_the_record_beats_the_baseline_model_on_recall(real_targets) -> None:
    from sim.api import load_scenario, simulate

    scenario = load_scenario(REPO / "scenarios" / "idlib_2015_2018.yaml")
    record = score_frames(*frames(record_trajectory(real_targets, scenario)), real_targets)
    model = score_frames(*frames(simulate(scenario, seed=1)), real_targets)
    assert record.n_scorable == model.n_scorable > 40
    assert record.recall > model.recall
    assert record.recall == 1.0 and record.key_recall == 1.0
