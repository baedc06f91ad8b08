"""Scoring a price belief: the lognormal decomposition of KL against an option market (theory 5.8)."""

import math

import numpy as np
import pytest
from scipy.stats import lognorm

from analytics.core.closed_forms import (
    kl_decomposition_normal,
    kl_normal,
)
from analytics.core.divergence import (
    hellinger_squared_grid,
    js_divergence_grid,
    kl_cumulative_grid,
    kl_divergence_grid,
    total_variation_grid,
    wasserstein1_grid,
)


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
