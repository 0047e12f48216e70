"""The issue's goals, measured from a calibration's validation files."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibration.goals import calibration_goals, markdown_table, out_of_sample_goal


def scores(fits, strict, window="full", model="calibrated"):
    return pd.DataFrame({"model": model, "seed": range(1, len(fits) + 1), "window": window,
                         "fit": fits, "fit_strict": strict})


def rates(rows):
    return pd.DataFrame(rows, columns=["target", "key", "confidence", "hit", "hit_strict"])


RATES = rates([
    ("a", True, "high", 0.9, 0.6),     # key, reproduced in most seeds either way
    ("b", True, "high", 0.6, 0.4),     # key, in most seeds by default matching only
    ("c", False, "high", 0.8, 0.8),
    ("d", False, "medium", 1.0, 1.0),  # not high confidence: left out of the recall
])


def test_goals_read_medians_hit_rates_and_key_shares():
    table = calibration_goals(scores([0.6, 0.8, 0.75], [0.5, 0.5, 0.9]), RATES)
    by = {(r.goal.split(",")[0].split(" on ")[0], r.matching): r for r in table.itertuples()}
    assert by[("combined fit", "default")].measured == 0.75
    assert by[("combined fit", "default")].met
    assert by[("combined fit", "strict")].measured == 0.5
    assert not by[("combined fit", "strict")].met
    assert by[("recall", "default")].measured == pytest.approx(round(2.3 / 3, 3))
    assert by[("recall", "default")].met          # 0.767 >= 0.7
    assert not by[("recall", "strict")].met       # 0.6
    assert by[("key events matched in most seeds", "default")].measured == "2 of 2"
    assert by[("key events matched in most seeds", "default")].met
    assert by[("key events matched in most seeds", "strict")].measured == "1 of 2"
    assert "| recall on the 3 high-confidence targets | strict | 0.6 | >= 0.7 | no |" \
        in markdown_table(table)


def test_goals_look_up_the_confidence_in_the_targets_file():
    from pathlib import Path

    targets = Path(__file__).resolve().parents[2] / "calibration" / "targets_2015_2018.yaml"
    hit = rates([("jaf_formed", True, None, 1.0, 1.0), ("nusra_vs_hazm", False, None, 0.0, 0.0)])
    hit = hit.drop(columns="confidence")
    table = calibration_goals(scores([0.5], [0.5]), hit, targets)
    recall = table[table["goal"].str.startswith("recall")]
    assert list(recall["measured"]) == [0.5, 0.5]  # both are high-confidence targets
    with pytest.raises(ValueError, match="targets file"):
        calibration_goals(scores([0.5], [0.5]), hit)


def test_out_of_sample_is_clearly_above_a_null_only_when_the_seeds_say_so():
    n = 20
    ours = [0.2 + 0.001 * i for i in range(n)]
    frame = pd.concat([
        scores(ours, ours, window="holdout"),
        scores([0.1] * n, [0.25] * n, window="holdout", model="random"),
        scores([0.05], [0.05], window="holdout", model="frozen").assign(seed=0),
    ])
    table = out_of_sample_goal(frame).set_index(["null", "matching"])
    assert table.loc[("random", "default"), "clearly_above"]
    assert table.loc[("random", "default"), "seeds_above"] == "20 of 20"
    assert not table.loc[("random", "strict"), "clearly_above"]   # the null is higher
    assert table.loc[("frozen", "strict"), "clearly_above"]
    tied = pd.concat([scores([0.1] * n, [0.1] * n, window="holdout"),
                      scores([0.1] * n, [0.1] * n, window="holdout", model="random")])
    assert not out_of_sample_goal(tied)["clearly_above"].any()
    with pytest.raises(ValueError, match="holdout"):
        out_of_sample_goal(scores([0.1], [0.1], window="full"))
