"""Exact local minima and basins of attraction of a two-bloc landscape.

Local minimum (Axelrod & Bennett 1993): a configuration from which
no single actor can lower its own frustration by switching to the other bloc.
For symmetric propensities and positive sizes this is the same as "no single
switch lowers the energy" (see :mod:`sim.landscape.energy` for the proof), so
it does not matter which of the two the paper's wording is read as. A switch
that leaves an actor's frustration unchanged does not count as lowering it:
minima are *weak* (``dF_k >= 0`` for every actor ``k``), and on a plateau of
equal-frustration switches two neighbouring configurations can both be minima.

Dynamics and basins. The paper's actors are myopic and incremental: one actor
at a time switches if switching lowers its frustration, so energy falls at
every step until a local minimum is reached; the basin of attraction of a
minimum is the set of configurations from which this process ends there.
Which of several discontented actors moves first decides the basins; the
sources available to us (the abstract, footnote 2 and secondary accounts; not
the full text) do not say how the paper orders moves, so, as the project
brief asks in that case, we make the rule deterministic and explicit:

* ``rule="energy"`` (default): steepest descent in energy -- the switch that
  lowers the energy most, ``argmin_k s_k dF_k``;
* ``rule="frustration"``: the actor whose own frustration falls most,
  ``argmin_k dF_k``.

Ties (within the tolerance below) go to the lowest actor index. Minima do not
depend on the rule; basins can.

Every configuration has one successor (itself if it is a minimum), and energy
strictly falls along successors, so following successors always ends at a
minimum. We compute all successors chunk by chunk (see
:func:`sim.landscape.energy.iter_fields`), then resolve every configuration's
end point at once by pointer doubling (``dest = dest[dest]`` until it stops
changing, about log2 of the longest path iterations) and count end points.
Basin sizes are counts of configurations; they sum to ``2**(n-1)``.

Tolerance: a switch counts as lowering when it lowers the quantity by more than
``1e-10`` times the largest possible change for any actor; smaller differences
are treated as ties (floating-point noise, e.g. from propensities such as 0.1).

Memory: one 4-byte successor per configuration plus a bincount, about 100 MB
at n = 24; :data:`EXACT_LIMIT` caps exact enumeration at 26 actors. Beyond 24
actors use :mod:`sim.landscape.heuristic`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.landscape.energy import (
    as_inputs,
    decode,
    energies,
    encode,
    iter_fields,
    n_configurations,
)

__all__ = ["EXACT_LIMIT", "RULES", "Minimum", "LandscapeResult", "find_minima", "tolerance", "flip_masks"]

#: Largest number of actors enumerated exactly (2**25 configurations).
EXACT_LIMIT = 26

#: Deterministic choice of the switching actor; see the module docstring.
RULES = ("energy", "frustration")


@dataclass
class Minimum:
    """One local minimum.

    ``blocs[i]`` is actor i's bloc (0/1) with the last actor in bloc 0.
    Exact results give ``basin_size`` (a count of configurations); heuristic
    ones give ``hits`` (random starts that ended here) and ``basin_stderr``.
    """

    code: int
    blocs: np.ndarray
    energy: float
    basin_size: int | None = None
    basin_fraction: float = 0.0
    hits: int | None = None
    basin_stderr: float | None = None

    def sides(self) -> tuple[list[int], list[int]]:
        """Actor indices of the two blocs, the bloc holding actor 0 first."""
        b = np.asarray(self.blocs)
        first = b == b[0]
        return [int(i) for i in np.flatnonzero(first)], [int(i) for i in np.flatnonzero(~first)]


@dataclass
class LandscapeResult:
    """All local minima found, sorted by energy then code."""

    n_actors: int
    n_configurations: int
    method: str  # "exact" or "heuristic"
    rule: str
    minima: list[Minimum] = field(default_factory=list)
    tol: float = 0.0
    seed: int | None = None
    starts: int | None = None

    def to_dict(self, ids: list[str] | None = None) -> dict:
        """JSON-ready summary; ``ids`` name the actors (default: their indices)."""
        ids = ids if ids is not None else [str(i) for i in range(self.n_actors)]
        best = min((m.energy for m in self.minima), default=None)
        out = {
            "n_actors": self.n_actors,
            "n_configurations": self.n_configurations,
            "method": self.method,
            "rule": self.rule,
            "energy_convention": "E = sum_i s_i F_i = sum over ordered pairs (Axelrod & Bennett 1993, fn. 2)",
            "minima": [],
        }
        if self.method == "heuristic":
            out["seed"] = self.seed
            out["starts"] = self.starts
        for rank, m in enumerate(self.minima, 1):
            a, b = m.sides()
            row = {
                "rank": rank,
                "energy": m.energy,
                "global": bool(best is not None and abs(m.energy - best) <= max(self.tol, 1e-12)),
                "blocs": [[ids[i] for i in a], [ids[i] for i in b]],
                "basin_size": m.basin_size,
                "basin_fraction": m.basin_fraction,
            }
            if self.method == "heuristic":
                row["hits"] = m.hits
                row["basin_stderr"] = m.basin_stderr
            out["minima"].append(row)
        return out


def tolerance(sizes: np.ndarray, P: np.ndarray, rule: str) -> float:
    """Smallest change that counts as a decrease (see module docstring)."""
    W = P * sizes[None, :]
    worst = np.abs(W).sum(axis=1)
    if rule == "energy":
        worst = worst * sizes
    return 1e-10 * float(worst.max()) if worst.size else 0.0


def flip_masks(n: int) -> np.ndarray:
    """XOR mask turning a code into its neighbour where actor k switched.

    Switching the last actor (fixed in bloc 0) gives the configuration where
    everyone else switched instead, which is the same configuration relabelled.
    """
    masks = np.array([1 << k for k in range(n)], dtype=np.int64)
    masks[n - 1] = (1 << (n - 1)) - 1
    return masks


def _check_rule(rule: str) -> None:
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")


def find_minima(sizes, p, *, rule: str = "energy", basins: bool = True, chunk_bits: int = 16,
                progress: bool = False) -> LandscapeResult:
    """Enumerate all ``2**(n-1)`` configurations; return every local minimum and its basin.

    ``basins=False`` skips the successor array (minima and energies only, memory
    bounded by one chunk). ``progress=True`` shows a tqdm bar on a terminal.
    """
    _check_rule(rule)
    s, P = as_inputs(sizes, p)
    n = s.size
    if n > EXACT_LIMIT:
        raise ValueError(f"exact enumeration is limited to {EXACT_LIMIT} actors (got {n}); "
                         "use sim.landscape.heuristic.heuristic_minima")
    total = n_configurations(n)
    tol = tolerance(s, P, rule)
    masks = flip_masks(n)
    itype = np.int32 if n <= 31 else np.int64
    succ = np.empty(total, dtype=itype) if basins else None
    minima_codes: list[np.ndarray] = []

    chunks = iter_fields(s, P, chunk_bits)
    bar = None
    if progress:
        try:
            from tqdm import tqdm
            bar = tqdm(total=total, unit="cfg", unit_scale=True, desc="landscape", disable=None, leave=False)
        except ImportError:  # tqdm is a dependency, but stay usable without it
            bar = None
    for ch in chunks:
        vals = ch.field
        vals *= ch.sign                                # dF_k for every configuration (in place)
        if rule == "energy":
            vals *= s                                  # proportional to dE_k = 2 s_k dF_k
        mn = vals.min(axis=1)
        moving = mn < -tol
        codes = np.arange(ch.start, ch.stop, dtype=np.int64)
        minima_codes.append(codes[~moving])
        if basins:
            k = np.argmax(vals <= (mn + tol)[:, None], axis=1)
            succ[ch.start:ch.stop] = np.where(moving, codes ^ masks[k], codes)
        if bar is not None:
            bar.update(ch.stop - ch.start)
    if bar is not None:
        bar.close()
    del chunks
    ch = vals = mn = moving = codes = None             # free the last chunk before phase 2

    mins = np.concatenate(minima_codes) if minima_codes else np.empty(0, dtype=np.int64)
    counts = None
    if basins:
        # pointer doubling with two reusable buffers: dest <- dest[dest] until it stops changing
        dest, tmp = succ, np.empty_like(succ)
        while True:
            np.take(dest, dest, out=tmp, mode="clip")  # indices are valid; 'clip' avoids a buffer
            if np.array_equal(tmp, dest):
                break
            dest, tmp = tmp, dest
        del tmp
        # count end points chunk by chunk (every end point is one of the minima, sorted)
        counts = np.zeros(mins.size, dtype=np.int64)
        step = 1 << 20
        for a in range(0, total, step):
            counts += np.bincount(np.searchsorted(mins, dest[a:a + step]), minlength=mins.size)
        del dest, succ
    blocs = decode(mins, n)
    E = energies(s, P, blocs) if mins.size else np.empty(0)
    result = LandscapeResult(n_actors=n, n_configurations=total, method="exact", rule=rule, tol=tol)
    for idx, (c, b, e) in enumerate(zip(mins.tolist(), blocs, E.tolist())):
        size = int(counts[idx]) if counts is not None else None
        result.minima.append(Minimum(code=int(c), blocs=b, energy=float(e), basin_size=size,
                                     basin_fraction=(size / total) if size is not None else 0.0))
    result.minima.sort(key=lambda m: (m.energy, m.code))
    return result


def descend(sizes, p, blocs, *, rule: str = "energy") -> tuple[np.ndarray, list[int]]:
    """Follow the deterministic dynamics from one configuration (plain Python, for checks).

    Returns the final bloc vector (canonical: last actor in bloc 0) and the
    list of actors that switched, in order.
    """
    _check_rule(rule)
    s, P = as_inputs(sizes, p)
    tol = tolerance(s, P, rule)
    W = P * s[None, :]
    b = np.array(blocs, dtype=np.int8).copy()
    moves: list[int] = []
    while True:
        sig = 1.0 - 2.0 * b
        dF = sig * (W @ sig)
        vals = dF * s if rule == "energy" else dF
        mn = vals.min()
        if mn >= -tol:
            break
        k = int(np.argmax(vals <= mn + tol))
        b[k] ^= 1
        moves.append(k)
    if b[-1] == 1:
        b ^= 1
    return b, moves


__all__ += ["descend", "encode"]
