"""Scoring a belief against a market: one call that the CLI, the dashboard and the report share.

All divergences in nats with a bits twin; the belief p is always the first argument (KL(p||q) is
the "Kelly (log-utility) edge, KL(belief || market)"). Stakes and cash are fractions of wealth.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from analytics.beliefs.discrete import DiscreteBelief, belief_on_discrete_market
from analytics.beliefs.on_buckets import belief_on_buckets
from analytics.beliefs.spec import BeliefSpec, NamedBelief
from analytics.betting.kelly import KellyAllocation, fractional_kelly_growth_fair, kelly_with_cash
from analytics.betting.market import DiscreteMarket
from analytics.betting.prices import arbitrage
from analytics.betting.risk import stake_risk
from analytics.betting.slip import BetSlip
from analytics.core.distributions import DiscreteDistribution
from analytics.core.divergence import (
    chi_squared,
    cross_entropy,
    entropy,
    hellinger_squared,
    js_distance,
    js_divergence,
    kl_contributions,
    kl_contributions_nonnegative,
    kl_divergence,
    log_ratio_variance,
    renyi_divergence,
    total_variation,
)
from analytics.core.errors import InputError
from analytics.core.types import FloatArray
from analytics.core.units import to_bits
from analytics.views.projection import ViewFit, discrete_constraints, project
from analytics.views.spec import ViewsBelief

HEADLINE_LABEL = "Kelly (log-utility) edge, KL(belief || market)"


@dataclass(frozen=True)
class Regularisation:
    """An explicit, stated smoothing. 'epsilon' floors every probability of both belief and market at
    epsilon and renormalises each (makes KL finite both ways); 'blend' mixes the belief with the
    market, (1 - w) p + w q (fractional Kelly; cures belief zeros, i.e. the reverse KL, not market
    zeros)."""

    method: str
    amount: float

    def describe(self) -> str:
        if self.method == "epsilon":
            return f"belief and market floored at epsilon = {self.amount:g} and renormalised"
        return f"belief blended with the market, market weight {self.amount:g}"


def regularise(p: FloatArray, q: FloatArray, how: Regularisation) -> tuple[FloatArray, FloatArray]:
    """The smoothed (belief, market) pair."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    if how.method == "epsilon":
        if not 0 < how.amount < 1 / p.size:
            raise InputError(f"epsilon must be in (0, 1/{p.size}), got {how.amount!r}")
        floored_p, floored_q = np.maximum(p, how.amount), np.maximum(q, how.amount)
        return floored_p / floored_p.sum(), floored_q / floored_q.sum()
    if how.method == "blend":
        if not 0 <= how.amount <= 1:
            raise InputError(f"market weight must be in [0, 1], got {how.amount!r}")
        return (1 - how.amount) * p + how.amount * q, q
    raise InputError(f"unknown smoothing {how.method!r}; expected epsilon or blend")


@dataclass(frozen=True, eq=False)
class DiscreteScore:
    """Every measure of disagreement between belief p and market q on shared outcomes."""

    labels: tuple[str, ...]
    belief: FloatArray
    market: FloatArray
    kl_nats: float
    reverse_kl_nats: float
    js_nats: float
    js_distance_bits: float
    cross_entropy_nats: float
    entropy_belief_nats: float
    entropy_market_nats: float
    hellinger_squared: float
    total_variation: float
    renyi_half_nats: float
    renyi_two_nats: float
    chi_squared: float
    log_ratio_variance: float
    half_kelly_growth_fair_nats: float
    contributions_nats: FloatArray
    contributions_nonnegative_nats: FloatArray
    edges: FloatArray
    infinite_outcomes: tuple[str, ...]
    reverse_infinite_outcomes: tuple[str, ...]
    tradable: KellyAllocation | None
    odds: FloatArray | None
    regularisation: Regularisation | None
    raw_kl_nats: float | None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    views: ViewFit | None = None          # a belief stated as views: each view's multiplier and share of the KL
    odds_bookmakers: tuple[str, ...] | None = None   # prices across bookmakers: who offers each outcome's odds
    slip: BetSlip | None = None           # the bets in currency, when a bankroll is given (analytics.betting.slip)

    @property
    def kl_bits(self) -> float:
        return to_bits(self.kl_nats)

    @property
    def kelly_growth_fair_nats(self) -> float:
        """At fair prices the Kelly bettor stakes p and grows at KL(p||q) per bet."""
        return self.kl_nats

    def as_record(self) -> dict[str, Any]:
        """Flat record with unit suffixes (the `score` keys of docs/formats.md, plus extra figures)."""
        t = self.tradable
        record: dict[str, Any] = {
            "kl_bits": to_bits(self.kl_nats),
            "kl_nats": self.kl_nats,
            "reverse_kl_bits": to_bits(self.reverse_kl_nats),
            "reverse_kl_nats": self.reverse_kl_nats,
            "js_bits": to_bits(self.js_nats),
            "js_nats": self.js_nats,
            "js_distance_bits": self.js_distance_bits,
            "cross_entropy_bits": to_bits(self.cross_entropy_nats),
            "entropy_belief_bits": to_bits(self.entropy_belief_nats),
            "entropy_market_bits": to_bits(self.entropy_market_nats),
            "hellinger_squared": self.hellinger_squared,
            "total_variation": self.total_variation,
            "renyi_half_nats": self.renyi_half_nats,
            "renyi_two_nats": self.renyi_two_nats,
            "chi_squared": self.chi_squared,
            "kelly_growth_fair_nats": self.kelly_growth_fair_nats,
            "kelly_growth_fair_bits": to_bits(self.kelly_growth_fair_nats),
            "half_kelly_growth_fair_nats": self.half_kelly_growth_fair_nats,
            "kelly_growth_tradable_nats": None if t is None else t.growth_nats,
            "allocation_fair": dict(zip(self.labels, self.belief.tolist(), strict=True)),
            "allocation": None if t is None else dict(zip(self.labels, t.stakes.tolist(), strict=True)),
            "cash_fraction": None if t is None else t.cash,
            "market_probabilities": dict(zip(self.labels, self.market.tolist(), strict=True)),
            "belief_probabilities": dict(zip(self.labels, self.belief.tolist(), strict=True)),
            "edges": dict(zip(self.labels, self.edges.tolist(), strict=True)),
            "kl_contributions_nats": dict(zip(self.labels, self.contributions_nats.tolist(), strict=True)),
            "infinite_outcomes": list(self.infinite_outcomes),
            "reverse_infinite_outcomes": list(self.reverse_infinite_outcomes),
            "warnings": list(self.warnings),
        }
        if t is not None:
            record["expected_value_per_unit"] = dict(zip(self.labels, t.expected_value.tolist(), strict=True))
            if self.odds is not None:
                record["stake_risk"] = stake_risk(self.belief, self.odds, t.stakes).record()
            record["hedged_outcomes"] = [lab for lab, h in zip(self.labels, t.hedges, strict=True) if h]
            record["booksum"] = t.booksum
        if self.regularisation is not None:
            record["smoothing"] = self.regularisation.describe()
            record["kl_bits_unsmoothed"] = None if self.raw_kl_nats is None else to_bits(self.raw_kl_nats)
        if self.views is not None:
            record["views"] = self.views.as_records()
        if self.odds_bookmakers is not None and self.odds is not None:
            record.update(self.prices_record())
        if self.slip is not None:
            record.update(self.slip.as_record())
        return record

    def prices_record(self) -> dict[str, Any]:
        """Odds across bookmakers (docs/formats.md, "Best price across bookmakers"): who offers each price, the
        Kelly-with-cash stakes placed there, and the sure-profit book when the prices' booksum is below 1."""
        assert self.odds_bookmakers is not None and self.odds is not None
        odds = np.asarray(self.odds, dtype=float)
        stakes = self.tradable.stakes if self.tradable is not None else np.zeros(odds.size)
        found = arbitrage(odds[None, :])
        return {
            "prices": {label: {"odds": float(o), "bookmaker": book}
                       for label, o, book in zip(self.labels, odds, self.odds_bookmakers, strict=True)},
            "placements": [{"outcome": label, "bookmaker": book, "odds": float(o), "stake": float(f)}
                           for label, o, book, f in zip(self.labels, odds, self.odds_bookmakers, stakes, strict=True)
                           if f > 0],
            "arbitrage": None if not found.found[0] else {
                "booksum": float(found.booksum[0]), "profit_fraction": float(found.profit_fraction[0]),
                "stakes": dict(zip(self.labels, found.stakes[0].tolist(), strict=True))},
        }


def score_discrete(belief: DiscreteDistribution, market: DiscreteDistribution, *,
                   odds: FloatArray | None = None, regularisation: Regularisation | None = None,
                   warnings: tuple[str, ...] | list[str] = ()) -> DiscreteScore:
    """Score belief p against market q (same outcomes, same order). `odds`: the decimal odds one can
    actually take, for the Kelly allocation at tradable prices (None: only fair-price figures). KL, reverse KL
    and JS are non-negative; a value that rounds below 0 is reported as 0."""
    if belief.labels != market.labels:
        belief = belief.aligned_to(market.labels)
    q = np.asarray(market.probabilities)
    p_raw = np.asarray(belief.probabilities)
    raw_kl = None
    p = p_raw
    if regularisation is not None:
        raw_kl = float(kl_divergence(p_raw, q))
        p, q = regularise(p_raw, q, regularisation)
    labels = market.labels
    infinite = tuple(lab for lab, pi, qi in zip(labels, p, q, strict=True) if pi > 0 and qi == 0)
    reverse_infinite = tuple(lab for lab, pi, qi in zip(labels, p, q, strict=True) if qi > 0 and pi == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        edges = np.where(q > 0, p / q - 1.0, np.inf)
    tradable = kelly_with_cash(p, odds) if odds is not None else None
    all_warnings = list(warnings)
    if infinite:
        all_warnings.append(
            f"infinite surprise: the market gives probability 0 to {list(infinite)}, which the belief thinks possible"
        )
    return DiscreteScore(
        labels=labels,
        belief=p,
        market=q,
        kl_nats=max(float(kl_divergence(p, q)), 0.0),
        reverse_kl_nats=max(float(kl_divergence(q, p)), 0.0),
        js_nats=max(float(js_divergence(p, q)), 0.0),
        js_distance_bits=float(js_distance(p, q, base=2.0)),
        cross_entropy_nats=float(cross_entropy(p, q)),
        entropy_belief_nats=float(entropy(p)),
        entropy_market_nats=float(entropy(q)),
        hellinger_squared=float(hellinger_squared(p, q)),
        total_variation=float(total_variation(p, q)),
        renyi_half_nats=float(renyi_divergence(p, q, 0.5)),
        renyi_two_nats=float(renyi_divergence(p, q, 2.0)),
        chi_squared=float(chi_squared(p, q)),
        log_ratio_variance=float(log_ratio_variance(p, q)) if not infinite else float("inf"),
        half_kelly_growth_fair_nats=float(fractional_kelly_growth_fair(p, q, 0.5)),
        contributions_nats=kl_contributions(p, q),
        contributions_nonnegative_nats=kl_contributions_nonnegative(p, q),
        edges=edges,
        infinite_outcomes=infinite,
        reverse_infinite_outcomes=reverse_infinite,
        tradable=tradable,
        odds=None if odds is None else np.asarray(odds, float),
        regularisation=regularisation,
        raw_kl_nats=raw_kl,
        warnings=tuple(all_warnings),
    )


def belief_on_market(spec: BeliefSpec, market: DiscreteDistribution, source: str) \
        -> tuple[DiscreteDistribution, ViewFit | None]:
    """A parsed belief on the market's outcomes: a discrete belief matched by label (football short forms read as
    Home/Draw/Away), views as their I-projection of the market (with the fit)."""
    if isinstance(spec, ViewsBelief):
        fit = project(np.ones(market.size), np.asarray(market.probabilities),
                      discrete_constraints(spec.views, market.labels, source), source)
        return DiscreteDistribution(market.labels, fit.probabilities / fit.probabilities.sum(), source=source), fit
    if isinstance(spec, DiscreteBelief) and spec.labels == market.labels:     # the usual case, without a lookup
        return DiscreteDistribution(market.labels, spec.probabilities, source=source), None
    lows, highs = market.diagnostics.get("bucket_lows"), market.diagnostics.get("bucket_highs")
    if lows is not None and highs is not None and not isinstance(spec, DiscreteBelief):
        return DiscreteDistribution(market.labels, belief_on_buckets(spec, lows, highs, source), source=source), None
    return belief_on_discrete_market(spec, market, source), None


def score_named_belief(belief: NamedBelief, market: DiscreteMarket, *,
                       regularisation: Regularisation | None = None) -> DiscreteScore:
    """Map a parsed belief onto the market's outcomes and score it (views: their I-projection of the market)."""
    warnings = [*market.warnings, *belief.warnings]
    p, fit = belief_on_market(belief.spec, market.distribution, belief.source)
    score = score_discrete(p, market.distribution, odds=market.odds, regularisation=regularisation,
                           warnings=warnings)
    if fit is not None:
        score = replace(score, views=fit)
    return score if market.bookmakers is None else replace(score, odds_bookmakers=market.bookmakers)
