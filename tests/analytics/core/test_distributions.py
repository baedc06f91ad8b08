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


def test_outcomes_per_event_and_label_length_are_limited_and_named():
    from analytics.core.distributions import MAX_OUTCOMES, DiscreteDistribution
    from analytics.core.errors import InputError
    from analytics.core.text import MAX_CELL_CHARS as MAX_LABEL_CHARS

    n = MAX_OUTCOMES
    assert len(DiscreteDistribution(tuple(f"o{i}" for i in range(n)), np.full(n, 1 / n)).labels) == n
    with pytest.raises(InputError, match=f"wide.json: {n + 1:,} outcomes in one event; the limit is {n:,}"):
        DiscreteDistribution(tuple(f"o{i}" for i in range(n + 1)), np.full(n + 1, 1 / (n + 1)), source="wide.json")
    with pytest.raises(InputError, match=f"label of {MAX_LABEL_CHARS + 1:,} characters"):
        DiscreteDistribution(("x" * (MAX_LABEL_CHARS + 1), "y"), np.array([0.5, 0.5]), source="b.json")


def test_duplicate_labels_among_many_are_found_at_once():
    from analytics.core.distributions import MAX_OUTCOMES, DiscreteDistribution
    from analytics.core.errors import InputError

    labels = tuple(f"o{i % (MAX_OUTCOMES // 2)}" for i in range(MAX_OUTCOMES))
    with pytest.raises(InputError, match="duplicate outcome labels"):
        DiscreteDistribution(labels, np.full(MAX_OUTCOMES, 1 / MAX_OUTCOMES))
