"""The baseline scenario carries a source for every number, and runs.

Sources are strings (a reference file and row, a seed file name, or a stated
judgement). These tests check that every value set in the baseline has one, that
the sources name something in `../shared/reference/` (or say they are a
judgement), that the cited timeline lines and seed files exist when the
reference folder is at hand, that the trust values follow the documented
transform, and that the baseline runs to its end.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from sim.api import simulate
from sim.config import load_scenario
from sim.config.months import to_index
from sim.config.schema import Shock

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "idlib_2015_2018.yaml"
REFERENCE = ROOT.parent / "shared" / "reference"

# DESIGN.md section 5: ids that tools and calibration targets rely on.
DESIGN_IDS = {"nusra", "ahrar", "jund_aqsa", "faylaq", "zenki", "liwa_haqq", "jaysh_sunna",
              "ajnad_sham", "ansar_din", "tip", "ansar_sham", "suqour", "jaysh_izza", "div13",
              "levant_front", "jaysh_mujahideen", "hazm", "jaysh_islam", "isis"}

# A source must point at the reference material or say that it is a judgement.
REFERENCE_WORDS = ("factions file", "factions_2015_2018", "timeline", "gade", "jcr", "mmp",
                   "seed", "judgement", "default")


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def _all_sources(sc):
    """(where, text) for every source string of the scenario."""
    out = []
    for f in sc.factions:
        out += [(f"factions.{f.id}.sources.{k}", v) for k, v in f.sources.items()]
    for b in sc.backers:
        out += [(f"backers.{b.id}.sources.{k}", v) for k, v in b.sources.items()]
        out += [(f"backers.{b.id}.policy[{p.month}]", p.source) for p in b.policy]
    for fr in sc.fronts:
        out += [(f"fronts.{fr.id}.sources.{k}", v) for k, v in fr.sources.items()]
    out += [(f"events[{i}] ({ev.type} {ev.month})", ev.source) for i, ev in enumerate(sc.events)]
    out += [(f"trust {t.a}-{t.b}", t.source) for t in sc.trust]
    out += [(f"rivalries {r.a}-{r.b}", r.source) for r in sc.rivalries]
    out += [(f"rooms.{r.id}", r.source) for r in sc.rooms]
    out += [(f"entities.{e.id}", e.source) for e in sc.entities]
    out += [(f"parameter_sources.{k}", v) for k, v in sc.parameter_sources.items()]
    return out


def test_baseline_has_the_design_ids(baseline):
    ids = {f.id for f in baseline.factions}
    missing = DESIGN_IDS - ids
    assert not missing, f"the baseline lacks the DESIGN.md section 5 ids {sorted(missing)}"


def test_baseline_header(baseline):
    assert baseline.name == "idlib_2015_2018"
    assert (baseline.start, baseline.end) == ("2015-01", "2018-12")
    assert baseline.rule == "utility"
    assert baseline.ideology_scales == ["nationalism_revisionism", "islamism", "sectarianism"]


@pytest.mark.parametrize("key", ["strength", "ideology"])
def test_every_faction_sources_strength_and_ideology(baseline, key):
    lacking = [f.id for f in baseline.factions if not f.sources.get(key, "").strip()]
    assert not lacking, f"factions without a source for '{key}': {lacking}"


def test_every_value_set_on_a_faction_has_a_source(baseline):
    lacking = []
    for f in baseline.factions:
        for key in f.model_fields_set - {"id", "name", "sources"}:
            if not f.sources.get(key, "").strip():
                lacking.append(f"{f.id}.{key}")
    assert not lacking, f"faction values set without a source: {lacking}"


def test_every_backer_value_has_a_source(baseline):
    lacking = []
    for b in baseline.backers:
        assert b.sources, f"backer '{b.id}' has no sources at all"
        for key in b.model_fields_set - {"id", "name", "sources", "policy"}:
            if not b.sources.get(key, "").strip():
                lacking.append(f"{b.id}.{key}")
    assert not lacking, f"backer values set without a source: {lacking}"


def test_every_front_sources_its_intensity(baseline):
    assert baseline.fronts, "the baseline has no fronts"
    lacking = [fr.id for fr in baseline.fronts if not fr.sources.get("intensity", "").strip()]
    assert not lacking, f"fronts without a source for 'intensity': {lacking}"


def test_every_event_policy_trust_pair_and_group_has_a_source(baseline):
    empty = [where for where, text in _all_sources(baseline) if not text.strip()]
    assert not empty, f"empty sources: {empty}"


def test_model_parameters_set_have_sources(baseline):
    set_params = baseline.parameters.model_fields_set
    lacking = [k for k in set_params if not baseline.parameter_sources.get(k, "").strip()]
    assert not lacking, f"parameters set without parameter_sources: {lacking}"


def test_sources_point_at_the_reference_or_say_judgement(baseline):
    vague = [where for where, text in _all_sources(baseline)
             if not any(w in text.lower() for w in REFERENCE_WORDS)]
    assert not vague, ("these sources name neither a reference file nor a seed, nor say they "
                       f"are a judgement: {vague}")


def test_trust_follows_the_documented_transform(baseline):
    """value = log1p(count) / log1p(88), rounded to two decimals, count named in the source."""
    for t in baseline.trust:
        m = re.search(r"log1p\((\d+)\)\s*/\s*log1p\(88\)", t.source)
        assert m, f"trust {t.a}-{t.b}: the source does not state log1p(count)/log1p(88)"
        expected = round(math.log1p(int(m.group(1))) / math.log1p(88), 2)
        assert t.value == pytest.approx(expected, abs=0.005), f"trust {t.a}-{t.b}"


def test_rivalries_follow_the_documented_transform(baseline):
    """value = 6 * (1 - 0.95^n): the grievance n months of war leave at the default
    fight_grievance (0.3) and grievance_decay (0.05); n is named in the source."""
    assert baseline.rivalries, "the baseline encodes no rivalry"
    for r in baseline.rivalries:
        m = re.search(r"n = (\d+)$", r.source)
        assert m and "MMP" in r.source, f"rivalry {r.a}-{r.b}: no MMP row or no n in the source"
        assert r.value == pytest.approx(round(6 * (1 - 0.95 ** int(m.group(1))), 2), abs=0.005)


def test_no_coalition_is_scripted(baseline):
    """January 2015: no operations room or merged entity of these factions is documented
    (Jaish al-Fatah is formed in March 2015). Coalition events must be endogenous."""
    assert baseline.rooms == []
    assert baseline.entities == []


def test_exogenous_inputs_are_within_the_period(baseline):
    start, end = to_index(baseline.start), to_index(baseline.end)
    for ev in baseline.events:
        assert start <= to_index(ev.month) <= end, ev
    for b in baseline.backers:
        for p in b.policy:
            assert start <= to_index(p.month) <= end, (b.id, p.month)
    for fr in baseline.fronts:
        assert min(fr.intensity) == baseline.start, f"front '{fr.id}' starts after the scenario"


def test_shocks_that_change_ideology_keep_the_scale(baseline):
    for ev in baseline.events:
        if isinstance(ev, Shock):
            for vec in ev.ideology.values():
                assert len(vec) == len(baseline.ideology_scales)


# ---- cross-checks against the reference folder (skipped when it is not beside the repo)

needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(),
                                     reason="../shared/reference is not beside the repository")


@needs_reference
def test_cited_seed_files_exist(baseline):
    seeds = {p.name for p in (REFERENCE / "seeds").glob("*.txt")}
    for where, text in _all_sources(baseline):
        for name in re.findall(r"\b(\d{3}_[0-9a-f]{16}\.txt)", text):
            assert name in seeds, f"{where} cites a seed file that does not exist: {name}"


@needs_reference
def test_cited_timeline_lines_match_their_dates(baseline):
    """'timeline line N (YYYY-MM type' must name the row that is on line N."""
    rows: dict[int, tuple[str, str]] = {}
    with open(REFERENCE / "timeline_2015_2018.csv", newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row in reader:
            rows[reader.line_num] = (row[0], row[2])
    checked = 0
    for where, text in _all_sources(baseline):
        for line, month, kind in re.findall(r"line (\d+) \((\d{4}-\d{2}) ([a-z_]+)", text):
            assert int(line) in rows, f"{where}: timeline line {line} does not exist"
            assert rows[int(line)] == (month, kind), (
                f"{where}: timeline line {line} is {rows[int(line)]}, not ({month}, {kind})")
            checked += 1
    assert checked > 10


@needs_reference
def test_gade_strengths_match_the_gade_table(baseline):
    """Where a strength source cites a Gade30 row's medium estimate, the number is that estimate."""
    with open(REFERENCE / "gade2019" / "gade_IdeologyVars_JPR.csv", newline="",
              encoding="utf-8") as fh:
        sizes = {r["GroupCode"]: float(r["GroupSize"]) for r in csv.DictReader(fh)}
    checked = 0
    for f in baseline.factions:
        src = f.sources["strength"]
        m = re.match(r"Gade30 row (\S+):", src)
        if m and "EXCEPTION" not in src:
            assert f.strength == sizes[m.group(1)], f"{f.id}: {f.strength} vs Gade {m.group(1)}"
            checked += 1
    assert checked >= 10


# ---- it runs

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_baseline_runs_to_the_end(baseline, seed):
    tr = simulate(baseline, seed=seed)
    assert tr.months[0] == "2015-01" and tr.months[-1] == "2018-12"
    assert len(tr.months) == 48
    kinds = {e.row()[1] for e in tr.events}
    # the scheduled exogenous inputs all show up in the log
    assert {"renamed", "designated", "ultimatum", "shock", "policy"} <= kinds
