"""Frustration and energy (Axelrod & Bennett 1993) and the propensity formula."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.landscape.energy import (
    all_energies,
    as_inputs,
    decode,
    encode,
    energies,
    flip_deltas,
    frustrations,
    iter_fields,
)
from sim.landscape.from_scenario import propensities

# --- hand-computed cases -----------------------------------------------------------------------

# Three actors (tests/landscape/data/three_actors.yaml): s = (1, 2, 3),
# p_ab = 1, p_ac = -1, p_bc = 2. Codes: bit 0 = bloc of a, bit 1 = bloc of b, c fixed in bloc 0.
S3 = [1.0, 2.0, 3.0]
P3 = [[0, 1, -1], [1, 0, 2], [-1, 2, 0]]


def test_three_actor_energies_by_hand():
    # code 0 {a,b,c}:    nothing split                              E = 0
    # code 1 {a}|{b,c}:  2*(s_a s_b p_ab + s_a s_c p_ac) = 2*(2 - 3)  = -2
    # code 2 {b}|{a,c}:  2*(s_a s_b p_ab + s_b s_c p_bc) = 2*(2 + 12) = 28
    # code 3 {a,b}|{c}:  2*(s_a s_c p_ac + s_b s_c p_bc) = 2*(-3 + 12) = 18
    np.testing.assert_allclose(all_energies(S3, P3), [0.0, -2.0, 28.0, 18.0])


def test_three_actor_frustrations_by_hand():
    # {a}|{b,c}: F_a = s_b p_ab + s_c p_ac = 2 - 3 = -1; F_b = s_a p_ab = 1; F_c = s_a p_ac = -1.
    # E = sum_i s_i F_i = 1*(-1) + 2*1 + 3*(-1) = -2 (as above).
    F = frustrations(S3, P3, [[1, 0, 0]])
    np.testing.assert_allclose(F, [[-1.0, 1.0, -1.0]])
    assert energies(S3, P3, [[1, 0, 0]])[0] == pytest.approx(-2.0)


def test_four_actor_energies_by_hand():
    # Two friendly pairs (tests/landscape/data/two_pairs.yaml): sizes 1, p_ab = p_cd = 1, cross -1.
    s = [1, 1, 1, 1]
    P = [[0, 1, -1, -1], [1, 0, -1, -1], [-1, -1, 0, 1], [-1, -1, 1, 0]]
    E = all_energies(s, P)
    assert E[0b011] == pytest.approx(-8.0)   # {a,b}|{c,d}: 4 split cross pairs, 2*(-4)
    assert E[0b000] == pytest.approx(0.0)    # everyone together
    assert E[0b001] == pytest.approx(-2.0)   # {a}|{b,c,d}: 2*(+1 - 1 - 1)
    assert E[0b101] == pytest.approx(0.0)    # {a,c}|{b,d}: 2*(+1 - 1 - 1 + 1)
    # a 4-actor case with unequal sizes: s = (2, 1, 1, 3), only p_ad = 0.5 and p_bc = -1.
    s2 = [2, 1, 1, 3]
    P2 = np.zeros((4, 4))
    P2[0, 3] = P2[3, 0] = 0.5
    P2[1, 2] = P2[2, 1] = -1.0
    # {a,b}|{c,d}: split pairs ac (0), ad (2*3*0.5 = 3), bc (1*1*-1 = -1), bd (0) -> E = 2*(3 - 1) = 4
    assert energies(s2, P2, [[1, 1, 0, 0]])[0] == pytest.approx(4.0)
    # F_d there = s_a p_da d_da + s_b p_db d_db = 2*0.5*1 + 0 = 1
    assert frustrations(s2, P2, [[1, 1, 0, 0]])[0, 3] == pytest.approx(1.0)


# --- conventions and identities ------------------------------------------------------------------

def _random_landscape(n, seed):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.2, 3.0, n)
    A = rng.normal(size=(n, n))
    return s, (A + A.T) / 2


def test_energy_is_sum_over_ordered_pairs():
    s, P = _random_landscape(7, 1)
    b = decode(np.arange(64), 7)
    half = np.array([sum(s[i] * s[j] * P[i, j] * (x[i] != x[j]) for i in range(7) for j in range(i + 1, 7))
                     for x in b])
    np.testing.assert_allclose(energies(s, P, b), 2 * half, atol=1e-9)


def test_swapping_labels_changes_nothing():
    s, P = _random_landscape(6, 2)
    b = decode(np.arange(32), 6)
    np.testing.assert_allclose(energies(s, P, b), energies(s, P, 1 - b))
    np.testing.assert_allclose(frustrations(s, P, b), frustrations(s, P, 1 - b))
    assert np.array_equal(encode(1 - b), np.arange(32))


def test_encode_decode_roundtrip():
    for n in (1, 2, 5, 9):
        codes = np.arange(1 << (n - 1))
        assert np.array_equal(encode(decode(codes, n)), codes)
    assert encode(np.array([1, 0, 1])) == encode(np.array([0, 1, 0])) == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_matches_plain_loop_for_random_8_actors(seed):
    n = 8
    s, P = _random_landscape(n, 10 + seed)
    E = all_energies(s, P, chunk_bits=4)          # several chunks even at n = 8
    for code in range(1 << (n - 1)):
        blocs = [(code >> i) & 1 for i in range(n - 1)] + [0]
        F = [sum(s[j] * P[i][j] * (blocs[i] != blocs[j]) for j in range(n) if j != i) for i in range(n)]
        e = sum(s[i] * F[i] for i in range(n))
        assert E[code] == pytest.approx(e, abs=1e-9)
        np.testing.assert_allclose(frustrations(s, P, [blocs])[0], F, atol=1e-9)


def test_field_chunks_cover_everything_in_order():
    s, P = _random_landscape(15, 3)
    starts = [(c.start, c.stop) for c in iter_fields(s, P, chunk_bits=13)]
    assert starts[0][0] == 0 and starts[-1][1] == 1 << 14
    assert all(a[1] == b[0] for a, b in zip(starts, starts[1:]))


def test_switch_changes_energy_by_twice_size_times_frustration_change():
    """For symmetric p: E(X with k switched) - E(X) = 2 s_k dF_k, so the per-actor
    (frustration) and system (energy) definitions of a local minimum coincide."""
    n = 9
    s, P = _random_landscape(n, 4)
    b = decode(np.arange(1 << (n - 1)), n)
    E = energies(s, P, b)
    dF = flip_deltas(s, P, b)
    for k in range(n):
        flipped = b.copy()
        flipped[:, k] ^= 1
        dE = energies(s, P, flipped) - E
        np.testing.assert_allclose(dE, 2 * s[k] * dF[:, k], atol=1e-9)
    no_actor_gains = np.all(dF >= -1e-12, axis=1)
    no_switch_lowers_energy = np.all((2 * s * dF) >= -1e-12, axis=1)
    assert np.array_equal(no_actor_gains, no_switch_lowers_energy)


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="symmetric"):
        as_inputs([1, 1], [[0, 1], [2, 0]])
    with pytest.raises(ValueError, match="> 0"):
        as_inputs([1, -1], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="2x2"):
        as_inputs([1, 1], [[0, 1, 1], [1, 0, 1]])
    s, P = as_inputs([1, 2], [[5, 1], [1, 7]])      # the diagonal is ignored
    assert P[0, 0] == 0 and P[1, 1] == 0


# --- propensities from faction attributes -------------------------------------------------------

def test_propensities_by_hand():
    ideology = [[1.0], [5.0], [3.0]]                 # one 1-5 scale: distances /4 -> d01 1, d02 .5, d12 .5
    backers = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]   # overlaps: s01 .5, s02 0, s12 .5
    grievance = [[0, 2, 0], [0, 0, 0], [0, 0, 0]]    # 0 resents 1 with 2 -> symmetrised 1
    P = propensities([1, 1, 1], ideology, backers, grievance)
    # defaults: baseline 0, backer 1, ideology 1, grievance 1
    expected = [[0, 0.5 - 1 - 1, 0 - 0.5], [-1.5, 0, 0.5 - 0.5], [-0.5, 0.0, 0]]
    np.testing.assert_allclose(P, expected)
    P2 = propensities([1, 1, 1], ideology, backers, grievance,
                      {"baseline": 0.1, "backer": 2, "ideology": 0.5, "grievance": 0})
    np.testing.assert_allclose(P2, [[0, 0.6, -0.15], [0.6, 0, 0.85], [-0.15, 0.85, 0]])


def test_propensity_distance_is_normalised_over_scales():
    P = propensities([1, 1], [[1, 1, 1], [5, 5, 5]], np.zeros((2, 0)), None)
    assert P[0, 1] == pytest.approx(-1.0)           # the largest possible distance is 1
    P = propensities([1, 1], [[2, 3, 4], [2, 3, 4]], [[1], [1]], None)
    assert P[0, 1] == pytest.approx(1.0)            # same ideology, same single backer


def test_propensities_are_symmetric_with_zero_diagonal():
    rng = np.random.default_rng(5)
    n = 12
    P = propensities(rng.uniform(1, 9, n), rng.uniform(1, 5, (n, 3)), rng.uniform(0, 1, (n, 4)),
                     rng.uniform(0, 3, (n, n)), {"baseline": 0.2})
    assert np.allclose(P, P.T) and np.all(np.diag(P) == 0)
    as_inputs(np.ones(n), P)                        # a valid landscape


@pytest.mark.parametrize("kwargs, match", [
    (dict(ideology=[[0.0], [3.0]]), "1-5"),
    (dict(backer_dependence=[[-1.0], [0.0]]), ">= 0"),
    (dict(grievance=[[0, -1], [0, 0]]), ">= 0"),
    (dict(weights={"ideolgy": 1}), "unknown"),
    (dict(sizes=[1, 0]), "> 0"),
    (dict(ideology=[[1.0, 2.0]]), "ideology"),
])
def test_propensities_reject_bad_input(kwargs, match):
    args = dict(sizes=[1, 1], ideology=[[1.0], [3.0]], backer_dependence=[[1.0], [0.0]], grievance=None,
                weights=None)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        propensities(**args)


def test_brute_force_agrees_on_every_pair_of_small_cases():
    # exhaustive over all sign patterns of a 4-actor unit landscape
    for signs in itertools.product([-1, 1], repeat=6):
        P = np.zeros((4, 4))
        for (i, j), v in zip(itertools.combinations(range(4), 2), signs):
            P[i, j] = P[j, i] = v
        E = all_energies(np.ones(4), P)
        b = decode(np.arange(8), 4)
        np.testing.assert_allclose(E, energies(np.ones(4), P, b))
