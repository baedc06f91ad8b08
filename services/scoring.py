"""Scoring files: load a market file and a belief file, pair beliefs with events and score each pair
(analytics.scoring.pairs.score_pairs, the one call the CLI, the pages and the report share)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analytics.beliefs.on_grid import Completion
from analytics.beliefs.price import GridBelief, ParametricBelief
from analytics.beliefs.reading import parse_beliefs
from analytics.beliefs.spec import NamedBelief
from analytics.betting.odds_files import OddsRequest
from analytics.core.distributions import GriddedDensity, normalise_label
from analytics.core.errors import InputError
from analytics.core.text import looks_like_json, read_csv_table
from analytics.options.edge import EdgeSettings
from analytics.scoring.continuous import ContinuousMarket
from analytics.scoring.discrete import Regularisation
from analytics.scoring.pairs import Market, ScoredPair, score_pairs
from data.chains import densities_from_chain
from data.files import read_text_file
from data.market_files import beliefs_from_text, markets_from_text


@dataclass(frozen=True)
class MarketRequest:
    """How to read a market file (odds format, margin method, bookmaker, chain inputs)."""

    method: str = "shin"
    bookmaker: str = "B365"
    odds_format: str = "decimal"
    spot: float | None = None
    asof: str | None = None
    expiry: str | None = None
    rate: float | None = None
    belief_bookmaker: str | None = None
    prices: str | None = None              # 'best' or a bookmaker: where the stakes are placed (default: bookmaker)
    market_from: str | None = None         # a bookmaker or 'consensus': the fair probabilities (default: bookmaker)
    books: tuple[str, ...] = ()            # the books 'best' and 'consensus' range over (default: all of the file)
    commission: float = 0.05               # an exchange's commission on net winnings (Betfair's base rate)

    def odds_request(self, bookmaker: str | None = None) -> OddsRequest:
        return OddsRequest(odds_format=self.odds_format, bookmaker=bookmaker or self.bookmaker,
                           commission=self.commission)


def _grid_of_parametric(spec: ParametricBelief, points: int = 4001) -> GriddedDensity:
    """A parametric market density on a grid covering all but 1e-10 of its mass."""
    lo = min(float(c.ppf(1e-11)) for c in spec.components)
    hi = max(float(c.ppf(1 - 1e-11)) for c in spec.components)
    x = np.linspace(lo, hi, points)
    return GriddedDensity(x, spec.pdf(x), method=spec.description)


def continuous_markets_from_text(text: str, source: str, request: MarketRequest) -> list[ContinuousMarket] | None:
    """Price-density markets: an option chain (one expiry), or a density or parametric distribution in
    the belief formats. None when the text is neither (a discrete market)."""
    if not looks_like_json(text):
        table = read_csv_table(text, source)
        if "strike" in table.columns:
            from analytics.options.chain import chain_from_table, expiries

            chain = chain_from_table(table, source)
            chosen = request.expiry
            if chosen is None:
                held = expiries(chain)
                if len(held) > 1:
                    raise InputError(f"the chain holds {len(held)} expiries ({', '.join(held)}); a belief is about one "
                                     "horizon: pick it with --expiry", source=source)
                chosen = held[0]
            found = densities_from_chain(chain, source, asof=request.asof, spot=request.spot, rate=request.rate,
                                         expiry=chosen)
            return [ContinuousMarket.of_chain(cd) for cd in found]
        if not ({"x", "density"} <= set(table.columns)):
            return None
    items = parse_beliefs(text, source)
    if not any(isinstance(item.spec, (GridBelief, ParametricBelief)) for item in items):
        return None
    out = []
    for item in items:
        if isinstance(item.spec, GridBelief):
            density = GriddedDensity(item.spec.x, item.spec.density, source=source, method="density file")
        elif isinstance(item.spec, ParametricBelief):
            density = _grid_of_parametric(item.spec)
        else:
            raise InputError(f"a market must be a density or a parametric distribution, not {type(item.spec).__name__}",
                             source=source)
        out.append(ContinuousMarket(item.name or Path(source).name, density, item.warnings))
    return out


LIVE_KEPT_SECONDS = 60.0      # as the Betting page keeps a live answer
_LIVE_ANSWERS: dict[str, tuple[float, tuple[str, str]]] = {}


def market_text(path: str) -> tuple[str, str]:
    """A market file's text and name: a file by its path, or `live:SOURCE:ID` fetched (data.live_markets) and kept
    LIVE_KEPT_SECONDS: a second reader of the same live market within a command (the whole match beside the 1X2
    score) sees the same prices, not a second fetch's."""
    if not path.startswith("live:"):
        return read_text_file(path), str(path)
    kept = _LIVE_ANSWERS.get(path)
    if kept is not None and time.monotonic() - kept[0] < LIVE_KEPT_SECONDS:
        return kept[1]
    from data.live_markets import fetch_live

    live = fetch_live(path)
    if len(_LIVE_ANSWERS) >= 16:
        _LIVE_ANSWERS.clear()
    _LIVE_ANSWERS[path] = (time.monotonic(), (live.text, live.name))
    return live.text, live.name


def load_markets(path: str, request: MarketRequest) -> list[Market]:
    text, path = market_text(path)
    if request.prices is not None or request.market_from is not None or request.books:
        from services.prices import PriceChoice, priced_markets

        choice = PriceChoice(request.market_from or request.bookmaker, request.prices or request.bookmaker,
                             request.books)
        return list[Market](priced_markets(text, str(path), choice, request.odds_format, request.method))
    continuous = continuous_markets_from_text(text, str(path), request)
    if continuous is not None:
        return list[Market](continuous)
    return list[Market](markets_from_text(text, str(path), request.odds_request(), request.method))


def load_beliefs(path: str, request: MarketRequest) -> list[NamedBelief]:
    odds_request = request.odds_request(request.belief_bookmaker or request.bookmaker)
    return beliefs_from_text(read_text_file(path), str(path), odds_request, request.method)


def select_event(markets: list[Market], event: str | None) -> list[Market]:
    if event is None:
        return markets
    key = normalise_label(event)
    chosen = [m for m in markets if normalise_label(m.event) == key]
    if not chosen:
        sample = [m.event for m in markets[:5]]
        raise InputError(f"no event {event!r} in the market file; it holds {len(markets)} events, e.g. {sample}")
    return chosen


def score_files(market_path: str, belief_path: str, request: MarketRequest, *, event: str | None = None,
                completion: Completion = "market", regularisation: Regularisation | None = None,
                edge: EdgeSettings | None = None) -> list[ScoredPair]:
    markets = select_event(load_markets(market_path, request), event)
    beliefs = load_beliefs(belief_path, request)
    return score_pairs(markets, beliefs, completion=completion, regularisation=regularisation, edge=edge)
