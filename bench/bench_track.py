"""The track record (issue 17 target: a 380-match season with both bookmakers well under a second)."""

from __future__ import annotations

import functools

import numpy as np

from analytics.track import backtest
from bench.timing import median_seconds, show
from data.bundled import SNAPSHOTS
from services.scoring import MarketRequest
from services.track import track_record

SEASON = str(SNAPSHOTS / "odds/football-data_E0_2324.csv")


def run() -> None:
    print("track record (issue 17 target: a 380-match season well under a second)")
    request = MarketRequest(method="shin", bookmaker="B365", belief_bookmaker="PSC")
    whole = median_seconds(functools.partial(track_record, SEASON, SEASON, request, closing_bookmaker="PSC",
                                             kelly_fraction=0.5), repeat=5)
    show("Premier League 2023/24, PSC vs B365 with closing line (files read)", whole)
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.full(3, 4.0), 380), rng.dirichlet(np.full(3, 4.0), 380)
    odds = 1 / (q * 1.05)
    x = rng.integers(0, 3, 380)
    core = median_seconds(functools.partial(backtest, tuple(map(str, range(380))), p, q, x, odds=odds, closing=q,
                                            kelly_fraction=0.5), repeat=7)
    show("backtest arithmetic alone, 380 events (incl. 4000 bootstrap means)", core)
    model = median_seconds(functools.partial(track_record, SEASON, "model:dixon-coles",
                                             MarketRequest(method="shin", bookmaker="PS")), repeat=3)
    show("Premier League 2023/24, the Dixon-Coles model refitted before each match day (issue 29: < 5 s)", model)
