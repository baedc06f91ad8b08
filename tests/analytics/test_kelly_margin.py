"""theory_spec 5.4: Kelly with cash at a bookmaker's odds (M1-M3), commission, fractional, arbitrage."""

import numpy as np
import pytest

from analytics.betting.kelly import fractional_kelly_with_cash, growth_of_stakes, kelly_with_cash
from analytics.betting.odds_files import _commissioned
from analytics.core.divergence import kl_divergence

TOL = 1e-12


def test_m1():
    p, o = np.array([0.55, 0.30, 0.15]), np.array([2.0, 3.2, 4.0])
    r = 1 / o
    assert r.sum() == pytest.approx(1.0625, abs=TOL)
    q = r / r.sum()
    np.testing.assert_allclose(q, [0.470588235294118, 0.294117647058824, 0.235294117647059], atol=TOL)
    assert kl_divergence(p, q) == pytest.approx(0.024174778787838, abs=TOL)
    np.testing.assert_allclose(p * o - 1, [0.10, -0.04, -0.40], atol=TOL)
    assert growth_of_stakes(p, o, p * 0) + np.sum(p * np.log(p * o)) == pytest.approx(-0.036449843028596, abs=TOL)
    assert kl_divergence(p, q) - np.log(r.sum()) == pytest.approx(-0.036449843028596, abs=TOL)
    k = kelly_with_cash(p, o)
    assert k.backed.tolist() == [True, True, False]
    assert k.cash == pytest.approx(0.8, abs=TOL)
    np.testing.assert_allclose(k.stakes, [0.15, 0.05, 0], atol=TOL)
    np.testing.assert_allclose(k.multipliers, [1.1, 0.96, 0.8], atol=TOL)
    assert k.growth_nats == pytest.approx(0.006702467839171, abs=TOL)
    assert k.growth_nats / np.log(2) == pytest.approx(0.009669617113289, abs=TOL)
    assert k.hedges.tolist() == [False, True, False]   # Draw staked despite EV -4 %
    _, half = fractional_kelly_with_cash(p, o, 0.5)
    assert half == pytest.approx(0.004969700749258, abs=TOL)


def test_m2():
    p, o = np.array([0.5, 0.3, 0.2]), np.array([2.4, 2.4, 4.8])
    k = kelly_with_cash(p, o)
    assert k.booksum == pytest.approx(1.041666666666667, abs=TOL)
    assert k.backed.tolist() == [True, False, True]
    assert k.cash == pytest.approx(0.8, abs=TOL)
    np.testing.assert_allclose(k.stakes, [1 / 6, 0, 1 / 30], atol=TOL)
    np.testing.assert_allclose(k.multipliers, [1.2, 0.8, 0.96], atol=TOL)
    assert k.growth_nats == pytest.approx(0.016053314098663, abs=TOL)
    assert kl_divergence(p, np.array([0.4, 0.4, 0.2])) == pytest.approx(0.025267153921571, abs=TOL)


def test_m3():
    p, o = np.array([0.7, 0.2, 0.1]), np.full(3, 2.85)
    k = kelly_with_cash(p, o)
    np.testing.assert_allclose(k.expected_value, [0.995, -0.43, -0.715], atol=TOL)
    assert k.cash == pytest.approx(0.335294117647059, abs=TOL)
    np.testing.assert_allclose(k.stakes, [0.582352941176471, 0.082352941176471, 0], atol=TOL)
    np.testing.assert_allclose(k.multipliers, [1.995, 0.57, 0.335294117647059], atol=TOL)
    assert k.growth_nats == pytest.approx(0.261752334686999, abs=TOL)
    assert k.growth_nats / np.log(2) == pytest.approx(0.377628795194042, abs=TOL)
    assert k.hedges.tolist() == [False, True, False]
    assert kl_divergence(p, np.full(3, 1 / 3)) - np.log(3 / 2.85) == pytest.approx(0.245500441737222, abs=TOL)


def test_no_positive_expected_value_means_no_bet():
    p, o = np.array([0.4, 0.3, 0.3]), np.array([2.4, 3.2, 3.2])
    k = kelly_with_cash(p, o)
    assert k.stakes.sum() == 0 and k.cash == 1 and k.growth_nats == 0


def test_arbitrage_book_all_in():
    p, o = np.array([0.5, 0.3, 0.2]), np.array([2.1, 3.6, 5.0])
    r = 1 / o
    k = kelly_with_cash(p, o)
    assert k.regime == "underround" and k.cash == 0
    np.testing.assert_allclose(k.stakes, p)
    assert k.growth_nats == pytest.approx(kl_divergence(p, r / r.sum()) - np.log(r.sum()), abs=TOL)
    assert k.growth_nats > kl_divergence(p, r / r.sum())


def test_exchange_commission_lowers_growth():
    p, back = np.array([0.5, 0.3, 0.2]), np.array([2.6, 3.3, 5.5])
    effective = _commissioned(back, 0.05)
    np.testing.assert_allclose(effective, 1 + (back - 1) * 0.95)
    assert kelly_with_cash(p, effective).growth_nats < kelly_with_cash(p, back).growth_nats
