"""Regenerate ``regression_scores.json``: frozen inputs and outputs of the scorer.

    .venv/bin/python tests/scoring/data/make_regression.py [--scorer-rev REV] [--resimulate]

The fixture holds

* ``targets_yaml``: the text of ``calibration/targets_2015_2018.yaml`` when the
  fixture was made (the test parses this text, so later edits of the targets file
  do not break it);
* ``frames``: the (events, membership) frames of baseline runs, seeds 1..6, for three
  parameter sets (``sim.config.with_parameters``), built with
  ``sim.calibration.objective.frames``, and of two made-up "oracle" trajectories
  close to the documented one. They are stored because the model code changes: the
  test scores these stored frames and never re-simulates;
* ``cases``: ``ScoreReport.to_dict()`` of ``score_frames`` on those frames for three
  windows, plus variants (frames read back from CSV as strings, other
  tolerance/threshold/major_share settings, non-integer strengths, shuffled
  membership rows, object columns);
* ``nulls``: the frozen null and the random-events null (``sim.scoring.nulls``)
  built from stored membership, their events and their reports, and a
  ``null_scores`` table;
* ``scorer``: which scorer computed the expectations (``--scorer-rev``).

Run it only when the *scoring rules* change on purpose (then review the diff of
the JSON); a pure speed-up must leave every number unchanged. By default the
frames already stored are kept (``--resimulate`` runs the model again) and the
expectations come from the working tree's scorer; ``--scorer-rev REV`` takes them
from the scorer of git revision REV instead (``sim/`` is copied to a temporary
folder with ``sim/scoring`` replaced by REV's). The stored expectations were made
with ``--scorer-rev 3c61e33``, the scorer before it was rewritten for speed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
OUT = HERE / "regression_scores.json"
TARGETS_NAME = "targets_2015_2018.yaml"

PARAM_SETS: dict[str, dict] = {
    "defaults": {},
    "loose": {"temperature": 0.8, "coordination_cost": 0.5, "merge_cost": 1.0, "fight_cost": 1.0},
    "tight": {"temperature": 0.3, "threat_coordination": 15.0, "cover_seeking": 8.0,
              "merge_cost": 2.0},
}
SEEDS = range(1, 7)
WINDOWS: list[tuple[str | None, str | None]] = [(None, None), ("2015-01", "2017-06"),
                                                ("2017-07", "2018-12")]
#: extra scorer settings, each applied to seed 2 of every parameter set, whole window
SETTINGS_VARIANTS: list[dict] = [
    {"tolerance": 3, "threshold": 0.3},
    {"tolerance": 1, "threshold": 0.7, "major_share": 0.1},
]
NULL_SEEDS = range(5)
#: frames rewritten before scoring (see :func:`variant`), whole period, default settings
VARIANTS = ("float_strength", "float_shuffled", "object_columns")
VARIANT_FRAMES = ("defaults_s1", "defaults_s2", "loose_s1", "tight_s1", "oracle_s11",
                  "oracle_s12")
#: seeds of the "oracle" frames: events perturbed from the targets themselves and
#: membership from the snapshots, so that matching, step attachment, entity-level
#: similarity and non-trivial snapshot partitions are all exercised
ORACLE_SEEDS = (11, 12)


# ----------------------------------------------------------------- frame (de)serialisation

def frame_to_json(df: pd.DataFrame) -> dict:
    """Columnar, with the dtypes of the non-text columns."""
    data = {}
    dtypes = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            dtypes[col] = "bool"
            data[col] = [bool(v) for v in s]
        elif pd.api.types.is_integer_dtype(s.dtype):
            dtypes[col] = "int64"
            data[col] = [int(v) for v in s]
        elif pd.api.types.is_float_dtype(s.dtype):
            dtypes[col] = "float64"
            data[col] = [None if np.isnan(v) else float(v) for v in s]
        else:
            dtypes[col] = "str"
            data[col] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                         for v in s]
    return {"columns": list(df.columns), "dtypes": dtypes, "n": len(df), "data": data}


def frame_from_json(obj: dict) -> pd.DataFrame:
    cols = obj["columns"]
    out = {}
    for col in cols:
        values, dtype = obj["data"][col], obj["dtypes"][col]
        if dtype == "float64":
            out[col] = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        elif dtype in ("int64", "bool"):
            out[col] = pd.Series(values, dtype=dtype)
        else:
            out[col] = pd.Series(values, dtype="str") if values else pd.Series(dtype="str")
    return pd.DataFrame(out, columns=cols)


def as_strings(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as ``read_run`` reads it from a CSV file: every column a string."""
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    buf.seek(0)
    return pd.read_csv(buf, dtype=str, keep_default_na=False, na_values=[])


def table_records(df: pd.DataFrame) -> list[dict]:
    """Rows of a metrics table as plain JSON values (NaN -> None)."""
    out = []
    for rec in df.to_dict(orient="records"):
        row = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, (float, np.floating)) and np.isnan(v)):
                v = None
            elif isinstance(v, (bool, np.bool_)):
                v = bool(v)
            elif isinstance(v, (int, np.integer)):
                v = int(v)
            elif isinstance(v, (float, np.floating)):
                v = float(v)
            row[str(k)] = v
        out.append(row)
    return out


def variant(ev: pd.DataFrame, mem: pd.DataFrame, kind: str | None):
    """The stored frames rewritten (deterministically) to exercise other inputs.

    * ``float_strength``: non-integer strengths (sums of strengths then round);
    * ``float_shuffled``: the same, membership rows in a shuffled order (month
      look-ups no longer come in blocks; dict orders change);
    * ``object_columns``: every column of both frames of dtype object.
    """
    if kind is None:
        return ev, mem
    if kind in ("float_strength", "float_shuffled"):
        mem = mem.copy()
        mem["strength"] = mem["strength"].astype(float) * 0.731 + \
            (np.arange(len(mem)) % 7) * 0.0137
        if kind == "float_shuffled":
            mem = mem.sample(frac=1.0, random_state=7).reset_index(drop=True)
        return ev, mem
    if kind == "object_columns":
        return ev.astype(object), mem.astype(object)
    raise ValueError(kind)


def load_fixture() -> dict:
    return json.loads(OUT.read_text(encoding="utf-8"))


def fixture_targets(fixture: dict):
    from sim.scoring.targets import parse_targets

    return parse_targets(fixture["targets_yaml"], file=TARGETS_NAME)


# ----------------------------------------------------------------- oracle frames

def oracle_frames(targets, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A made-up trajectory close to the documented one (deterministic in ``seed``)."""
    from sim.scoring.targets import ENDOGENOUS_TYPES, month_index, month_label

    rng = np.random.default_rng(seed)
    factions = sorted(targets.known_ids)
    snaps = sorted(targets.snapshots, key=lambda s: s.m)
    lo, hi = month_index("2015-01"), month_index("2018-12")
    strength = {f: int(rng.integers(500, 20000)) for f in factions}
    dead_from = {factions[int(rng.integers(len(factions)))]: month_index("2016-09"),
                 factions[int(rng.integers(len(factions)))]: month_index("2018-02")}
    extra_room = {factions[int(rng.integers(len(factions)))]: "R_extra",
                  factions[int(rng.integers(len(factions)))]: "R_extra"}

    def snapshot_at(m: int):
        earlier = [s for s in snaps if s.m <= m]
        return earlier[-1] if earlier else snaps[0]

    ent_of: dict[int, dict[str, str]] = {}
    room_of: dict[int, dict[str, list[str]]] = {}
    rows = []
    for m in range(lo, hi + 1):
        snap = snapshot_at(m)
        ent = {f: f"E_{g.name}" for g in snap.entities for f in g.members}
        rooms: dict[str, list[str]] = {}
        for g in snap.rooms:
            for f in g.members:
                rooms.setdefault(f, []).append(f"R_{g.name}")
        for f, r in extra_room.items():
            if m % 5:
                rooms.setdefault(f, []).append(r)
        ent_of[m], room_of[m] = ent, rooms
        for f in factions:
            alive = not (f in dead_from and m >= dead_from[f])
            rows.append(dict(month=month_label(m), faction=f,
                             entity=ent.get(f, f) if alive else "",
                             rooms=";".join(rooms.get(f, [])) if alive else "",
                             strength=(strength[f] + 37 * (m - lo)) if alive else 0,
                             alive=alive))
    membership = pd.DataFrame(rows)

    compatible = {"room_formed": "room_joined", "room_joined": "room_formed",
                  "room_left": "room_expelled", "room_expelled": "room_left",
                  "merger": "absorbed", "absorbed": "merger", "dissolved": "absorbed"}
    events = []
    for t in targets.targets:
        if rng.random() < 0.15:
            continue
        typ = t.type
        u = rng.random()
        if u < 0.1 and t.alt_types:
            typ = t.alt_types[int(rng.integers(len(t.alt_types)))]
        elif u < 0.2 and typ in compatible:
            typ = compatible[typ]
        m = min(hi, max(lo, t.m + int(rng.integers(-3, 4))))
        actors = list(t.actors)
        if len(actors) > 2 and rng.random() < 0.3:
            actors.pop(int(rng.integers(len(actors))))
        if rng.random() < 0.2:
            actors.append(factions[int(rng.integers(len(factions)))])
        entity = ""
        if typ.startswith("room_"):
            r = room_of[m].get(actors[0]) or room_of[m].get(t.partners[0] if t.partners
                                                            else actors[0])
            entity = r[0] if r else f"R_new{len(events)}"
        elif typ in ("split", "dissolved", "merger", "absorbed"):
            probe = t.partners[0] if t.partners else actors[0]
            entity = ent_of[m].get(probe, probe if rng.random() < 0.5 else "")
        if entity and rng.random() < 0.1:
            actors = [entity, *actors[1:]]
        detail = "oracle"
        if t.sides is not None and rng.random() < 0.85:
            a, b = list(t.sides[0]), list(t.sides[1])
            if rng.random() < 0.5:
                a, b = b, a
            detail = f"{';'.join(a)} vs {';'.join(b)}"
            if rng.random() < 0.3:
                detail = "Clash: " + detail + ": truce"
        events.append(dict(month=month_label(m), type=typ, actors=";".join(dict.fromkeys(actors)),
                           entity=entity, detail=detail))
        # steps of a group event (see sim.scoring.match.attach)
        if typ == "room_formed" and entity and rng.random() < 0.7:
            for f in list(t.actors[2:]) + list(t.partners[:1]):
                events.append(dict(month=month_label(min(hi, m + int(rng.integers(0, 4)))),
                                   type="room_joined", actors=f, entity=entity,
                                   detail="step"))
        elif typ in ("merger", "absorbed") and len(t.actors) > 2 and rng.random() < 0.7:
            events.append(dict(month=month_label(max(lo, m - int(rng.integers(0, 4)))),
                               type="absorbed", actors=";".join(t.actors[:2]), entity=entity,
                               detail="step"))
        elif typ == "room_dissolved" and entity:
            events.append(dict(month=month_label(max(lo, m - int(rng.integers(0, 4)))),
                               type="room_left", actors=t.actors[-1], entity=entity,
                               detail="step"))
    for i in range(25):
        m = int(rng.integers(lo, hi + 1))
        typ = ENDOGENOUS_TYPES[int(rng.integers(len(ENDOGENOUS_TYPES)))]
        k = int(rng.integers(1, 4))
        actors = [factions[j] for j in rng.choice(len(factions), size=k, replace=False)]
        detail = f"{actors[0]} vs {';'.join(actors[1:])}" if k > 1 and \
            typ.startswith("infighting") else "noise"
        events.append(dict(month=month_label(m), type=typ, actors=";".join(actors),
                           entity=f"R_noise{i % 3}" if typ.startswith("room_") else "",
                           detail=detail))
    events.append(dict(month="2016-03", type="shock", actors="", entity="", detail="exogenous"))
    ev = pd.DataFrame(events, columns=["month", "type", "actors", "entity", "detail"])
    ev = ev.sort_values("month", kind="stable").reset_index(drop=True)
    return ev, membership


# ----------------------------------------------------------------- building

def build(old: dict | None, scorer: str) -> dict:
    """The fixture; frames from ``old`` (a previous fixture) when given."""
    from sim.scoring import nulls
    from sim.scoring.score import score_frames

    if old is not None:
        targets_text = old["targets_yaml"]
    else:
        targets_text = (REPO / "calibration" / TARGETS_NAME).read_text(encoding="utf-8")
    fixture: dict = {"scorer": scorer, "targets_yaml": targets_text, "frames": {},
                     "cases": [], "nulls": []}
    targets = fixture_targets(fixture)

    if old is not None:
        fixture["frames"] = old["frames"]
    else:
        from sim.api import simulate
        from sim.calibration.objective import frames
        from sim.config import load_scenario, with_parameters

        base = load_scenario(REPO / "scenarios" / "idlib_2015_2018.yaml")
        for pname, params in PARAM_SETS.items():
            scenario = with_parameters(base, **params)
            for seed in SEEDS:
                ev, mem = frames(simulate(scenario, seed=seed))
                fixture["frames"][f"{pname}_s{seed}"] = {
                    "params": params, "seed": seed, "events": frame_to_json(ev),
                    "membership": frame_to_json(mem)}
        for seed in ORACLE_SEEDS:
            ev, mem = oracle_frames(targets, seed)
            fixture["frames"][f"oracle_s{seed}"] = {
                "params": None, "seed": seed, "events": frame_to_json(ev),
                "membership": frame_to_json(mem)}
    # score what the test will read back, not the original objects
    stored: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {
        name: (frame_from_json(f["events"]), frame_from_json(f["membership"]))
        for name, f in fixture["frames"].items()}

    def case(name: str, start, end, *, strings: bool = False, kind: str | None = None,
             **kwargs) -> None:
        ev, mem = variant(*stored[name], kind)
        if strings:
            ev, mem = as_strings(ev), as_strings(mem)
        rep = score_frames(ev, mem, targets, start=start, end=end, **kwargs)
        fixture["cases"].append({"frames": name, "start": start, "end": end,
                                 "strings": strings, "variant": kind, "kwargs": kwargs,
                                 "report": rep.to_dict()})

    for name in stored:
        for start, end in WINDOWS:
            case(name, start, end)
    for pname in PARAM_SETS:
        for start, end in WINDOWS:
            case(f"{pname}_s1", start, end, strings=True)
        for kwargs in SETTINGS_VARIANTS:
            case(f"{pname}_s2", None, None, **kwargs)
    for seed in ORACLE_SEEDS:
        case(f"oracle_s{seed}", None, None, strings=True)
        for kwargs in SETTINGS_VARIANTS:
            case(f"oracle_s{seed}", None, None, **kwargs)
    for name in VARIANT_FRAMES:
        for kind in VARIANTS:
            case(name, None, None, kind=kind)

    for name in [f"{p}_s1" for p in PARAM_SETS] + [f"oracle_s{ORACLE_SEEDS[0]}"]:
        mem = stored[name][1]
        for start, end in WINDOWS:
            rep = nulls.frozen_report(mem, targets, start=start, end=end)
            fixture["nulls"].append({"kind": "frozen", "frames": name, "start": start,
                                     "end": end, "report": rep.to_dict()})
        for seed in NULL_SEEDS:
            ev, nmem = nulls.random_events(targets, mem, seed)
            for start, end in WINDOWS:
                rep = score_frames(ev, nmem, targets, start=start, end=end,
                                   run=f"null: random (seed {seed})")
                fixture["nulls"].append({"kind": "random", "frames": name, "seed": seed,
                                         "start": start, "end": end,
                                         "events": frame_to_json(ev),
                                         "report": rep.to_dict()})
        table = nulls.null_scores(mem, targets, seeds=NULL_SEEDS)
        fixture["nulls"].append({"kind": "null_scores", "frames": name,
                                 "table": table_records(table)})
    return fixture


def _run_with_scorer(rev: str, argv: list[str]) -> None:
    """Run this script again with ``sim/scoring`` taken from git revision ``rev``."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(REPO / "sim", Path(tmp) / "sim",
                        ignore=shutil.ignore_patterns("__pycache__"))
        names = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}:sim/scoring"],
                               cwd=REPO, check=True, capture_output=True,
                               text=True).stdout.split()
        scoring = Path(tmp) / "sim" / "scoring"
        shutil.rmtree(scoring)
        scoring.mkdir()
        for name in names:
            text = subprocess.run(["git", "show", f"{rev}:sim/scoring/{name}"], cwd=REPO,
                                  check=True, capture_output=True, text=True).stdout
            (scoring / name).write_text(text, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": tmp, "_REGRESSION_SCORER": rev}
        subprocess.run([sys.executable, __file__, *argv], env=env, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resimulate", action="store_true",
                    help="run the model again instead of keeping the stored frames")
    ap.add_argument("--scorer-rev", help="compute the expectations with the scorer of this "
                    "git revision (e.g. 3c61e33)")
    args = ap.parse_args()
    if args.scorer_rev and not os.environ.get("_REGRESSION_SCORER"):
        _run_with_scorer(args.scorer_rev, [a for a in sys.argv[1:]])
        return
    if str(REPO) not in sys.path:
        sys.path.append(str(REPO))
    import sim.scoring

    scorer = os.environ.get("_REGRESSION_SCORER", "working tree")
    print(f"scorer: {scorer} ({Path(sim.scoring.__file__).parent})")
    old = None if args.resimulate or not OUT.is_file() else load_fixture()
    fixture = build(old, scorer)
    OUT.write_text(json.dumps(fixture, separators=(",", ":"), allow_nan=False) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB): {len(fixture['frames'])} frames, "
          f"{len(fixture['cases'])} cases, {len(fixture['nulls'])} null entries")


if __name__ == "__main__":
    main()
