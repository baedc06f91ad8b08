"""Turning a market file's text into discrete markets (one per event) or a density."""

from __future__ import annotations

from analytics.beliefs import DiscreteBelief, parse_beliefs
from analytics.distributions import DiscreteDistribution
from analytics.errors import InputError
from analytics.markets import DiscreteMarket


def markets_from_text(text: str, source: str) -> list[DiscreteMarket]:
    """A market given as probabilities in the belief formats (one event per named belief)."""
    named = parse_beliefs(text, source)
    out = []
    for item in named:
        if not isinstance(item.spec, DiscreteBelief):
            raise InputError("a market file must give discrete probabilities, odds or an option chain", source=source)
        dist = DiscreteDistribution(item.spec.labels, item.spec.probabilities, source=source, method="as given")
        out.append(DiscreteMarket(item.name, dist, None, item.warnings))
    return out
