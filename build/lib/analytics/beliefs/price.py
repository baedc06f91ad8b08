"""Beliefs about a price (or any real quantity): interval buckets, a density on a grid, quantiles, parametric
forms (normal, lognormal, Student-t, mixtures) and builders (a view from a median and an interval, the market
shifted and scaled in log-price, a blend of the market and a view), with the checks that make each valid.
Mapping them onto a market's grid is beliefs.on_grid (docs/methods.md, "Beliefs about a price")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize, stats
from scipy.special import ndtr, ndtri

from analytics.core.distributions import GriddedDensity
from analytics.core.errors import InputError
from analytics.core.text import json_number, normalisation_note
from analytics.core.types import FloatArray

if TYPE_CHECKING:
    from analytics.beliefs.spec import BeliefSpec


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
        return sum(w * c.pdf(x) for w, c in zip(self.weights, self.components, strict=True))

    def logpdf(self, x: FloatArray) -> FloatArray:
        logs = np.array([np.log(w) + c.logpdf(x) for w, c in zip(self.weights, self.components, strict=True)])
        return np.logaddexp.reduce(logs, axis=0)

    def cdf(self, x: FloatArray) -> FloatArray:
        return sum(w * c.cdf(x) for w, c in zip(self.weights, self.components, strict=True))


@dataclass(frozen=True, eq=False)
class ShiftedMarket:
    """The market moved by `shift` (fraction, in the median) and scaled by `scale` in log-price."""

    shift: float
    scale: float


@dataclass(frozen=True, eq=False)
class Blend:
    """market_weight x market + (1 - market_weight) x view (the fractional-Kelly view, docs/methods.md)."""

    market_weight: float
    view: BeliefSpec


PRICE_FORMS = (BucketBelief, GridBelief, QuantileBelief, ParametricBelief, ShiftedMarket, Blend)


def uncovered_gaps(lows: FloatArray, highs: FloatArray) -> list[tuple[float, float]]:
    gaps, cursor = [], -np.inf
    for lo, hi in zip(lows, highs, strict=True):
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = max(cursor, hi)
    if cursor < np.inf:
        gaps.append((cursor, np.inf))
    return gaps


def parametric_from_json(item: dict, source: str) -> ParametricBelief:
    kind = str(item.get("kind", "")).strip().lower()
    if kind == "normal":
        mean, sd = json_number(item, "mean", source), json_number(item, "sd", source, positive=True)
        return ParametricBelief(kind, (stats.norm(mean, sd),), np.ones(1), f"normal(mean={mean:g}, sd={sd:g})")
    if kind == "lognormal":
        median = json_number(item, "median", source, positive=True)
        sigma = json_number(item, "sigma", source, positive=True)
        return ParametricBelief(kind, (stats.lognorm(s=sigma, scale=median),), np.ones(1),
                                f"lognormal(median={median:g}, sigma={sigma:g})")
    if kind == "student_t":
        loc = json_number(item, "loc", source)
        scale = json_number(item, "scale", source, positive=True)
        df = json_number(item, "df", source, positive=True)
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
            weights.append(json_number(part, "weight", f"{source} components[{i}]", positive=True))
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
    if warnings is not None:
        normalisation_note(warnings, source, dens.mass, f"the density integrates to {dens.mass:.6g} on its grid "
                           "(trapezoid rule)")
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
        raise InputError(f"no smooth single-peaked belief has median {median:g} and {coverage:.0%} between {low:g} "
                         f"and {high:g}: the median sits too close to one end of the range (in log-price the nearer "
                         "end must be roughly half as far as the other, or more); move the median or widen that side",
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
        with np.errstate(divide="ignore", invalid="ignore"):     # the root search may try a zero width
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
