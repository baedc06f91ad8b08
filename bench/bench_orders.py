"""The order ticket (issue 27 target: the whole ticket for a 200-strike chain in under 200 ms) and the bet slip:
medians on bundled chains with the standard 2 % view, bankroll 100,000, default fees and at most 6 legs."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from analytics.betting.slip import SlipSettings, bet_slip
from analytics.core.distributions import trapezoid_weights
from analytics.options.edge import ListedQuotes
from analytics.options.orders import TicketSettings, _ladder, order_ticket
from bench.timing import median_seconds, show


def _shifted(x: np.ndarray, q: np.ndarray, factor: float) -> np.ndarray:
    moved = np.interp(x / factor, x, q, left=0.0, right=0.0) / factor
    return moved / (trapezoid_weights(x) @ moved)


def run() -> None:
    from data.chains import asof_new_york, bundled_chains, densities_from_file

    print("order ticket and bet slip (targets: a 200-strike chain's ticket < 200 ms)")
    settings = TicketSettings(100_000.0)
    for ticker, expiry in (("SPY", "2026-03-20"), ("^SPX", "2026-04-17"), ("QQQ", "2026-03-20")):
        info = next(s for s in bundled_chains() if s.ticker == ticker)
        chain = next(cd for cd in densities_from_file(str(info.file), asof=asof_new_york(info.asof_utc),
                                                      spot=info.spot, rate=None) if cd.expiry == expiry)
        assert chain.quotes is not None
        x, q = chain.density.x, chain.density.pdf
        quotes = ListedQuotes.from_expiry(chain.quotes)
        for factor in (1.02, 0.98):
            p = _shifted(x, q, factor)
            ticket = functools.partial(order_ticket, x, p, q, quotes, chain.discount, chain.forward, settings,
                                       expiry=expiry, root=ticker)

            def fresh(ticket: functools.partial = ticket) -> None:   # a new belief: its fee ladder not yet solved
                _ladder.cache_clear()
                ticket()

            show(f"ticket {ticker} {expiry}, {quotes.strikes.size} strikes, view x{factor}", median_seconds(fresh,
                                                                                                        repeat=5),
                 "new belief (the chain's arbitrage check remembered)")
        dearer = functools.partial(order_ticket, x, p, q, quotes, chain.discount, chain.forward,
                                   replace(settings, commission_per_contract=1.3), expiry=expiry, root=ticker)
        show(f"ticket {ticker} {expiry}, a new commission on the same belief", median_seconds(dearer, repeat=5))
    p, odds = np.array([0.5, 0.25, 0.25]), np.array([2.3, 3.6, 3.1])
    show("bet slip, three outcomes", median_seconds(lambda: bet_slip("e", ("H", "D", "A"), p, odds, ("b",) * 3,
                                                                     SlipSettings(1000.0))))
