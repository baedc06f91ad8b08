"""The track record's identities (analytics.track): realised growth is the log-score difference, its mean tends to
KL(t||q) - KL(t||p) under a known truth t, closing-line value is KL(close||q) - KL(close||p), and the stacked
Kelly stakes are the one-book solution's."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import rel_entr

from analytics.betting.kelly import kelly_with_cash, kelly_with_cash_stack
from analytics.track import backtest, diebold_mariano
from tests.reference import CASE_B


def season(rng: np.random.Generator, events: int, n: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = rng.dirichlet(np.full(n, 4.0), size=events)
    p = 0.6 * t + 0.4 * rng.dirichlet(np.full(n, 4.0), size=events)      # a belief that knows something
    q = 0.3 * t + 0.7 * rng.dirichlet(np.full(n, 4.0), size=events)      # a market that knows less
    return t, p, q


def kl(a, b):
    return rel_entr(a, b).sum(axis=-1)


def test_realised_growth_is_the_log_score_difference_event_by_event():
    rng = np.random.default_rng(1)
    _, p, q = season(rng, 200)
    x = rng.integers(0, 3, 200)
    result = backtest(tuple(f"e{i}" for i in range(200)), p, q, x)
    rows = np.arange(200)
    assert result.realised_fair_bits == pytest.approx(np.log2(p[rows, x]) - np.log2(q[rows, x]), abs=1e-12)
    assert result.realised_fair_bits == pytest.approx(result.log_score_belief_bits - result.log_score_market_bits,
                                                      abs=1e-12)
    assert result.kl_bits == pytest.approx(kl(p, q) / math.log(2), abs=1e-12)


def test_mean_realised_growth_tends_to_the_truths_edge():
    """Outcomes drawn from a known truth t: the mean of log2(p_x/q_x) estimates mean KL(t||q) - KL(t||p); the
    bootstrap interval of the mean covers it (seeded)."""
    rng = np.random.default_rng(7)
    t, p, q = season(rng, 20_000)
    x = (rng.random(20_000)[:, None] > np.cumsum(t, axis=1)).sum(axis=1)
    result = backtest(tuple(str(i) for i in range(20_000)), p, q, x)
    expected = float(np.mean(kl(t, q) - kl(t, p))) / math.log(2)
    low, high = result.mean_ci95
    assert low <= expected <= high
    assert result.realised_fair_bits.mean() == pytest.approx(expected, abs=4 * (high - low) / 3.92)


def test_closing_line_value_is_the_closing_markets_edge():
    rng = np.random.default_rng(3)
    close, p, q = season(rng, 50)
    result = backtest(tuple(str(i) for i in range(50)), p, q, np.zeros(50, int), closing=close)
    assert result.clv_bits is not None
    assert result.clv_bits == pytest.approx((kl(close, q) - kl(close, p)) / math.log(2), abs=1e-12)


def test_stacked_kelly_stakes_are_the_one_book_solution():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.full(4, 2.0), size=300)
    odds = 1 / (rng.dirichlet(np.full(4, 2.0), size=300) * rng.uniform(0.97, 1.12, size=(300, 1)))
    stacked = kelly_with_cash_stack(p, odds)
    for i in range(300):
        assert stacked[i] == pytest.approx(kelly_with_cash(p[i], odds[i]).stakes, abs=1e-12)


def test_tradable_growth_and_brier_on_the_reference_case():
    """Case B (p = 0.7, 0.2, 0.1 against a uniform market): realised log2(p_x/q_x) and the Brier scores of the
    reference, and the stakes' realised growth at fair odds is the fair growth (full Kelly bets p)."""
    p, q = CASE_B
    result = backtest(("1", "2", "3"), np.tile(p, (3, 1)), np.tile(q, (3, 1)), np.array([0, 1, 2]),
                      odds=np.tile(1 / q, (3, 1)))
    assert result.realised_fair_bits == pytest.approx(
        np.array([0.741937344729377, -0.510825623765990, -1.203972804325936]) / math.log(2), abs=1e-12)
    assert result.brier_belief == pytest.approx([0.14, 1.14, 1.34], abs=1e-12)
    assert result.brier_market == pytest.approx([2 / 3] * 3, abs=1e-12)
    assert result.realised_tradable_bits == pytest.approx(result.realised_fair_bits, abs=1e-12)


def test_diebold_mariano_is_the_studentised_mean():
    d = np.array([0.3, -0.1, 0.2, 0.05, 0.4, -0.2])
    statistic, p_value = diebold_mariano(d)
    assert statistic == pytest.approx(d.mean() / (d.std(ddof=1) / math.sqrt(d.size)), abs=1e-12)
    assert 0 < p_value < 1
