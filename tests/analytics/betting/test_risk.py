"""Risk of Kelly stakes (analytics.betting.risk) against exact enumeration: one event's loss figures computed
another way (every outcome cut into equal slices of probability), and a short season's drawdown chance summed
over every sequence of outcomes against the seeded simulation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from analytics.betting.risk import DRAWDOWN, season_drawdown_probability, stake_risk

P = np.array([0.5, 0.3, 0.2])
ODDS = np.array([2.2, 3.5, 3.3])
STAKES = np.array([0.2, 0.05, 0.0])


def sliced(p: np.ndarray, loss: np.ndarray, slices: int = 200_000) -> np.ndarray:
    """The loss as `slices` equally likely values (each outcome repeated in proportion to its probability)."""
    counts = np.round(p * slices).astype(int)
    return np.sort(np.repeat(loss, counts))


def test_one_events_loss_figures_equal_enumeration():
    loss = STAKES.sum() - STAKES * ODDS                   # -0.19, 0.075, 0.25
    values = sliced(P, loss)
    tail = values[int(0.95 * values.size):]
    found = stake_risk(P, ODDS, STAKES)
    assert found.loss_probability == pytest.approx(P[loss > 0].sum())
    assert found.var_95 == pytest.approx(values[int(np.ceil(0.95 * values.size)) - 1])
    assert found.es_95 == pytest.approx(tail.mean(), abs=1e-6)
    assert found.worst_loss == pytest.approx(0.25) and found.drawdown_probability == 0.0
    # a stake set whose worst 5 % spans two outcomes: the tail's atoms are split where it ends
    p, odds, stakes = np.array([0.9, 0.07, 0.03]), np.array([1.2, 10.0, 20.0]), np.array([0.6, 0.0, 0.0])
    values = sliced(p, stakes.sum() - stakes * odds)
    assert stake_risk(p, odds, stakes).es_95 == pytest.approx(values[int(0.95 * values.size):].mean(), abs=1e-6)
    assert stake_risk(p, odds, stakes).drawdown_probability == pytest.approx(0.1)


def test_a_short_seasons_drawdown_chance_equals_the_sum_over_every_sequence():
    p = np.array([[0.5, 0.3, 0.2], [0.6, 0.4, 0.0], [0.2, 0.2, 0.6]])
    odds = np.array([[2.2, 3.5, 3.3], [1.5, 2.6, np.inf], [4.0, 4.0, 1.6]])
    stakes = np.array([[0.3, 0.1, 0.0], [0.4, 0.0, 0.0], [0.0, 0.0, 0.5]])
    exact = 0.0
    for sequence in itertools.product(range(3), repeat=3):
        probability = math.prod(p[k, i] for k, i in enumerate(sequence))
        if probability == 0:
            continue
        wealth = np.cumprod([1 - stakes[k].sum() + stakes[k, i] * odds[k, i] for k, i in enumerate(sequence)])
        peak = np.maximum.accumulate(np.maximum(wealth, 1.0))
        exact += probability * bool((wealth <= (1 - DRAWDOWN) * peak).any())
    simulated = season_drawdown_probability(p, odds, stakes, paths=200_000, seed=0)
    assert simulated == pytest.approx(exact, abs=4 * math.sqrt(exact * (1 - exact) / 200_000))
    assert 0 < exact < 1
    assert season_drawdown_probability(p, odds, stakes, paths=200_000, seed=0) == simulated   # seeded: the same


def test_a_capped_kelly_is_the_best_growth_with_the_total_stake_at_the_cap():
    from scipy.optimize import minimize

    from analytics.betting.kelly import kelly_with_cash, kelly_with_cash_capped

    p, odds = np.array([0.55, 0.25, 0.2]), np.array([2.4, 3.6, 4.5])
    free = kelly_with_cash(p, odds)
    cap = 0.5 * free.stakes.sum()
    capped = kelly_with_cash_capped(p, odds, cap)
    assert capped.stakes.sum() == pytest.approx(cap, abs=1e-12) and capped.cash == pytest.approx(1 - cap)

    def minus_growth(s: np.ndarray) -> float:
        return -float(p @ np.log(1 - s.sum() + s * odds))

    best = minimize(minus_growth, np.full(3, cap / 3), method="SLSQP", bounds=[(0, 1)] * 3,
                    constraints=[{"type": "ineq", "fun": lambda s: cap - s.sum()}], options={"ftol": 1e-14})
    assert capped.growth_nats == pytest.approx(-best.fun, abs=1e-9)
    assert capped.stakes == pytest.approx(best.x, abs=1e-5)
    assert kelly_with_cash_capped(p, odds, 1.0).stakes == pytest.approx(free.stakes)   # a cap that does not bind
