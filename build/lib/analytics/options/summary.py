"""One row of figures per fitted density, and the news between two days' densities (docs/methods.md, "Batch")."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.integrate import trapezoid

from analytics.core.distributions import GriddedDensity, trapezoid_weights
from analytics.core.types import FloatArray
from analytics.options.density import ChainDensity

QUANTILE_LEVELS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
COMMON_GRID_POINTS = 2001


def density_summary(chain: ChainDensity) -> dict[str, Any]:
    """Forward, discount, time to expiry (years), mean, sd, skewness, excess kurtosis, quantiles q01..q99 (prices),
    the masses beyond the quoted strikes, and the fit's diagnostics, as one flat record."""
    d = chain.density
    x, pdf = np.asarray(d.x), np.asarray(d.pdf) / d.mass
    mean, sd = d.mean(), d.sd()
    centred = x - mean
    skew = float(trapezoid(centred**3 * pdf, x)) / sd**3
    kurt = float(trapezoid(centred**4 * pdf, x)) / sd**4 - 3.0
    diag = chain.diagnostics
    row: dict[str, Any] = {"forward": chain.forward, "discount": chain.discount, "t_years": chain.t_years,
                           "mean": mean, "sd": sd, "skewness": skew, "excess_kurtosis": kurt}
    for level, value in zip(QUANTILE_LEVELS, d.quantile(QUANTILE_LEVELS), strict=True):
        row[f"q{round(level * 100):02d}"] = float(value)
    row.update({"mass_below_lowest_strike": diag.mass_below_lowest_strike,
                "mass_above_highest_strike": diag.mass_above_highest_strike, "quotes_used": diag.quotes_used,
                "fit_rms_vol_points": diag.fit_rms_vol_points, "fit_iterations": diag.fit_iterations,
                "forward_method": diag.forward_method})
    return row


def surprise_bits(today: GriddedDensity | tuple[FloatArray, FloatArray],
                  before: GriddedDensity | tuple[FloatArray, FloatArray]) -> float:
    """KL(today || before) in bits, both densities (GriddedDensity, or (x, pdf) arrays) read on one common grid:
    log-spaced over the prices both grids cover (their tails beyond it hold a negligible mass), each renormalised
    there; log-densities are interpolated, so far tails do not underflow."""
    x_today, pdf_today = (today.x, today.pdf) if isinstance(today, GriddedDensity) else today
    x_before, pdf_before = (before.x, before.pdf) if isinstance(before, GriddedDensity) else before
    low, high = max(x_today[0], x_before[0]), min(x_today[-1], x_before[-1])
    if not 0 < low < high:
        return math.inf
    grid = np.geomspace(low, high, COMMON_GRID_POINTS)
    w = trapezoid_weights(grid)

    def log_on_grid(x: FloatArray, pdf: FloatArray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_pdf = np.interp(grid, x, np.log(np.asarray(pdf)))
        top = float(np.max(log_pdf))
        return log_pdf - top - math.log(float(w @ np.exp(log_pdf - top)))

    log_p, log_q = log_on_grid(x_today, pdf_today), log_on_grid(x_before, pdf_before)
    p = np.exp(log_p)
    with np.errstate(invalid="ignore"):
        terms = np.where(p > 0, w * p * (log_p - log_q), 0.0)
    return max(float(np.sum(terms)), 0.0) / math.log(2)
