"""The continuous ranked probability score of a price forecast at the realised price (docs/methods.md, "Scores"):
CRPS(F, y) = integral of (F(x) - 1{x >= y})^2 dx, in the price's units (0 is a certain, right forecast; lower is
better). Closed forms for the normal (Gneiting and Raftery 2007) and the lognormal (Baran and Lerch 2015); any
density on a grid by the trapezoid rule on its CDF, the line beyond the grid counted where it reaches y."""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import cumulative_trapezoid
from scipy.stats import norm

from analytics.core.errors import InputError
from analytics.core.types import FloatArray


def crps_normal(mean: float, sd: float, y: float) -> float:
    """CRPS of N(mean, sd^2) at y: sd [z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)], z = (y - mean) / sd."""
    z = (y - mean) / sd
    return float(sd * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / math.sqrt(math.pi)))


def crps_lognormal(mu: float, sigma: float, y: float) -> float:
    """CRPS of the lognormal with log-mean mu and log-sd sigma at y > 0:
    y (2 Phi(w) - 1) - 2 exp(mu + sigma^2 / 2) [Phi(w - sigma) + Phi(sigma / sqrt 2) - 1], w = (log y - mu) / sigma."""
    if y <= 0:
        return float(-y + math.exp(mu + sigma ** 2 / 2))        # the forecast lies wholly above y
    w = (math.log(y) - mu) / sigma
    return float(y * (2 * norm.cdf(w) - 1)
                 - 2 * math.exp(mu + sigma ** 2 / 2) * (norm.cdf(w - sigma) + norm.cdf(sigma / math.sqrt(2)) - 1))


def crps_on_grid(x: FloatArray, density: FloatArray, y: float) -> float:
    """CRPS of a density on an increasing grid (normalised on it) at y; below the grid F = 0, above it F = 1."""
    x, density = np.asarray(x, dtype=float), np.asarray(density, dtype=float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.diff(x) > 0):
        raise InputError("a density for CRPS needs an increasing grid of two or more points")
    cdf = cumulative_trapezoid(density, x, initial=0.0)
    if cdf[-1] <= 0:
        raise InputError("the density has no mass on its grid")
    cdf = cdf / cdf[-1]
    if y <= x[0]:
        return float(np.trapezoid((1 - cdf) ** 2, x) + (x[0] - y))
    if y >= x[-1]:
        return float(np.trapezoid(cdf ** 2, x) + (y - x[-1]))
    # split the grid at y so the step of the outcome falls on a grid point
    k = int(np.searchsorted(x, y))
    at_y = float(np.interp(y, x, cdf))
    below_x, below_f = np.r_[x[:k], y], np.r_[cdf[:k], at_y]
    above_x, above_f = np.r_[y, x[k:]], np.r_[at_y, cdf[k:]]
    return float(np.trapezoid(below_f ** 2, below_x) + np.trapezoid((1 - above_f) ** 2, above_x))
