"""Landscape theory of aggregation (Axelrod & Bennett 1993) for two-bloc alignments.

Actors with sizes ``s_i`` and symmetric propensities ``p_ij`` split into two
blocs; each actor's frustration is ``F_i = sum_j s_j p_ij d_ij`` and the energy
``E = sum_i s_i F_i``. Actors that can lower their frustration switch, energy
falls, and the system settles in a local minimum. This package finds those
minima and their basins of attraction:

* :mod:`sim.landscape.energy`    -- frustration and energy, vectorised;
* :mod:`sim.landscape.minima`    -- exact enumeration (up to 24-26 actors);
* :mod:`sim.landscape.heuristic` -- random starts + descent for larger cases;
* :mod:`sim.landscape.io`        -- landscape YAML files;
* :mod:`sim.landscape.from_scenario` -- propensities from faction attributes.

See ``docs/landscape.md``.
"""

from __future__ import annotations

from sim.landscape.energy import all_energies, energies, flip_deltas, frustrations
from sim.landscape.heuristic import DEFAULT_STARTS, heuristic_minima
from sim.landscape.io import Landscape, load_landscape, parse_landscape
from sim.landscape.minima import EXACT_LIMIT, RULES, LandscapeResult, Minimum, descend, find_minima

__all__ = [
    "EXACT_DEFAULT_MAX",
    "analyse",
    "all_energies",
    "energies",
    "flip_deltas",
    "frustrations",
    "DEFAULT_STARTS",
    "heuristic_minima",
    "Landscape",
    "load_landscape",
    "parse_landscape",
    "EXACT_LIMIT",
    "RULES",
    "LandscapeResult",
    "Minimum",
    "descend",
    "find_minima",
]

#: Up to this many actors :func:`analyse` enumerates exactly (a few seconds at 24).
EXACT_DEFAULT_MAX = 24


def analyse(sizes, p, *, heuristic: bool | None = None, seed: int = 0, starts: int = DEFAULT_STARTS,
            rule: str = "energy", progress: bool = False) -> LandscapeResult:
    """Exact minima and basins when ``n <= 24`` (unless ``heuristic=True``), else the heuristic."""
    n = len(sizes)
    use_heuristic = heuristic if heuristic is not None else n > EXACT_DEFAULT_MAX
    if use_heuristic:
        return heuristic_minima(sizes, p, starts=starts, seed=seed, rule=rule, progress=progress)
    return find_minima(sizes, p, rule=rule, progress=progress)
