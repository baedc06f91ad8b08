"""Black-76 prices and implied volatilities, in total volatility v = sigma sqrt(T) and undiscounted prices
(docs/methods.md, "Option density")."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from analytics.core.types import BoolArray, FloatArray


def black_undiscounted(forward: float, strikes: FloatArray, total_vol: FloatArray, is_call: BoolArray) -> FloatArray:
    """Undiscounted Black-76 price with total volatility v = sigma sqrt(T)."""
    v = np.maximum(total_vol, 1e-300)
    d1 = np.log(forward / strikes) / v + v / 2
    d2 = d1 - v
    call = forward * ndtr(d1) - strikes * ndtr(d2)
    return np.where(is_call, call, call - (forward - strikes))


def implied_total_vol(forward: float, strikes: FloatArray, undiscounted: FloatArray, is_call: BoolArray,
                      guess: FloatArray | None = None) -> FloatArray:
    """Total implied volatility sigma sqrt(T) for each undiscounted price (NaN outside no-arbitrage bounds).

    An in-the-money price is turned into its out-of-the-money twin by parity; the twin's price, normalised
    by sqrt(F K), is solved for v by safeguarded Newton steps from the price curve's inflection point
    v = sqrt(2 |log(F/K)|): above it the curve is concave and Newton on the price climbs monotonically to
    the root; below it Newton runs on the log of the price (concave there too), and any step leaving the
    bracket known to hold the root bisects instead. Below the inflection point the first guess is the
    small-price asymptote v = |log(F/K)| / sqrt(-2 log b); `guess` (e.g. nearby vols) replaces either."""
    strikes = np.asarray(strikes, float)
    price = np.asarray(undiscounted, float)
    is_call = np.asarray(is_call, bool)
    intrinsic = np.where(is_call, np.maximum(forward - strikes, 0), np.maximum(strikes - forward, 0))
    upper = np.where(is_call, forward, strikes)
    valid = (price > intrinsic + 1e-12) & (price < upper)
    out = np.full(strikes.shape, np.nan)
    if valid.any():
        root_fk = np.sqrt(forward * strikes[valid])
        out[valid] = _normalised_otm_vol(-np.abs(np.log(forward / strikes[valid])),
                                         (price[valid] - intrinsic[valid]) / root_fk,
                                         None if guess is None else np.asarray(guess, float)[valid])
    return out


def _normalised_otm_vol(x: FloatArray, target: FloatArray, guess: FloatArray | None = None,
                        max_steps: int = 60) -> FloatArray:
    """v with b(x, v) = e^{x/2} N(x/v + v/2) - e^{-x/2} N(x/v - v/2) = target, for x <= 0 (an out-of-the-money
    option's price over sqrt(F K)); NaN where the iteration fails."""
    half = np.exp(x / 2)

    def price_and_vega(v: FloatArray) -> tuple[FloatArray, FloatArray]:
        d1 = x / v + v / 2
        return half * ndtr(d1) - ndtr(d1 - v) / half, half * np.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)

    inflection = np.maximum(np.sqrt(-2 * x), 1e-3)
    start_price, _ = price_and_vega(inflection)
    upper_branch = target >= start_price
    lo = np.where(upper_branch, inflection, 0.0)
    hi = np.where(upper_branch, np.inf, inflection)
    log_target = np.log(target)
    with np.errstate(divide="ignore", invalid="ignore"):
        asymptote = -x / np.sqrt(-2 * np.minimum(log_target, -1e-3))
    start = np.where(upper_branch, inflection, asymptote) if guess is None else guess
    v = np.where((start > lo) & (start < hi), start, inflection)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_steps):
            b, vega = price_and_vega(v)
            miss = np.where(upper_branch, b - target, np.log(b) - log_target)
            miss = np.where(np.isnan(miss), -np.inf, miss)      # a price lost to rounding is too low
            slope = np.where(upper_branch, vega, vega / b)
            lo = np.where(miss < 0, np.maximum(lo, v), lo)
            hi = np.where(miss > 0, np.minimum(hi, v), hi)
            newton = v - miss / slope
            inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
            step = np.where(inside, newton, np.where(np.isfinite(hi), (lo + hi) / 2, 2 * v))
            converged = np.abs(step - v) <= 1e-12 * (1 + v)
            v = step
            if converged.all():
                break
    b, _ = price_and_vega(v)
    return np.where(np.abs(b - target) <= 1e-9 * target + 1e-15, v, np.nan)
