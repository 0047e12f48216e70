"""Score the documented record replayed as a run: the ceiling of the fit.

    .venv/bin/python scripts/score_record.py
    .venv/bin/python scripts/score_record.py --out runs/record   # also a run folder

Replays the targets file on the scenario's factions
(`sim.scoring.record.replay`), scores the replay with default and with strict
matching (`score_frames(..., entity_level=False)`), and prints the fit and its
components under both, the targets the replay misses with the reason, the
snapshot ARIs per month and where the snapshots and the replayed events
disagree. `--out DIR` writes the replay as a run folder (`coalsim score DIR`
reads it like any run; its manifest's `command` names this script).
Figures are reported in docs/scoring.md ("The record as a run: the ceiling").
Exit code 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.api import load_scenario  # noqa: E402
from sim.calibration.objective import frames, score_trajectory  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.scoring.match import (THRESHOLD, MembershipIndex, MOVER_TYPES, candidate_edges,  # noqa: E402
                               effective_actors, prepare_target)
from sim.scoring.record import replay, snapshot_differences  # noqa: E402
from sim.scoring.score import score_frames  # noqa: E402
from sim.scoring.targets import load_targets  # noqa: E402
from sim.scoring.trajectory import event_rows  # noqa: E402

SCENARIO = ROOT / "scenarios" / "idlib_2015_2018.yaml"
ROWS = [("fit", "fit"), ("event recall", "recall"), ("weighted recall", "weighted_recall"),
        ("family recall", "family_recall"), ("key recall", "key_recall"),
        ("precision (major)", "precision"), ("precision (all)", "precision_all"),
        ("timing score", "timing_score"), ("snapshot ARI, entities", "snapshot_entities"),
        ("snapshot ARI, rooms", "snapshot_rooms")]


def why_missed(rec, targets, events, membership, entity_level: bool) -> dict[str, str]:
    """For each target the scorer does not match, why its own replayed event fails."""
    factions = frozenset(membership["faction"])
    prepared = [prepare_target(t, factions) for t in targets]
    ev = event_rows(events, keep=(-10**9, 10**9))
    assert len(ev) == len(rec.sources), "the replay writes endogenous events only"
    index = MembershipIndex.from_frame(membership)
    edges = {(e.target, e.event): e for e in candidate_edges(
        prepared, ev, index, threshold=0.0, entity_level=entity_level)}
    out = {}
    for i, pt in enumerate(prepared):
        t, j = pt.target, rec.event_of(pt.target.id)
        if not pt.scorable:
            out[t.id] = pt.reason
        elif j is None:
            out[t.id] = "not replayed: " + "; ".join(
                n.split(": ", 1)[1] for n in rec.notes if f" {t.id}: " in n)
        elif (i, j) in edges:
            sim = edges[i, j].similarity
            out[t.id] = (f"similarity {sim:.2f} < {THRESHOLD}" if sim + 1e-12 < THRESHOLD
                         else "its event went to another target (one-to-one assignment)")
        else:
            resolved, _ = effective_actors(ev.type[j], ev.m[j], ev.actor_list[j], ev.sides[j],
                                           ev.entity[j], index)
            if pt.not_actors & resolved:
                out[t.id] = f"not_actors take part: {', '.join(sorted(pt.not_actors & resolved))}"
            elif ev.type[j] in MOVER_TYPES and pt.partners:
                out[t.id] = "partner check: its room or entity holds none of the partners"
            else:
                out[t.id] = "type or month out of reach"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default=str(SCENARIO), help="scenario file (default: the baseline)")
    ap.add_argument("--targets", help="targets file (default: the scenario's `targets`)")
    ap.add_argument("--out", help="also write the replay as a run folder DIR")
    args = ap.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
        if args.targets:
            targets_path = Path(args.targets)
        elif scenario.targets:
            targets_path = (Path(args.scenario).resolve().parent / scenario.targets).resolve()
        else:
            raise InputError("the scenario names no targets file; pass --targets FILE.",
                             file=args.scenario)
        targets = load_targets(targets_path)
        if args.out:
            from sim.output.runfolder import prepare_target as check_out

            check_out(Path(args.out))
    except InputError as err:
        print(textwrap.fill(f"error: {err}", width=100), file=sys.stderr)
        return 2

    rec = replay(targets, scenario)
    events, membership = frames(rec.trajectory)
    reports = {name: score_frames(events, membership, targets, entity_level=level,
                                  run=f"record ({name})")
               for name, level in (("default", True), ("strict", False))}

    print(f"The record of {targets_path} replayed on {scenario.name} "
          f"({scenario.start}..{scenario.end}): {len(rec.trajectory.events)} events")
    print("\nWhat the events alone could not do, or imply without an event:")
    print("\n".join(f"  {n}" for n in rec.notes) or "  nothing")

    print(f"\n{'':26}{'default':>9}{'strict':>9}")
    for label, key in ROWS:
        vals = [reports[n].metrics()[key] for n in ("default", "strict")]
        print(f"  {label:24}" + "".join("      n/a" if v is None else f"{v:9.3f}" for v in vals))
    for name, rep in reports.items():
        print(f"    {name}: {rep.n_matched}/{rep.n_scorable} targets, "
              f"{rep.n_major_matched}/{rep.n_major} major events matched")

    for name, rep in reports.items():
        reasons = why_missed(rec, targets, events, membership, name == "default")
        table = rep.targets_table
        missed = table[table["status"] != "matched"]
        print(f"\nTargets not matched, {name} matching ({len(missed)}):")
        for r in missed.itertuples(index=False):
            star = "*" if r.key else " "
            reason = reasons[r.target] if r.status == "missed" else r.note
            print(f"  {star} {r.target:38} {r.month} {r.type:18} w {r.weight:.1f}  {r.status}: "
                  f"{reason}")
            print(f"      documented: {r.actors}")
            j = rec.event_of(r.target)
            if j is not None:
                e = rec.trajectory.events[j]
                shown = e.detail if " vs " in e.detail else ";".join(e.actors)
                print(f"      replayed:   {e.type} {shown}" + (f" ({e.entity})" if e.entity else ""))
        if not rep.spurious.empty:
            print(f"  spurious major events: {len(rep.spurious)}")
            for s in rep.spurious.itertuples(index=False):
                print(f"    {s.month} {s.type} {s.actors} ({s.entity}) {s.detail}")

    print("\nSnapshots (ARI; the same under both matchings)")
    for r in reports["default"].snapshots_table.itertuples(index=False):
        print(f"  {r.month}  entities {r.ari_entities:6.3f}   rooms {r.ari_rooms:6.3f}"
              + (f"   ({r.note})" if r.note else ""))
    print("\nWhere the snapshots and the replayed events disagree:")
    print("\n".join(textwrap.fill(d, 100, initial_indent="  ", subsequent_indent="      ")
                    for d in snapshot_differences(rec.trajectory, targets)) or "  nowhere")

    if args.out:
        from sim.output.runfolder import _now, write_run_folder

        out = Path(args.out)
        copy = scenario.model_copy(update={"seed": 0, "targets": os.path.relpath(
            targets_path.resolve(), out.resolve())})
        fit = {"targets": os.path.relpath(targets_path),
               **{k: round(v, 6) for k, v in score_trajectory(rec.trajectory, targets).items()}}
        folder = write_run_folder(out, scenario=copy, scenario_path=args.scenario,
                                  trajectory=rec.trajectory, started=_now(), until=None,
                                  fit=fit)
        print(f"\nRun folder: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
