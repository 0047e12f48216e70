"""Synthetic scenarios of any size, for benchmarks and scaling tests.

Fictional by construction: every value is drawn from a seeded generator, and
the scenario says so in its sources.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario, scenario_from_dict
from sim.config.months import month_range


def synthetic_scenario(n_factions: int, months: int = 48, n_backers: int = 4, n_fronts: int = 4,
                       seed: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    start, end = "2030-01", month_range("2030-01", "2099-12")[months - 1]
    src = "synthetic (seeded random draw)"
    fronts = []
    all_months = month_range(start, end)
    for f in range(n_fronts):
        steps = sorted(rng.choice(len(all_months), size=min(4, len(all_months)), replace=False))
        fronts.append({"id": f"front_{f}", "name": f"Front {f}",
                       "intensity": {all_months[s]: round(float(rng.uniform(0.1, 1.2)), 2)
                                     for s in [0, *steps]},
                       "sources": {"intensity": src}})
    backers = [{"id": f"backer_{b}", "name": f"Backer {b}",
                "ideal": [round(float(v), 2) for v in rng.uniform(1, 4, 3)],
                "tolerance": round(float(rng.uniform(0.8, 2.0)), 2),
                "funding": round(float(rng.uniform(0.3, 1.5)), 2),
                "unity_push": round(float(rng.uniform(0, 1.5)), 2),
                "red_line": bool(rng.random() < 0.5), "veto_mergers": bool(rng.random() < 0.5),
                "sources": {"all": src}} for b in range(n_backers)]
    factions = []
    for i in range(n_factions):
        fr = rng.choice(n_fronts, size=min(2, n_fronts), replace=False)
        share = rng.dirichlet(np.ones(len(fr)))
        bk = rng.choice(n_backers, size=int(rng.integers(0, 3)), replace=False) if n_backers else []
        factions.append({
            "id": f"f{i:04d}", "name": f"Faction {i}",
            "strength": round(float(rng.lognormal(7.5, 1.0)), 0),
            "ideology": [round(float(v), 2) for v in rng.uniform(1, 5, 3)],
            "cohesion": round(float(rng.uniform(0.3, 0.9)), 2),
            "fronts": {f"front_{f}": round(float(s) * 0.99, 3) for f, s in zip(fr, share)},
            "backers": {f"backer_{b}": round(float(rng.uniform(0.2, 0.8)), 2) for b in bk},
            "designated": bool(rng.random() < 0.05),
            "sources": {"strength": src, "ideology": src},
        })
    events = [{"month": all_months[len(all_months) // 2], "type": "designated", "by": "backer_0",
               "factions": [factions[0]["id"]], "source": src}] if n_backers else []
    return scenario_from_dict({
        "name": f"synthetic_{n_factions}", "description": "Synthetic benchmark scenario.",
        "start": start, "end": end, "seed": seed,
        "ideology_scales": ["nationalism_revisionism", "islamism", "sectarianism"],
        "factions": factions, "backers": backers, "fronts": fronts, "events": events,
    })
