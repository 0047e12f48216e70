"""Landscapes from a scenario at a given month, and the propensity formula they use.

The pure part is :func:`propensities`, which turns what the model knows about
factions (ideology, backers, grievances) into an Axelrod-Bennett propensity
matrix. :func:`landscape_from_scenario` feeds it from the simulator core
(``sim.api.load_scenario`` and ``sim.api.state_at``); until that core exists it
raises :class:`~sim.errors.InputError` saying so.

Propensity formula (our documented choice, not Axelrod & Bennett's, whose
propensities for 1936 Europe came from ethnicity, religion, territorial
disputes, ideology and past wars)::

    p_ij = w_baseline
         + w_backer    * shared_ij
         - w_ideology  * dist_ij
         - w_grievance * griev_ij          (i != j; p_ii = 0)

* ``shared_ij = sum_b min(D_ib, D_jb)``: the overlap of the two factions'
  backer-dependence profiles (``D`` is (n, b), entries >= 0, e.g. the share of
  a faction's support that comes from backer b). Two factions that both
  depend entirely on Turkey have overlap 1; no common backer gives 0. The
  overlap is symmetric, is at most ``min(sum_b D_ib, sum_b D_jb)`` and does
  not grow when one faction is more dependent than the other, which is why we
  prefer it to a dot product. (Gade, Hafez & Gabbay 2019 find shared state
  sponsors associated with cooperation; mechanism 3 of the design.)
* ``dist_ij = ||x_i - x_j||_2 / (4 sqrt(k))``: Euclidean distance between the
  two factions' ideology vectors on ``k`` scales each running 1-5 (the Gade
  scales), divided by its largest possible value so it lies in [0, 1].
  (Gade et al. 2019: groups fight those ideologically unlike them;
  mechanism 2 of the design.)
* ``griev_ij = (g_ij + g_ji) / 2``: grievance symmetrised, because landscape
  theory needs ``p_ij = p_ji``; ``g`` is (n, n), >= 0, on the model's own
  scale (not rescaled here), ``g_ij`` being i's grievance toward j.

Sizes do not enter ``p``: Axelrod & Bennett keep size separate (the energy
weights each pair by ``s_i s_j p_ij``). ``sizes`` is accepted to check shapes
and that they are positive, so that the same arrays can go to the energy code.

Weights: a mapping with keys among ``baseline`` (default 0), ``backer``
(default 1), ``ideology`` (default 1) and ``grievance`` (default 1); unknown
keys are an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from sim.errors import InputError
from sim.landscape.io import Landscape

__all__ = ["DEFAULT_WEIGHTS", "propensities", "landscape_from_scenario"]

DEFAULT_WEIGHTS = {"baseline": 0.0, "backer": 1.0, "ideology": 1.0, "grievance": 1.0}


def propensities(sizes, ideology, backer_dependence, grievance, weights: Mapping[str, float] | None = None
                 ) -> np.ndarray:
    """Symmetric (n, n) propensity matrix with a zero diagonal; see the module docstring.

    ``ideology`` is (n, k) on 1-5 scales (k may be 0), ``backer_dependence``
    (n, b) >= 0 (b may be 0), ``grievance`` (n, n) >= 0 or None for none.
    Raises ``ValueError`` on wrong shapes, out-of-range or non-finite values,
    or unknown weight names.
    """
    s = np.asarray(sizes, dtype=float).reshape(-1)
    n = s.size
    if n == 0:
        raise ValueError("need at least one faction")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("sizes must be finite and > 0")
    w = dict(DEFAULT_WEIGHTS)
    for key, val in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise ValueError(f"unknown propensity weight {key!r}; allowed: {', '.join(DEFAULT_WEIGHTS)}")
        if isinstance(val, bool) or not np.isfinite(float(val)):
            raise ValueError(f"weight {key!r} must be a finite number")
        w[key] = float(val)

    X = np.asarray(ideology, dtype=float)
    if X.ndim == 1 and n > 0 and X.size == n:
        X = X.reshape(n, 1)
    if X.ndim != 2 or X.shape[0] != n:
        raise ValueError(f"ideology must be (n, k) with n={n}, got shape {X.shape}")
    if not np.all(np.isfinite(X)) or np.any((X < 1) | (X > 5)):
        raise ValueError("ideology scores must lie on the 1-5 scales")
    D = np.asarray(backer_dependence, dtype=float)
    if D.ndim == 1 and D.size == 0:
        D = D.reshape(n, 0)
    if D.ndim != 2 or D.shape[0] != n:
        raise ValueError(f"backer_dependence must be (n, b) with n={n}, got shape {D.shape}")
    if not np.all(np.isfinite(D)) or np.any(D < 0):
        raise ValueError("backer dependence weights must be finite and >= 0")
    if grievance is None:
        Gv = np.zeros((n, n))
    else:
        Gv = np.asarray(grievance, dtype=float)
        if Gv.shape != (n, n):
            raise ValueError(f"grievance must be (n, n) with n={n}, got shape {Gv.shape}")
        if not np.all(np.isfinite(Gv)) or np.any(Gv < 0):
            raise ValueError("grievances must be finite and >= 0")

    k = X.shape[1]
    if k:
        diff = X[:, None, :] - X[None, :, :]
        dist = np.sqrt((diff ** 2).sum(axis=-1)) / (4.0 * np.sqrt(k))
    else:
        dist = np.zeros((n, n))
    shared = np.minimum(D[:, None, :], D[None, :, :]).sum(axis=-1) if D.shape[1] else np.zeros((n, n))
    griev = (Gv + Gv.T) / 2.0
    P = w["baseline"] + w["backer"] * shared - w["ideology"] * dist - w["grievance"] * griev
    P = (P + P.T) / 2.0
    np.fill_diagonal(P, 0.0)
    return P


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _get(obj, name: str):
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def landscape_from_scenario(path: str, month: str, *, seed: int = 0,
                            weights: Mapping[str, float] | None = None) -> Landscape:
    """The landscape of the factions alive in ``month`` (YYYY-MM) of a scenario run.

    Contract with the simulator core (to be provided by ``sim.api``):
    ``load_scenario(path)`` returns a validated config and
    ``state_at(config, month, seed)`` returns an object or mapping exposing
    ``ids`` (n faction ids), ``sizes`` or ``strength`` (n, factions with size 0
    are left out), ``ideology`` (n, k; on the 1-5 scales, or on [0, 1] as the
    model keeps it, then mapped by ``1 + 4u``), ``backer_dependence`` (n, b)
    and ``grievance`` (n, n); optionally
    ``propensity_weights`` (a mapping as in :func:`propensities`). Without
    that core this raises :class:`InputError`.
    """
    if not isinstance(month, str) or not _MONTH.match(month):
        raise InputError(f"--at must be a month written YYYY-MM, got {month!r}.", file=str(path), key="--at")
    try:
        from sim import api  # type: ignore[attr-defined]
        load_scenario = api.load_scenario
        state_at = api.state_at
    except (ImportError, AttributeError):
        raise InputError("scenario landscapes need the simulator core (sim.api.load_scenario and "
                         "sim.api.state_at), which is not available in this version yet; give a "
                         "landscape file (see docs/landscape.md) instead.", file=str(path)) from None
    config = load_scenario(path)
    state = state_at(config, month, seed)
    ids = _get(state, "ids")
    sizes = _get(state, "sizes")
    if sizes is None:
        sizes = _get(state, "strength")
    if ids is None or sizes is None:
        raise InputError("the simulator state does not expose faction ids and sizes.", file=str(path))
    sizes = np.asarray(sizes, dtype=float)
    alive = sizes > 0
    ids = [str(i) for i, a in zip(ids, alive) if a]
    ideology = np.asarray(_get(state, "ideology"), dtype=float)[alive]
    if ideology.size and np.nanmin(ideology) < 1.0 and np.nanmax(ideology) <= 1.0:
        # the model keeps ideology on [0, 1]; 1 + 4u puts it on the 1-5 scales and leaves the
        # normalised distance unchanged (||du|| / sqrt(k) = ||dx|| / (4 sqrt(k)))
        ideology = 1.0 + 4.0 * ideology
    backers = np.asarray(_get(state, "backer_dependence"), dtype=float)[alive]
    griev = _get(state, "grievance")
    griev = None if griev is None else np.asarray(griev, dtype=float)[np.ix_(alive, alive)]
    w = weights if weights is not None else _get(state, "propensity_weights")
    try:
        P = propensities(sizes[alive], ideology, backers, griev, w)
    except ValueError as err:
        raise InputError(f"cannot build the landscape for {month}: {err}.", file=str(path)) from None
    return Landscape(ids=ids, sizes=sizes[alive], p=P, name=f"{path} at {month}",
                     source=f"computed by sim.landscape.from_scenario.propensities from the state at {month}",
                     file=str(path), names=[None] * len(ids))
