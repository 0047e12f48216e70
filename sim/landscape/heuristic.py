"""Local minima of large landscapes by many random starts and deterministic descent.

Beyond about 24 actors the ``2**(n-1)`` configurations are too many to
enumerate (:mod:`sim.landscape.minima`). This module samples instead:

1. draw ``starts`` configurations uniformly at random from the ``2**(n-1)``
   distinct ones (every actor's bloc a fair coin, the last actor then put in
   bloc 0 by relabelling), from ``numpy.random.default_rng(seed)``;
2. from each, run the same deterministic dynamics as the exact code
   (``rule="energy"``: steepest descent in energy; ``rule="frustration"``: the
   actor whose frustration falls most; ties to the lowest index) until no
   actor can lower its frustration, i.e. until a local minimum;
3. report every distinct minimum reached, its energy, the number of starts
   that ended there (``hits``) and ``hits / starts`` as the estimated basin
   fraction, with its binomial standard error ``sqrt(f (1 - f) / starts)``.

Because starts are uniform over configurations and the dynamics are the exact
ones, ``hits / starts`` is an unbiased estimate of the exact basin fraction
under the same rule. What it cannot promise: minima with small basins (below
about ``1 / starts``) may be missed, so the list is "minima found", not "all
minima". The global minimum is usually, but not provably, among them.

All starts in a batch descend together: fields ``G = sigma W^T`` are computed
once per batch and updated by one rank-one correction per switch, so a step
costs O(batch * n). Memory is O(batch * n). The same seed gives the same
result.
"""

from __future__ import annotations

import numpy as np

from sim.landscape.energy import as_inputs, encode, energies, n_configurations
from sim.landscape.minima import RULES, LandscapeResult, Minimum, tolerance

__all__ = ["heuristic_minima", "DEFAULT_STARTS"]

DEFAULT_STARTS = 20_000


def _descend_batch(s: np.ndarray, W: np.ndarray, blocs: np.ndarray, rule: str, tol: float) -> np.ndarray:
    """Descend every row of ``blocs`` (m, n) to a local minimum; returns final blocs."""
    sig = 1.0 - 2.0 * blocs.astype(float)
    G = sig @ W.T
    n = s.size
    rows_all = np.arange(sig.shape[0])
    active = rows_all
    for _ in range(100 * n * n + 1000):  # energy strictly falls; this bound is never reached in practice
        if active.size == 0:
            break
        vals = sig[active] * G[active]
        if rule == "energy":
            vals *= s
        mn = vals.min(axis=1)
        moving = mn < -tol
        active = active[moving]
        if active.size == 0:
            break
        vals = vals[moving]
        k = np.argmax(vals <= (mn[moving] + tol)[:, None], axis=1)
        old = sig[active, k]
        G[active] -= 2.0 * old[:, None] * W[:, k].T
        sig[active, k] = -old
    else:  # pragma: no cover - would mean a bug (a cycle is impossible)
        raise RuntimeError("descent did not converge")
    b = (sig < 0).astype(np.int8)
    flip = b[:, -1] == 1
    b[flip] ^= 1
    return b


def heuristic_minima(sizes, p, *, starts: int = DEFAULT_STARTS, seed: int = 0, rule: str = "energy",
                     batch: int = 4096, progress: bool = False) -> LandscapeResult:
    """Sample ``starts`` random configurations and descend; see the module docstring."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if starts < 1:
        raise ValueError("starts must be >= 1")
    s, P = as_inputs(sizes, p)
    n = s.size
    W = P * s[None, :]
    tol = tolerance(s, P, rule)
    rng = np.random.default_rng(seed)
    hits: dict[bytes, int] = {}
    found: dict[bytes, np.ndarray] = {}
    bar = None
    if progress:
        try:
            from tqdm import tqdm
            bar = tqdm(total=starts, unit="start", desc="landscape", disable=None, leave=False)
        except ImportError:
            bar = None
    done = 0
    while done < starts:
        m = min(batch, starts - done)
        b0 = rng.integers(0, 2, size=(m, n), dtype=np.int8)
        b0[b0[:, -1] == 1] ^= 1
        final = _descend_batch(s, W, b0, rule, tol)
        uniq, inverse, counts = np.unique(final, axis=0, return_inverse=True, return_counts=True)
        for row, c in zip(uniq, counts):
            key = row.tobytes()
            hits[key] = hits.get(key, 0) + int(c)
            found.setdefault(key, row.copy())
        done += m
        if bar is not None:
            bar.update(m)
    if bar is not None:
        bar.close()
    keys = list(found)
    blocs = np.array([found[k] for k in keys], dtype=np.int8).reshape(-1, n)
    E = energies(s, P, blocs) if keys else np.empty(0)
    total = n_configurations(n)
    result = LandscapeResult(n_actors=n, n_configurations=total, method="heuristic", rule=rule, tol=tol,
                             seed=seed, starts=starts)
    for key, b, e in zip(keys, blocs, E.tolist()):
        f = hits[key] / starts
        result.minima.append(Minimum(code=int(encode(b)), blocs=b, energy=float(e), hits=hits[key],
                                     basin_fraction=f, basin_stderr=float(np.sqrt(f * (1 - f) / starts))))
    result.minima.sort(key=lambda mm: (mm.energy, mm.code))
    return result
