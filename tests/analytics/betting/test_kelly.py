"""Kelly: growth at fair prices, with cash at a bookmaker's odds (books M1-M3), commission,
fractional Kelly, arbitrage and CRRA."""

import numpy as np
import pytest

from analytics.betting.kelly import (
    binary_kelly,
    crra_positioning,
    fractional_kelly_growth_fair,
    fractional_kelly_with_cash,
    growth_of_stakes,
    kelly_with_cash,
)
from analytics.betting.odds_files import _commissioned
from analytics.core.divergence import (
    kl_divergence,
)
from analytics.core.units import to_bits
from tests.reference import CASE_A, CASE_B, TOL


@pytest.mark.parametrize(
    "p, q, kl, kl_bits, rkl, side, f, mult",
    [
        (0.60, 0.50, 0.020135513550689, 0.029049405545331, 0.020410997260128, "YES", 0.2, (1.2, 0.8)),
        (0.40, 0.50, 0.020135513550689, 0.029049405545331, 0.020410997260128, "NO", 0.2, (0.8, 1.2)),
        (0.55, 0.45, 0.020067069546215, 0.028950661719498, 0.020067069546215, "YES", 0.181818181818182,
         (1.2222222222222222, 0.8181818181818181)),
        (0.95, 0.85, 0.050733738921308, 0.073193313547526, 0.070250053456526, "YES", 2 / 3,
         (1.1176470588235294, 1 / 3)),
    ],
)
def test_binary_contracts_5_3(p, q, kl, kl_bits, rkl, side, f, mult):
    result = binary_kelly(p, q)
    assert result.growth_nats == pytest.approx(kl, abs=TOL)
    assert to_bits(result.growth_nats) == pytest.approx(kl_bits, abs=TOL)
    assert kl_divergence(np.array([q, 1 - q]), np.array([p, 1 - p])) == pytest.approx(rkl, abs=TOL)
    assert result.side == side
    assert result.fraction == pytest.approx(f, abs=TOL)
    assert (result.multiplier_yes, result.multiplier_no) == pytest.approx(mult, abs=TOL)


def test_fractional_rule_of_thumb_5_5():
    for (p, q), exact, approx in [(CASE_A, 0.018832100040835, 0.018950365441178),
                                  (CASE_B, 0.219071449779721, 0.222595302093579)]:
        assert fractional_kelly_growth_fair(p, q, 0.5) == pytest.approx(exact, abs=TOL)
        assert 0.5 * 1.5 * kl_divergence(p, q) == pytest.approx(approx, abs=TOL)


@pytest.mark.parametrize(
    "gamma, ce, elog",
    [(0.5, 0.048790164169432, 0.001744143673709), (1.0, 0.025267153921571, 0.025267153921571),
     (2.0, 0.012793316101573, 0.019030235011572), (3.0, 0.008557780652068, 0.014127571741902)],
)
def test_crra_renyi_5_6(gamma, ce, elog):
    p, q = CASE_A
    result = crra_positioning(p, q, gamma)
    assert result.certainty_equivalent_nats == pytest.approx(ce, abs=TOL)
    assert result.expected_log_return_nats == pytest.approx(elog, abs=TOL)
    assert result.shortfall_vs_kelly_nats >= -TOL
    assert np.sum(q * result.wealth) == pytest.approx(1.0, abs=TOL)


def test_crra_wealth_gamma_2_5_6():
    p, q = CASE_A
    result = crra_positioning(p, q, 2.0)
    np.testing.assert_allclose(result.wealth, [1.125208592143638, 0.871582827676360, 1.006417160360004], atol=TOL)
    escort = q * result.wealth
    np.testing.assert_allclose(escort, [0.450083436857455, 0.348633131070544, 0.201283432072001], atol=TOL)


def test_kelly_with_margin_reference_m1():
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


def test_kelly_backs_a_subset_and_keeps_cash_m2():
    p, o = np.array([0.5, 0.3, 0.2]), np.array([2.4, 2.4, 4.8])
    k = kelly_with_cash(p, o)
    assert k.booksum == pytest.approx(1.041666666666667, abs=TOL)
    assert k.backed.tolist() == [True, False, True]
    assert k.cash == pytest.approx(0.8, abs=TOL)
    np.testing.assert_allclose(k.stakes, [1 / 6, 0, 1 / 30], atol=TOL)
    np.testing.assert_allclose(k.multipliers, [1.2, 0.8, 0.96], atol=TOL)
    assert k.growth_nats == pytest.approx(0.016053314098663, abs=TOL)
    assert kl_divergence(p, np.array([0.4, 0.4, 0.2])) == pytest.approx(0.025267153921571, abs=TOL)


def test_kelly_hedges_a_negative_ev_outcome_m3():
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
