"""Prices across bookmakers (analytics.betting.prices): best odds, consensus, arbitrage, and what shopping for
prices is worth."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.betting.kelly import kelly_with_cash, kelly_with_cash_stack
from analytics.betting.prices import arbitrage, best_prices, consensus_probabilities, growth_of_stakes_stack


def test_best_price_is_the_maximum_over_the_chosen_books():
    rng = np.random.default_rng(0)
    odds = rng.uniform(1.2, 9.0, size=(5, 40, 3))
    odds[rng.random(odds.shape) < 0.2] = np.nan                     # books that do not price every match
    best, book = best_prices(odds)
    assert best == pytest.approx(np.nanmax(odds, axis=0), nan_ok=True)
    priced = book >= 0
    assert np.take_along_axis(odds, np.maximum(book, 0)[None], 0)[0][priced] == pytest.approx(best[priced])


def test_an_arbitrage_across_two_books_is_found_with_its_sure_profit_stakes():
    book_a, book_b = [2.2, 1.8], [1.8, 2.2]                        # each book alone has a margin
    best, book = best_prices(np.array([[book_a], [book_b]]))
    assert best[0].tolist() == [2.2, 2.2] and book[0].tolist() == [0, 1]
    found = arbitrage(best)
    assert found.found[0] and found.booksum[0] == pytest.approx(2 / 2.2)
    assert found.stakes[0] == pytest.approx([0.5, 0.5])
    assert found.profit_fraction[0] == pytest.approx(0.1)
    assert found.stakes[0] * best[0] == pytest.approx([1.1, 1.1])   # the same payout whatever happens
    assert not arbitrage(np.array([book_a])).found[0]


@given(st.integers(0, 10_000))
def test_growth_at_the_best_prices_is_never_below_any_single_book(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(3, 2.0), size=1)
    fair = rng.dirichlet(np.full(3, 2.0), size=(4, 1))
    odds = np.maximum(1 / (fair * rng.uniform(1.01, 1.12, size=(4, 1, 1))), 1.01)
    best, _ = best_prices(odds)
    at_best = growth_of_stakes_stack(p, best, kelly_with_cash_stack(p, best))[0]
    for book in odds:
        assert at_best >= kelly_with_cash(p[0], book[0]).growth_nats - 1e-12


def test_consensus_is_a_distribution_and_one_books_own_when_alone():
    rng = np.random.default_rng(2)
    fair = rng.dirichlet(np.full(3, 3.0), size=(6, 25))
    for how in ("logodds", "median"):
        combined = consensus_probabilities(fair, how)
        assert combined.sum(axis=-1) == pytest.approx(np.ones(25)) and np.all(combined > 0)
        assert consensus_probabilities(fair[:1], how) == pytest.approx(fair[0], abs=1e-12)
