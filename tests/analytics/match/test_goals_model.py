"""The Dixon-Coles goals model (analytics.match.goals_model): its gradient against finite differences, parameters
recovered from seasons simulated with known ones, and fits that use only the days before each match."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from analytics.match.goals_model import _objective, fit_dixon_coles, rolling_rates
from analytics.match.scores import MAX_GOALS, poisson_table

TEAMS = 20


def simulated(seasons: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    attack = rng.normal(0, 0.25, TEAMS)
    defence = rng.normal(0, 0.2, TEAMS)
    attack -= attack.mean()
    defence -= defence.mean()
    pairs = np.array([(i, j) for i in range(TEAMS) for j in range(TEAMS) if i != j] * seasons)
    home, away = pairs[:, 0], pairs[:, 1]
    lh, la = np.exp(0.1 + 0.3 + attack[home] + defence[away]), np.exp(0.1 + attack[away] + defence[home])
    goals = np.array([divmod(int(rng.choice((MAX_GOALS + 1) ** 2, p=poisson_table(h, a, -0.1).ravel())),
                             MAX_GOALS + 1) for h, a in zip(lh, la, strict=True)], dtype=float)
    return home, away, goals[:, 0], goals[:, 1], attack, defence


def test_the_gradient_is_the_objectives():
    home, away, hg, ag, *_ = simulated(1)
    theta = np.r_[0.05, 0.2, -0.05, np.random.default_rng(1).normal(0, 0.1, 2 * TEAMS)]
    weights = np.linspace(0.5, 1.0, home.size)
    value = lambda t: _objective(t, home, away, hg, ag, weights, TEAMS)[0]  # noqa: E731
    numeric = approx_fprime(theta, value, 1e-7)
    analytic = _objective(theta, home, away, hg, ag, weights, TEAMS)[1]
    assert np.abs(numeric - analytic).max() < 1e-4 * np.abs(analytic).max()


def test_known_parameters_are_recovered_from_simulated_seasons():
    home, away, hg, ag, attack, defence = simulated(8)
    fit = fit_dixon_coles(home, away, hg, ag, TEAMS)
    assert fit.home == pytest.approx(0.3, abs=0.06)
    assert fit.rho == pytest.approx(-0.1, abs=0.06)
    # attack and defence are known up to a common shift (mu takes it); compare them centred
    assert np.abs((fit.attack - fit.attack.mean()) - attack).max() < 0.2
    assert np.abs((fit.defence - fit.defence.mean()) - defence).max() < 0.2
    assert np.corrcoef(fit.attack, attack)[0, 1] > 0.9 and np.corrcoef(fit.defence, defence)[0, 1] > 0.85


def test_each_match_is_predicted_from_the_days_before_it_only():
    home, away, hg, ag, *_ = simulated(1)
    days = np.repeat(np.arange(38) * 7.0, 10)
    lh, la, _rho = rolling_rates(home, away, hg, ag, days, TEAMS)
    assert np.ptp(lh[:10]) == 0 and np.ptp(la[:10]) == 0            # day one: no results yet, every team alike
    changed = hg.copy()
    changed[-10:] += 3                                                  # the last day's results change
    lh2, la2, _ = rolling_rates(home, away, changed, ag, days, TEAMS)
    assert np.array_equal(lh[:-10], lh2[:-10]) and np.array_equal(la[:-10], la2[:-10])
