"""A belief about a number (a price, a temperature, a rate) on a market of ordered buckets, such as a prediction
market's range event ("18°C or below", "19°C", "20°C or higher"; docs/methods.md, "Range markets").

The buckets' bounds are those the market states; a ladder of whole units ("19°C", "20°C") leaves gaps between its
buckets that the settled value, rounded to whole units, never falls in, so each edge between two buckets is the
midpoint of the gap (19.5 between "19°C" and "20°C"), and a bucket's belief probability is the belief's mass
between its edges. Parametric beliefs use their CDF, densities on a grid the trapezoid rule, quantiles their
piecewise-linear CDF (the mass beyond the extreme quantiles in the open end buckets), bucket beliefs their
overlap with each market bucket (uniform inside a belief's bucket).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import cumulative_trapezoid

from analytics.beliefs.price import BucketBelief, GridBelief, ParametricBelief, QuantileBelief
from analytics.core.errors import InputError
from analytics.core.types import FloatArray


def bucket_edges(lows: FloatArray, highs: FloatArray) -> FloatArray:
    """The edges between ordered buckets (bounds as stated, NaN for an open end): the first and last are -inf and
    +inf, each inner one the midpoint of a gap between a bucket's high and the next one's low (their shared value
    when they touch)."""
    lows, highs = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
    if lows.size < 2 or not (np.isnan(lows[0]) and np.isnan(highs[-1])):
        raise InputError("a range market needs two or more buckets, open below the first and above the last")
    inner_high, inner_low = highs[:-1], lows[1:]
    if np.isnan(inner_high).any() or np.isnan(inner_low).any() or (inner_low < inner_high).any():
        raise InputError("the market's buckets overlap or are out of order")
    return np.r_[-np.inf, (inner_high + inner_low) / 2, np.inf]


def _cdf_of(spec: object, edges: FloatArray, source: str) -> FloatArray:
    """The belief's CDF at the edges (0 and 1 at the open ends)."""
    inner = edges[1:-1]
    if isinstance(spec, ParametricBelief):
        values = spec.cdf(inner)
    elif isinstance(spec, GridBelief):
        x, density = np.asarray(spec.x, dtype=float), np.asarray(spec.density, dtype=float)
        cdf = cumulative_trapezoid(density, x, initial=0.0)
        values = np.interp(inner, x, cdf / cdf[-1], left=0.0, right=1.0)
    elif isinstance(spec, QuantileBelief):
        levels, points = np.asarray(spec.levels, dtype=float), np.asarray(spec.values, dtype=float)
        values = np.interp(inner, points, levels, left=np.nan, right=np.nan)
        if np.isnan(values).any():
            raise InputError("the quantiles leave a bucket edge outside them; state quantiles that reach past the "
                             f"market's buckets ({inner[0]:g} to {inner[-1]:g})", source=source)
    else:
        raise InputError(f"a {type(spec).__name__} cannot be scored against a market of ranges; state a "
                         "parametric form, a density, quantiles or buckets", source=source)
    return np.r_[0.0, np.asarray(values, dtype=float), 1.0]


def _bucket_overlap(spec: BucketBelief, edges: FloatArray, source: str) -> FloatArray:
    lows, highs, p = (np.asarray(a, dtype=float) for a in (spec.lows, spec.highs, spec.probabilities))
    covered = float(p.sum())
    if covered < 1 - 1e-9:
        raise InputError("a bucket belief on a range market must state every bucket (its probabilities sum to "
                         f"{covered:.4g})", source=source)
    left, right = edges[:-1][:, None], edges[1:][:, None]
    width = highs - lows
    overlap = np.clip(np.minimum(right, highs) - np.maximum(left, lows), 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(np.isfinite(width), overlap / width, np.nan)
    # an open-ended belief bucket can only be split where a market bucket holds all of it
    whole = (left <= lows) & (right >= highs)
    share = np.where(np.isnan(share), np.where(whole, 1.0, np.where(overlap > 0, np.nan, 0.0)), share)
    if np.isnan(share[:, p > 0]).any():
        raise InputError("an open-ended bucket of the belief straddles the market's buckets; close it or match "
                         "the market's edges", source=source)
    return np.nan_to_num(share) @ p


def belief_on_buckets(spec: object, lows: FloatArray, highs: FloatArray, source: str = "") -> FloatArray:
    """The belief's probability of each ordered bucket (sums to 1)."""
    edges = bucket_edges(lows, highs)
    if isinstance(spec, BucketBelief):
        p = _bucket_overlap(spec, edges, source)
    else:
        p = np.diff(_cdf_of(spec, edges, source))
    p = np.clip(p, 0.0, None)
    return p / p.sum()
