"""The exogenous schedule: front intensities, scenario events and backer policy
changes, laid out by month index (0 = the scenario's start)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.config.months import to_index
from sim.config.schema import BackerPolicy, Scenario


@dataclass
class Schedule:
    start: int                                   # absolute month index of month 0
    n_months: int
    intensity: np.ndarray                        # (n_months, F)
    events: dict[int, list]                      # month -> scenario events
    policies: dict[int, list[tuple[int, BackerPolicy]]]  # month -> (backer index, change)


def build_schedule(sc: Scenario, until: str | None = None) -> Schedule:
    start = to_index(sc.start)
    n_months = to_index(until or sc.end) - start + 1
    intensity = np.zeros((n_months, len(sc.fronts)))
    for f, front in enumerate(sc.fronts):
        for month, value in sorted(front.intensity.items()):
            t = max(to_index(month) - start, 0)
            if t < n_months:
                intensity[t:, f] = value
    events: dict[int, list] = defaultdict(list)
    for ev in sc.events:
        events[to_index(ev.month) - start].append(ev)
    policies: dict[int, list] = defaultdict(list)
    for b, backer in enumerate(sc.backers):
        for pol in backer.policy:
            policies[to_index(pol.month) - start].append((b, pol))
    return Schedule(start=start, n_months=n_months, intensity=intensity,
                    events=dict(events), policies={t: sorted(v, key=lambda x: x[0])
                                                   for t, v in policies.items()})
