"""The options edge (issue 15 target: the tradable optimum of a 200-strike chain under 100 ms), beside the density
fit of a chain of that size, and the whole edge on the bundled SPY expiry a page shows first."""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.stats import norm

from analytics.options.edge import ListedQuotes, options_edge, tradable_position
from bench.timing import median_seconds, show
from data.chains import asof_new_york, bundled_chains, densities_from_file


def _lognormal_chain(strikes: np.ndarray, half_spread: float) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                     ListedQuotes, float, float]:
    """The method notes' lognormal example (S0 100, r 3 %, T 0.25, sigma 20 %; belief log-sd 0.125) with
    Black-Scholes quotes at `strikes`, a spread of 2 x half_spread."""
    r, t, sigma = 0.03, 0.25, 0.2
    m2, s2 = math.log(100) + (r - sigma**2 / 2) * t, sigma * math.sqrt(t)
    d, f = math.exp(-r * t), 100 * math.exp(r * t)
    y = np.linspace(m2 - 14 * s2, m2 + 14 * s2, 4001)
    x = np.exp(y)
    p, q = norm.pdf(y, 4.617357685988091, 0.125) / x, norm.pdf(y, m2, s2) / x
    d1 = (np.log(f / strikes) + sigma**2 * t / 2) / s2
    call = d * (f * norm.cdf(d1) - strikes * norm.cdf(d1 - s2))
    put = call - d * (f - strikes)
    quotes = ListedQuotes(strikes, np.maximum(call - half_spread, 0), call + half_spread,
                          np.maximum(put - half_spread, 0), put + half_spread)
    return x, p, q, quotes, d, f


def run() -> None:
    print("options edge (issue 15 target: tradable optimum < 100 ms for a 200-strike chain)")
    for strikes in (np.arange(60.0, 160.01, 5.0), np.linspace(50.0, 200.0, 200)):
        x, p, q, quotes, d, f = _lognormal_chain(strikes, 0.05)
        tradable = median_seconds(functools.partial(tradable_position, x, p, q, quotes, d, f), repeat=7)
        whole = median_seconds(functools.partial(options_edge, x, p, q, quotes, d, f), repeat=5)
        position = tradable_position(x, p, q, quotes, d, f)
        show(f"tradable optimum, {strikes.size} strikes (lognormal, spread 0.10)", tradable,
             f"growth {position.growth_nats:.5f} nats, {len(position.legs)} legs")
        show(f"whole edge (buckets, listed-strike optimum, tradable), {strikes.size} strikes", whole)
    info = next(i for i in bundled_chains() if i.ticker == "SPY")
    chain = next(c for c in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc), spot=info.spot,
                                                rate=None) if c.expiry == "2026-03-20")
    if chain.quotes is None:
        return
    listed = ListedQuotes.from_expiry(chain.quotes)
    x = chain.density.x
    q = chain.density.pdf
    y = np.log(x)
    mean, sd = float(np.log(chain.forward)), 0.06
    p = norm.pdf(y, mean, sd) / x
    fit = median_seconds(functools.partial(densities_from_file, str(info.file), asof=asof_new_york(info.asof_utc),
                                           spot=info.spot, rate=None, expiry="2026-03-20"), repeat=5)
    whole = median_seconds(functools.partial(options_edge, x, p, q, listed, chain.discount, chain.forward), repeat=5)
    show(f"SPY 2026-03-20 density fit ({listed.strikes.size} strikes, file read included)", fit)
    show("SPY 2026-03-20 whole edge for a lognormal view (sd 6 %)", whole)
