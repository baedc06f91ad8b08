"""The tailed log-spline: Gaussian tails joined with continuous value and slope, a penalty zero on
every Gaussian."""

import numpy as np
import pytest
from scipy.interpolate import BSpline, make_lsq_spline

from analytics.options.logspline import TailedLogSpline, third_derivative_gram


def test_log_density_shape_has_gaussian_tails_joined_smoothly():
    """Beyond the quoted strikes log q continues with the spline's value and slope and the curvature of a
    Gaussian with the end's implied variance; the third-derivative penalty is zero on every quadratic
    log-density (a lognormal) and exact on a cubic one."""
    knots = np.concatenate(([-0.3] * 3, np.linspace(-0.3, 0.1, 21), [0.1] * 3))
    shape = TailedLogSpline(knots, (0.04, 0.01))
    theta = np.sin(np.arange(knots.size - 4))
    spline = BSpline(knots, theta, 3)
    left, right = np.array([-0.5, -0.31]), np.array([0.12, 0.4])
    assert shape.values(theta, left) == pytest.approx(spline(-0.3) + spline(-0.3, 1) * (left + 0.3)
                                                      - (left + 0.3) ** 2 / (2 * 0.04))
    assert shape.values(theta, right) == pytest.approx(spline(0.1) + spline(0.1, 1) * (right - 0.1)
                                                       - (right - 0.1) ** 2 / (2 * 0.01))
    inside = np.linspace(-0.3, 0.1, 7)
    assert shape.values(theta, inside) == pytest.approx(spline(inside))
    penalty = third_derivative_gram(knots, 0.02)
    x = np.linspace(-0.3, 0.1, 2000)
    quadratic = make_lsq_spline(x, -(x + 0.1) ** 2 / 0.08, knots, 3).c
    cubic = make_lsq_spline(x, x**3, knots, 3).c
    exact_cubic = 0.02**5 * 6.0**2 * 0.4         # spacing^5 times the integral of (d^3 x^3 / dx^3)^2
    assert cubic @ penalty @ cubic == pytest.approx(exact_cubic, rel=1e-9)
    assert quadratic @ penalty @ quadratic < 1e-6 * exact_cubic
