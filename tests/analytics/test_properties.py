"""Hypothesis property tests on random distributions."""

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import norm

from analytics.betting.kelly import growth_of_stakes, kelly_with_cash
from analytics.core.divergence import js_divergence, kl_divergence, kl_divergence_grid_log

settings.register_profile("project", deadline=None, max_examples=150)
settings.load_profile("project")


@st.composite
def distribution_pair(draw, min_size=2, max_size=12, full_support=True):
    n = draw(st.integers(min_size, max_size))
    low = 1e-3 if full_support else 0.0
    elements = st.floats(low, 1.0, allow_nan=False, allow_infinity=False)
    p = draw(arrays(np.float64, n, elements=elements))
    q = draw(arrays(np.float64, n, elements=st.floats(1e-3, 1.0)))
    if p.sum() == 0:
        p[0] = 1.0
    return p / p.sum(), q / q.sum()


@given(distribution_pair(full_support=False))
def test_kl_nonnegative_and_zero_only_when_equal(pair):
    p, q = pair
    kl = kl_divergence(p, q)
    assert kl >= -1e-15
    assert kl_divergence(p, p) == 0.0
    if np.max(np.abs(p - q)) > 1e-6:
        assert kl > 0


@given(distribution_pair(full_support=False))
def test_jsd_bounded(pair):
    p, q = pair
    jsd = js_divergence(p, q)
    assert -1e-15 <= jsd <= math.log(2) + 1e-15


@given(distribution_pair(), st.randoms(use_true_random=False))
def test_permutation_invariance(pair, rnd):
    p, q = pair
    perm = np.array(rnd.sample(range(p.size), p.size))
    assert math.isclose(kl_divergence(p[perm], q[perm]), kl_divergence(p, q), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(js_divergence(p[perm], q[perm]), js_divergence(p, q), rel_tol=1e-12, abs_tol=1e-15)


@given(distribution_pair(min_size=3), st.data())
def test_merging_outcomes_never_increases_kl(pair, data):
    p, q = pair
    i = data.draw(st.integers(0, p.size - 2))
    merged_p = np.concatenate((p[:i], [p[i] + p[i + 1]], p[i + 2:]))
    merged_q = np.concatenate((q[:i], [q[i] + q[i + 1]], q[i + 2:]))
    assert kl_divergence(merged_p, merged_q) <= kl_divergence(p, q) + 1e-12


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


@given(st.floats(-3, 3), st.floats(0.3, 3), st.floats(-3, 3), st.floats(0.3, 3))
@settings(max_examples=40)
def test_grid_kl_of_normals_matches_closed_form(m1, s1, m2, s2):
    from analytics.core.closed_forms import kl_normal

    lo = min(m1 - 12 * s1, m2 - 12 * s2)
    hi = max(m1 + 12 * s1, m2 + 12 * s2)
    x = np.linspace(lo, hi, 40_001)
    grid = kl_divergence_grid_log(x, norm.logpdf(x, m1, s1), norm.logpdf(x, m2, s2))
    assert abs(grid - kl_normal(m1, s1, m2, s2)) < 1e-6
