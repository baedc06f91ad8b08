"""theory_spec 5.7 and 5.10: normals, lognormals and binning, closed form against the grid."""

import itertools
import math

import numpy as np
import pytest
from scipy.stats import lognorm, norm

from analytics.core.closed_forms import (
    black_scholes_drift_kl,
    hellinger_squared_normal,
    kl_decomposition_normal,
    kl_normal,
    renyi_normal,
)
from analytics.core.distributions import GriddedDensity
from analytics.core.divergence import (
    hellinger_squared_grid,
    js_divergence_grid,
    kl_cumulative_grid,
    kl_divergence,
    kl_divergence_grid,
    renyi_divergence_grid,
    total_variation_grid,
    wasserstein1,
    wasserstein1_grid,
)
from analytics.core.units import to_bits

ROWS = [
    # m1, s1, m2, s2, KL, bits, D0.5, D2, H2
    (0, 1, 1, 1, 0.5, 0.721347520444482, 0.25, 1.0, 0.117503097415405),
    (0, 1, 0, 2, 0.318147180559945, 0.458989359666639, 0.223143551314210, 0.413339286592234, 0.105572809000084),
    (0, 2, 0, 1, 0.806852819440055, 1.164042561333445, 0.223143551314210, math.inf, 0.105572809000084),
    (0, 1, 0.5, 1.5, 0.183242885885942, 0.264363602745831, 0.118504246135075, 0.255977303397216, 0.057530879005778),
    (0.5, 1.5, 0, 1, 0.344534891891836, 0.497058779945566, 0.118504246135075, math.inf, 0.057530879005778),
]


@pytest.mark.parametrize("m1, s1, m2, s2, kl, bits, d05, d2, h2", ROWS)
def test_normal_closed_forms_5_7(m1, s1, m2, s2, kl, bits, d05, d2, h2):
    assert kl_normal(m1, s1, m2, s2) == pytest.approx(kl, abs=1e-12)
    assert to_bits(kl_normal(m1, s1, m2, s2)) == pytest.approx(bits, abs=1e-12)
    assert renyi_normal(m1, s1, m2, s2, 0.5) == pytest.approx(d05, abs=1e-12)
    assert renyi_normal(m1, s1, m2, s2, 2.0) == pytest.approx(d2, abs=1e-12)
    assert hellinger_squared_normal(m1, s1, m2, s2) == pytest.approx(h2, abs=1e-12)


@pytest.mark.parametrize("m1, s1, m2, s2, kl, bits, d05, d2, h2", ROWS)
def test_normal_grid_agrees_with_closed_form_5_7(m1, s1, m2, s2, kl, bits, d05, d2, h2):
    x = np.linspace(-30, 30, 120_001)
    p, q = norm.pdf(x, m1, s1), norm.pdf(x, m2, s2)
    assert kl_divergence_grid(x, p, q) == pytest.approx(kl, abs=1e-9)
    assert to_bits(kl_divergence_grid(x, p, q)) == pytest.approx(bits, abs=1e-9)
    assert renyi_divergence_grid(x, p, q, 0.5) == pytest.approx(d05, abs=1e-9)
    if math.isfinite(d2):
        assert renyi_divergence_grid(x, p, q, 2.0) == pytest.approx(d2, abs=1e-9)
    assert hellinger_squared_grid(x, p, q) == pytest.approx(h2, abs=1e-9)


def test_equal_variance_extras_5_7():
    x = np.linspace(-30, 30, 120_001)
    p, q = norm.pdf(x, 0, 1), norm.pdf(x, 1, 1)
    lr = np.log(p) - np.log(q)
    mean = np.trapezoid(p * lr, x)
    assert np.trapezoid(p * (lr - mean) ** 2, x) == pytest.approx(1.0, abs=1e-9)
    assert total_variation_grid(x, p, q) == pytest.approx(0.382924922548026, abs=1e-8)  # kink at the crossing
    assert wasserstein1_grid(x, p, q) == pytest.approx(1.0, abs=1e-7)
    assert wasserstein1_grid(x, norm.pdf(x, 0, 1), norm.pdf(x, 0, 2)) == pytest.approx(0.797884560802865, abs=1e-7)


def test_lognormal_invariance_and_black_scholes_5_7():
    # LN(0,1) vs LN(0.5,1.5): KL in price space equals the normal KL
    x = np.geomspace(1e-12, 1e12, 400_001)
    p = lognorm.pdf(x, s=1.0, scale=1.0)
    q = lognorm.pdf(x, s=1.5, scale=math.exp(0.5))
    assert kl_divergence_grid(x, p, q) == pytest.approx(0.183242885885942, abs=1e-8)
    assert black_scholes_drift_kl(0.08, 0.02, 0.2, 1.0) == pytest.approx(0.045, abs=1e-15)
    # CRRA tilt gamma = 2, s = 0.2: shift log-mean by gamma s^2
    assert kl_normal(2 * 0.04, 0.2, 0.0, 0.2) == pytest.approx(0.08, abs=1e-15)


def test_option_lognormal_decomposition_5_8():
    s2, s1 = 0.1, 0.125
    m2 = math.log(100) + (0.03 - 0.02) * 0.25
    m1 = math.log(100) + (0.08 - 0.25**2 / 2) * 0.25
    assert m2 == pytest.approx(4.607670185988092, abs=1e-12)
    assert m1 == pytest.approx(4.617357685988091, abs=1e-12)
    parts = kl_decomposition_normal(m1, s1, m2, s2)
    assert parts.total_nats == pytest.approx(0.062798831498289, abs=1e-12)
    assert parts.mean_view_nats == pytest.approx(0.004692382812499, abs=1e-12)
    assert parts.volatility_view_nats == pytest.approx(0.058106448685790, abs=1e-12)
    assert kl_normal(m2, s2, m1, s1) == pytest.approx(0.046146676314209, abs=1e-12)
    # grid on [40, 220]: trapezoid converged, truncation error only
    for n in (201, 1601, 6401):
        x = np.linspace(40, 220, n)
        p = lognorm.pdf(x, s=s1, scale=math.exp(m1))
        q = lognorm.pdf(x, s=s2, scale=math.exp(m2))
        assert kl_divergence_grid(x, p, q) == pytest.approx(0.062798828335, abs=2e-9 if n > 201 else 5e-7)
    x = np.linspace(40, 220, 36_001)  # spacing 0.005 puts every region edge on the grid
    p = lognorm.pdf(x, s=s1, scale=math.exp(m1))
    q = lognorm.pdf(x, s=s2, scale=math.exp(m2))
    cum = kl_cumulative_grid(x, p, q)
    for lo, hi, want in [(80, 125, -0.026855005735), (70, 140, 0.047037516664), (60, 160, 0.062162253066)]:
        i, j = np.searchsorted(x, lo), np.searchsorted(x, hi)
        assert x[i] == lo and x[j] == hi
        assert cum[j] - cum[i] == pytest.approx(want, abs=1e-8)
    assert total_variation_grid(x, p, q) == pytest.approx(0.111503642280, abs=1e-8)
    assert hellinger_squared_grid(x, p, q) == pytest.approx(0.013174341740, abs=1e-8)
    assert js_divergence_grid(x, p, q) == pytest.approx(0.012813557750, abs=1e-8)
    assert wasserstein1_grid(x, p, q) == pytest.approx(2.2699497, abs=1e-6)


def _binned(edges):
    cdf_p = norm.cdf(edges, 0, 1)
    cdf_q = norm.cdf(edges, 0.5, 1.5)
    return np.diff(cdf_p), np.diff(cdf_q)


def test_binning_lower_bound_5_10():
    edges = np.array([-np.inf, -2, -1, 0, 1, 2, np.inf])
    P, Q = _binned(edges)
    np.testing.assert_allclose(P, [0.022750131948179, 0.135905121983278, 0.341344746068543, 0.341344746068543,
                                   0.135905121983278, 0.022750131948179], atol=1e-12)
    assert kl_divergence(P, Q) == pytest.approx(0.162957679702160, abs=1e-12)
    assert kl_divergence(P, Q) < 0.183242885885942
    want = [0.044616854420833, 0.134438798223993, 0.169371293571418, 0.179571169698039, 0.182301078766108,
            0.182995575379270, 0.183169963771316]
    got = []
    for k in range(1, 8):
        edges = np.concatenate(([-np.inf], np.linspace(-4, 4, 2**k + 1), [np.inf]))
        P, Q = _binned(edges)
        got.append(float(kl_divergence(P, Q)))
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert all(b >= a for a, b in itertools.pairwise(got))


def test_discrete_wasserstein_matches_scipy():
    from scipy.stats import wasserstein_distance

    v = np.array([3.0, 1.0, 2.0, 7.0])
    p, q = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.2, 0.1])
    assert wasserstein1(v, p, q) == pytest.approx(wasserstein_distance(v, v, p, q), abs=1e-14)


def test_gridded_density_moments_and_quantiles():
    x = np.linspace(-20, 22, 42_001)
    d = GriddedDensity(x, norm.pdf(x, 1.0, 2.0))
    assert d.mass == pytest.approx(1.0, abs=1e-9)
    assert d.mean() == pytest.approx(1.0, abs=1e-8)
    assert d.sd() == pytest.approx(2.0, abs=1e-6)
    np.testing.assert_allclose(d.quantile([0.05, 0.5, 0.95]), norm.ppf([0.05, 0.5, 0.95], 1, 2), atol=1e-4)
    assert float(d.probability_between(-1.0, 3.0)) == pytest.approx(norm.cdf(1) - norm.cdf(-1), abs=1e-6)
    assert float(d.probability_between(-np.inf, np.inf)) == pytest.approx(1.0, abs=1e-12)
