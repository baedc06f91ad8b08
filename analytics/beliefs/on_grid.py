"""Any belief about a price as a density on the market's grid, so that KL(belief || market) is one integral on one
grid (docs/methods.md, "Completions").

Partial statements (buckets, quantiles) are completed:
- `market` (default): inside each bucket the market's own density rescaled to the stated mass, the
  completion closest to the market (minimum discrimination information), so the KL equals the KL
  between bucket masses, sum_j P_j log(P_j / Q_j);
- `smooth`: quantiles joined by a strictly increasing CDF (monotone interpolation of the normal score
  z = Phi^-1(u) against log-price, normal tails matched to the two outermost points on each side);
  buckets as piecewise-constant densities (open ends take the market's shape).
Densities are per unit of x; logs natural unless a name says bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
from scipy.integrate import cumulative_trapezoid
from scipy.interpolate import PchipInterpolator
from scipy.special import ndtri

from analytics.beliefs.price import (
    Blend,
    BucketBelief,
    GridBelief,
    ParametricBelief,
    QuantileBelief,
    ShiftedMarket,
    uncovered_gaps,
)
from analytics.beliefs.spec import BeliefSpec
from analytics.core.distributions import GriddedDensity
from analytics.core.errors import InputError
from analytics.core.types import FloatArray

Completion = Literal["market", "smooth"]
COMPLETIONS: tuple[Completion, ...] = get_args(Completion)


@dataclass(frozen=True, eq=False)
class MappedBelief:
    """A belief on the market's grid: its density there, the mass it puts outside the grid, and the
    exact KL when the completion makes it a function of masses alone (buckets under `market`)."""

    density: FloatArray
    mass_outside_grid: float
    exact_kl_nats: float | None = None
    description: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _smooth_quantile_density(belief: QuantileBelief, x: FloatArray) -> FloatArray:
    """Density through the quantiles: z = Phi^-1(u) monotone-interpolated against log-price (price if a
    value is <= 0), extended linearly through the two outermost points on each side (normal tails)."""
    log_axis = bool(np.all(belief.values > 0))
    y_knots = np.log(belief.values) if log_axis else belief.values
    z_knots = ndtri(belief.levels)
    inner = PchipInterpolator(y_knots, z_knots)
    slope_lo = (z_knots[1] - z_knots[0]) / (y_knots[1] - y_knots[0])
    slope_hi = (z_knots[-1] - z_knots[-2]) / (y_knots[-1] - y_knots[-2])
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.where(x > 0, x, np.nan)) if log_axis else x
    z = np.where(y < y_knots[0], z_knots[0] + slope_lo * (y - y_knots[0]),
                 np.where(y > y_knots[-1], z_knots[-1] + slope_hi * (y - y_knots[-1]), inner(np.clip(
                     y, y_knots[0], y_knots[-1]))))
    dz = np.where(y < y_knots[0], slope_lo, np.where(y > y_knots[-1], slope_hi,
                                                     inner.derivative()(np.clip(y, y_knots[0], y_knots[-1]))))
    density_y = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * dz
    density = density_y / x if log_axis else density_y
    return np.where(np.isfinite(density), np.maximum(density, 0.0), 0.0)


def _bucket_density(belief: BucketBelief, market: GriddedDensity, completion: Completion,
                    source: str) -> tuple[FloatArray, float | None, list[str]]:
    x, q = np.asarray(market.x), np.asarray(market.pdf) / market.mass
    gaps = uncovered_gaps(belief.lows, belief.highs)
    stated = float(belief.probabilities.sum())
    warnings: list[str] = []
    if stated > 1 + 1e-9:
        raise InputError(f"the buckets hold {stated:.6g} in all; the stated mass cannot exceed 1", source=source)
    lows = np.concatenate((belief.lows, [g[0] for g in gaps]))
    highs = np.concatenate((belief.highs, [g[1] for g in gaps]))
    market_mass = np.asarray(market.probability_between(lows, highs), float)
    rest = max(1.0 - stated, 0.0)
    gap_market = float(market_mass[belief.lows.size:].sum())
    gap_probs = (market_mass[belief.lows.size:] / gap_market * rest) if gap_market > 0 else \
        np.full(len(gaps), rest / max(len(gaps), 1))
    probs = np.concatenate((belief.probabilities, gap_probs))
    if gaps and rest > 0:
        warnings.append(f"{source}: the buckets cover part of the line; the rest holds {rest:.6g}")
    density = np.zeros(x.size)
    exact: float | None = None
    impossible = (market_mass <= 0) & (probs > 0)
    for lo, hi, p, m in zip(lows, highs, probs, market_mass, strict=True):
        inside = (x > lo) & (x <= hi)
        if completion == "market" or not (np.isfinite(lo) and np.isfinite(hi)):
            if m > 0:
                density[inside] = q[inside] * p / m
        else:
            density[inside] = p / (hi - lo)
    if completion == "market":
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(probs > 0, probs * np.log(probs / market_mass), 0.0)
        exact = math.inf if impossible.any() else float(terms.sum())
    return density, exact, warnings


def on_market_grid(belief: BeliefSpec, market: GriddedDensity, *, completion: Completion = "market",
                   source: str = "") -> MappedBelief:
    """The belief as a density on the market's grid (normalised there), with its mass outside the grid."""
    if completion not in COMPLETIONS:
        raise InputError(f"unknown completion {completion!r}; expected one of {', '.join(COMPLETIONS)}")
    x = np.asarray(market.x)
    q = np.asarray(market.pdf) / market.mass
    warnings: list[str] = []
    exact: float | None = None
    if isinstance(belief, ParametricBelief):
        density = belief.pdf(x)
        outside = float(belief.cdf(np.array([x[0]]))[0] + 1 - belief.cdf(np.array([x[-1]]))[0])
        description = belief.description
    elif isinstance(belief, GridBelief):
        density = np.interp(x, belief.x, belief.density, left=0.0, right=0.0)
        cum = cumulative_trapezoid(belief.density, belief.x, initial=0.0)
        inside = np.interp([x[0], x[-1]], belief.x, cum / cum[-1], left=0.0, right=1.0)
        outside = float(1 - (inside[1] - inside[0]))
        description = f"density on a grid of {belief.x.size} points"
    elif isinstance(belief, QuantileBelief):
        if completion == "smooth":
            density = _smooth_quantile_density(belief, x)
            description = f"{belief.levels.size} quantiles, smooth completion"
            outside = max(1.0 - float(np.trapezoid(density, x)), 0.0)
        else:
            edges = belief.values
            buckets = BucketBelief(np.concatenate(([-np.inf], edges)), np.concatenate((edges, [np.inf])),
                                   np.diff(np.concatenate(([0.0], belief.levels, [1.0]))))
            density, exact, _ = _bucket_density(buckets, market, "market", source)   # the rest is empty
            description = f"{belief.levels.size} quantiles, market completion"
            outside = 0.0
    elif isinstance(belief, BucketBelief):
        density, exact, warnings = _bucket_density(belief, market, completion, source)
        description = f"{belief.lows.size} buckets, {completion} completion"
        outside = 0.0
    elif isinstance(belief, ShiftedMarket):
        log_x = np.log(x)
        centre = float(np.log(market.quantile(0.5)))
        # belief's log-price Y' = centre + log(1 + shift) + scale (Y - centre); invert to read q there
        back = centre + (log_x - centre - math.log1p(belief.shift)) / belief.scale
        q_log = np.interp(back, log_x, q * x, left=0.0, right=0.0)       # market density of log-price
        density = q_log / belief.scale / x
        outside = max(1.0 - float(np.trapezoid(density, x)), 0.0)
        description = f"market shifted {belief.shift:+.3g} and scaled x{belief.scale:g} in log-price"
    elif isinstance(belief, Blend):
        inner = on_market_grid(belief.view, market, completion=completion, source=source)
        w = belief.market_weight
        density = w * q + (1 - w) * inner.density
        outside = (1 - w) * inner.mass_outside_grid
        warnings = list(inner.warnings)
        description = f"blend: {w:g} x market + {1 - w:g} x ({inner.description})"
    else:
        raise InputError(f"a {type(belief).__name__} cannot be scored against a price density", source=source)
    mass = float(np.trapezoid(density, x))
    if mass <= 0:
        raise InputError(f"the belief puts no mass on the market's grid [{x[0]:.6g}, {x[-1]:.6g}]", source=source)
    if outside > 1e-6:
        warnings.append(f"{source}: the belief puts {outside:.3g} of its mass outside the market's grid "
                        f"[{x[0]:.6g}, {x[-1]:.6g}], where the market density is not estimated; KL is computed "
                        "on the grid")
    return MappedBelief(density / mass, outside, exact, description, tuple(warnings))
