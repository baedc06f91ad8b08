"""Beliefs: every form a person states a view in, read from text, and mapped onto a market's outcomes or
price grid (docs/formats.md, "Beliefs"; docs/methods.md, "Completions")."""

from typing import TYPE_CHECKING

from analytics._lazy import lazy_exports

_EXPORTS = {
    "DiscreteBelief": "analytics.beliefs.discrete",
    "belief_on_discrete_market": "analytics.beliefs.discrete",
    "COMPLETIONS": "analytics.beliefs.completion",
    "Completion": "analytics.beliefs.completion",
    "MappedBelief": "analytics.beliefs.on_grid",
    "on_market_grid": "analytics.beliefs.on_grid",
    "Blend": "analytics.beliefs.price",
    "BucketBelief": "analytics.beliefs.price",
    "GridBelief": "analytics.beliefs.price",
    "ParametricBelief": "analytics.beliefs.price",
    "QuantileBelief": "analytics.beliefs.price",
    "ShiftedMarket": "analytics.beliefs.price",
    "view_belief": "analytics.beliefs.price",
    "parse_beliefs": "analytics.beliefs.reading",
    "BeliefSpec": "analytics.beliefs.spec",
    "NamedBelief": "analytics.beliefs.spec",
    "PriceBelief": "analytics.beliefs.spec",
}
__getattr__ = lazy_exports("analytics.beliefs", _EXPORTS, globals())

if TYPE_CHECKING:
    from analytics.beliefs.completion import COMPLETIONS, Completion
    from analytics.beliefs.discrete import DiscreteBelief, belief_on_discrete_market
    from analytics.beliefs.on_grid import MappedBelief, on_market_grid
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
