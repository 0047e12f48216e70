"""The three lessons of docs/teaching.md show what they promise.

Each lesson's scenario is run with `sim.api.simulate` over seeds 1-10; the
lesson's event must appear in most seeds with the scenario's own settings, and
(where the lesson says so) mostly disappear with the dashboard setting the
lesson asks the class to try. Run this file as a script to print the counts:

    .venv/bin/python tests/dashboard/test_teaching_lessons.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.api import load_scenario, simulate, with_parameters
from sim.trajectory import Trajectory

TEACHING = Path(__file__).resolve().parents[2] / "scenarios" / "teaching"
SEEDS = range(1, 11)


# ---- what each lesson watches for -------------------------------------------------------

def lesson1_room_after_offensive(tr: Trajectory) -> bool:
    """An operations room forms within six months of the October 2040 offensive,
    and none before it."""
    rooms = [e for e in tr.events if e.type == "room_formed"]
    return (not any(e.month < "2040-10" for e in rooms)
            and any("2040-10" <= e.month <= "2041-03" for e in rooms))


def lesson2_split_after_red_line(tr: Trajectory) -> bool:
    """Within five months of Black Banner's designation (June 2050) a Patron
    client leaves the room, or Black Banner is expelled, or the room dissolves;
    none of it before."""
    clients = {"crescent", "harbour"}
    split = [e for e in tr.events
             if (e.type == "room_left" and set(e.actors) & clients)
             or (e.type == "room_expelled" and "banner" in e.actors)
             or e.type == "room_dissolved"]
    return (not any(e.month < "2050-06" for e in split)
            and any("2050-06" <= e.month <= "2050-11" for e in split))


def lesson2_banner_out_at_end(tr: Trajectory) -> bool:
    """At the end Black Banner shares no room with a Patron client."""
    last = tr.months[-1]
    rooms = {f: set(r.split(";")) - {""} for m, f, _e, r, _s, a in tr.membership_rows()
             if m == last and a}
    return not any(rooms.get("banner", set()) & rooms.get(c, set()) for c in ("crescent", "harbour"))


def _after_first_split(tr: Trajectory):
    small = {"pine", "stone"}
    splits = [e for e in tr.events if e.type == "split" and set(e.actors) & small]
    return (splits[0].month, small) if splits else (None, small)


def lesson3_split(tr: Trajectory) -> bool:
    """A small component (Pine or Stone) leaves the United Command."""
    return _after_first_split(tr)[0] is not None


def lesson3_balance(tr: Trajectory) -> bool:
    """After a split, Pine and Stone form a room together or merge."""
    month, small = _after_first_split(tr)
    return month is not None and any(
        e.type in ("room_formed", "merger") and small <= set(e.actors) and e.month >= month
        for e in tr.events)


def lesson3_merge(tr: Trajectory) -> bool:
    """After a split, Pine and Stone merge into an entity of their own."""
    month, small = _after_first_split(tr)
    return month is not None and any(
        e.type == "merger" and small <= set(e.actors) and e.month >= month for e in tr.events)


# (lesson file, check, dashboard overrides, at least / at most this many seeds of 10)
CASES = [
    ("lesson1_threat.yaml", lesson1_room_after_offensive, {}, ">=", 8),
    ("lesson1_threat.yaml", lesson1_room_after_offensive, {"loss_sensitivity": 0.0}, "<=", 2),
    ("lesson2_red_line.yaml", lesson2_split_after_red_line, {}, ">=", 8),
    ("lesson2_red_line.yaml", lesson2_banner_out_at_end, {}, ">=", 6),
    ("lesson2_red_line.yaml", lesson2_split_after_red_line, {"backer_pressure": 0.0}, "<=", 2),
    ("lesson3_balancing.yaml", lesson3_split, {}, ">=", 8),
    ("lesson3_balancing.yaml", lesson3_balance, {}, ">=", 8),
    ("lesson3_balancing.yaml", lesson3_merge, {}, ">=", 5),
    ("lesson3_balancing.yaml", lesson3_balance, {"loss_sensitivity": 0.0}, "<=", 2),
]


def count(file: str, check, overrides: dict) -> int:
    scenario = load_scenario(TEACHING / file)
    if overrides:
        scenario = with_parameters(scenario, **overrides)
    return sum(bool(check(simulate(scenario, seed))) for seed in SEEDS)


@pytest.mark.parametrize("file, check, overrides, op, bound", CASES,
                         ids=[f"{c[0][:7]}-{c[1].__name__}-{'+'.join(c[2]) or 'default'}"
                              for c in CASES])
def test_lesson_shows_its_event(file, check, overrides, op, bound):
    n = count(file, check, overrides)
    what = (check.__doc__ or check.__name__).split("\n")[0]
    if op == ">=":
        assert n >= bound, f"{file} {overrides or ''}: only {n}/10 seeds show: {what}"
    else:
        assert n <= bound, f"{file} {overrides}: {n}/10 seeds still show: {what}"


if __name__ == "__main__":
    for file, check, overrides, _op, _bound in CASES:
        print(f"{file:24s} {check.__name__:30s} {str(overrides or 'scenario settings'):28s} "
              f"{count(file, check, overrides)}/10")
