"""Reference rules with no theory in them: useful as baselines and in tests."""

from __future__ import annotations

import numpy as np

from sim.rules.base import Classifier, Observation, Rule, Utilities


class Inert(Rule):
    """Nobody ever does anything: the 'nothing changes' null model, run inside
    the model so that battlefield losses and exogenous events still apply.
    The status-quo baseline of forecasting studies (e.g. Brandt, Freeman &
    Schrodt 2011, "Real time, time series forecasting of inter- and intra-state
    political conflict", CMPS 28(1))."""

    name = "inert"
    classifier = Classifier(stochastic=False, reads=frozenset(), mechanisms=())

    def utilities(self, obs: Observation) -> Utilities:
        m, c = obs.n_actors, obs.n_components
        never = -1e6
        return Utilities(none=np.zeros(m), leave=np.full(m, never), dissolve=np.full(m, never),
                         coordinate=np.full((m, m), never), merge=np.full((m, m), never),
                         fight=np.full((m, m), never), defect=np.full(c, never),
                         expel=np.full(m, never))


class Random(Rule):
    """Every valid option equally likely, whatever the actor observes; binary
    choices (accept, defect, expel) are rare at a fixed rate. A null model of
    decisions that keeps the model's bookkeeping: the "zero-intelligence"
    agents of Gode & Sunder (1993, Journal of Political Economy 101(1))."""

    name = "random"
    classifier = Classifier(stochastic=True, reads=frozenset(), mechanisms=())

    def utilities(self, obs: Observation) -> Utilities:
        m, c = obs.n_actors, obs.n_components
        tau = obs.params.temperature
        # Doing nothing weighs as much as all other options together.
        none = np.full(m, tau * np.log(max(3 * m, 1)))
        rare = -3.0 * tau
        return Utilities(none=none, leave=np.zeros(m), dissolve=np.zeros(m),
                         coordinate=np.zeros((m, m)), merge=np.zeros((m, m)),
                         fight=np.zeros((m, m)), defect=np.full(c, rare), expel=np.full(m, rare))
