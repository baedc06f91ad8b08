"""How much the market learned between two snapshots of the same events (Bayesian surprise,
Itti & Baldi 2005): KL(later || earlier), in bits, per event and summarised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.betting.market import DiscreteMarket
from analytics.core.distributions import normalise_label
from analytics.core.divergence import kl_divergence
from analytics.core.types import FloatArray
from analytics.core.units import to_bits


@dataclass(frozen=True, eq=False)
class SurpriseTable:
    """Per-event KL(later || earlier) in bits for events present in both snapshots."""

    events: tuple[str, ...]
    surprise_bits: FloatArray

    @property
    def mean_bits(self) -> float:
        return float(np.mean(self.surprise_bits)) if self.surprise_bits.size else float("nan")

    @property
    def median_bits(self) -> float:
        return float(np.median(self.surprise_bits)) if self.surprise_bits.size else float("nan")

    @property
    def total_bits(self) -> float:
        return float(np.sum(self.surprise_bits))


def market_surprise(earlier: list[DiscreteMarket], later: list[DiscreteMarket]) -> SurpriseTable:
    """Match events by name (and outcomes by label); vectorised over events of equal size."""
    by_event = {normalise_label(m.event): m for m in earlier}
    events, p_rows, q_rows = [], [], []
    for m in later:
        before = by_event.get(normalise_label(m.event))
        if before is None:
            continue
        aligned = before.distribution.aligned_to(m.labels)
        events.append(m.event)
        p_rows.append(np.asarray(m.distribution.probabilities))
        q_rows.append(np.asarray(aligned.probabilities))
    if not events:
        return SurpriseTable((), np.zeros(0))
    sizes = {len(p) for p in p_rows}
    if len(sizes) == 1:
        bits = to_bits(kl_divergence(np.stack(p_rows), np.stack(q_rows)))
    else:
        bits = to_bits(np.array([kl_divergence(p, q) for p, q in zip(p_rows, q_rows, strict=True)]))
    return SurpriseTable(tuple(events), np.asarray(bits))
