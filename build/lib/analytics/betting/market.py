"""Market outcome distributions recovered from prices, with the prices one can trade."""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.core.distributions import DiscreteDistribution
from analytics.core.types import FloatArray


@dataclass(frozen=True, eq=False)
class DiscreteMarket:
    """One event's market: fair probabilities q (margin removed) and, where the source has them,
    the decimal odds one can actually take (stake included)."""

    event: str
    distribution: DiscreteDistribution
    odds: FloatArray | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    bookmakers: tuple[str, ...] | None = None     # who offers each outcome's odds, when prices span bookmakers

    @property
    def labels(self) -> tuple[str, ...]:
        return self.distribution.labels
