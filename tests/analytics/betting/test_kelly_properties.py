"""Hypothesis properties of Kelly: growth at fair odds equals KL; with a margin the stakes stay
feasible and never grow less than holding cash."""

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from analytics.betting.kelly import growth_of_stakes, kelly_with_cash
from analytics.core.divergence import kl_divergence
from tests.strategies import distribution_pair


@given(distribution_pair())
def test_kelly_growth_at_fair_odds_equals_kl(pair):
    p, q = pair
    fair_odds = 1.0 / q
    # proportional betting b = p at fair odds grows at KL(p||q)
    assert math.isclose(growth_of_stakes(p, fair_odds, p), kl_divergence(p, q), rel_tol=1e-9, abs_tol=1e-12)
    result = kelly_with_cash(p, fair_odds)
    assert math.isclose(result.growth_nats, kl_divergence(p, q), rel_tol=1e-9, abs_tol=1e-12)


@given(distribution_pair(), st.floats(0.01, 0.25))
def test_kelly_with_margin_invariants(pair, margin):
    p, q = pair
    odds = 1.0 / (q * (1 + margin))
    assume(np.all(odds > 1.0))
    result = kelly_with_cash(p, odds)
    assert np.all(result.stakes >= 0)
    assert math.isclose(result.stakes.sum() + result.cash, 1.0, abs_tol=1e-12)
    assert result.growth_nats >= -1e-15
    assert math.isclose(result.growth_nats, growth_of_stakes(p, odds, result.stakes), abs_tol=1e-12)
    # no small perturbation of the stakes does better (optimality)
    rng = np.random.default_rng(0)
    for _ in range(5):
        trial = np.clip(result.stakes + rng.normal(0, 1e-3, p.size), 0, None)
        if trial.sum() <= 1:
            assert growth_of_stakes(p, odds, trial) <= result.growth_nats + 1e-12
