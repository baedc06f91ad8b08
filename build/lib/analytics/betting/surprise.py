"""How much the market learned between two snapshots of the same events (Bayesian surprise,
Itti & Baldi 2005): KL(later || earlier), in bits, per event and summarised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import rel_entr

from analytics.betting.market import DiscreteMarket
from analytics.core.distributions import normalise_label
from analytics.core.divergence import kl_divergence
from analytics.core.errors import InputError
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


@dataclass(frozen=True, eq=False)
class SurpriseTimeline:
    """One market's snapshots in time order and the news between them: step_bits[k] = KL(snapshot k+1 || snapshot
    k) in bits among the outcomes both snapshots list (each conditioned on them). An outcome that enters (newly
    listed) or leaves is news of a known size, not infinite surprise: its mass is reported apart, in `entered` and
    `left` (fractions per step), and the total stays finite. The largest step's biggest mover is named."""

    times: tuple[str, ...]
    labels: tuple[str, ...]
    probabilities: FloatArray            # (T, L): each snapshot on the union of labels (0 where not listed)
    step_bits: FloatArray                # (T - 1,)
    entered: FloatArray                  # (T - 1,): mass of outcomes listed in snapshot k+1 and not in k
    left: FloatArray                     # (T - 1,): mass of outcomes listed in snapshot k and not in k+1

    @property
    def total_bits(self) -> float:
        return float(np.sum(self.step_bits))

    def largest_step(self) -> tuple[int, str]:
        """Index of the largest step (into step_bits) and a sentence naming it and its biggest mover."""
        k = int(np.argmax(self.step_bits))
        change = self.probabilities[k + 1] - self.probabilities[k]
        j = int(np.argmax(np.abs(change)))
        return k, (f"{self.times[k]} to {self.times[k + 1]}: {self.step_bits[k]:.3f} bits, {self.labels[j]} "
                   f"{self.probabilities[k, j]:.1%} to {self.probabilities[k + 1, j]:.1%}")


def surprise_timeline(times: list[str], snapshots: list[DiscreteMarket]) -> SurpriseTimeline:
    """The bits of news between consecutive snapshots of one market (times sortable as text, e.g. ISO dates)."""
    if len(snapshots) < 2:
        raise InputError("a timeline needs at least two snapshots of the market")
    order = np.argsort(np.asarray(times), kind="stable")
    labels = sorted({label for m in snapshots for label in m.labels})
    column = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(snapshots), len(labels)))
    for row, i in enumerate(order):
        market = snapshots[i]
        matrix[row, [column[label] for label in market.labels]] = market.distribution.probabilities
    earlier, later = matrix[:-1], matrix[1:]
    both = (earlier > 0) & (later > 0)
    later_common = np.where(both, later, 0.0)
    earlier_common = np.where(both, earlier, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        later_common /= later_common.sum(axis=1, keepdims=True)
        earlier_common /= earlier_common.sum(axis=1, keepdims=True)
        steps = np.where(both, rel_entr(later_common, np.where(both, earlier_common, 1.0)), 0.0).sum(axis=1)
    entered = np.where((later > 0) & ~(earlier > 0), later, 0.0).sum(axis=1)
    left = np.where((earlier > 0) & ~(later > 0), earlier, 0.0).sum(axis=1)
    return SurpriseTimeline(tuple(np.asarray(times)[order]), tuple(labels), matrix,
                            np.asarray(to_bits(np.nan_to_num(steps, nan=0.0))), entered, left)


def snapshot_series(markets: list[DiscreteMarket]) -> dict[str, tuple[list[str], list[DiscreteMarket]]]:
    """Markets of a file that holds several snapshots of the same market, grouped by market: an event named
    '<market> <date or time>' (prediction-market daily prices) is one snapshot of <market> at that time. Markets
    with a single snapshot are left out."""
    groups: dict[str, tuple[list[str], list[DiscreteMarket]]] = {}
    for market in markets:
        name, _, when = market.event.rpartition(" ")
        if name and when[:1].isdigit():
            times, snaps = groups.setdefault(name, ([], []))
            times.append(when)
            snaps.append(market)
    return {name: group for name, group in groups.items() if len(group[0]) > 1}
