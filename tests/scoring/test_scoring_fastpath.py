"""The scorer's fast reading of frames agrees with normalize_events/normalize_membership.

``score_frames`` reads well-formed frames straight into lists and sends every other
frame through ``normalize_events``/``normalize_membership``; whatever the input, it
must score like the normalised frames and raise the same errors.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from scoring_helpers import events, membership

from sim.errors import InputError
from sim.scoring.match import MembershipIndex
from sim.scoring.score import score_frames
from sim.scoring.trajectory import (EventRows, MembershipRows, event_rows, membership_rows,
                                    normalize_events, normalize_membership)

EVENTS = events(("2015-03", "room_formed", "nusra;ahrar", "R1", ""),
                ("2015-04", "room_joined", "faylaq", "R1", ""),
                ("2016-01", "infighting_started", "nusra;hazm", "", "nusra vs hazm"),
                ("2016-02", " split ", "zenki ; ", "E1", "x"),
                ("2016-03", "shock", "", "", "exogenous"))


def _mem() -> pd.DataFrame:
    return membership(groups={"2016-01": {"E1": ["nusra", "zenki"]}},
                      rooms={"2015-03": {"R1": ["nusra", "ahrar", "faylaq"]}},
                      dead={"2017-01": ["hazm"]})


def _same_rows(a, b) -> None:
    assert vars(a) == vars(b)


def _error(fn, *args):
    with pytest.raises(InputError) as info:
        fn(*args)
    e = info.value
    return e.message, e.file, e.line, e.key


MEMBERSHIP_VARIANTS = {
    "as built": lambda m: m,
    "object columns": lambda m: m.astype(object),
    "padded text": lambda m: m.assign(faction=" " + m["faction"], rooms=m["rooms"] + " "),
    "blank entity": lambda m: m.assign(entity=m["entity"].where(m["entity"] != m["faction"],
                                                                "")),
    "float strength": lambda m: m.assign(strength=m["strength"] * 1.5),
    "infinite strength": lambda m: m.assign(strength=m["strength"].astype(float)
                                            .where(m.index % 5 > 0, np.inf)),
    "alive as text": lambda m: m.assign(alive=m["alive"].map({True: "True", False: "false"})),
    "strength as text": lambda m: m.assign(strength=m["strength"].astype(str)),
    "no rooms column": lambda m: m.drop(columns=["rooms"]),
    "rows shuffled": lambda m: m.sample(frac=1.0, random_state=3),
    "month gap": lambda m: m[m["month"] != "2016-01"],
    "extra column": lambda m: m.assign(note="x"),
}

BAD_MEMBERSHIP = {
    "duplicate row": lambda m: pd.concat([m, m.iloc[[3]]]),
    "bad month": lambda m: m.assign(month=m["month"].where(m.index != 4, "2016-13")),
    "empty faction": lambda m: m.assign(faction=m["faction"].where(m.index != 6, "  ")),
    "bad strength": lambda m: m.assign(strength=m["strength"].astype(object)
                                       .where(m.index != 2, "lots")),
    "bad alive": lambda m: m.assign(alive=m["alive"].astype(object).where(m.index != 9, "?")),
    "no alive column": lambda m: m.drop(columns=["alive"]),
    "no rows": lambda m: m.iloc[:0],
    # with pandas 3, normalize_membership rejects missing strengths; the fast path
    # must not decide otherwise (whatever normalize_membership does, score_frames does)
    "missing strength": lambda m: m.assign(strength=m["strength"].astype(float)
                                           .where(m.index != 1, np.nan)),
    "no strength column": lambda m: m.drop(columns=["strength"]),
}


@pytest.mark.parametrize("name", MEMBERSHIP_VARIANTS)
def test_membership_variants_read_like_normalized(name):
    mem = MEMBERSHIP_VARIANTS[name](_mem())
    _same_rows(membership_rows(mem), MembershipRows.from_normalized(normalize_membership(mem)))
    ref = score_frames(EVENTS, normalize_membership(mem), _targets())
    got = score_frames(EVENTS, mem, _targets())
    assert got.to_dict() == ref.to_dict()


@pytest.mark.parametrize("name", BAD_MEMBERSHIP)
def test_membership_errors_are_those_of_normalize_membership(name):
    mem = BAD_MEMBERSHIP[name](_mem())
    try:
        normalize_membership(mem)
    except InputError:
        want = _error(normalize_membership, mem)
        assert _error(score_frames, EVENTS, mem, _targets()) == want
        assert _error(MembershipIndex.from_frame, mem) == want
    else:  # accepted by normalize_membership (other pandas versions): scored alike
        assert score_frames(EVENTS, mem, _targets()).to_dict() == \
            score_frames(EVENTS, normalize_membership(mem), _targets()).to_dict()


EVENT_VARIANTS = {
    "as built": lambda e: e,
    "object columns": lambda e: e.astype(object),
    "no entity, detail": lambda e: e.drop(columns=["entity", "detail"]),
    "missing values": lambda e: e.assign(entity=e["entity"].astype(object)
                                         .where(e.index != 1, None)),
    "shuffled index": lambda e: e.set_axis([7, 3, 9, 1, 0]),
    "empty": lambda e: e.iloc[:0],
}


@pytest.mark.parametrize("name", EVENT_VARIANTS)
def test_event_variants_read_like_normalized(name):
    ev = EVENT_VARIANTS[name](EVENTS)
    _same_rows(event_rows(ev), EventRows.from_normalized(normalize_events(ev)))
    assert score_frames(ev, _mem(), _targets()).to_dict() == \
        score_frames(normalize_events(ev), _mem(), _targets()).to_dict()


def test_event_errors_are_those_of_normalize_events():
    for ev in (EVENTS.assign(month=EVENTS["month"].where(EVENTS.index != 2, "2016-2")),
               EVENTS.drop(columns=["type"])):
        assert _error(score_frames, ev, _mem(), _targets()) == _error(normalize_events, ev)
    assert event_rows(None).month == []


def test_report_tables_are_built_on_demand_and_pickle():
    rep = score_frames(EVENTS, _mem(), _targets())
    assert "_targets_table" in vars(rep)
    clone = pickle.loads(pickle.dumps(rep))
    pd.testing.assert_frame_equal(clone.targets_table, rep.targets_table)
    pd.testing.assert_frame_equal(clone.spurious, rep.spurious)
    pd.testing.assert_frame_equal(clone.snapshots_table, rep.snapshots_table)
    assert clone.to_dict() == rep.to_dict()


def _targets():
    from scoring_helpers import make_targets, target

    return make_targets(
        target("jaf", "2015-03", "room_formed", ["nusra", "ahrar", "faylaq"]),
        target("fight", "2016-01", "infighting_started", ["nusra", "hazm"],
               sides=(["nusra"], ["hazm"])),
        target("split", "2016-02", "split", ["zenki"]),
        snapshots='  - month: "2016-06"\n    entities:\n'
                  '      - {name: e1, members: [nusra, zenki], source: s}\n'
                  '    rooms:\n      - {name: r1, members: [nusra, ahrar, faylaq], source: s}\n')


def test_well_formed_frames_take_the_fast_path():
    """Frames as ``sim.calibration.objective.frames`` builds them are read without
    normalize_* (the point of the fast path); the others fall back."""
    from sim.scoring.trajectory import _fast_events, _fast_membership

    mem = _mem()
    assert _fast_membership(mem) is not None
    text = {c: object for c in ("month", "faction", "entity", "rooms")}
    assert _fast_membership(mem.astype(text)) is not None
    assert _fast_membership(mem.astype(object)) is None  # object strength and alive
    assert _fast_events(EVENTS) is not None
    assert _fast_events(EVENTS.astype(object)) is not None
    assert _fast_membership(MEMBERSHIP_VARIANTS["alive as text"](mem)) is None
    assert _fast_membership(BAD_MEMBERSHIP["duplicate row"](mem)) is None
    assert _fast_events(EVENT_VARIANTS["missing values"](EVENTS)) is None
