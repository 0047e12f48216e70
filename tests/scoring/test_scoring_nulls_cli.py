"""Null models, run-folder reading and the `coalsim score` command."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest
from scoring_helpers import (TARGETS_FILE, events, make_targets, membership, target, targets_yaml,
                             write_run)

from sim.cli.main import main
from sim.errors import InputError
from sim.scoring import frozen, null_scores, random_events, read_run, score_frames, score_run
from sim.scoring.targets import find_default_targets


def test_frozen_null_scores_low_on_the_real_targets(real_targets, tmp_path):
    run = write_run(tmp_path / "run", events(), membership())
    ev, mem = frozen(run)
    assert ev.empty and mem["month"].nunique() == 48
    rep = score_frames(ev, mem, real_targets)
    assert rep.recall == 0.0 and rep.precision == 0.0 and rep.fit < 0.1
    # from a plain list of factions: singletons from 2015-01 to 2018-12
    ev2, mem2 = frozen(["nusra", "ahrar"])
    assert len(mem2) == 96 and set(mem2["entity"]) == {"nusra", "ahrar"}


def test_random_null_keeps_documented_rates_and_is_seeded(real_targets):
    mem = membership()
    ev1, m1 = random_events(real_targets, mem, seed=3)
    ev2, _ = random_events(real_targets, mem, seed=3)
    ev3, _ = random_events(real_targets, mem, seed=4)
    pd.testing.assert_frame_equal(ev1, ev2)
    assert not ev1.equals(ev3)
    per_type_year = Counter((e.type, e.month[:4]) for e in ev1.itertuples())
    assert per_type_year == Counter((t.type, t.month[:4]) for t in real_targets)
    sizes = sorted(len(a.split(";")) for a in ev1["actors"])
    assert sizes == sorted(len(t.actors) for t in real_targets)
    pd.testing.assert_frame_equal(m1, frozen(mem)[1])


def test_null_scores_distribution(real_targets):
    table = null_scores(membership(), real_targets, seeds=range(4))
    assert list(table["seed"]) == [0, 1, 2, 3]
    assert (table["fit"] < 0.3).all() and (table["recall"] < 0.3).all()


def test_read_run_errors_name_the_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_run(tmp_path / "missing")
    assert "does not exist" in info.value.message
    run = write_run(tmp_path / "r", events(("2016-01", "split", "zenki", "", "")), membership())
    (run / "membership.csv").unlink()
    with pytest.raises(InputError) as info:
        read_run(run)
    assert info.value.file.endswith("membership.csv")
    run = write_run(tmp_path / "r2", events(("2016-1", "split", "zenki", "", "")), membership())
    with pytest.raises(InputError) as info:
        read_run(run)
    assert info.value.line == 2 and info.value.key == "month"
    mem = membership()
    mem["alive"] = mem["alive"].astype(object)
    mem.loc[5, "alive"] = "maybe"
    run = write_run(tmp_path / "r3", events(), mem)
    with pytest.raises(InputError) as info:
        read_run(run)
    assert info.value.line == 7 and info.value.key == "alive"
    run = write_run(tmp_path / "r4", events(), membership(),
                    manifest={"scenario": "x", "seed": 1, "status": "failed"})
    with pytest.raises(InputError) as info:
        read_run(run)
    assert "failed" in info.value.message


def test_sides_in_detail_tolerate_names_and_outcomes(tmp_path):
    ev = events(("2016-01", "infighting_ended", "nusra;ahrar", "", "nusra vs ahrar: truce"))
    run = read_run(write_run(tmp_path / "r", ev, membership()))
    assert run.events.loc[0, "sides"] == (("nusra",), ("ahrar",))


def test_cli_scores_a_run_and_exits_2_on_bad_input(tmp_path, capsys):
    run = write_run(tmp_path / "run", events(("2017-07", "split", "zenki", "E1", "")),
                    membership(groups={"2017-01": {"E1": ["nusra", "zenki"]}}))
    assert main(["score", str(run), "--targets", str(TARGETS_FILE)]) == 0
    out = capsys.readouterr().out
    assert "zenki_leaves_hts" in out and "combined fit" in out and "missed" in out
    assert main(["score", str(run), "--json", "--nulls", "--seeds", "2",
                 "--targets", str(TARGETS_FILE)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["n_matched"] == 1 and "frozen" in data["nulls"]
    assert main(["score", str(run), "--nulls", "--seeds", "2"]) == 0
    assert "Null models" in capsys.readouterr().out
    (run / "events.csv").unlink()
    assert main(["score", str(run)]) == 2
    err = capsys.readouterr().err
    assert "events.csv" in err and "Traceback" not in err
    assert main(["score", str(tmp_path / "nowhere")]) == 2
    assert main(["score", str(tmp_path / "run"), "--targets", str(tmp_path / "no.yaml")]) == 2
    assert main(["score", str(tmp_path / "run"), "--start", "2017-13"]) == 2


def test_targets_come_from_the_run_config(tmp_path):
    tfile = tmp_path / "scen" / "my_targets.yaml"
    tfile.parent.mkdir()
    tfile.write_text(TARGETS_FILE.read_text().replace("schema_version: 1", "schema_version: 1", 1))
    run = write_run(tmp_path / "run", events(), membership(),
                    manifest={"scenario": "x", "seed": 1, "status": "complete",
                              "scenario_path": str(tmp_path / "scen" / "s.yaml")},
                    config="name: x\ntargets: my_targets.yaml\n")
    assert find_default_targets(run) == tfile
    run2 = write_run(tmp_path / "run2", events(), membership(),
                     config="name: x\ntargets: elsewhere.yaml\n")
    with pytest.raises(InputError) as info:
        find_default_targets(run2)
    assert info.value.key == "targets" and info.value.file.endswith("config.resolved.yaml")
    run3 = write_run(tmp_path / "run3", events(), membership(), config="name: x\ntargets: null\n")
    assert find_default_targets(run3).resolve() == TARGETS_FILE.resolve()
    rep = score_run(run3)
    assert rep.n_scorable == rep.n_targets


def test_score_run_with_small_targets(tmp_path):
    tg = make_targets(target("a", "2016-01", "split", ["zenki"]))
    run = write_run(tmp_path / "run", events(("2016-02", "split", "zenki", "", "")), membership())
    rep = score_run(run, tg)
    assert rep.recall == 1.0 and rep.mean_timing_error == 1.0
    assert rep.timing_score == pytest.approx(2 / 3)



def test_initial_membership_is_the_documented_start():
    """The nulls start from the scenario's initial state (a run's first month
    already holds the model's first decisions)."""
    from sim.api import load_scenario
    from sim.scoring.nulls import initial_membership

    sc = load_scenario("scenarios/teaching/lesson2_red_line.yaml")
    init = initial_membership(sc)
    assert init["month"].iloc[0] == sc.start and init["month"].iloc[-1] == sc.end
    first = init[init["month"] == sc.start]
    assert sorted(first["faction"]) == sorted(f.id for f in sc.factions)
    assert first["alive"].all()
    assert dict(zip(first["faction"], first["strength"])) == {f.id: f.strength for f in sc.factions}
    room = sc.rooms[0]
    assert set(first.loc[first["rooms"] == room.id, "entity"]) == set(room.members)
    pd.testing.assert_frame_equal(initial_membership(sc.model_dump()), init)
    with pytest.raises(InputError):
        initial_membership({"factions": []})


def test_score_nulls_start_from_the_runs_scenario(tmp_path, capsys):
    from sim.scoring import frozen_report, load_targets
    from sim.scoring.nulls import initial_membership

    run = tmp_path / "run"
    assert main(["run", "scenarios/idlib_2015_2018.yaml", "--seed", "3", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["score", str(run), "--nulls", "--seeds", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    init = initial_membership(run)
    assert set(init["entity"]) == set(init["faction"]) and (init["rooms"] == "").all()
    targets = load_targets(find_default_targets(run))
    expected = frozen_report(init, targets).metrics()
    assert out["nulls"]["frozen"]["fit"] == pytest.approx(expected["fit"])


def test_cli_strict_matching(tmp_path, capsys):
    """`--strict` scores without the entity level: an absorption into a large
    entity matches "Suqour into Ahrar" by default and not strictly."""
    camp = ["ahrar", "levant_front", "jaysh_islam", "faylaq"]
    mem = membership(groups={"2015-01": {"E1": camp}, "2015-03": {"E1": [*camp, "suqour"]}})
    run = write_run(tmp_path / "run", events(("2015-03", "absorbed", "E1;suqour", "E1", "")), mem)
    tg = tmp_path / "t.yaml"
    tg.write_text(targets_yaml(target("suqour_into_ahrar", "2015-03", "absorbed",
                                      ["ahrar", "suqour"])), encoding="utf-8")
    out = {}
    for flag in ([], ["--strict"]):
        capsys.readouterr()
        assert main(["score", str(run), "--targets", str(tg), "--json", *flag]) == 0
        out[bool(flag)] = json.loads(capsys.readouterr().out)
    assert out[False]["matching"] == "default" and out[True]["matching"] == "strict"
    assert out[False]["metrics"]["recall"] == 1.0
    assert out[True]["metrics"]["recall"] == 0.0
    assert main(["score", str(run), "--targets", str(tg), "--strict"]) == 0
    assert capsys.readouterr().out.startswith("Matching: strict")
