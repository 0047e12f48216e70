"""`coalsim explain` and `sim.explain`: one month's choice of one actor, term by term,
taken from the run itself (same seed, same draws) and not perturbing it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.api import load_scenario, simulate, with_parameters
from sim.cli.main import main
from sim.explain import ACTIONS, action_probabilities, decision_at, explain
from sim.rules import make_rule
from sim.rules.choice import choose
from sim.rules.utility import WeightedUtility, total

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "idlib_2015_2018.yaml"
TEACHING = ROOT / "scenarios" / "teaching" / "four_factions.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_the_moment_is_the_runs_own(baseline) -> None:
    """The month observed is the one a full run decides on: the same actors,
    and the same events that month (the spy draws nothing of its own)."""
    moment = decision_at(baseline, "2016-01", seed=3)
    run = simulate(baseline, seed=3)
    assert [e.row() for e in moment.events] == [e.row() for e in run.events if e.month == "2016-01"]
    assert len(moment.keys) == moment.obs.n_actors
    assert set(moment.actor_of) <= {f.id for f in baseline.factions}
    for fid, key in moment.actor_of.items():
        assert key in moment.keys and fid in moment.members[key]


def test_terms_add_up_to_the_utilities_the_rule_chooses_on(baseline) -> None:
    moment = decision_at(baseline, "2017-01", seed=1)
    rule = WeightedUtility()
    u = rule.utilities(moment.obs)
    terms = rule.terms(moment.obs)
    for action, parts in terms.items():
        assert np.array_equal(np.broadcast_to(total(parts), getattr(u, action).shape),
                              getattr(u, action)), action
    # and each term is a real contribution: switching a weight off changes its term only
    obs = moment.obs
    off = type(obs)(**{**obs.__dict__, "params": obs.params.model_copy(update={"fight_cost": 0.0})})
    t0, t1 = terms["fight"], rule.terms(off)["fight"]
    changed = [n for n in t0 if not np.array_equal(np.broadcast_to(t0[n], (obs.n_actors,) * 2),
                                                   np.broadcast_to(t1[n], (obs.n_actors,) * 2))]
    assert changed == ["fight cost"]


def test_action_probabilities_are_what_the_choice_draws_from(baseline) -> None:
    """Sampling the model's own `choose` many times on one observation gives the
    explained probabilities (base activity below 1, so that acting at all is
    part of it)."""
    sc = with_parameters(baseline, base_activity=0.4)
    moment = decision_at(sc, "2015-03", seed=2)
    rule = make_rule(moment.rule)
    u = rule.utilities(moment.obs)
    i = moment.keys.index("ahrar") if "ahrar" in moment.keys else 0
    probs, _, active = action_probabilities(u, moment.obs, i)
    assert abs(sum(probs.values()) - 1.0) < 1e-12 and 0.4 <= active <= 1.0
    rng = np.random.default_rng(7)
    n = 4000
    counts = np.bincount([int(choose(u, moment.obs, rng).action[i]) for _ in range(n)],
                         minlength=len(ACTIONS)) / n
    for k, a in enumerate(ACTIONS):
        assert abs(counts[k] - probs[a]) < 4 * np.sqrt(probs[a] * (1 - probs[a]) / n) + 1e-3, a


def test_a_component_is_explained_through_its_entity_with_its_partner(baseline) -> None:
    sc = baseline
    moment = decision_at(sc, "2016-06", seed=1)
    merged = [k for k, members in moment.members.items() if len(members) >= 2]
    assert merged, "the calibrated baseline has merged entities by mid-2016"
    key = merged[0]
    component = [f for f in moment.members[key] if f != key][0]
    other = [k for k in moment.keys if k != key][0]
    ex = explain(sc, "2016-06", component, seed=1, partner=other)
    assert ex.actor == key and component in ex.note and component in ex.members
    assert abs(sum(ex.probabilities.values()) - 1.0) < 1e-9
    for action in ("coordinate", "merge", "fight"):
        ij, ji = ex.totals[action]
        assert abs(sum(v for _, v, _ in ex.terms[action]) - ij) < 1e-9
        assert abs(sum(v for _, _, v in ex.terms[action]) - ji) < 1e-9
    assert {fid for fid, _, _ in ex.defect} <= set(ex.members)
    text = ex.to_text()
    assert f"Towards {ex.partner_name} [{other}]" in text and "Drawn: " in text


def test_a_rule_without_terms_gives_totals(baseline) -> None:
    sc = baseline.model_copy(update={"rule": "mwc"})
    keys = decision_at(sc, "2015-02", seed=1).keys
    ex = explain(sc, "2015-02", keys[0], seed=1, partner=keys[1])
    assert ex.rule == "mwc" and ex.terms == {} and "totals only" in ex.to_text()


def test_cli_prints_text_and_json(capsys) -> None:
    assert main(["explain", str(TEACHING), "--month", "2030-03", "--actor", "vanguard",
                 "--partner", "crescent", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "Chance of each action:" in out and "merge: i->j" in out
    assert main(["explain", str(TEACHING), "--month", "2030-03", "--actor", "vanguard",
                 "--json", "--set", "temperature=2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["actor"] == "vanguard" and abs(sum(data["probabilities"].values()) - 1) < 1e-9


@pytest.mark.parametrize("args, phrase", [
    (["--month", "2030-03", "--actor", "nobody"], "actor 'nobody' is not an alive faction"),
    (["--month", "2040-01", "--actor", "vanguard"], "outside the scenario's period"),
    (["--month", "2030-3", "--actor", "vanguard"], "--month expects a month"),
    (["--month", "2030-03", "--actor", "vanguard", "--partner", "vanguard"], "is the actor itself"),
    (["--month", "2030-03", "--actor", "vanguard", "--set", "no_such=1"], "no_such"),
    (["--month", "2030-03", "--actor", "vanguard", "--set", "temperature=hot"], "expected a number"),
])
def test_cli_bad_input_exits_2_with_a_message(capsys, args, phrase) -> None:
    assert main(["explain", str(TEACHING), *args]) == 2
    err = capsys.readouterr().err
    assert phrase in " ".join(err.split()) and "Traceback" not in err


def test_drivers_tabulate_every_accepted_merger_with_terms_that_add_up(baseline) -> None:
    from sim.explain import decisions_between, drivers

    table = drivers(baseline, "2015-01", "2015-06", [1, 2], "merge")
    rule = WeightedUtility()
    expected = 0
    for seed in (1, 2):
        for moment in decisions_between(baseline, "2015-01", "2015-06", seed):
            d = moment.decisions
            u = rule.utilities(moment.obs)
            for i in np.flatnonzero((d.action == 4) & d.accepted):
                expected += 1
                j = int(d.target[i])
                rows = table[(table.seed == seed) & (table.month == moment.month)
                             & (table.actor == moment.keys[i]) & (table.target == moment.keys[j])]
                assert abs(rows.actor_value.sum() - u.merge[i, j]) < 1e-9
                assert abs(rows.target_value.sum() - u.merge[j, i]) < 1e-9
    assert expected > 0
    assert table.groupby(["seed", "month", "actor", "target"]).ngroups == expected


def test_cli_drivers_prints_the_table_and_writes_csv(capsys, tmp_path) -> None:
    out = tmp_path / "drivers.csv"
    assert main(["explain", str(BASELINE), "--drivers", "merge", "--from", "2015-01", "--to",
                 "2015-04", "--seeds", "2", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "merger proposals accepted from 2015-01 to 2015-04 over 2 seed(s)" in text
    assert "Commonest pairs" in text
    import pandas as pd
    assert set(pd.read_csv(out).columns) == {"seed", "month", "actor", "target", "term",
                                             "actor_value", "target_value"}
    assert main(["explain", str(BASELINE), "--drivers", "merge", "--actor", "ahrar"]) == 2
    assert "not --month, --actor or --partner" in " ".join(capsys.readouterr().err.split())
    assert main(["explain", str(BASELINE)]) == 2
    assert "needs --month and --actor" in capsys.readouterr().err
    assert main(["explain", str(BASELINE), "--drivers", "fight", "--from", "2016-01",
                 "--to", "2015-06"]) == 2
    assert "is before --from" in capsys.readouterr().err
