"""The scorer gives exactly the stored results on stored frames.

``data/regression_scores.json`` was written by ``data/make_regression.py`` with the
scorer as it was before it was optimised: frames of baseline runs (three parameter
sets, seeds 1..6) and of made-up "oracle" trajectories, with the full
``ScoreReport.to_dict()`` for several windows and settings, and the frozen and
random-events nulls. The frames themselves are stored, so the model may change
without touching this test. Floats must agree within 1e-12; everything else exactly
(including int vs float vs bool vs None).
"""

from __future__ import annotations

import importlib.util
import json
import math
from functools import lru_cache
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
TOL = 1e-12


def _load_maker():
    spec = importlib.util.spec_from_file_location("scoring_make_regression",
                                                  DATA / "make_regression.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


maker = _load_maker()


@lru_cache(maxsize=1)
def fixture() -> dict:
    return maker.load_fixture()


@lru_cache(maxsize=1)
def targets():
    return maker.fixture_targets(fixture())


@lru_cache(maxsize=None)
def stored_frames(name: str):
    fr = fixture()["frames"][name]
    return maker.frame_from_json(fr["events"]), maker.frame_from_json(fr["membership"])


def frames_for(name: str, strings: bool = False, kind: str | None = None):
    ev, mem = maker.variant(*stored_frames(name), kind)
    if strings:
        return maker.as_strings(ev), maker.as_strings(mem)
    return ev.copy(), mem.copy()


def assert_same(new, old, path: str = "report") -> None:
    """``new`` (after a JSON round trip) equals ``old``; floats within TOL."""
    if isinstance(old, float) or isinstance(new, float):
        assert type(new) is type(old), f"{path}: {new!r} != {old!r} (type)"
        if math.isnan(old) and math.isnan(new):
            return
        assert abs(new - old) <= TOL, f"{path}: {new!r} != {old!r}"
    elif isinstance(old, dict):
        assert isinstance(new, dict), f"{path}: not a dict: {new!r}"
        assert list(new) == list(old), f"{path}: keys {list(new)} != {list(old)}"
        for k in old:
            assert_same(new[k], old[k], f"{path}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list), f"{path}: not a list: {new!r}"
        assert len(new) == len(old), f"{path}: {len(new)} items != {len(old)}"
        for i, (a, b) in enumerate(zip(new, old)):
            assert_same(a, b, f"{path}[{i}]")
    else:
        assert type(new) is type(old) and new == old, f"{path}: {new!r} != {old!r}"


def assert_report(report, expected: dict) -> None:
    new = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert_same(new, expected)


def _case_id(c: dict) -> str:
    out = f"{c['frames']}-{c['start'] or 'start'}-{c['end'] or 'end'}"
    if c["strings"]:
        out += "-strings"
    if c.get("variant"):
        out += "-" + c["variant"]
    if c["kwargs"]:
        out += "-" + "-".join(f"{k}={v}" for k, v in c["kwargs"].items())
    return out


CASES = fixture()["cases"]
NULLS = fixture()["nulls"]


def test_fixture_covers_the_brief():
    names = set(fixture()["frames"])
    for p in maker.PARAM_SETS:
        for seed in maker.SEEDS:
            assert f"{p}_s{seed}" in names
    windows = {(c["start"], c["end"]) for c in CASES}
    assert set(maker.WINDOWS) <= windows
    assert {c.get("variant") for c in CASES} == {None, *maker.VARIANTS}
    # expectations from a named scorer: the pre-rewrite one (3c61e33) or the working tree's
    # at the time the scoring rules last changed on purpose
    assert fixture()["scorer"] in ("3c61e33", "working tree")
    assert {n["kind"] for n in NULLS} == {"frozen", "random", "null_scores"}
    # the oracle frames do exercise matching, step attachment and snapshots
    matched = sum(c["report"]["metrics"]["n_matched"] for c in CASES)
    steps = sum(r["steps"] for c in CASES for r in c["report"]["per_target"])
    assert matched > 300 and steps > 20


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_score_frames_regression(case):
    from sim.scoring.score import score_frames

    ev, mem = frames_for(case["frames"], case["strings"], case.get("variant"))
    report = score_frames(ev, mem, targets(), start=case["start"], end=case["end"],
                          **case["kwargs"])
    assert_report(report, case["report"])


def test_score_frames_does_not_modify_its_inputs():
    from sim.scoring.score import score_frames

    ev, mem = frames_for("defaults_s1")
    ev0, mem0 = ev.copy(), mem.copy()
    score_frames(ev, mem, targets())
    assert ev.equals(ev0) and mem.equals(mem0)
    assert list(ev.columns) == list(ev0.columns) and list(mem.columns) == list(mem0.columns)


def test_repeated_calls_agree():
    """Caches on the Targets object must not leak state between runs or windows."""
    from sim.scoring.score import score_frames

    tg = targets()
    by_key = {(c["frames"], c["start"], c["end"]): c["report"] for c in CASES
              if not c["strings"] and not c["kwargs"]}
    for name in ("oracle_s11", "defaults_s2", "oracle_s12", "tight_s3", "oracle_s11"):
        for start, end in maker.WINDOWS:
            ev, mem = frames_for(name)
            assert_report(score_frames(ev, mem, tg, start=start, end=end),
                          by_key[(name, start, end)])


@pytest.mark.parametrize("entry", [n for n in NULLS if n["kind"] == "frozen"],
                         ids=lambda n: f"{n['frames']}-{n['start'] or 'start'}")
def test_frozen_null_regression(entry):
    from sim.scoring.nulls import frozen_report

    _, mem = frames_for(entry["frames"])
    report = frozen_report(mem, targets(), start=entry["start"], end=entry["end"])
    assert_report(report, entry["report"])


@pytest.mark.parametrize("entry", [n for n in NULLS if n["kind"] == "random"],
                         ids=lambda n: f"{n['frames']}-seed{n['seed']}-{n['start'] or 'start'}")
def test_random_null_regression(entry):
    from sim.scoring.nulls import random_events
    from sim.scoring.score import score_frames

    _, mem = frames_for(entry["frames"])
    ev, nmem = random_events(targets(), mem, entry["seed"])
    assert maker.frame_to_json(ev) == entry["events"]
    report = score_frames(ev, nmem, targets(), start=entry["start"], end=entry["end"],
                          run=f"null: random (seed {entry['seed']})")
    assert_report(report, entry["report"])


@pytest.mark.parametrize("entry", [n for n in NULLS if n["kind"] == "null_scores"],
                         ids=lambda n: n["frames"])
def test_null_scores_regression(entry):
    from sim.scoring.nulls import null_scores

    _, mem = frames_for(entry["frames"])
    table = null_scores(mem, targets(), seeds=maker.NULL_SEEDS)
    assert_same(maker.table_records(table), entry["table"], "null_scores")


def test_calibration_frames_take_the_fast_path():
    from sim.scoring.trajectory import _fast_events, _fast_membership

    for name in ("defaults_s1", "oracle_s11"):
        ev, mem = frames_for(name)
        assert _fast_events(ev) is not None and _fast_membership(mem) is not None
