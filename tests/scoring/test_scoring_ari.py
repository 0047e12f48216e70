"""The scorer's adjusted Rand index is scikit-learn's, exactly."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from sklearn.metrics import adjusted_rand_score as sk_ari

from sim.scoring.score import adjusted_rand_score as ari


def _labels(rng: random.Random, n: int, k: int, kind: str) -> list:
    if kind == "int":
        return [rng.randrange(k) for _ in range(n)]
    return [f"g:{rng.randrange(k)}" if rng.random() < 0.7 else f"solo:{i}" for i in range(n)]


def test_matches_sklearn_on_random_partitions():
    rng = random.Random(20240601)
    for trial in range(3000):
        n = rng.choice([1, 2, 3, 5, 8, 13, 19, 20, 40, 100, 300])
        a = _labels(rng, n, rng.randint(1, n + 1), rng.choice(["int", "str"]))
        b = _labels(rng, n, rng.randint(1, n + 1), rng.choice(["int", "str"]))
        if trial % 5 == 0:  # a coarsening or refinement of the other
            b = [x if rng.random() < 0.8 else f"x{i}" for i, x in enumerate(a)]
        got, want = ari(a, b), float(sk_ari(a, b))
        assert got == want, (a, b, got, want)  # the same float, not just close
        assert ari(b, a) == got


@pytest.mark.parametrize("a,b", [
    ([], []),
    (["x"], ["y"]),
    (["a", "b", "c"], ["a", "b", "c"]),          # identical
    (["a", "b", "c"], ["x", "y", "z"]),          # all singletons, relabelled
    (["a", "a", "a"], ["b", "b", "b"]),          # one cluster each
    (["a", "a", "b", "b"], ["x", "x", "y", "y"]),
    (["a", "a", "a", "a"], ["a", "b", "c", "d"]),  # one cluster vs all singletons
    (["a", "b", "c", "d"], ["a", "a", "a", "a"]),
    (["a", "a", "b"], ["a", "b", "b"]),
])
def test_special_cases_follow_sklearn(a, b):
    assert ari(a, b) == float(sk_ari(a, b))


def test_identical_partitions_give_one():
    for n in range(0, 30):
        labels = [f"solo:{i}" for i in range(n)]
        assert ari(labels, list(reversed(labels))) == 1.0
        assert ari(["g"] * n, ["h"] * n) == 1.0


def test_is_the_hubert_arabie_formula():
    """(index - expected) / (max - expected), in exact rational arithmetic."""
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(2, 60)
        a = [rng.randrange(rng.randint(1, 6)) for _ in range(n)]
        b = [rng.randrange(rng.randint(1, 6)) for _ in range(n)]
        c2 = lambda x: x * (x - 1) // 2  # noqa: E731
        cells, rows, cols = {}, {}, {}
        for x, y in zip(a, b):
            cells[x, y] = cells.get((x, y), 0) + 1
            rows[x] = rows.get(x, 0) + 1
            cols[y] = cols.get(y, 0) + 1
        index = sum(c2(v) for v in cells.values())
        sa, sb = sum(c2(v) for v in rows.values()), sum(c2(v) for v in cols.values())
        expected = Fraction(sa * sb, c2(n))
        maximum = Fraction(sa + sb, 2)
        if maximum == expected:
            assert ari(a, b) == 1.0
        else:
            assert ari(a, b) == float((index - expected) / (maximum - expected))


def test_lengths_must_agree():
    with pytest.raises(ValueError):
        ari(["a", "b"], ["a"])
