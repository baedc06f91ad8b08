"""Density from a 200-strike chain and from every expiry of the bundled SPY snapshot (median)."""


import numpy as np
from scipy.stats import norm

from analytics.options.chain import ExpiryQuotes
from analytics.options.density import density_from_quotes
from data.chains import asof_new_york, bundled_chains, densities_from_file

from .timing import median_seconds, show


def run() -> None:
    print("option densities (targets from issue 4: < 10 ms per chain, < 0.2 s for the SPY snapshot)")
    forward, discount, t, v = 100.0, 0.99, 0.25, 0.1
    strikes = np.linspace(50, 150, 200)
    d1 = np.log(forward / strikes) / v + v / 2
    call = discount * (forward * norm.cdf(d1) - strikes * norm.cdf(d1 - v))
    put = call - discount * (forward - strikes)
    spread = np.full(strikes.size, 0.04)
    quotes = ExpiryQuotes("e", strikes, np.where(call > 0.02, call, np.nan), spread,
                          np.where(put > 0.02, put, np.nan), spread)
    show("one 200-strike chain", median_seconds(lambda: density_from_quotes(quotes, t), repeat=5))
    spy = next(i for i in bundled_chains() if i.ticker == "SPY")
    show("all 5 expiries of the SPY snapshot (1561 quotes)", median_seconds(
        lambda: densities_from_file(str(spy.file), asof=asof_new_york(spy.asof_utc), spot=spy.spot, rate=None),
        repeat=3), "")
    print("  (the oipd comparison in its own environment is not built yet)")
