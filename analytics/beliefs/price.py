"""Beliefs about a price (or any real quantity) and their mapping onto a market's density grid.

Forms (FORMATS.md): interval buckets, a density on a grid, quantiles, parametric (normal, lognormal,
Student-t, mixtures) and builders (a view from a median and an interval, the market shifted and
scaled in log-price, a blend of the market and a view). `on_market_grid` turns any of them into a
density on the market's grid x, so that KL(belief || market) is an integral on one grid.

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
from typing import Any

import numpy as np
from scipy import optimize, stats
from scipy.integrate import cumulative_trapezoid
from scipy.interpolate import PchipInterpolator
from scipy.special import ndtr, ndtri

from analytics.core.distributions import GriddedDensity
from analytics.core.errors import InputError
from analytics.core.types import FloatArray

COMPLETIONS = ("market", "smooth")


@dataclass(frozen=True, eq=False)
class BucketBelief:
    """Probabilities of intervals (low, high]; -inf/+inf for open ends. Uncovered parts of the line
    form one implicit bucket holding the rest (1 - stated mass)."""

    lows: FloatArray
    highs: FloatArray
    probabilities: FloatArray


@dataclass(frozen=True, eq=False)
class GridBelief:
    """A density given on a grid (linear between points, zero outside)."""

    x: FloatArray
    density: FloatArray


@dataclass(frozen=True, eq=False)
class QuantileBelief:
    levels: FloatArray
    values: FloatArray


@dataclass(frozen=True, eq=False)
class ParametricBelief:
    """A scipy distribution (or a mixture) with a description such as 'lognormal(median=105, sigma=0.1)'."""

    kind: str
    components: tuple[Any, ...]
    weights: FloatArray
    description: str

    def pdf(self, x: FloatArray) -> FloatArray:
        return sum(w * c.pdf(x) for w, c in zip(self.weights, self.components))

    def logpdf(self, x: FloatArray) -> FloatArray:
        logs = np.array([np.log(w) + c.logpdf(x) for w, c in zip(self.weights, self.components)])
        return np.logaddexp.reduce(logs, axis=0)

    def cdf(self, x: FloatArray) -> FloatArray:
        return sum(w * c.cdf(x) for w, c in zip(self.weights, self.components))


@dataclass(frozen=True, eq=False)
class ShiftedMarket:
    """The market moved by `shift` (fraction, in the median) and scaled by `scale` in log-price."""

    shift: float
    scale: float


@dataclass(frozen=True, eq=False)
class Blend:
    """market_weight x market + (1 - market_weight) x view (the fractional-Kelly view, theory_spec 1.6)."""

    market_weight: float
    view: Any


CONTINUOUS_FORMS = (BucketBelief, GridBelief, QuantileBelief, ParametricBelief, ShiftedMarket, Blend)


@dataclass(frozen=True, eq=False)
class MappedBelief:
    """A belief on the market's grid: its density there, the mass it puts outside the grid, and the
    exact KL when the completion makes it a function of masses alone (buckets under `market`)."""

    density: FloatArray
    mass_outside_grid: float
    exact_kl_nats: float | None = None
    description: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


# ----------------------------------------------------------------------------- readers


def _numbers(values: Any, name: str, source: str, *, allow_null: bool = False) -> FloatArray:
    if not isinstance(values, list) or not values:
        raise InputError(f"\"{name}\" must be a non-empty list of numbers", source=source)
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if v is None and allow_null:
            out[i] = np.nan
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"{name}[{i}] is {v!r}; expected a finite number", source=source)
        out[i] = float(v)
    return out


def _positive(item: dict, key: str, source: str) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(f"\"{key}\" must be a positive number, got {value!r}", source=source)
    return float(value)


def _finite(item: dict, key: str, source: str) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"\"{key}\" must be a finite number, got {value!r}", source=source)
    return float(value)


def parametric_from_json(item: dict, source: str) -> ParametricBelief:
    kind = str(item.get("kind", "")).strip().lower()
    if kind == "normal":
        mean, sd = _finite(item, "mean", source), _positive(item, "sd", source)
        return ParametricBelief(kind, (stats.norm(mean, sd),), np.ones(1), f"normal(mean={mean:g}, sd={sd:g})")
    if kind == "lognormal":
        median, sigma = _positive(item, "median", source), _positive(item, "sigma", source)
        return ParametricBelief(kind, (stats.lognorm(s=sigma, scale=median),), np.ones(1),
                                f"lognormal(median={median:g}, sigma={sigma:g})")
    if kind == "student_t":
        loc, scale, df = _finite(item, "loc", source), _positive(item, "scale", source), _positive(item, "df", source)
        return ParametricBelief(kind, (stats.t(df, loc, scale),), np.ones(1),
                                f"student_t(loc={loc:g}, scale={scale:g}, df={df:g})")
    if kind == "mixture":
        parts = item.get("components")
        if not isinstance(parts, list) or not parts:
            raise InputError("a mixture needs \"components\": a list of normal/lognormal/student_t with weights",
                             source=source)
        components, weights, names = [], [], []
        for i, part in enumerate(parts):
            if not isinstance(part, dict) or str(part.get("kind", "")).lower() == "mixture":
                raise InputError(f"components[{i}] must be a normal, lognormal or student_t object", source=source)
            inner = parametric_from_json(part, f"{source} components[{i}]")
            components.append(inner.components[0])
            weights.append(_positive(part, "weight", f"{source} components[{i}]"))
            names.append(f"{weights[-1]:g} x {inner.description}")
        w = np.asarray(weights)
        return ParametricBelief(kind, tuple(components), w / w.sum(), "mixture of " + " + ".join(names))
    raise InputError(f"unknown parametric kind {kind!r}", source=source)


def check_buckets(lows: FloatArray, highs: FloatArray, probabilities: FloatArray, source: str,
                  places: list[str]) -> BucketBelief:
    lows = np.where(np.isnan(lows), -np.inf, lows)
    highs = np.where(np.isnan(highs), np.inf, highs)
    inverted = np.flatnonzero(~(lows < highs))
    if inverted.size:
        i = int(inverted[0])
        raise InputError(f"{places[i]}: bucket low {lows[i]:g} is not below high {highs[i]:g}", source=source)
    order = np.argsort(lows)
    if np.any(lows[order][1:] < highs[order][:-1]):
        i = int(order[1:][np.flatnonzero(lows[order][1:] < highs[order][:-1])[0]])
        raise InputError(f"{places[i]}: bucket overlaps another", source=source)
    return BucketBelief(lows[order], highs[order], probabilities[order])


def check_grid(x: FloatArray, density: FloatArray, source: str, warnings: list[str] | None = None) -> GridBelief:
    dens = GriddedDensity(x, density, source=source)      # validates: increasing, finite, non-negative
    if warnings is not None and abs(dens.mass - 1) > 1e-6:
        warnings.append(f"{source}: the density integrates to {dens.mass:.6g} on its grid (trapezoid rule); "
                        "normalised to 1")
    return GridBelief(np.asarray(dens.x), np.asarray(dens.pdf) / dens.mass)


def check_quantiles(levels: FloatArray, values: FloatArray, source: str) -> QuantileBelief:
    if np.any((levels <= 0) | (levels >= 1)):
        i = int(np.flatnonzero((levels <= 0) | (levels >= 1))[0])
        raise InputError(f"quantile {levels[i]:g} (item {i + 1}) is not in (0, 1)", source=source)
    order = np.argsort(levels)
    levels, values = levels[order], values[order]
    if np.any(np.diff(levels) <= 0):
        raise InputError("two quantiles share a level", source=source)
    if np.any(np.diff(values) <= 0):
        i = int(np.flatnonzero(np.diff(values) <= 0)[0])
        raise InputError(f"quantile values must increase with the level: {levels[i]:g} -> {values[i]:g} but "
                         f"{levels[i + 1]:g} -> {values[i + 1]:g}", source=source)
    if levels.size < 2:
        raise InputError("give at least two quantiles", source=source)
    return QuantileBelief(levels, values)


def view_belief(median: float, low: float, high: float, coverage: float, source: str) -> ParametricBelief:
    """A smooth belief with the given median and central interval: a split normal in log-price (one mode,
    different widths below and above it, density and slope continuous), solved so the three stated
    quantiles hold exactly."""
    if not (0 < coverage < 1):
        raise InputError(f"\"coverage\" must be in (0, 1), got {coverage!r}", source=source)
    if not (0 < low < median < high):
        raise InputError(f"need 0 < interval low < median < interval high, got {low:g}, {median:g}, {high:g}",
                         source=source)
    z = float(ndtri(0.5 + coverage / 2))
    targets = np.array([(1 - coverage) / 2, 0.5, (1 + coverage) / 2])
    points = np.log([low, median, high])

    def equations(free: FloatArray) -> FloatArray:
        return _SplitLogNormal(free[0], math.exp(free[1]), math.exp(free[2])).cdf_log(points) - targets

    start = np.array([points[1], math.log((points[1] - points[0]) / z), math.log((points[2] - points[1]) / z)])
    solved = optimize.root(equations, start, tol=1e-14)
    if np.max(np.abs(equations(solved.x))) > 1e-10:
        raise InputError(f"no smooth belief has median {median:g} and {coverage:.0%} between {low:g} and {high:g}",
                         source=source)
    dist = _SplitLogNormal(solved.x[0], math.exp(solved.x[1]), math.exp(solved.x[2]))
    return ParametricBelief("view", (dist,), np.ones(1),
                            f"view: median {median:g}, {coverage:.0%} between {low:g} and {high:g}")


class _SplitLogNormal:
    """log X has the split normal density 2/(sqrt(2 pi) (below + above)) exp(-(y - mode)^2 / (2 sd^2)) with
    sd = `below` left of the mode and `above` right of it (continuous, with a continuous slope)."""

    def __init__(self, mode: float, below: float, above: float) -> None:
        self.mode, self.below, self.above = mode, below, above

    def _log_density_y(self, y: FloatArray) -> FloatArray:
        sd = np.where(y < self.mode, self.below, self.above)
        return -0.5 * ((y - self.mode) / sd) ** 2 + math.log(2 / (math.sqrt(2 * math.pi) * (self.below + self.above)))

    def cdf_log(self, y: FloatArray) -> FloatArray:
        total = self.below + self.above
        left = 2 * self.below / total * ndtr((y - self.mode) / self.below)
        right = (self.below + self.above * (2 * ndtr((y - self.mode) / self.above) - 1)) / total
        return np.where(y < self.mode, left, right)

    def logpdf(self, x: FloatArray) -> FloatArray:
        x = np.asarray(x, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.log(np.where(x > 0, x, np.nan))
            out = self._log_density_y(y) - y
        return np.where(x > 0, out, -np.inf)

    def pdf(self, x: FloatArray) -> FloatArray:
        return np.exp(self.logpdf(x))

    def cdf(self, x: FloatArray) -> FloatArray:
        x = np.asarray(x, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.cdf_log(np.log(np.where(x > 0, x, np.nan)))
        return np.where(x > 0, value, 0.0)

    def ppf(self, u: float) -> float:
        return float(optimize.brentq(lambda y: float(self.cdf_log(np.array(y))) - u, self.mode - 40 * self.below,
                                     self.mode + 40 * self.above)) if 0 < u < 1 else math.nan


# ----------------------------------------------------------------------------- mapping


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


def _uncovered(lows: FloatArray, highs: FloatArray) -> list[tuple[float, float]]:
    gaps, cursor = [], -np.inf
    for lo, hi in zip(lows, highs):
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = max(cursor, hi)
    if cursor < np.inf:
        gaps.append((cursor, np.inf))
    return gaps


def _bucket_density(belief: BucketBelief, market: GriddedDensity, completion: str,
                    source: str) -> tuple[FloatArray, float | None, list[str]]:
    x, q = np.asarray(market.x), np.asarray(market.pdf) / market.mass
    gaps = _uncovered(belief.lows, belief.highs)
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
    for lo, hi, p, m in zip(lows, highs, probs, market_mass):
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


def on_market_grid(belief: Any, market: GriddedDensity, *, completion: str = "market",
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
