"""Frustration and energy of two-bloc configurations (Axelrod & Bennett 1993).

Definitions, exactly as in Axelrod & Bennett (1993), "A Landscape Theory of
Aggregation", *British Journal of Political Science* 23(2): 211-233:

* actors ``i = 0..n-1`` with sizes ``s_i > 0`` and a symmetric propensity
  matrix ``p_ij`` (the diagonal ``p_ii`` is ignored);
* a configuration ``X`` puts every actor in one of two blocs;
  ``d_ij(X) = 1`` when ``i`` and ``j`` are in different blocs, else 0;
* frustration ``F_i(X) = sum_{j != i} s_j p_ij d_ij(X)``;
* energy ``E(X) = sum_i s_i F_i(X) = sum_i sum_{j != i} s_i s_j p_ij d_ij(X)``.

Energy convention. The energy is summed over *ordered* pairs, so every pair of
actors in different blocs counts twice. This is the paper's own convention:
its footnote 2 writes the energy of ``X = A' versus B`` as
``E(X) = sum_{A'} sum_{B} r_ij + sum_{B} sum_{A'} r_ij`` with
``r_ij = s_i s_j p_ij`` -- both orders of every cross pair. Half of it,
``sum_{i<j} s_i s_j p_ij d_ij``, would give the same minima and basins; we do
not use it, so our energies compare directly with the paper's.

A positive propensity means the two actors want to be together: being apart
from a friend raises frustration, being apart from an enemy (``p_ij < 0``)
lowers it. Energies can therefore be negative.

Labels do not matter: a configuration and the one with the two bloc labels
swapped are the same configuration (``d_ij`` is unchanged). There are
``2**(n-1)`` distinct configurations. We code each as an integer in
``[0, 2**(n-1))``: bit ``i`` (``i < n-1``) is the bloc of actor ``i`` and the
last actor, ``n-1``, is always in bloc 0 (the canonical representative).

Spin form used for vectorisation. With ``sigma_i = 1 - 2*bloc_i`` in {+1, -1}
and weights ``W_kj = s_j p_kj`` (zero diagonal), ``1 - 2 d_kj = sigma_k sigma_j``
and the *field* ``G_k = sum_j W_kj sigma_j`` gives

* ``F_k = (R_k - sigma_k G_k) / 2`` with ``R_k = sum_j W_kj``;
* the change of ``F_k`` if ``k`` alone switches bloc: ``dF_k = sigma_k G_k``;
* the change of energy if ``k`` switches: ``dE_k = 2 s_k dF_k``.

The last identity is why, for symmetric propensities and positive sizes, "no
actor can lower its own frustration by switching" and "no single switch lowers
the energy" are the same condition (the paper's footnote 2 proves the same
thing set-wise). Proof: when ``k`` switches, its own term changes by
``s_k dF_k``; every other actor's term ``s_i F_i`` changes by
``s_i s_k p_ik (1 - 2 d_ik)``, and these sum to
``s_k sum_i s_i p_ki (1 - 2 d_ki) = s_k dF_k`` by the symmetry ``p_ik = p_ki``; the total is ``2 s_k dF_k``, of the sign of
``dF_k`` because ``s_k > 0``. ``tests/landscape/test_energy.py`` checks this
numerically.

All-configuration sweeps never hold a ``(2**(n-1), n)`` array: :func:`iter_fields`
yields chunks of at most ``2**chunk_bits`` configurations, built from two small
precomputed tables (fields of every pattern of the low bits and of the high
bits) so that a chunk costs one broadcast addition instead of a matrix product.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

__all__ = [
    "LO_BITS",
    "FieldChunk",
    "as_inputs",
    "weights",
    "n_configurations",
    "decode",
    "encode",
    "frustrations",
    "energies",
    "flip_deltas",
    "all_energies",
    "iter_fields",
]

#: Number of low configuration bits tabulated once (4096 patterns).
LO_BITS = 12


def as_inputs(sizes, p) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert sizes (n,) and propensities (n, n) to float arrays.

    Raises ``ValueError`` for non-positive or non-finite sizes, a non-square or
    non-symmetric matrix, or non-finite propensities. The diagonal is ignored
    (set to zero in the returned copy).
    """
    s = np.asarray(sizes, dtype=float).reshape(-1)
    P = np.array(p, dtype=float, copy=True)
    n = s.size
    if n == 0:
        raise ValueError("a landscape needs at least one actor")
    if P.shape != (n, n):
        raise ValueError(f"propensities must be an {n}x{n} matrix, got shape {P.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("sizes must be finite and > 0")
    np.fill_diagonal(P, 0.0)
    if not np.all(np.isfinite(P)):
        raise ValueError("propensities must be finite")
    scale = max(1.0, float(np.abs(P).max()))
    if not np.allclose(P, P.T, rtol=0.0, atol=1e-12 * scale):
        i, j = np.unravel_index(np.argmax(np.abs(P - P.T)), P.shape)
        raise ValueError(f"propensities must be symmetric: p[{i}][{j}]={P[i, j]} but p[{j}][{i}]={P[j, i]}")
    P = (P + P.T) / 2.0
    return s, P


def weights(sizes, p) -> np.ndarray:
    """``W_kj = s_j p_kj`` with a zero diagonal (the frustration weights of actor k)."""
    s, P = as_inputs(sizes, p)
    return P * s[None, :]


def n_configurations(n: int) -> int:
    """Distinct two-bloc configurations of n actors: ``2**(n-1)``."""
    return 1 << (n - 1)


def decode(codes, n: int) -> np.ndarray:
    """Bloc (0/1) of every actor for each code; shape ``codes.shape + (n,)``.

    Works for ``n <= 63``. The last actor is always in bloc 0.
    """
    c = np.asarray(codes, dtype=np.int64)
    shifts = np.arange(n, dtype=np.int64)
    if np.any(c < 0) or np.any(c >= (1 << (n - 1))):
        raise ValueError(f"configuration codes for {n} actors lie in [0, 2**{n - 1})")
    return ((c[..., None] >> shifts) & 1).astype(np.int8)


def encode(blocs) -> np.ndarray | int:
    """Canonical code of bloc vectors (last axis = actors); the inverse of :func:`decode`.

    A vector whose last actor is in bloc 1 is first relabelled (both blocs
    swapped), so equivalent configurations get the same code. Returns a Python
    int for a single vector (any n), an int64 array for a batch (n <= 63).
    """
    b = np.asarray(blocs).astype(np.int64) & 1
    b = np.where(b[..., -1:] == 1, 1 - b, b)
    n = b.shape[-1]
    if b.ndim == 1:
        return sum(int(v) << i for i, v in enumerate(b[: n - 1].tolist()))
    if n > 63:
        raise ValueError("batch encoding supports at most 63 actors")
    return (b[..., : n - 1] << np.arange(n - 1, dtype=np.int64)).sum(axis=-1)


def frustrations(sizes, p, blocs) -> np.ndarray:
    """``F_i(X)`` for a batch of configurations given as bloc vectors (m, n) -> (m, n).

    Plain vectorised definition (no spin tricks): ``F = (d * W).sum(axis=-1)``
    with ``d_ij = blocs_i xor blocs_j``.
    """
    W = weights(sizes, p)
    b = np.atleast_2d(np.asarray(blocs)).astype(np.int8)
    d = (b[:, :, None] != b[:, None, :]).astype(float)
    return (d * W[None, :, :]).sum(axis=-1)


def energies(sizes, p, blocs) -> np.ndarray:
    """``E(X) = sum_i s_i F_i(X)`` for a batch of bloc vectors (m, n) -> (m,)."""
    s, _ = as_inputs(sizes, p)
    return frustrations(sizes, p, blocs) @ s


def flip_deltas(sizes, p, blocs) -> np.ndarray:
    """Change of each actor's own frustration if it alone switched bloc: (m, n)."""
    W = weights(sizes, p)
    b = np.atleast_2d(np.asarray(blocs)).astype(np.int8)
    sig = 1.0 - 2.0 * b
    return sig * (sig @ W.T)


@dataclass
class FieldChunk:
    """Fields of a contiguous block of configuration codes ``[start, stop)``.

    ``field[c, k] = G_k`` and ``sign[c, k] = sigma_k`` for configuration
    ``start + c``; ``dF = sign * field``.
    """

    start: int
    stop: int
    field: np.ndarray
    sign: np.ndarray


def _spin_table(bits: int) -> np.ndarray:
    """+1/-1 spins of every pattern of ``bits`` bits: shape (2**bits, bits)."""
    if bits == 0:
        return np.zeros((1, 0))
    idx = np.arange(1 << bits, dtype=np.int64)
    return 1.0 - 2.0 * ((idx[:, None] >> np.arange(bits)) & 1)


def iter_fields(sizes, p, chunk_bits: int = 16) -> Iterator[FieldChunk]:
    """Yield :class:`FieldChunk` s covering all ``2**(n-1)`` configurations in code order.

    Code ``c = hi * 2**m + lo`` with ``m = min(LO_BITS, n-1)`` low bits. The field
    splits as ``G = A[lo] + B[hi]`` where ``A`` holds the contribution of the
    low-bit actors and ``B`` that of the high-bit actors plus the last actor
    (always +1). Both tables are computed once; a chunk is a broadcast sum.
    Memory per chunk: about ``2**chunk_bits * n * 8`` bytes per array.
    """
    s, P = as_inputs(sizes, p)
    W = P * s[None, :]
    n = s.size
    free = n - 1
    m = min(LO_BITS, free)
    h = free - m
    sig_lo = _spin_table(m)                       # (L, m)
    sig_hi = _spin_table(h)                       # (H, h)
    A = sig_lo @ W[:, :m].T                       # (L, n)
    B = sig_hi @ W[:, m:free].T + W[:, free][None, :]   # (H, n)
    L = 1 << m
    H = 1 << h
    S_lo = np.ones((L, n))
    S_lo[:, :m] = sig_lo
    S_hi = np.ones((H, n))
    S_hi[:, m:free] = sig_hi
    per = max(1, (1 << max(chunk_bits, m)) >> m)  # hi values per chunk
    for h0 in range(0, H, per):
        h1 = min(H, h0 + per)
        field = (B[h0:h1, None, :] + A[None, :, :]).reshape(-1, n)
        sign = (S_hi[h0:h1, None, :] * S_lo[None, :, :]).reshape(-1, n)
        yield FieldChunk(h0 * L, h1 * L, field, sign)


def all_energies(sizes, p, chunk_bits: int = 16) -> np.ndarray:
    """Energy of every configuration, indexed by code: shape ``(2**(n-1),)``.

    Uses ``E = sum_k s_k (R_k - sigma_k G_k) / 2``. Holds one float per
    configuration (64 MiB at n = 24); meant for tests and small landscapes.
    """
    s, P = as_inputs(sizes, p)
    W = P * s[None, :]
    base = float(s @ W.sum(axis=1)) / 2.0
    out = np.empty(n_configurations(s.size))
    for ch in iter_fields(s, P, chunk_bits):
        out[ch.start:ch.stop] = base - (ch.sign * ch.field) @ s / 2.0
    return out
