"""sd and var views on a price (analytics.views): about the mean view's value when one is stated, else the
market's mean; met exactly on the grid, in every written form, and refused on named outcomes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import lognorm

from analytics.core.distributions import trapezoid_weights
from analytics.core.errors import InputError
from analytics.views.projection import discrete_constraints, project_on_grid
from analytics.views.spec import view_from_json, view_from_line, views_from_lines

X = np.linspace(20.0, 300.0, 4001)
Q = lognorm(s=0.25, scale=100.0).pdf(X)


def moments(density: np.ndarray, centre: float) -> tuple[float, float]:
    w = trapezoid_weights(X) * density
    w = w / w.sum()
    return float(w @ X), float(w @ (X - centre) ** 2)


def test_sd_about_a_stated_mean_holds_exactly():
    views = views_from_lines("mean = 105\nsd = 20\n", "v.txt").views
    found = project_on_grid(views, X, Q)
    mean, var = moments(found.density, 105.0)
    assert mean == pytest.approx(105.0, abs=1e-6) and var == pytest.approx(400.0, rel=1e-6)


def test_var_alone_is_about_the_markets_mean_and_an_inequality_binds_only_when_violated():
    w = trapezoid_weights(X) * Q
    market_mean = float(w @ X / w.sum())
    market_var = float(w @ (X - market_mean) ** 2 / w.sum())
    found = project_on_grid((view_from_line("var = 900", "line 1", "v.txt"),), X, Q)
    assert moments(found.density, market_mean)[1] == pytest.approx(900.0, rel=1e-6)
    assert math.sqrt(market_var) < 30                                  # the market is narrower: the view widens it
    loose = project_on_grid((view_from_json({"sd": 40, "relation": "<="}, "views[0]", "v.json"),), X, Q)
    assert loose.fit.kl_nats == pytest.approx(0.0, abs=1e-12)         # already narrower than 40: nothing to do
    assert loose.fit.binding == (False,)


def test_spread_views_that_cannot_be_used_are_one_line():
    with pytest.raises(InputError, match="sd -5 must be above 0"):
        view_from_line("sd = -5", "line 1", "v.txt")
    with pytest.raises(InputError, match="is about a price; this market has named outcomes"):
        discrete_constraints((view_from_line("sd = 5", "line 1", "v.txt"),), ("Home", "Draw", "Away"))
