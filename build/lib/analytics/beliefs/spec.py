"""The belief forms as one type, and a belief as read from a file (docs/formats.md, "Beliefs")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.price import Blend, BucketBelief, GridBelief, ParametricBelief, QuantileBelief, ShiftedMarket
from analytics.match.scores import ScoreBelief
from analytics.views.spec import ViewsBelief

PriceBelief: TypeAlias = BucketBelief | GridBelief | QuantileBelief | ParametricBelief | ShiftedMarket | Blend
BeliefSpec: TypeAlias = DiscreteBelief | PriceBelief | ViewsBelief | ScoreBelief   # views: named outcomes or a price


@dataclass(frozen=True)
class NamedBelief:
    """A belief as read from a file: its name (empty for a single belief), form, warnings and where it came from."""

    name: str
    spec: BeliefSpec
    warnings: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""
