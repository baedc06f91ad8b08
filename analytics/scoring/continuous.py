"""Scoring a belief about a price against a market density (from an option chain or a density file).

KL(p||q) with p the belief, q the market, in nats (bits twins): the expected log excess return of the
growth-optimal payoff W0 e^{rT} p(x)/q(x), the continuous "Kelly (log-utility) edge, KL(belief || market)"
(docs/methods.md, "Continuous KL as Kelly growth"). Integrals are trapezoid sums on the market's grid,
from log-densities where both are positive; a bucket belief under the market completion has its exact
KL, the KL between bucket masses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.integrate import cumulative_trapezoid, trapezoid

from analytics.beliefs.on_grid import Completion, MappedBelief, on_market_grid
from analytics.beliefs.spec import BeliefSpec
from analytics.core.distributions import GriddedDensity
from analytics.core.divergence import hellinger_squared_grid, js_divergence_grid, total_variation_grid
from analytics.core.types import BoolArray, FloatArray
from analytics.core.units import to_bits
from analytics.options.density import ChainDensity, fit_warning
from analytics.options.edge import (
    EdgeSettings,
    ListedQuotes,
    OptimiserFailure,
    OptionsEdge,
    TradableExpiry,
    options_edge,
)
from analytics.views.projection import ViewFit

QUANTILE_LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True, eq=False)
class ContinuousMarket:
    """A market's density of a price at one horizon: event names it (an expiry, or the file). A market from an
    option chain carries what can be traded at that expiry (its quotes, D and F), for the options edge."""

    event: str
    density: GriddedDensity
    warnings: tuple[str, ...] = field(default_factory=tuple)
    quoted_range: tuple[float, float] | None = None
    tradables: TradableExpiry | None = None
    fit_warning: str | None = None      # an option chain's density that misses its quotes (options.density)

    @classmethod
    def of_chain(cls, chain: ChainDensity) -> ContinuousMarket:
        tradables = None if chain.quotes is None else \
            TradableExpiry(ListedQuotes.from_expiry(chain.quotes), chain.discount, chain.forward, chain.expiry,
                           chain.quotes.root)
        return cls(chain.expiry, chain.density, (), chain.diagnostics.quoted_strike_range, tradables,
                   fit_warning(chain.diagnostics))


def _moments(x: FloatArray, pdf: FloatArray) -> dict[str, float]:
    density = GriddedDensity(x, pdf)
    return {"mean": density.mean(), "sd": density.sd()}


def _quantiles(x: FloatArray, pdf: FloatArray) -> dict[str, float]:
    values = GriddedDensity(x, pdf).quantile(QUANTILE_LEVELS)
    return {f"{level:g}": float(v) for level, v in zip(QUANTILE_LEVELS, values, strict=True)}


@dataclass(frozen=True, eq=False)
class ContinuousScore:
    """Belief p and market q on one grid, with every figure the page and the report show."""

    x: FloatArray
    belief: FloatArray
    market: FloatArray
    kl_nats: float
    grid_kl_nats: float
    reverse_kl_nats: float
    js_nats: float
    hellinger_squared: float
    total_variation: float
    log_ratio: FloatArray                 # log(p/q) in nats; -inf where p = 0, +inf where q = 0 < p
    cumulative_kl_nats: FloatArray        # integral of p log(p/q) from the grid's start to x
    kl_beyond_quoted_nats: float | None
    belief_description: str
    mass_outside_grid: float
    infinite_regions: tuple[str, ...]           # where q = 0 < p: KL(p||q) is infinite
    reverse_infinite_regions: tuple[str, ...]   # where p = 0 < q: KL(q||p) is infinite
    warnings: tuple[str, ...]
    edge: OptionsEdge | None = None             # with an option chain's quotes: what listed options capture
    views: ViewFit | None = None                # a belief stated as views: multipliers and shares of the KL
    from_chain: bool = False                    # the market is an option chain's density
    fit_warning: str | None = None              # its fit misses the quotes (options.density.fit_warning)

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "kl_bits": to_bits(self.kl_nats), "kl_nats": self.kl_nats,
            "reverse_kl_bits": to_bits(self.reverse_kl_nats), "reverse_kl_nats": self.reverse_kl_nats,
            "js_bits": to_bits(self.js_nats), "js_nats": self.js_nats,
            "js_distance_bits": math.sqrt(to_bits(self.js_nats)),
            "hellinger_squared": self.hellinger_squared, "total_variation": self.total_variation,
            "kelly_growth_fair_nats": self.kl_nats, "kelly_growth_fair_bits": to_bits(self.kl_nats),
            "kelly_growth_tradable_nats": None, "allocation_fair": None, "allocation": None, "cash_fraction": None,
            "grid_kl_nats": self.grid_kl_nats,
            "kl_beyond_quoted_strikes_nats": self.kl_beyond_quoted_nats,
            "belief_form": self.belief_description,
            "belief_mass_outside_market_grid": self.mass_outside_grid,
            "belief_moments": _moments(self.x, self.belief), "market_moments": _moments(self.x, self.market),
            "belief_quantiles": _quantiles(self.x, self.belief), "market_quantiles": _quantiles(self.x, self.market),
            "infinite_outcomes": list(self.infinite_regions),
            "reverse_infinite_outcomes": list(self.reverse_infinite_regions),
            "warnings": list(self.warnings),
        }
        if self.edge is not None:
            record.update(edge_record(self.edge))
        if self.from_chain:
            record["fit_warning"] = self.fit_warning
        if self.views is not None:
            record["views"] = self.views.as_records()
        return record


def edge_record(edge: OptionsEdge) -> dict[str, Any]:
    """The options edge's keys of the command line (docs/formats.md, "Options edge"): nats with bits twins."""
    position = edge.position
    figures = {"growth_mid": edge.growth_mid_nats, "butterfly_growth": edge.butterfly_growth_nats,
               "binned_kl": edge.binned_kl_nats, "kelly_growth_tradable": position.growth_nats,
               "market_right_growth_tradable": position.market_growth_nats, "renyi": edge.renyi_nats,
               "kl_real_world": edge.kl_real_world_nats, "kl_price_of_risk": edge.kl_price_of_risk_nats}
    record: dict[str, Any] = {}
    for name, nats in figures.items():
        record[f"{name}_nats"] = nats
        record[f"{name}_bits"] = None if nats is None else to_bits(nats)
    record["quotes_cheaper_than_density_nats"] = edge.quotes_cheaper_nats
    record["quotes_cheaper_than_density_bits"] = to_bits(edge.quotes_cheaper_nats)
    record.update({"legs": [leg.as_record() for leg in position.legs], "cash_fraction": position.cash_fraction,
                   "quotes_arbitrage": position.arbitrage, "kelly_fraction": edge.kelly_fraction,
                   "gamma": edge.gamma, "market_gamma": edge.market_gamma})
    if edge.ticket is not None:
        record.update(edge.ticket.as_record())
    return record


def _regions(x: FloatArray, mask: BoolArray) -> tuple[str, ...]:
    """Runs of True in mask as 'x in [a, b]' strings."""
    if not mask.any():
        return ()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
    return tuple(f"x in [{x[s]:.6g}, {x[e - 1]:.6g}]" for s, e in zip(edges[::2], edges[1::2], strict=True))


def score_density(mapped: MappedBelief, market: ContinuousMarket, *, warnings: tuple[str, ...] = (),
                  edge: EdgeSettings | None = None) -> ContinuousScore:
    """Every figure of a mapped belief p against the market q on the market's grid. Logs throughout: p/q overflows
    and p underflows in far tails, so a region is infinite only where a density is truly zero, and it is named.
    Each integral is a discrete KL with the trapezoid weights (non-negative by Gibbs' inequality), so a value
    below zero is rounding and is reported as 0."""
    x = np.asarray(market.density.x)
    q = np.asarray(market.density.pdf) / market.density.mass
    log_p = mapped.log_density
    p = np.exp(log_p)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_q = np.log(q)
        possible_p, possible_q = np.isfinite(log_p), q > 0
        log_ratio = np.where(possible_p, np.where(possible_q, log_p - log_q, np.inf), -np.inf)
        integrand = np.where(p > 0, p * log_ratio, 0.0)
        reverse = np.where(possible_q, q * (log_q - np.where(possible_p, log_p, -np.inf)), 0.0)
    infinite = _regions(x, possible_p & ~possible_q)
    reverse_infinite = _regions(x, possible_q & ~possible_p)
    cumulative = np.asarray(cumulative_trapezoid(integrand, x, initial=0.0)) if not infinite else \
        np.full(x.size, np.inf)
    grid_kl = max(float(cumulative[-1]), 0.0)
    beyond = None
    if market.quoted_range is not None and not infinite:
        lo, hi = market.quoted_range
        inner = float(np.interp(hi, x, cumulative) - np.interp(lo, x, cumulative))
        beyond = grid_kl - inner
    all_warnings = [*market.warnings, *warnings, *mapped.warnings]
    if infinite:
        all_warnings.append(f"infinite surprise: the market density is 0 where the belief is not: {list(infinite)}")
    kl = max(mapped.exact_kl_nats, 0.0) if mapped.exact_kl_nats is not None else grid_kl
    score = ContinuousScore(
        x=x, belief=p, market=q, kl_nats=kl, grid_kl_nats=grid_kl,
        reverse_kl_nats=max(float(trapezoid(reverse, x)), 0.0),
        js_nats=max(float(js_divergence_grid(x, p, q)), 0.0), hellinger_squared=float(hellinger_squared_grid(x, p, q)),
        total_variation=float(total_variation_grid(x, p, q)), log_ratio=log_ratio, cumulative_kl_nats=cumulative,
        kl_beyond_quoted_nats=beyond, belief_description=mapped.description,
        mass_outside_grid=mapped.mass_outside_grid, infinite_regions=infinite,
        reverse_infinite_regions=reverse_infinite, warnings=tuple(all_warnings), edge=None, views=mapped.views,
        from_chain=market.quoted_range is not None, fit_warning=market.fit_warning)
    return with_options_edge(score, market, edge)


def with_options_edge(score: ContinuousScore, market: ContinuousMarket,
                      edge: EdgeSettings | None = None) -> ContinuousScore:
    """The score with its options edge where the market has quotes (full Kelly, log utility and no pricing-kernel
    adjustment unless `edge` says otherwise), or with a warning saying why there is none. The slow part of a
    score (conic solves for the trades): a page can show the rest first."""
    if market.tradables is None:
        return score
    if score.infinite_regions:
        return replace(score, warnings=(*score.warnings,
                                        "no options edge: the belief has mass where the market's density is 0"))
    t = market.tradables
    try:
        options = options_edge(score.x, score.belief, score.market, t.quotes, t.discount, t.forward,
                               settings=edge or EdgeSettings(), kl_nats=score.kl_nats, expiry=t.expiry or market.event,
                               root=t.root)
    except OptimiserFailure as exc:
        return replace(score, warnings=(*score.warnings, f"no options edge: {exc}"))
    return replace(score, edge=options)


def score_continuous_belief(spec: BeliefSpec, market: ContinuousMarket, *, completion: Completion = "market",
                            source: str = "", warnings: tuple[str, ...] = (),
                            edge: EdgeSettings | None = None) -> ContinuousScore:
    """Map a parsed belief onto the market's grid and score it (with the options edge where the market has
    quotes, as `edge` asks; full Kelly, log utility and no pricing-kernel adjustment by default)."""
    return score_density(on_market_grid(spec, market.density, completion=completion, source=source), market,
                         warnings=warnings, edge=edge)
