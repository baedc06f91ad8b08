"""Any belief about a price as a density on the market's grid, so that KL(belief || market) is one integral on one
grid (docs/methods.md, "Completions").

Partial statements (buckets, quantiles) are completed:
- `market` (default): inside each bucket the market's own density rescaled to the stated mass, the
  completion closest to the market (minimum discrimination information), so the KL equals the KL
  between bucket masses, sum_j P_j log(P_j / Q_j);
- `smooth`: quantiles joined by a strictly increasing CDF (monotone interpolation of the normal score
  z = Phi^-1(u) against log-price, normal tails matched to the two outermost points on each side);
  buckets as piecewise-constant densities (open ends take the market's shape).
Densities are per unit of x; logs natural unless a name says bits. Every form is built as a log-density, so a
belief whose density underflows in the far tails still has a finite log there (a reverse KL is infinite only
where the belief is truly zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import cumulative_trapezoid
from scipy.interpolate import PchipInterpolator
from scipy.special import ndtri

from analytics.beliefs.completion import COMPLETIONS, Completion
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
from analytics.views.projection import ViewFit, project_on_grid
from analytics.views.spec import ViewsBelief


@dataclass(frozen=True, eq=False)
class MappedBelief:
    """A belief on the market's grid: its log-density there (-inf where it is truly zero; normalised on the grid),
    the mass it puts outside the grid, and the exact KL when the completion makes it a function of masses alone
    (buckets under `market`)."""

    log_density: FloatArray
    mass_outside_grid: float
    exact_kl_nats: float | None = None
    description: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    views: ViewFit | None = None       # a belief stated as views: the projection's multipliers and shares

    @property
    def density(self) -> FloatArray:
        return np.exp(self.log_density)


def _log(values: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        return np.log(values)


def _smooth_quantile_log_density(belief: QuantileBelief, x: FloatArray) -> FloatArray:
    """Log-density through the quantiles: z = Phi^-1(u) monotone-interpolated against log-price (price if a
    value is <= 0), extended linearly through the two outermost points on each side (normal tails)."""
    log_axis = bool(np.all(belief.values > 0))
    y_knots = np.log(belief.values) if log_axis else belief.values
    z_knots = ndtri(belief.levels)
    inner = PchipInterpolator(y_knots, z_knots)
    slope_lo = (z_knots[1] - z_knots[0]) / (y_knots[1] - y_knots[0])
    slope_hi = (z_knots[-1] - z_knots[-2]) / (y_knots[-1] - y_knots[-2])
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.where(x > 0, x, np.nan)) if log_axis else x
    clipped = np.clip(y, y_knots[0], y_knots[-1])
    z = np.where(y < y_knots[0], z_knots[0] + slope_lo * (y - y_knots[0]),
                 np.where(y > y_knots[-1], z_knots[-1] + slope_hi * (y - y_knots[-1]), inner(clipped)))
    dz = np.where(y < y_knots[0], slope_lo, np.where(y > y_knots[-1], slope_hi, inner.derivative()(clipped)))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_density = -0.5 * z * z - 0.5 * math.log(2 * math.pi) + np.log(dz) - (y if log_axis else 0.0)
    return np.where(np.isfinite(log_density), log_density, -np.inf)


def _bucket_log_density(belief: BucketBelief, market: GriddedDensity, completion: Completion,
                        source: str) -> tuple[FloatArray, float | None, list[str]]:
    """Each grid point's bucket (the stated ones and the uncovered gaps, which share the rest of the mass in the
    market's proportions): the market's shape rescaled to the bucket's mass, or (smooth completion, finite
    buckets) a flat density."""
    x, log_q = np.asarray(market.x), _log(np.asarray(market.pdf) / market.mass)
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
    order = np.argsort(lows)
    lows, highs, probs, market_mass = lows[order], highs[order], probs[order], market_mass[order]
    which = np.clip(np.searchsorted(highs, x, side="left"), 0, lows.size - 1)     # x in (low, high]
    flat = (completion == "smooth") & np.isfinite(lows) & np.isfinite(highs)
    with np.errstate(divide="ignore", invalid="ignore"):
        rescale = np.where(market_mass > 0, _log(probs) - _log(market_mass), -np.inf)
        flat_level = _log(probs) - _log(highs - lows)
    log_density = np.where(flat[which], flat_level[which], log_q + rescale[which])
    exact: float | None = None
    if completion == "market":
        impossible = (market_mass <= 0) & (probs > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(probs > 0, probs * np.log(probs / market_mass), 0.0)
        exact = math.inf if impossible.any() else float(terms.sum())
    return np.where(np.isnan(log_density), -np.inf, log_density), exact, warnings


def _tail_extended(t: FloatArray, values: FloatArray, at: FloatArray) -> FloatArray:
    """A log-density on the grid t read at `at`: interpolated inside, and beyond the grid continued by the parabola
    through its three outermost finite points on that side (a Gaussian tail in log-price, the market's own tail
    model), or the line through the outer two when that parabola would turn up, or the end value."""
    finite = np.flatnonzero(np.isfinite(values))
    out = np.interp(at, t[finite], values[finite])
    if finite.size < 3:          # too few points for a tail: the end values held
        return out
    for side, ends in ((at < t[finite[0]], finite[:3]), (at > t[finite[-1]], finite[-3:])):
        if not side.any():
            continue
        a, b, c = np.polyfit(t[ends], values[ends], 2)
        end = ends[0] if ends[0] == finite[0] else ends[-1]
        if a < 0:
            out[side] = np.polyval((a, b, c), at[side])
        else:
            slope = (values[ends[-1]] - values[ends[0]]) / (t[ends[-1]] - t[ends[0]])
            outward = slope if end == ends[-1] else -slope
            out[side] = values[end] + (slope * (at[side] - t[end]) if outward < 0 else 0.0)
    return out


def _shifted_market_log_density(belief: ShiftedMarket, market: GriddedDensity, x: FloatArray) -> FloatArray:
    """The market moved by log(1 + shift) and scaled about its median in log-price: the market's log-density of
    log-price read at the point that maps there, with the market's tails continued beyond its grid (a shifted
    market has mass wherever the market has; cutting it at the grid's end made the reverse KL infinite there)."""
    log_x = np.log(x)
    centre = float(np.log(market.quantile(0.5)))
    back = centre + (log_x - centre - math.log1p(belief.shift)) / belief.scale
    log_q_of_log_price = _log(np.asarray(market.pdf) / market.mass) + log_x
    return _tail_extended(log_x, log_q_of_log_price, back) - math.log(belief.scale) - log_x


def on_market_grid(belief: BeliefSpec, market: GriddedDensity, *, completion: Completion = "market",
                   source: str = "") -> MappedBelief:
    """The belief as a log-density on the market's grid (normalised there), with its mass outside the grid."""
    if completion not in COMPLETIONS:
        raise InputError(f"unknown completion {completion!r}; expected one of {', '.join(COMPLETIONS)}")
    x = np.asarray(market.x)
    warnings: list[str] = []
    exact: float | None = None
    views: ViewFit | None = None
    if isinstance(belief, ParametricBelief):
        log_density = np.asarray(belief.logpdf(x), float)
        outside = float(belief.cdf(np.array([x[0]]))[0] + 1 - belief.cdf(np.array([x[-1]]))[0])
        description = belief.description
    elif isinstance(belief, GridBelief):
        log_density = _log(np.interp(x, belief.x, belief.density, left=0.0, right=0.0))
        cum = cumulative_trapezoid(belief.density, belief.x, initial=0.0)
        inside = np.interp([x[0], x[-1]], belief.x, cum / cum[-1], left=0.0, right=1.0)
        outside = float(1 - (inside[1] - inside[0]))
        description = f"density on a grid of {belief.x.size} points"
    elif isinstance(belief, QuantileBelief):
        if completion == "smooth":
            log_density = _smooth_quantile_log_density(belief, x)
            description = f"{belief.levels.size} quantiles, smooth completion"
            outside = max(1.0 - float(np.trapezoid(np.exp(log_density), x)), 0.0)
        else:
            edges = belief.values
            buckets = BucketBelief(np.concatenate(([-np.inf], edges)), np.concatenate((edges, [np.inf])),
                                   np.diff(np.concatenate(([0.0], belief.levels, [1.0]))))
            log_density, exact, _ = _bucket_log_density(buckets, market, "market", source)   # the rest is empty
            description = f"{belief.levels.size} quantiles, market completion"
            outside = 0.0
    elif isinstance(belief, BucketBelief):
        log_density, exact, warnings = _bucket_log_density(belief, market, completion, source)
        description = f"{belief.lows.size} buckets, {completion} completion"
        outside = 0.0
    elif isinstance(belief, ShiftedMarket):
        log_density = _shifted_market_log_density(belief, market, x)
        outside = max(1.0 - float(np.trapezoid(np.exp(log_density), x)), 0.0)
        description = f"market shifted {belief.shift:+.3g} and scaled x{belief.scale:g} in log-price"
    elif isinstance(belief, ViewsBelief):
        projected = project_on_grid(belief.views, x, np.asarray(market.pdf) / market.mass, source)
        log_density = _log(projected.density)
        exact = projected.fit.kl_nats             # on the grid split at the views' levels: exact for their jumps
        outside = 0.0
        description = belief.description
        views = projected.fit
    elif isinstance(belief, Blend):
        inner = on_market_grid(belief.view, market, completion=completion, source=source)
        w = belief.market_weight
        log_q = _log(np.asarray(market.pdf) / market.mass)
        with np.errstate(divide="ignore"):
            log_density = np.logaddexp(math.log(w) + log_q if w > 0 else -np.inf,
                                       math.log(1 - w) + inner.log_density if w < 1 else -np.inf)
        outside = (1 - w) * inner.mass_outside_grid
        warnings = list(inner.warnings)
        description = f"blend: {w:g} x market + {1 - w:g} x ({inner.description})"
    else:
        raise InputError(f"a {type(belief).__name__} cannot be scored against a price density", source=source)
    log_density = np.where(np.isnan(log_density), -np.inf, log_density)
    top = float(np.max(log_density))
    if not math.isfinite(top):
        raise InputError(f"the belief puts no mass on the market's grid [{x[0]:.6g}, {x[-1]:.6g}]", source=source)
    mass_scaled = float(np.trapezoid(np.exp(log_density - top), x))     # scaled by e^-top: no underflow
    if mass_scaled <= 0:
        raise InputError(f"the belief puts no mass on the market's grid [{x[0]:.6g}, {x[-1]:.6g}]", source=source)
    if outside > 1e-6:
        warnings.append(f"{source}: the belief puts {outside:.3g} of its mass outside the market's grid "
                        f"[{x[0]:.6g}, {x[-1]:.6g}], where the market density is not estimated; KL is computed "
                        "on the grid")
    return MappedBelief(log_density - top - math.log(mass_scaled), outside, exact, description, tuple(warnings), views)
