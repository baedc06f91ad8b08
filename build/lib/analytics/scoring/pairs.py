"""Which belief is scored against which market, and the scored pair every consumer (CLI, pages, report) reads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence, TypeAlias

from analytics.beliefs.on_grid import Completion
from analytics.beliefs.pairing import pair_beliefs_with_events
from analytics.beliefs.spec import NamedBelief
from analytics.betting.kelly import kelly_with_cash_capped
from analytics.betting.market import DiscreteMarket
from analytics.betting.slip import bet_slip
from analytics.core.errors import InputError
from analytics.options.edge import EdgeSettings
from analytics.scoring.continuous import ContinuousMarket, ContinuousScore, score_continuous_belief
from analytics.scoring.discrete import DiscreteScore, Regularisation, score_named_belief

Market: TypeAlias = DiscreteMarket | ContinuousMarket
Score: TypeAlias = DiscreteScore | ContinuousScore


@dataclass(frozen=True, eq=False)
class ScoredPair:
    """One belief scored against one market event."""

    market: Market
    belief: NamedBelief
    score: Score

    def record(self) -> dict[str, Any]:
        return {"event": self.market.event, "belief": self.belief.name, **self.score.as_record()}


def score_pairs(markets: Sequence[Market], beliefs: Sequence[NamedBelief], *, completion: Completion = "market",
                regularisation: Regularisation | None = None, edge: EdgeSettings | None = None) -> list[ScoredPair]:
    """Every belief paired with its market event (beliefs.pairing) and scored: discrete markets by
    scoring.discrete, price densities by scoring.continuous (with the options edge as `edge` asks where a market
    has an option chain's quotes)."""
    out = []
    for market, belief in pair_beliefs_with_events(markets, beliefs):
        if isinstance(market, ContinuousMarket):
            if regularisation is not None:
                raise InputError("--epsilon and --blend apply to discrete markets; for a price density state a "
                                 "blend in the belief file ({\"kind\":\"blend\", ...})")
            score: Score = score_continuous_belief(belief.spec, market, completion=completion, source=belief.source,
                                                 warnings=belief.warnings, edge=edge)
        else:
            score = score_named_belief(belief, market, regularisation=regularisation)
            cap = None if edge is None else edge.max_total_stake
            if cap is not None and market.odds is not None:
                score = replace(score, tradable=kelly_with_cash_capped(score.belief, market.odds, cap))
            if edge is not None and edge.slip is not None and market.odds is not None:
                books = market.bookmakers or (edge.slip.bookmaker,) * len(market.labels)
                score = replace(score, slip=bet_slip(market.event, market.labels, score.belief, market.odds, books,
                                                     edge.slip, kelly_fraction=edge.kelly_fraction,
                                                     max_total_stake=cap))
        out.append(ScoredPair(market, belief, score))
    return out
