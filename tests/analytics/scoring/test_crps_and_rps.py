"""CRPS (analytics.scoring.crps) and RPS (analytics.track.backtest) on fixed cases: the numbers are the closed forms'
(Gneiting and Raftery's normal, Baran and Lerch's lognormal), checked when written by numerical integration of
(F(x) - 1{x >= y})^2 with scipy's quad; RPS by hand. The grid CRPS must reach the closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import lognorm, norm

from analytics.core.errors import InputError
from analytics.scoring.crps import crps_lognormal, crps_normal, crps_on_grid
from analytics.track.backtest import backtest, ranked_probability_score


def test_crps_closed_forms_on_fixed_cases():
    assert crps_normal(0.0, 1.0, 0.0) == pytest.approx(0.23369497725510913, rel=1e-14)  # 2 phi(0) - 1/sqrt(pi)
    assert crps_normal(100.0, 15.0, 130.0) == pytest.approx(21.79187732528855, rel=1e-13)
    assert crps_lognormal(6.5, 0.2, 700.0) == pytest.approx(34.8154448814619, rel=1e-13)
    assert crps_lognormal(6.5, 0.2, -1.0) == pytest.approx(1.0 + math.exp(6.5 + 0.02), rel=1e-14)


def test_crps_on_a_grid_reaches_the_closed_forms():
    x = np.linspace(1.0, 3000.0, 20001)
    assert crps_on_grid(x, lognorm(s=0.2, scale=math.exp(6.5)).pdf(x), 700.0) == pytest.approx(34.8154448814619,
                                                                                               rel=1e-5)
    x = np.linspace(-10.0, 10.0, 8001)
    for y in (-1.3, 0.0, 2.7):
        assert crps_on_grid(x, norm.pdf(x), y) == pytest.approx(crps_normal(0.0, 1.0, y), abs=1e-6)
    # beyond the grid the forecast's CDF is 0 (below) or 1 (above): the distance to the grid is counted whole
    assert crps_on_grid(x, norm.pdf(x), 12.0) == pytest.approx(crps_normal(0.0, 1.0, 12.0), abs=1e-6)
    with pytest.raises(InputError, match="increasing grid"):
        crps_on_grid(np.array([1.0, 1.0]), np.array([1.0, 1.0]), 1.0)


def test_rps_on_fixed_cases():
    forecast = np.array([[0.5, 0.3, 0.2]] * 3)
    happened = np.eye(3)
    # cumulative forecast (0.5, 0.8) against (1, 1), (0, 1), (0, 0); divided by r - 1 = 2
    assert ranked_probability_score(forecast, happened) == pytest.approx([0.145, 0.145, 0.445], abs=1e-15)
    assert ranked_probability_score(np.array([1.0, 0.0, 0.0]), np.array([1.0, 0.0, 0.0])) == 0.0


def test_the_backtest_reports_rps_for_ordered_outcomes_only():
    p = np.array([[0.5, 0.3, 0.2], [0.6, 0.4, 0.0]])
    q = np.array([[0.4, 0.3, 0.3], [0.5, 0.5, 0.0]])
    labels = (("Home", "Draw", "Away"), ("Yes", "No"))
    found = backtest(("a", "b"), p, q, np.array([2, 0]), labels=labels)
    assert found.rps_belief[0] == pytest.approx(0.445) and math.isnan(found.rps_belief[1])
    assert found.summary()["rps_market_mean"] == pytest.approx(((0.4 ** 2) + (0.7 ** 2)) / 2)
    assert found.per_event()[1]["rps_belief"] is None


def test_crps_and_rps_equal_scoringrules_on_the_same_cases():
    """scoringrules (the peer library) on the cases above: CRPS the same; its RPS is the sum over the first r - 1
    categories, without our division by r - 1."""
    import scoringrules as sr

    assert crps_normal(0.0, 1.0, 0.0) == pytest.approx(float(sr.crps_normal(0.0, 0.0, 1.0)), rel=1e-12)
    assert crps_normal(100.0, 15.0, 130.0) == pytest.approx(float(sr.crps_normal(130.0, 100.0, 15.0)), rel=1e-12)
    assert crps_lognormal(6.5, 0.2, 700.0) == pytest.approx(float(sr.crps_lognormal(700.0, 6.5, 0.2)), rel=1e-12)
    forecast = np.array([0.5, 0.3, 0.2])
    for outcome in range(3):
        happened = np.eye(3)[outcome]
        assert 2 * ranked_probability_score(forecast, happened) == pytest.approx(
            float(sr.rps_score(outcome + 1, forecast)), abs=1e-15)
