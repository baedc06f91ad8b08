"""Gridded densities: moments and quantiles against scipy's distributions."""

import numpy as np
import pytest
from scipy.stats import norm

from analytics.core.distributions import GriddedDensity


def test_gridded_density_moments_and_quantiles():
    x = np.linspace(-20, 22, 42_001)
    d = GriddedDensity(x, norm.pdf(x, 1.0, 2.0))
    assert d.mass == pytest.approx(1.0, abs=1e-9)
    assert d.mean() == pytest.approx(1.0, abs=1e-8)
    assert d.sd() == pytest.approx(2.0, abs=1e-6)
    np.testing.assert_allclose(d.quantile([0.05, 0.5, 0.95]), norm.ppf([0.05, 0.5, 0.95], 1, 2), atol=1e-4)
    assert float(d.probability_between(-1.0, 3.0)) == pytest.approx(norm.cdf(1) - norm.cdf(-1), abs=1e-6)
    assert float(d.probability_between(-np.inf, np.inf)) == pytest.approx(1.0, abs=1e-12)
