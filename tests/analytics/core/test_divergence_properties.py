"""Hypothesis properties of the divergences on random distributions: KL >= 0, JS <= 1 bit,
invariance under permutation, merging outcomes never increases KL."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from analytics.core.divergence import js_divergence, kl_divergence, kl_divergence_grid_log
from tests.strategies import distribution_pair


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


@given(st.floats(-3, 3), st.floats(0.3, 3), st.floats(-3, 3), st.floats(0.3, 3))
@settings(max_examples=40)
def test_grid_kl_of_normals_matches_closed_form(m1, s1, m2, s2):
    from analytics.core.closed_forms import kl_normal

    lo = min(m1 - 12 * s1, m2 - 12 * s2)
    hi = max(m1 + 12 * s1, m2 + 12 * s2)
    x = np.linspace(lo, hi, 40_001)
    grid = kl_divergence_grid_log(x, norm.logpdf(x, m1, s1), norm.logpdf(x, m2, s2))
    assert abs(grid - kl_normal(m1, s1, m2, s2)) < 1e-6
