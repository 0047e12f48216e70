"""The targets file and its validation."""

from __future__ import annotations

from collections import Counter

import pytest
from scoring_helpers import TARGETS_FILE, make_targets, target, targets_yaml

from sim.errors import InputError
from sim.scoring import BASELINE_IDS, ENDOGENOUS_TYPES, load_targets, parse_targets

KEY_IDS = {"jaf_formed", "jund_aqsa_leaves_jaf", "faylaq_leaves_jaf", "hts_formed",
           "hts_vs_ahrar_jul2017", "zenki_leaves_hts", "jts_formed", "jts_vs_hts", "nlf_formed",
           "nlf_expansion", "hts_vs_ansar_sham_aug2018"}


def test_calibration_file_loads_with_baseline_ids_and_sources(real_targets):
    allowed = set(BASELINE_IDS) | {"jaysh_nasr"}
    assert len(real_targets) >= 40
    for t in real_targets:
        assert t.type in ENDOGENOUS_TYPES
        assert set(t.actors) | set(t.partners) | set(t.not_actors) <= allowed, t.id
        assert "timeline_2015_2018.csv line" in t.source, t.id
        assert "2015-01" <= t.month <= "2018-12"
    for snap in real_targets.snapshots:
        for g in (*snap.entities, *snap.rooms):
            assert set(g.members) <= allowed
            assert g.source
    assert len(real_targets.snapshots) >= 5
    assert {t.id for t in real_targets.key_targets} == KEY_IDS
    key_weights = {t.weight for t in real_targets.key_targets}
    other = max(t.weight for t in real_targets if not t.key)
    assert min(key_weights) > other


def test_calibration_encodes_the_documented_turns(real_targets):
    hts = real_targets["hts_formed"]
    assert hts.type == "merger" and "ahrar" in hts.not_actors and "nusra" in hts.actors
    assert real_targets["jts_formed"].actors == ("ahrar", "zenki")
    assert real_targets["hts_vs_ahrar_jul2017"].month == "2017-07"
    counts = Counter(t.type for t in real_targets)
    assert counts["infighting_started"] >= 10 and counts["merger"] + counts["absorbed"] >= 8


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse_targets(text, file="bad.yaml")
    return info.value


def test_unknown_key_is_rejected_with_its_line():
    text = targets_yaml(target("a", "2016-01", "split", ["zenki"]) + "    colour: red\n")
    err = _error(text)
    assert err.line == text.splitlines().index("    colour: red") + 1
    assert err.key == "targets[0].colour"
    assert "unknown key 'colour'" in err.message
    assert "bad.yaml, line" in str(err)


def test_unknown_faction_id_is_rejected_with_its_line():
    text = targets_yaml(target("a", "2016-01", "merger", ["nusra", "hayat"]))
    err = _error(text)
    assert err.line == 8 and "hayat" in err.message and err.key == "targets[0].actors[1]"


def test_month_must_be_a_quoted_month():
    text = targets_yaml(target("a", "2016-01", "split", ["zenki"]).replace(
        'month: "2016-01"', "month: 2016-01-05"))
    err = _error(text)
    assert err.key == "targets[0].month" and err.line == 6
    assert "quoted" in err.message and "more problem" not in err.message


def test_types_bools_and_weights_are_checked_strictly():
    bad_weight = targets_yaml(target("a", "2016-01", "split", ["zenki"]).replace(
        "weight: 1.0", "weight: '2'"))
    assert _error(bad_weight).key == "targets[0].weight"
    bad_type = targets_yaml(target("a", "2016-01", "coalition_formation", ["zenki"]))
    assert _error(bad_type).key == "targets[0].type"
    bad_key = targets_yaml(target("a", "2016-01", "split", ["zenki"]) + "    key: 1\n")
    assert _error(bad_key).key == "targets[0].key"


def test_infighting_needs_sides_and_mergers_two_actors():
    err = _error(targets_yaml(target("a", "2016-01", "infighting_started", ["nusra", "ahrar"])))
    assert "sides" in err.message and err.key == "targets[0]"
    err = _error(targets_yaml(target("a", "2016-01", "merger", ["nusra"])))
    assert "two actors" in err.message


def test_missing_key_duplicate_id_duplicate_key_and_syntax():
    err = _error("schema_version: 1\ntargets:\n" + target("a", "2016-01", "split", ["zenki"]))
    assert "sources" in err.message and err.line == 1
    err = _error(targets_yaml(target("a", "2016-01", "split", ["zenki"]) +
                              target("a", "2016-02", "split", ["zenki"])))
    assert "used twice" in err.message and err.line == 12
    err = _error("schema_version: 1\nschema_version: 1\nsources: x\n")
    assert "twice" in err.message and err.line == 2
    err = _error("schema_version: 1\nsources: [x\n")
    assert err.line is not None and "YAML" in err.message


def test_schema_version_and_missing_file(tmp_path):
    err = _error(targets_yaml(target("a", "2016-01", "split", ["zenki"])).replace(
        "schema_version: 1", "schema_version: 2"))
    assert err.key == "schema_version"
    with pytest.raises(InputError) as info:
        load_targets(tmp_path / "nope.yaml")
    assert "does not exist" in info.value.message


def test_snapshot_groups_must_be_disjoint():
    snaps = ('  - month: "2016-06"\n    entities:\n'
             '      - {name: a, members: [nusra, zenki], source: s}\n'
             '      - {name: b, members: [zenki, ahrar], source: s}\n')
    with pytest.raises(InputError) as info:
        make_targets(target("a", "2016-01", "split", ["zenki"]), snapshots=snaps)
    assert "disjoint" in info.value.message


def test_targets_file_path_is_the_repository_one():
    assert TARGETS_FILE.is_file()
