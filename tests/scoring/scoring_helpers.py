"""Helpers for the scoring tests: small run folders written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.scoring.targets import BASELINE_IDS, month_index, month_label, parse_targets

REPO = Path(__file__).resolve().parents[2]
TARGETS_FILE = REPO / "calibration" / "targets_2015_2018.yaml"
FACTIONS = [*BASELINE_IDS, "jaysh_nasr"]


def months(start: str = "2015-01", end: str = "2018-12") -> list[str]:
    return [month_label(m) for m in range(month_index(start), month_index(end) + 1)]


def membership(factions=FACTIONS, start="2015-01", end="2018-12", groups=None, rooms=None,
               strength=1000, dead=None) -> pd.DataFrame:
    """One row per faction per month. ``groups``/``rooms``/``dead``: {month_from: ...}
    overrides valid from that month on: groups {entity: [factions]}, rooms
    {room: [factions]}, dead [factions]."""
    groups, rooms, dead = groups or {}, rooms or {}, dead or {}
    rows = []
    for m in months(start, end):
        g = _latest(groups, m, {})
        r = _latest(rooms, m, {})
        d = set(_latest(dead, m, []))
        ent = {f: e for e, fs in g.items() for f in fs}
        rms: dict[str, list[str]] = {}
        for room, fs in r.items():
            for f in fs:
                rms.setdefault(f, []).append(room)
        for f in factions:
            alive = f not in d
            rows.append(dict(month=m, faction=f, entity=ent.get(f, f) if alive else "",
                             rooms=";".join(sorted(rms.get(f, []))) if alive else "",
                             strength=strength if alive else 0, alive=alive))
    return pd.DataFrame(rows)


def _latest(spec: dict, m: str, default):
    keys = [k for k in spec if k <= m]
    return spec[max(keys)] if keys else default


def events(*rows) -> pd.DataFrame:
    """events(("2016-01", "split", "zenki", "E1", ""), ...)"""
    return pd.DataFrame(list(rows), columns=["month", "type", "actors", "entity", "detail"])


def write_run(folder: Path, ev: pd.DataFrame, mem: pd.DataFrame, manifest=None,
              config: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ev.to_csv(folder / "events.csv", index=False)
    mem.to_csv(folder / "membership.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps(
        manifest or {"scenario": "test", "seed": 1, "status": "complete"}))
    if config is not None:
        (folder / "config.resolved.yaml").write_text(config)
    return folder


def targets_yaml(targets: str, snapshots: str = "") -> str:
    text = "schema_version: 1\nsources: hand-written test targets\nextra_ids: [jaysh_nasr]\n"
    text += "targets:\n" + targets
    if snapshots:
        text += "snapshots:\n" + snapshots
    return text


def target(id, month, type, actors, *, sides=None, weight=1.0, extra="",
           confidence="high") -> str:
    out = (f"  - id: {id}\n    month: \"{month}\"\n    type: {type}\n"
           f"    actors: [{', '.join(actors)}]\n")
    if sides:
        out += f"    sides: [[{', '.join(sides[0])}], [{', '.join(sides[1])}]]\n"
    out += f"    weight: {weight}\n    confidence: {confidence}\n    source: test\n"
    return out + extra


def make_targets(*items: str, snapshots: str = ""):
    return parse_targets(targets_yaml("".join(items), snapshots), file="test_targets.yaml")
