"""Beliefs: every form a person states a view in, read from text, and mapped onto a market's outcomes or
price grid (docs/formats.md, "Beliefs"; docs/methods.md, "Completions")."""

from analytics.beliefs.discrete import DiscreteBelief, belief_on_discrete_market
from analytics.beliefs.on_grid import COMPLETIONS, Completion, MappedBelief, on_market_grid
from analytics.beliefs.price import (
    Blend,
    BucketBelief,
    GridBelief,
    ParametricBelief,
    QuantileBelief,
    ShiftedMarket,
    view_belief,
)
from analytics.beliefs.reading import parse_beliefs
from analytics.beliefs.spec import BeliefSpec, NamedBelief, PriceBelief

__all__ = ["COMPLETIONS", "BeliefSpec", "Blend", "BucketBelief", "Completion", "DiscreteBelief", "GridBelief",
           "MappedBelief", "NamedBelief", "ParametricBelief", "PriceBelief", "QuantileBelief", "ShiftedMarket",
           "belief_on_discrete_market", "on_market_grid", "parse_beliefs", "view_belief"]
