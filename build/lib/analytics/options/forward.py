"""Forward price and discount factor of one expiry from put-call parity, C - P = D (F - K)
(docs/methods.md, "Option density"). Prices in the chain's currency; rates continuously compounded, per year."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics.core.errors import InputError
from analytics.options.chain import ExpiryQuotes
from analytics.options.rates import RateCurve


@dataclass(frozen=True)
class ForwardFit:
    forward: float
    discount: float
    method: str
    pairs_used: int


PLAUSIBLE_RATES = (-0.01, 0.12)   # continuously compounded; outside, parity's slope is not a discount


def parity_forward(q: ExpiryQuotes, t_years: float, *, spot: float | None, rate: float | None,
                   curve: RateCurve | None = None) -> ForwardFit:
    """F and D from put-call parity C - P = D (F - K).

    D is the slope of a weighted, outlier-trimmed regression on the pairs nearest the money when it
    implies a rate in PLAUSIBLE_RATES; otherwise (American exercise, dividends and stale quotes bend
    the regression) D = e^{-rT} with the given rate, else the risk-free curve's at T, else 0 (each named).
    F is then K + (C - P)/D averaged over the pairs nearest the money, where early exercise is worth least.
    Without three pairs: F = S e^{rT} from the spot."""
    both = np.isfinite(q.call_mid) & np.isfinite(q.put_mid)
    k, y = q.strikes[both], (q.call_mid - q.put_mid)[both]
    spread = (q.call_spread + q.put_spread)[both]
    weight = 1.0 / np.maximum(spread, 1e-4)
    if k.size >= 3:
        near = np.argsort(np.abs(y))[: max(3, int(math.ceil(0.6 * k.size)))]
        keep = np.zeros(k.size, dtype=bool)
        keep[near] = True
        for _ in range(3):
            design = np.column_stack((np.ones(keep.sum()), -k[keep]))
            sw = np.sqrt(weight[keep])
            coef, *_ = np.linalg.lstsq(design * sw[:, None], y[keep] * sw, rcond=None)
            resid = y - (coef[0] - coef[1] * k)
            scale = 1.4826 * np.median(np.abs(resid[keep])) + 1e-12
            keep &= np.abs(resid) <= 4 * scale + 0.5 * spread
            if keep.sum() < 3:
                break
        slope = float(coef[1])
        implied = -math.log(slope) / t_years if slope > 0 else float("inf")
        if rate is None and PLAUSIBLE_RATES[0] <= implied <= PLAUSIBLE_RATES[1] and coef[1] > 0:
            return ForwardFit(float(coef[0] / coef[1]), slope, "put-call parity regression", int(keep.sum()))
        r = rate if rate is not None else curve.rate_at(t_years) if curve is not None else 0.0
        discount = math.exp(-r * t_years)
        closest = np.argsort(np.abs(y))[:6]
        candidates = k[closest] + y[closest] / discount
        centre = np.median(candidates)
        close = np.abs(candidates - centre) <= 3 * 1.4826 * np.median(np.abs(candidates - centre)) + 1e-12
        forward = float(np.average(candidates[close], weights=weight[closest][close]))
        implausible = (f"put-call parity's regression implied {implied * 100:+.1f} %/yr, outside the plausible "
                       f"{PLAUSIBLE_RATES[0] * 100:g} to {PLAUSIBLE_RATES[1] * 100:g} % (American exercise, dividends "
                       "and stale quotes bend it)")
        why = f"given rate {r:g}" if rate is not None else \
            f"{curve.describe(t_years)}, because {implausible}" if curve is not None else \
            f"rate 0, because {implausible} and no risk-free curve covers this date; give a rate"
        return ForwardFit(forward, discount, f"put-call parity at the {int(close.sum())} strikes nearest the money, "
                          f"discount from {why}", int(close.sum()))
    if spot is None:
        raise InputError(f"expiry {q.expiry}: too few strikes with both a call and a put for put-call parity; "
                         "give the spot price (and a rate) to use instead")
    r = rate if rate is not None else curve.rate_at(t_years) if curve is not None else 0.0
    named = f"rate {r:g}" if rate is not None or curve is None else curve.describe(t_years)
    return ForwardFit(spot * math.exp(r * t_years), math.exp(-r * t_years), f"spot and {named} (fallback)", 0)
