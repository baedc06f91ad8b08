"""Beliefs about named outcomes (a match's Home/Draw/Away, a race's runners, a market's candidates) and their
alignment with a market's outcomes. Probabilities are fractions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics.core.distributions import DiscreteDistribution, matching_label
from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.match.scores import ONE_X_TWO_LABELS, ScoreBelief, one_x_two

if TYPE_CHECKING:
    from analytics.beliefs.spec import BeliefSpec


@dataclass(frozen=True, eq=False)
class DiscreteBelief:
    """Probabilities on named outcomes (a complete statement, normalised)."""

    labels: tuple[str, ...]
    probabilities: FloatArray


def _with_aliases(labels: tuple[str, ...], market_labels: tuple[str, ...]) -> tuple[str, ...]:
    """Belief labels with football short forms (H/D/A) read as the market's Home/Draw/Away."""
    return tuple(matching_label(lab, market_labels) or lab for lab in labels)


def belief_on_discrete_market(spec: BeliefSpec, market: DiscreteDistribution, source: str) -> DiscreteDistribution:
    """The belief on the market's outcomes, matched by label (case- and space-insensitive)."""
    if isinstance(spec, DiscreteBelief):
        labels = _with_aliases(spec.labels, market.labels)
        return DiscreteDistribution(labels, spec.probabilities, source=source).aligned_to(market.labels)
    if isinstance(spec, ScoreBelief):
        if tuple(market.labels) != ONE_X_TWO_LABELS:
            raise InputError(f"a score belief ({spec.description}) scores a football match (Home, Draw, Away); this "
                             f"market's outcomes are {list(market.labels)[:5]}", source=source)
        return DiscreteDistribution(market.labels, one_x_two().effective(spec.table), source=source)
    raise InputError(f"a {type(spec).__name__} cannot be scored against a market of named outcomes",
                     source=source)
