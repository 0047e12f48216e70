"""The dashboard's session and views, without a browser.

The session holds the model and snapshots it; the views draw from snapshots and
the trajectory. These tests pin what the page relies on: a layout that does not
move, views that never change the model, a log that grows, and a reset that
replays the same run for the same seed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.dashboard import views
from sim.dashboard.session import (SLIDERS, Session, compute_layout, discover_scenarios,
                                   load_documented, snapshot_of)
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching" / "four_factions.yaml"


@pytest.fixture()
def session() -> Session:
    return Session(TEACHING)


def _node_positions(fig) -> np.ndarray:
    """Offsets of the network's node scatter (the collection with one point per faction)."""
    ax = fig.axes[0]
    nodes = [c for c in ax.collections if c.get_zorder() == 5]
    assert len(nodes) == 1
    return np.asarray(nodes[0].get_offsets()).copy()


def _state_copy(model) -> dict:
    st = model.state
    return {
        "arrays": {k: np.copy(v) for k, v in vars(st).items() if isinstance(v, np.ndarray)},
        "actor_of": list(st.actor_of),
        "rooms": copy.deepcopy({k: (r.name, list(r.members)) for k, r in st.rooms.items()}),
        "entities": copy.deepcopy({k: (e.name, list(e.components)) for k, e in st.entities.items()}),
        "fights": sorted(st.fights),
        "t": model.t,
        "events": model.trajectory.events_csv(),
        "membership": model.trajectory.membership_csv(),
    }


def _same_state(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key in a:
        if key == "arrays":
            if a[key].keys() != b[key].keys():
                return False
            if not all(np.array_equal(a[key][k], b[key][k]) for k in a[key]):
                return False
        elif a[key] != b[key]:
            return False
    return True


# ---- layout ------------------------------------------------------------------------------

def test_layout_covers_every_faction_and_is_deterministic(session):
    ids = [f.id for f in session.base.factions]
    assert set(session.layout) == set(ids)
    again = compute_layout(session.base)
    for fid in ids:
        assert np.allclose(session.layout[fid], again[fid])


def test_layout_is_stable_across_steps_seeds_and_parameters(session):
    layout = dict(session.layout)
    first = _node_positions(views.network_figure(session.snapshot, session.layout))
    for _ in range(12):
        session.step()
    later = _node_positions(views.network_figure(session.snapshot, session.layout))
    assert np.allclose(first, later), "nodes moved between steps"
    session.reset(seed=99, parameters={"ideology_weight": 2.5})
    assert session.layout == layout
    again = _node_positions(views.network_figure(session.snapshot, session.layout))
    assert np.allclose(first, again), "nodes moved after a reset with other settings"


# ---- views are read-only -------------------------------------------------------------------

def test_views_do_not_change_the_model(session):
    for _ in range(18):       # far enough for rooms, a designation and fights
        session.step()
    before = _state_copy(session.model)
    snap = session.snapshot
    names = dict(session.trajectory.names)
    views.figure_png(views.network_figure(snap, session.layout,
                                          reference_strength=max(session.history[0].strength)))
    views.figure_png(views.strength_figure(session.trajectory, *session.months,
                                           initial=dict(zip(snap.ids, snap.strength))))
    views.figure_png(views.counts_figure(session.history, *session.months))
    views.event_log_text(views.event_log(session.trajectory.events, names))
    views.documented_rows(session.documented, session.trajectory.events, names)
    assert _same_state(before, _state_copy(session.model))


def test_snapshots_are_copies(session):
    session.step()
    snap = session.snapshot
    strength = snap.strength
    session.model.state.strength[:] += 1000.0          # the live state moves on ...
    assert snap.strength == strength                     # ... the snapshot does not
    assert isinstance(snap.rooms, tuple) and isinstance(snap.fights, tuple)


# ---- stepping, the log, reset --------------------------------------------------------------

def test_the_event_log_grows(session):
    sizes = []
    for _ in range(session.n_months):
        session.step()
        log = views.event_log(session.trajectory.events, session.trajectory.names)
        sizes.append(sum(len(rows) for _month, rows in log))
    assert sizes == sorted(sizes), "the log lost events"
    assert sizes[-1] > sizes[0], "no events in the whole run"
    months = [m for m, _rows in views.event_log(session.trajectory.events, {})]
    assert months == sorted(months, reverse=True), "the newest month must come first"


def test_history_has_one_snapshot_per_month(session):
    for _ in range(5):
        session.step()
    assert [s.t for s in session.history] == list(range(6))
    assert session.history[0].month is None
    assert session.snapshot.month == session.trajectory.months[-1]


def test_step_stops_at_the_end(session):
    for _ in range(session.n_months):
        assert session.step()
    assert session.finished
    assert session.step() is False
    assert len(session.history) == session.n_months + 1


def test_reset_replays_the_same_first_step_for_the_same_seed(session):
    session.step()
    first = (session.trajectory.events_csv(), session.trajectory.membership_csv())
    for _ in range(7):
        session.step()
    session.reset()
    assert session.snapshot.t == 0 and len(session.history) == 1
    session.step()
    assert (session.trajectory.events_csv(), session.trajectory.membership_csv()) == first


def test_reset_with_settings_matches_a_fresh_session(session):
    session.reset(seed=3, parameters={"backer_pressure": 2.0, "temperature": 0.5})
    fresh = Session(TEACHING, seed=3, parameters={"backer_pressure": 2.0, "temperature": 0.5})
    for _ in range(10):
        session.step()
        fresh.step()
    assert session.trajectory.events_csv() == fresh.trajectory.events_csv()
    assert session.scenario.parameters.backer_pressure == 2.0
    assert session.base.parameters.backer_pressure == 1.0      # the base is untouched
    assert session.parameters["temperature"] == 0.5


def test_reset_to_another_scenario_takes_its_seed_and_parameters(session, tmp_path):
    data = yaml.safe_load(TEACHING.read_text(encoding="utf-8"))
    data["name"] = "other"
    data["seed"] = 11
    data["parameters"] = {"temperature": 0.8}
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(data), encoding="utf-8")
    session.reset(parameters={"ideology_weight": 3.0})
    session.reset(scenario_path=other)
    assert session.seed == 11
    assert session.parameters["temperature"] == 0.8
    assert session.parameters["ideology_weight"] == 1.0


def test_bad_settings_raise_input_error_and_keep_the_session(session, tmp_path):
    session.step()
    with pytest.raises(InputError):
        session.reset(seed=-1)
    with pytest.raises(InputError):
        session.reset(parameters={"no_such_parameter": 1.0})
    with pytest.raises(InputError):
        session.reset(parameters={"temperature": 0.0})      # the schema wants > 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nfactions: 3\n", encoding="utf-8")
    with pytest.raises(InputError):
        session.reset(scenario_path=broken)
    assert session.scenario_path == TEACHING and session.seed == session.base.seed
    assert session.snapshot.t == 1, "a refused reset must leave the run as it was"


def test_missing_scenario_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        Session(tmp_path / "nope.yaml")


def test_sliders_are_model_parameters(session):
    assert set(SLIDERS) == {"backer_pressure", "ideology_weight", "loss_sensitivity",
                            "temperature"}
    for name, (_label, lo, hi, _step) in SLIDERS.items():
        assert lo <= session.parameters[name] <= hi


# ---- scenarios and documented events ---------------------------------------------------------

def test_discover_lists_scenarios_with_factions_only():
    found = discover_scenarios(ROOT / "scenarios")
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in found}
    assert "teaching/four_factions.yaml" in names
    assert not any(n.startswith("landscapes/") for n in names), "landscape files are not scenarios"
    for lesson in ("lesson1_threat", "lesson2_red_line", "lesson3_balancing"):
        assert f"teaching/{lesson}.yaml" in names


def test_documented_events_of_a_scenario_with_targets(tmp_path):
    data = yaml.safe_load(TEACHING.read_text(encoding="utf-8"))
    data["targets"] = "targets.yaml"
    (tmp_path / "with_targets.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "targets.yaml").write_text(yaml.safe_dump({"targets": [
        {"id": "t1", "month": "2030-07", "type": "room_formed", "actors": ["olive", "crescent"],
         "description": "a documented room"},
        {"id": "t2", "month": "2031-06", "type": "infighting_started", "actors": ["vanguard", "olive"]},
    ]}), encoding="utf-8")
    s = Session(tmp_path / "with_targets.yaml")
    assert [d.id for d in s.documented] == ["t1", "t2"]
    assert s.documented_in("2030-07")[0].description == "a documented room"
    assert s.next_documented("2030-07").id == "t2"
    for _ in range(7):
        s.step()
    month = s.month
    assert month == "2030-07"
    rows = views.documented_rows(s.documented_in(month),
                                 [e for e in s.trajectory.events if e.month == month],
                                 s.trajectory.names)
    assert len(rows) == 1 and "Olive Guard" in rows[0].text


@pytest.mark.parametrize("text, says", [("targets: 5\n", "no 'targets:' list"),
                                         ("targets: [\n", "could not be read")])
def test_unusable_targets_file_warns_instead_of_failing(tmp_path, text, says):
    data = yaml.safe_load(TEACHING.read_text(encoding="utf-8"))
    data["targets"] = "targets.yaml"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "targets.yaml").write_text(text, encoding="utf-8")
    s = Session(path)
    assert s.documented == [] and says in s.documented_warning


def test_baseline_targets_are_shown_when_the_baseline_exists():
    baseline = ROOT / "scenarios" / "idlib_2015_2018.yaml"
    if not baseline.exists():
        pytest.skip("the baseline scenario is not in this checkout")
    s = Session(baseline)
    if not s.base.targets:
        pytest.skip("the baseline names no targets file")
    events, warning = load_documented(s.base, baseline)
    assert events and not warning
    assert all(e.month[:4].isdigit() for e in events)


def test_snapshot_counts_match_the_state(session):
    for _ in range(10):
        session.step()
    snap = snapshot_of(session.model)
    st = session.model.state
    assert snap.counts["rooms"] == len(st.rooms)
    assert snap.counts["fights"] == len(st.fights)
    assert snap.counts["factions"] == int(st.alive.sum())


def test_explain_is_of_the_month_last_simulated_in_this_run(session):
    assert session.explain("vanguard") is None          # nothing simulated yet
    session.reset(seed=5, parameters={"temperature": 0.9})
    session.step(4)
    ex = session.explain("vanguard", "crescent")
    assert ex.month == session.month and ex.seed == 5
    month_events = [e for e in session.trajectory.events
                    if e.month == session.month and e.endogenous
                    and set(e.actors) & set(ex.members)]
    assert ex.events == [f"{e.type} {';'.join(e.actors)}: {e.detail}" for e in month_events]
    assert abs(sum(ex.probabilities.values()) - 1.0) < 1e-9 and ex.partner is not None


def test_a_slider_given_an_off_grid_value_does_not_change_the_run():
    """The calibrated temperature (0.2944...) is off the slider's 0.05 grid: the
    slider shows it at 0.3 and reports 0.3 back when the page loads. That report
    must leave the scenario's own value (the run stays the one `coalsim run`
    makes); moving the slider elsewhere is a change."""
    from sim.dashboard.app import slider_position, slider_unmoved

    label, lo, hi, step = SLIDERS["temperature"]
    shown = slider_position(0.2944654765968975, lo, hi, step)
    assert shown == 0.3 and slider_unmoved(0.3, shown)
    assert not slider_unmoved(0.35, shown) and not slider_unmoved(0.25, shown)
    assert slider_position(9.0, lo, hi, step) == hi and slider_position(-1.0, lo, hi, step) == lo
    assert slider_position(1.0, 0.0, 5.0, 0.1) == 1.0
