"""Which belief is scored against which market event."""

from __future__ import annotations

from typing import Protocol, Sequence, TypeVar

from analytics.beliefs.spec import NamedBelief
from analytics.core.distributions import normalise_label
from analytics.core.errors import InputError


class _HasEvent(Protocol):
    @property
    def event(self) -> str: ...


M = TypeVar("M", bound=_HasEvent)


def pair_beliefs_with_events(markets: Sequence[M], beliefs: Sequence[NamedBelief]) -> list[tuple[M, NamedBelief]]:
    """One market event: every belief against it. Several events: one unnamed belief is scored
    against each; named beliefs are matched to events by name (case- and space-insensitive)."""
    if not markets:
        raise InputError("the market file holds no events")
    if len(markets) == 1:
        return [(markets[0], b) for b in beliefs]
    if len(beliefs) == 1 and not beliefs[0].name:
        return [(m, beliefs[0]) for m in markets]
    by_event = {normalise_label(m.event): m for m in markets}
    pairs = []
    unmatched = []
    for belief in beliefs:
        market = by_event.get(normalise_label(belief.name))
        if market is None:
            unmatched.append(belief.name)
        else:
            pairs.append((market, belief))
    if unmatched and not pairs:
        raise InputError(f"no belief name matches a market event (beliefs {unmatched[:5]}, "
                         f"events e.g. {[m.event for m in markets[:5]]})")
    return pairs
