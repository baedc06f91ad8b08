"""The options edge (analytics.options.edge) against the lognormal example of the method notes: market S0 = 100,
r = 3 %, T = 0.25, sigma 20 %; belief log-mean 4.617357685988091, log-sd 0.125; strikes 60, 65, ..., 160.
Reference numbers: binned KL 0.058831506803 <= butterfly growth 0.062525301067 <= KL 0.062798831498 (nats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from analytics.core.closed_forms import kl_normal, renyi_normal
from analytics.core.distributions import trapezoid_weights
from analytics.core.divergence import kl_divergence_grid
from analytics.options.edge import (
    EdgeSettings,
    ListedQuotes,
    bucket_edge,
    options_edge,
    power_kernel_density,
    tradable_position,
)
from tests.analytics.options.expiries import shifted

S0, RATE, T, SIGMA = 100.0, 0.03, 0.25, 0.2
M_MARKET, S_MARKET = math.log(S0) + (RATE - SIGMA**2 / 2) * T, SIGMA * math.sqrt(T)
M_BELIEF, S_BELIEF = 4.617357685988091, 0.125
D, F = math.exp(-RATE * T), S0 * math.exp(RATE * T)
STRIKES = np.arange(60.0, 160.01, 5.0)
BINNED, BUTTERFLY, KL = 0.058831506803, 0.062525301067, 0.062798831498


def lognormal_pair(points: int = 4001) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.linspace(M_MARKET - 14 * S_MARKET, M_MARKET + 14 * S_MARKET, points)
    x = np.exp(y)
    return x, norm.pdf(y, M_BELIEF, S_BELIEF) / x, norm.pdf(y, M_MARKET, S_MARKET) / x


def black_scholes(strikes: np.ndarray, sigma: float = SIGMA) -> tuple[np.ndarray, np.ndarray]:
    d1 = (np.log(F / strikes) + sigma**2 * T / 2) / (sigma * math.sqrt(T))
    call = D * (F * norm.cdf(d1) - strikes * norm.cdf(d1 - sigma * math.sqrt(T)))
    return call, call - D * (F - strikes)


def quotes(half_spread: float | np.ndarray, strikes: np.ndarray = STRIKES) -> ListedQuotes:
    call, put = black_scholes(strikes)
    return ListedQuotes(strikes, np.maximum(call - half_spread, 0), call + half_spread,
                        np.maximum(put - half_spread, 0), put + half_spread)


def expected_log_wealth(x, density, position_legs, cash_fraction) -> float:
    """E[log(W D)] recomputed from the legs and quotes alone, on the same grid."""
    wealth = np.full(x.size, cash_fraction / D)
    for leg in position_legs:
        intrinsic = np.maximum(x - leg["strike"], 0) if leg["type"] == "call" else np.maximum(leg["strike"] - x, 0)
        wealth += (1 if leg["side"] == "buy" else -1) * leg["quantity"] * intrinsic
    w = trapezoid_weights(x)
    return float(np.sum(w * density * np.log(wealth * D)))


def test_strike_buckets_reproduce_the_reference_sandwich():
    x, p, q = lognormal_pair(40001)
    edge = bucket_edge(x, p, q, STRIKES)
    assert edge.binned_kl_nats == pytest.approx(BINNED, abs=2e-9)
    assert edge.butterfly_growth_nats == pytest.approx(BUTTERFLY, abs=2e-9)
    assert kl_divergence_grid(x, p, q) == pytest.approx(KL, abs=2e-9)
    # interior Q_j are butterfly prices / (D dK): the exact Black-Scholes prices
    call, _ = black_scholes(STRIKES)
    butterflies = (call[:-2] - 2 * call[1:-1] + call[2:]) / (D * 5.0)
    assert edge.market_mass[1:-1] == pytest.approx(butterflies, abs=1e-7)   # trapezoid on 40001 points


def test_exact_quotes_put_the_tradable_optimum_between_butterfly_and_kl():
    x, p, q = lognormal_pair()
    edge = options_edge(x, p, q, quotes(1e-9), D, F)
    assert edge.binned_kl_nats <= edge.butterfly_growth_nats <= edge.growth_mid_nats <= edge.kl_nats
    assert BUTTERFLY - 2e-5 <= edge.position.growth_nats <= KL + 1e-9
    assert edge.growth_mid_nats == pytest.approx(edge.position.growth_nats, abs=1e-4)


@pytest.mark.parametrize("half_spread", [0.02, 0.1, 0.3])
def test_position_at_spreads_is_honest(half_spread):
    x, p, q = lognormal_pair()
    edge = options_edge(x, p, q, quotes(half_spread), D, F)
    position = edge.position
    assert position.growth_nats >= 0
    assert edge.binned_kl_nats <= edge.butterfly_growth_nats <= edge.growth_mid_nats <= edge.kl_nats + 1e-12
    legs = [leg.as_record() for leg in position.legs]
    assert legs, "a wider belief than the market buys the wings at these spreads"
    # the growth reported is the growth of the legs reported, at the quotes reported
    assert expected_log_wealth(x, p, legs, position.cash_fraction) == pytest.approx(position.growth_nats, abs=1e-6)
    assert sum(leg["cost"] for leg in legs) + position.cash_fraction == pytest.approx(1.0, abs=1e-12)
    assert position.cash_fraction >= 0          # the legs cost no more than the bankroll
    assert np.all(position.payoff[p > 0] > 0)   # never ruined where the belief has mass
    assert position.market_growth_nats < 0      # if the market is right, the position loses
    for leg in position.legs:                   # bought at the ask, sold at the bid
        call, put = black_scholes(np.array([leg.strike]))
        model = float(call[0] if leg.type == "call" else put[0])
        assert leg.price == pytest.approx(model + half_spread if leg.side == "buy" else model - half_spread, abs=1e-12)
        assert leg.price > 0


def test_widening_every_spread_never_raises_the_growth():
    x, p, q = lognormal_pair()
    base = quotes(0.05)
    growths = [tradable_position(x, p, q, base.widened(f), D, F).growth_nats for f in (0.5, 1.0, 2.0, 4.0, 40.0)]
    assert all(a >= b - 1e-7 for a, b in zip(growths, growths[1:], strict=False)), growths
    assert growths[-1] < growths[0]


def test_a_belief_priced_inside_every_quote_trades_nothing():
    """A belief whose own prices D E_p[payoff] lie within every bid and ask: at the cash-only position the first-order
    condition holds, so the optimum is to hold cash: no legs, zero growth."""
    x, p, q = lognormal_pair()
    w = trapezoid_weights(x)
    mild = norm.pdf(np.log(x), M_MARKET + 0.002, S_MARKET * 1.01) / x
    mild /= w @ mild
    payoff_calls = np.maximum(x[:, None] - STRIKES, 0)
    payoff_puts = np.maximum(STRIKES - x[:, None], 0)
    belief_calls, belief_puts = D * (w * mild) @ payoff_calls, D * (w * mild) @ payoff_puts
    call, put = black_scholes(STRIKES)
    half = np.maximum(np.abs(belief_calls - call), np.abs(belief_puts - put)) + 0.01
    book = ListedQuotes(STRIKES, call - half, call + half, put - half, put + half)
    assert np.all((book.call_bid <= belief_calls) & (belief_calls <= book.call_ask))
    assert np.all((book.put_bid <= belief_puts) & (belief_puts <= book.put_ask))
    position = tradable_position(x, mild, q, book, D, F)
    assert position.legs == () and position.growth_nats == 0.0 and position.cash_fraction == 1.0


def test_quotes_that_admit_an_arbitrage_are_named_and_the_position_bounded():
    x, p, q = lognormal_pair()
    book = quotes(0.02)
    crossed = book.call_ask.copy()
    crossed[8] = book.call_bid[9] - 0.5          # the 100 call offered below the 105 call's bid
    position = tradable_position(x, p, q, ListedQuotes(STRIKES, book.call_bid, crossed, book.put_bid, book.put_ask),
                                 D, F)
    assert position.arbitrage is not None and "call 100" in position.arbitrage
    assert all(not (leg.type == "call" and leg.strike == 100.0) for leg in position.legs)   # set aside
    honest = tradable_position(x, p, q, book, D, F)
    assert math.isfinite(position.growth_nats) and position.growth_nats <= honest.growth_nats + 1e-4


def test_fractional_kelly_mixes_the_belief_with_the_market():
    x, p, q = lognormal_pair()
    full = options_edge(x, p, q, quotes(0.02), D, F)
    half = options_edge(x, p, q, quotes(0.02), D, F, settings=EdgeSettings(kelly_fraction=0.5))
    nothing = options_edge(x, p, q, quotes(0.02), D, F, settings=EdgeSettings(kelly_fraction=0.0))
    assert 0 < half.position.growth_nats < full.position.growth_nats
    assert nothing.position.legs == ()
    gross = [sum(leg.quantity for leg in e.position.legs) for e in (full, half)]
    assert gross[1] < gross[0]


def test_renyi_and_the_pricing_kernel_match_their_closed_forms():
    x, p, q = lognormal_pair(20001)
    for gamma in (0.5, 2.0, 3.0):
        edge = options_edge(x, p, q, quotes(0.05), D, F, settings=EdgeSettings(gamma=gamma))
        want = renyi_normal(M_BELIEF, S_BELIEF, M_MARKET, S_MARKET, 1 / gamma)
        assert edge.renyi_nats == pytest.approx(want, abs=1e-8)
    gamma_m = 2.0
    physical = power_kernel_density(x, q, gamma_m)
    assert kl_divergence_grid(x, physical, q) == pytest.approx(gamma_m**2 * S_MARKET**2 / 2, abs=1e-8)
    edge = options_edge(x, p, q, quotes(0.05), D, F, settings=EdgeSettings(market_gamma=gamma_m))
    assert edge.kl_price_of_risk_nats == pytest.approx(gamma_m**2 * S_MARKET**2 / 2, abs=1e-8)
    # the physical market is lognormal with its log-mean moved by gamma_m s^2
    assert edge.kl_real_world_nats == pytest.approx(
        kl_normal(M_BELIEF, S_BELIEF, M_MARKET + gamma_m * S_MARKET**2, S_MARKET), abs=1e-8)


@pytest.mark.parametrize("settings", [dict(kelly_fraction=1.5), dict(gamma=0.0), dict(market_gamma=math.nan)])
def test_settings_outside_their_range_are_input_errors(settings):
    from analytics.core.errors import InputError

    with pytest.raises(InputError):
        EdgeSettings(**settings)


def _shifted(x: np.ndarray, q: np.ndarray, factor: float) -> np.ndarray:
    return shifted(x, q, factor)


def test_a_belief_a_hair_from_the_market_earns_nothing_at_real_quotes(bundled_expiries):
    """Real chains' smooth densities price many options a few cents outside their bid and ask; trading there would
    earn the fit's own error. A belief one part in a million away from the market earned up to 0.19 nats (TSLA)
    with dozens of legs; at no better than the density's prices it holds cash."""
    for name, x, q, book, discount, forward in bundled_expiries:
        near = 1e-6 * _shifted(x, q, 1.02) + (1 - 1e-6) * q
        position = tradable_position(x, near, q, book, discount, forward)
        assert position.legs == () and position.growth_nats == 0.0, (name, position.growth_nats)


def test_the_position_at_real_quotes_takes_no_growth_from_the_density_fit(bundled_expiries):
    """The position for a belief 2 % above the market, its legs valued at no better than the density's own prices
    D E_q[payoff], grows at most growth_mid (the best listed-strike payoff at those prices): its growth comes from
    the view, not from quotes the density misprices. Before, the position at the quotes beat growth_mid on 12 of
    the 25 bundled expiries (TSLA 2026-03-20: 0.195 against 0.011 nats)."""
    from analytics.options.edge import frictionless_growth

    for name, x, q, book, discount, forward in bundled_expiries:
        up = _shifted(x, q, 1.02)
        position = tradable_position(x, up, q, book, discount, forward)
        ceiling = frictionless_growth(x, up, q, book.strikes, discount)
        w = trapezoid_weights(x)
        signs = np.array([1.0 if leg.side == "buy" else -1.0 for leg in position.legs])
        payoffs = np.array([np.maximum(x - leg.strike, 0) if leg.type == "call" else np.maximum(leg.strike - x, 0)
                            for leg in position.legs])
        fitted = discount * payoffs @ (w * q)
        quoted = np.array([leg.price for leg in position.legs])
        valued = np.where(signs > 0, np.maximum(quoted, fitted), np.minimum(quoted, fitted))
        quantity = np.array([leg.quantity for leg in position.legs])
        cash = 1.0 - np.sum(signs * quantity * valued)
        wealth = cash / discount + (signs * quantity) @ payoffs
        growth = float(w @ (up * np.log(np.where(up > 0, wealth * discount, 1.0))))
        assert 0.0 < position.growth_nats and growth <= ceiling + 1e-6, (name, growth, ceiling)


def test_an_option_is_valued_at_no_better_than_the_densitys_price():
    """Where a quote already brackets the density's price it is kept; where it is better, the option is valued a
    hair beyond the density's price (FIT_PRICE_MARGIN of the strike)."""
    from analytics.options.edge import FIT_PRICE_MARGIN, _Instruments

    x, _p, q = lognormal_pair()
    call, put = black_scholes(np.array([90.0, 100.0, 110.0]))
    fair = np.r_[call, put]
    tools = _Instruments(np.r_[True, True, True, False, False, False], np.r_[90.0, 100.0, 110.0, 90.0, 100.0, 110.0],
                         fair + np.r_[-0.1, 0.2, -0.1, -0.1, 0.2, -0.1], fair + np.r_[0.1, 0.3, 0.1, 0.1, 0.3, 0.1])
    valued = tools.no_better_than(x, q, D)
    bracketing = np.r_[True, False, True, True, False, True]
    np.testing.assert_array_equal(valued.bid[bracketing], tools.bid[bracketing])
    np.testing.assert_array_equal(valued.ask, tools.ask)
    np.testing.assert_allclose(valued.bid[~bracketing], fair[~bracketing] - FIT_PRICE_MARGIN * 100.0, atol=1e-5)
