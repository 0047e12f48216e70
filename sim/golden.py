"""Summary numbers of a scenario over fixed seeds, for the golden-baseline test.

The golden file is refreshed only by `scripts/refresh_golden.py`; the test
compares freshly computed numbers with it, so any change in the model's
behaviour shows up as a failing test until it is refreshed on purpose.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sim.api import simulate
from sim.config import config_sha256, load_scenario

GOLDEN_SEEDS = (1, 2, 3, 4, 5)


def summary_numbers(path: str | Path, seeds=GOLDEN_SEEDS) -> dict:
    scenario = load_scenario(path)
    per_seed = {}
    for seed in seeds:
        tr = simulate(scenario, seed=seed)
        counts = Counter(e.type for e in tr.events)
        last = tr.months[-1]
        alive = [(f, s) for m, f, _e, _r, s, a in tr.membership_rows() if m == last and a]
        per_seed[str(seed)] = {
            "event_counts": dict(sorted(counts.items())),
            "n_events": len(tr.events),
            "first_event": list(tr.endogenous_events()[0].row()) if tr.endogenous_events() else None,
            "alive_factions": len(alive),
            "total_strength": sum(s for _f, s in alive),
            "actors_at_end": len(tr.final_partition()),
            "rooms_at_end": len(tr.final_rooms()),
        }
    return {"scenario": scenario.name, "config_sha256": config_sha256(scenario),
            "seeds": list(seeds), "per_seed": per_seed}
