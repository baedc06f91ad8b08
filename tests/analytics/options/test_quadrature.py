"""Payoff weights: exact prices of a piecewise-linear density against fine direct quadrature."""

import numpy as np
import pytest
from scipy.stats import norm

from analytics.options.quadrature import grid_moments, payoff_weights


def test_payoff_weights_are_exact_for_a_piecewise_linear_density():
    """Prices from payoff_weights equal direct fine quadrature of the interpolated density."""
    grid = np.linspace(-0.5, 0.5, 41)
    q = norm.pdf(grid, 0.0, 0.1)
    strikes = np.array([50.0, 70.0, 99.3, 100.0, 100.7, 130.0, 180.0])    # two beyond the grid's ends
    is_call = np.array([True, True, True, False, False, False, True])
    fine = np.linspace(-0.5, 0.5, 400001)
    q_fine = np.interp(fine, grid, q)
    s = 100.0 * np.exp(fine)
    payoff = np.where(is_call[:, None], np.maximum(s - strikes[:, None], 0), np.maximum(strikes[:, None] - s, 0))
    direct = np.trapezoid(payoff * q_fine, fine, axis=1)
    assert payoff_weights(grid, 100.0, strikes, is_call) @ q == pytest.approx(direct, abs=1e-8)
    mass, mean = grid_moments(grid, 100.0)
    assert mass @ q == pytest.approx(np.trapezoid(q_fine, fine), abs=1e-9)
    assert mean @ q == pytest.approx(np.trapezoid(s * q_fine, fine), abs=1e-7)
