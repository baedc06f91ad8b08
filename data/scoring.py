"""Scoring files: load a market file and a belief file, pair beliefs with events, score each pair.
The CLI, the dashboard and the report all go through `score_loaded`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.beliefs import NamedBelief
from analytics.distributions import normalise_label
from analytics.errors import InputError
from analytics.markets import DiscreteMarket
from analytics.odds_files import OddsRequest
from analytics.pairing import pair_beliefs_with_events
from analytics.score import DiscreteScore, Regularisation, score_named_belief

from .files import read_text_file
from .markets import beliefs_from_text, markets_from_text


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

    def odds_request(self, bookmaker: str | None = None) -> OddsRequest:
        return OddsRequest(odds_format=self.odds_format, bookmaker=bookmaker or self.bookmaker)


def load_markets(path: str, request: MarketRequest) -> list[DiscreteMarket]:
    return markets_from_text(read_text_file(path), str(path), request.odds_request(), request.method)


def load_beliefs(path: str, request: MarketRequest) -> list[NamedBelief]:
    odds_request = request.odds_request(request.belief_bookmaker or request.bookmaker)
    return beliefs_from_text(read_text_file(path), str(path), odds_request, request.method)


def select_event(markets: list[DiscreteMarket], event: str | None) -> list[DiscreteMarket]:
    if event is None:
        return markets
    key = normalise_label(event)
    chosen = [m for m in markets if normalise_label(m.event) == key]
    if not chosen:
        sample = [m.event for m in markets[:5]]
        raise InputError(f"no event {event!r} in the market file; it holds {len(markets)} events, e.g. {sample}")
    return chosen


@dataclass(frozen=True, eq=False)
class ScoredPair:
    """One belief scored against one market event."""

    market: DiscreteMarket
    belief: NamedBelief
    score: DiscreteScore

    def record(self) -> dict[str, Any]:
        return {"event": self.market.event, "belief": self.belief.name, **self.score.as_record()}


def score_pairs(markets: list[DiscreteMarket], beliefs: list[NamedBelief], *, completion: str = "market",
                regularisation: Regularisation | None = None) -> list[ScoredPair]:
    return [ScoredPair(market, belief, score_named_belief(belief, market, completion=completion,
                                                          regularisation=regularisation))
            for market, belief in pair_beliefs_with_events(markets, beliefs)]


def score_loaded(markets: list[DiscreteMarket], beliefs: list[NamedBelief], *, completion: str = "market",
                 regularisation: Regularisation | None = None) -> list[dict[str, Any]]:
    return [pair.record() for pair in score_pairs(markets, beliefs, completion=completion,
                                                  regularisation=regularisation)]


def score_files(market_path: str, belief_path: str, request: MarketRequest, *, event: str | None = None,
                completion: str = "market", regularisation: Regularisation | None = None) -> list[ScoredPair]:
    markets = select_event(load_markets(market_path, request), event)
    beliefs = load_beliefs(belief_path, request)
    return score_pairs(markets, beliefs, completion=completion, regularisation=regularisation)
