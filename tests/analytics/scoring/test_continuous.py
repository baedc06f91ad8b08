"""Scoring a price belief: the lognormal decomposition of KL against an option market (theory 5.8)."""

import math

import numpy as np
import pytest
from scipy.stats import lognorm

from analytics.core.closed_forms import (
    kl_decomposition_normal,
    kl_normal,
)
from analytics.core.divergence import (
    hellinger_squared_grid,
    js_divergence_grid,
    kl_cumulative_grid,
    kl_divergence_grid,
    total_variation_grid,
    wasserstein1_grid,
)


def test_option_lognormal_decomposition_5_8():
    s2, s1 = 0.1, 0.125
    m2 = math.log(100) + (0.03 - 0.02) * 0.25
    m1 = math.log(100) + (0.08 - 0.25**2 / 2) * 0.25
    assert m2 == pytest.approx(4.607670185988092, abs=1e-12)
    assert m1 == pytest.approx(4.617357685988091, abs=1e-12)
    parts = kl_decomposition_normal(m1, s1, m2, s2)
    assert parts.total_nats == pytest.approx(0.062798831498289, abs=1e-12)
    assert parts.mean_view_nats == pytest.approx(0.004692382812499, abs=1e-12)
    assert parts.volatility_view_nats == pytest.approx(0.058106448685790, abs=1e-12)
    assert kl_normal(m2, s2, m1, s1) == pytest.approx(0.046146676314209, abs=1e-12)
    # grid on [40, 220]: trapezoid converged, truncation error only
    for n in (201, 1601, 6401):
        x = np.linspace(40, 220, n)
        p = lognorm.pdf(x, s=s1, scale=math.exp(m1))
        q = lognorm.pdf(x, s=s2, scale=math.exp(m2))
        assert kl_divergence_grid(x, p, q) == pytest.approx(0.062798828335, abs=2e-9 if n > 201 else 5e-7)
    x = np.linspace(40, 220, 36_001)  # spacing 0.005 puts every region edge on the grid
    p = lognorm.pdf(x, s=s1, scale=math.exp(m1))
    q = lognorm.pdf(x, s=s2, scale=math.exp(m2))
    cum = kl_cumulative_grid(x, p, q)
    for lo, hi, want in [(80, 125, -0.026855005735), (70, 140, 0.047037516664), (60, 160, 0.062162253066)]:
        i, j = np.searchsorted(x, lo), np.searchsorted(x, hi)
        assert x[i] == lo and x[j] == hi
        assert cum[j] - cum[i] == pytest.approx(want, abs=1e-8)
    assert total_variation_grid(x, p, q) == pytest.approx(0.111503642280, abs=1e-8)
    assert hellinger_squared_grid(x, p, q) == pytest.approx(0.013174341740, abs=1e-8)
    assert js_divergence_grid(x, p, q) == pytest.approx(0.012813557750, abs=1e-8)
    assert wasserstein1_grid(x, p, q) == pytest.approx(2.2699497, abs=1e-6)


@pytest.fixture(scope="module")
def spy_market():
    from analytics.options.chain import clean_expiry, parse_chain, years_to_expiry
    from analytics.options.density import density_from_quotes
    from analytics.scoring.continuous import ContinuousMarket
    from tests.conftest import ROOT

    chain = parse_chain((ROOT / "data/snapshots/options/SPY_20260211_chain.csv").read_text(), "SPY")
    fitted = density_from_quotes(clean_expiry(chain, "2026-03-20"), years_to_expiry("2026-02-11T11:19", "2026-03-20"))
    return ContinuousMarket("2026-03-20", fitted.density, (), fitted.diagnostics.quoted_strike_range)


def test_reverse_kl_of_a_lognormal_belief_is_finite_where_its_density_underflows(spy_market):
    """A narrow lognormal belief underflows to 0 in the market's far tails, but its log-density does not: the
    reverse KL is the integral of q (log q - log p) with log p from scipy, finite, and no region is infinite."""
    from analytics.beliefs.reading import parse_beliefs
    from analytics.scoring.continuous import score_continuous_belief

    spec = parse_beliefs('{"kind":"lognormal","median":700,"sigma":0.03}', "b")[0].spec
    score = score_continuous_belief(spec, spy_market)
    x = np.asarray(spy_market.density.x)
    q = np.asarray(spy_market.density.pdf) / spy_market.density.mass
    assert (lognorm(s=0.03, scale=700).pdf(x) == 0).any()          # the case that used to read as infinite
    log_p = lognorm(s=0.03, scale=700).logpdf(x)
    log_p -= math.log(np.trapezoid(np.exp(log_p), x))
    expected = np.trapezoid(q * (np.log(q) - log_p), x)
    assert math.isfinite(score.reverse_kl_nats)
    assert score.reverse_kl_nats == pytest.approx(expected, rel=1e-9)
    assert score.reverse_infinite_regions == ()


def test_a_belief_that_is_truly_zero_somewhere_names_the_region(spy_market):
    from analytics.beliefs.reading import parse_beliefs
    from analytics.scoring.continuous import score_continuous_belief

    spec = parse_beliefs("x,density\n600,0\n700,1\n800,0\n", "grid")[0].spec
    score = score_continuous_belief(spec, spy_market)
    assert math.isinf(score.reverse_kl_nats)
    assert score.reverse_infinite_regions and score.reverse_infinite_regions[0].startswith("x in [")
    assert score.as_record()["reverse_infinite_outcomes"] == list(score.reverse_infinite_regions)


def test_the_market_itself_scores_exactly_zero(spy_market):
    """No view yet is the market itself: every divergence is 0 (never a rounding -0.0000 or a negative JS)."""
    from analytics.beliefs.price import ShiftedMarket
    from analytics.scoring.continuous import score_continuous_belief

    score = score_continuous_belief(ShiftedMarket(0.0, 1.0), spy_market)
    assert score.kl_nats == pytest.approx(0.0, abs=1e-12) and score.kl_nats >= 0
    assert score.reverse_kl_nats >= 0 and score.js_nats >= 0
    assert score.reverse_kl_nats == pytest.approx(0.0, abs=1e-12)
