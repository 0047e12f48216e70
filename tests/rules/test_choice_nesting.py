"""The nested-logit choice: `nest_scale` 1 is the plain softmax over all
options; below 1 an action is weighed by its best target, so the number of
possible partners stops inflating how often an actor acts."""

from __future__ import annotations

import numpy as np
import pytest
from contract import observation

from sim.config.schema import Parameters
from sim.rules.base import Utilities
from sim.rules.choice import N_SINGLE, choice_logits, choose, valid_options


def flat_utilities(m: int, value: float = -1.0) -> Utilities:
    """Every targeted option has utility `value`; staying put 0; leaving and
    dissolving are out of reach."""
    full = np.full((m, m), value)
    return Utilities(none=np.zeros(m), leave=np.full(m, -50.0), dissolve=np.full(m, -50.0),
                     coordinate=full, merge=full.copy(), fight=full.copy(),
                     defect=np.zeros(0), expel=np.full(m, -50.0))


def act_probability(m: int, nest_scale: float, tau: float = 0.5) -> float:
    obs = observation(m, params=Parameters(temperature=tau, nest_scale=nest_scale))
    logits = choice_logits(flat_utilities(m), obs, valid_options(obs))
    w = np.exp(logits[0] - logits[0].max())
    return float(1.0 - w[0] / w.sum())


def test_scale_one_is_the_plain_softmax() -> None:
    obs = observation(6, params=Parameters(temperature=0.5))
    u = flat_utilities(6)
    u.merge[0, 3] = 1.0
    mask = valid_options(obs)
    expected = np.where(mask, np.concatenate([u.none[:, None], u.leave[:, None],
                                              u.dissolve[:, None], u.coordinate, u.merge,
                                              u.fight], axis=1) / 0.5, -np.inf)
    assert np.array_equal(choice_logits(u, obs, mask), expected)


def test_with_nesting_the_number_of_partners_hardly_matters() -> None:
    """Plain softmax: 3 (m - 1) options of utility -1 against staying put, so
    acting grows with the number of actors; nested with a small scale, each
    action counts about once."""
    plain = [act_probability(m, 1.0) for m in (4, 16)]
    nested = [act_probability(m, 0.05) for m in (4, 16)]
    assert plain[1] > plain[0] + 0.3
    assert nested[1] - nested[0] < 0.05
    single = 3 * np.exp(-2.0) / (1.0 + 3 * np.exp(-2.0))     # three actions at U = -1, tau 0.5
    assert nested[1] == pytest.approx(single, abs=0.03)


def test_nesting_keeps_the_best_target_first_and_the_draws_in_step() -> None:
    m = 5
    obs = observation(m, params=Parameters(temperature=0.5, nest_scale=0.2))
    u = flat_utilities(m)
    u.merge[0, 2] = 0.5
    logits = choice_logits(u, obs, valid_options(obs))
    merge = logits[0, N_SINGLE + m:N_SINGLE + 2 * m]
    assert np.argmax(merge) == 2
    # Sampled frequencies follow the log-weights.
    rng = np.random.default_rng(3)
    picks = [choose(u, obs, rng) for _ in range(3000)]
    rate = np.mean([(d.action[0] == 4) and (d.target[0] == 2) for d in picks])
    w = np.exp(logits[0] - logits[0].max())
    assert rate == pytest.approx(w[N_SINGLE + m + 2] / w.sum(), abs=0.03)
