"""The Gaussian and lognormal closed forms of KL, Renyi and Hellinger against the reference numbers."""

import math

import numpy as np
import pytest
from scipy.stats import lognorm, norm

from analytics.core.closed_forms import (
    black_scholes_drift_kl,
    hellinger_squared_normal,
    kl_normal,
    renyi_normal,
)
from analytics.core.divergence import (
    kl_divergence_grid,
    total_variation_grid,
    wasserstein1_grid,
)
from analytics.core.units import to_bits
from tests.reference import NORMAL_ROWS


@pytest.mark.parametrize("m1, s1, m2, s2, kl, bits, d05, d2, h2", NORMAL_ROWS)
def test_normal_closed_forms_5_7(m1, s1, m2, s2, kl, bits, d05, d2, h2):
    assert kl_normal(m1, s1, m2, s2) == pytest.approx(kl, abs=1e-12)
    assert to_bits(kl_normal(m1, s1, m2, s2)) == pytest.approx(bits, abs=1e-12)
    assert renyi_normal(m1, s1, m2, s2, 0.5) == pytest.approx(d05, abs=1e-12)
    assert renyi_normal(m1, s1, m2, s2, 2.0) == pytest.approx(d2, abs=1e-12)
    assert hellinger_squared_normal(m1, s1, m2, s2) == pytest.approx(h2, abs=1e-12)


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
