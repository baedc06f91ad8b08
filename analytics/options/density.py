"""Risk-neutral density of the underlying at expiry from one expiry's option quotes.

Pipeline: forward F and discount D from put-call parity C - P = D (F - K) (weighted, outlier-trimmed
regression across strikes; a given rate is the fallback); implied total volatility v = sigma sqrt(T) of
the out-of-the-money mids (puts below F, calls above) by a vectorised bracketed solver on Black-76;
an SVI smile w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + s^2)) in total variance against
log-moneyness k = log(K/F), fitted to implied vols weighted by their bid/ask width; the density
from the fitted smile in closed form (Breeden-Litzenberger applied analytically, Gatheral's g(k)):
q(K) = g(k) phi(d2) / (K sqrt(w)), d2 = -k/sqrt(w) - sqrt(w)/2. The SVI wings (linear in k) give
the tails beyond the quoted strikes; their mass is reported. Prices in the chain's currency, T in
years of 365 days, densities per unit of price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import elementwise, least_squares
from scipy.special import ndtr
from scipy.stats import norm

from .._types import FloatArray
from ..distributions import GriddedDensity
from ..errors import InputError
from .chain import ExpiryQuotes

GRID_POINTS = 4001


@dataclass(frozen=True)
class ForwardFit:
    forward: float
    discount: float
    method: str
    pairs_used: int


def parity_forward(q: ExpiryQuotes, t_years: float, *, spot: float | None, rate: float | None) -> ForwardFit:
    """F and D from C - P = D F - D K by weighted least squares on strikes with both quotes,
    trimming outliers; falls back to F = S e^{rT}, D = e^{-rT} with the given rate (0 if none)."""
    both = np.isfinite(q.call_mid) & np.isfinite(q.put_mid)
    k, y = q.strikes[both], (q.call_mid - q.put_mid)[both]
    weight = 1.0 / np.maximum((q.call_spread + q.put_spread)[both], 1e-4)
    if k.size >= 3:
        # the most informative pairs are near the money, where |C - P| is smallest
        near = np.argsort(np.abs(y))[: max(3, int(math.ceil(0.6 * k.size)))]
        keep = np.zeros(k.size, dtype=bool)
        keep[near] = True
        for _ in range(3):
            design = np.column_stack((np.ones(keep.sum()), -k[keep]))
            sw = np.sqrt(weight[keep])
            coef, *_ = np.linalg.lstsq(design * sw[:, None], y[keep] * sw, rcond=None)
            resid = y - (coef[0] - coef[1] * k)
            scale = 1.4826 * np.median(np.abs(resid[keep])) + 1e-12
            keep &= np.abs(resid) <= 4 * scale + 0.5 * (q.call_spread + q.put_spread)[both]
            if keep.sum() < 3:
                break
        discount, forward = float(coef[1]), float(coef[0] / coef[1]) if coef[1] > 0 else float("nan")
        if 0.5 < discount <= 1.02 and np.isfinite(forward) and forward > 0:
            return ForwardFit(forward, discount, "put-call parity regression", int(keep.sum()))
    if spot is None:
        raise InputError(f"expiry {q.expiry}: too few strikes with both a call and a put for put-call parity; "
                         "give the spot price (and a rate) to use instead")
    r = rate or 0.0
    return ForwardFit(spot * math.exp(r * t_years), math.exp(-r * t_years), f"spot and rate {r:g} (fallback)", 0)


def black_undiscounted(forward: float, strikes: FloatArray, total_vol: FloatArray, is_call: FloatArray) -> FloatArray:
    """Undiscounted Black-76 price with total volatility v = sigma sqrt(T)."""
    v = np.maximum(total_vol, 1e-300)
    d1 = np.log(forward / strikes) / v + v / 2
    d2 = d1 - v
    call = forward * ndtr(d1) - strikes * ndtr(d2)
    return np.where(is_call, call, call - (forward - strikes))


def implied_total_vol(forward: float, strikes: FloatArray, undiscounted: FloatArray, is_call: FloatArray) -> FloatArray:
    """Total implied volatility sigma sqrt(T) for each price (NaN outside no-arbitrage bounds)."""
    intrinsic = np.where(is_call, np.maximum(forward - strikes, 0), np.maximum(strikes - forward, 0))
    upper = np.where(is_call, forward, strikes)
    valid = (undiscounted > intrinsic + 1e-12) & (undiscounted < upper)
    out = np.full(strikes.shape, np.nan)
    if valid.any():
        res = elementwise.find_root(
            lambda v, k, price, c: black_undiscounted(forward, k, v, c) - price, (1e-6, 6.0),
            args=(strikes[valid], undiscounted[valid], is_call[valid]))
        out[valid] = np.where(res.success, res.x, np.nan)
    return out


def svi_total_variance(k: FloatArray, params: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """SVI w(k) and its first two derivatives in k."""
    a, b, rho, m, s = params
    x = k - m
    root = np.sqrt(x * x + s * s)
    return a + b * (rho * x + root), b * (rho + x / root), b * s * s / root**3


def svi_from_free(free: FloatArray) -> FloatArray:
    """Raw SVI (a, b, rho, m, s) from parameters that keep the smile admissible by construction:
    (w_min >= 0, wing slope c = b (1 + |rho|) in [0, 2] (Lee's moment bound), rho, m, s)."""
    w_min, c, rho, m, s = free
    b = c / (1 + abs(rho))
    return np.array([w_min - b * s * math.sqrt(1 - rho * rho), b, rho, m, s])


def fit_svi(k: FloatArray, strikes: FloatArray, forward: float, undiscounted: FloatArray, is_call: FloatArray,
            price_tolerance: FloatArray, total_vol: FloatArray) -> tuple[FloatArray, float]:
    """SVI fitted to out-of-the-money prices, residuals in units of each quote's half spread (so the
    wings cannot be priced above their asks). Returns raw SVI parameters and the RMS vol misfit."""
    w_obs = total_vol**2
    span = max(float(k.max() - k.min()), 1e-3)
    lower = [0.0, 0.0, -0.999, float(k.min()) - span, 1e-4]
    upper = [float(w_obs.max()) * 2, 2.0, 0.999, float(k.max()) + span, 2.0 * span + 1.0]

    def residual(free: FloatArray) -> FloatArray:
        w, _, _ = svi_total_variance(k, svi_from_free(free))
        model = black_undiscounted(forward, strikes, np.sqrt(np.maximum(w, 1e-12)), is_call)
        return (model - undiscounted) / price_tolerance

    best = None
    atm = float(np.interp(0.0, k, w_obs)) if k.min() < 0 < k.max() else float(np.median(w_obs))
    for rho0 in (-0.6, 0.0):
        for s0 in (0.05 * span, 0.25 * span):
            start = np.clip([0.7 * atm, 0.2, rho0, 0.0, s0], np.array(lower) + 1e-9, np.array(upper) - 1e-9)
            fit = least_squares(residual, start, bounds=(lower, upper), x_scale="jac", max_nfev=300)
            if best is None or fit.cost < best.cost:
                best = fit
    assert best is not None
    params = svi_from_free(best.x)
    fitted = np.sqrt(svi_total_variance(k, params)[0])
    return params, float(np.sqrt(np.mean((fitted - total_vol) ** 2)))


@dataclass(frozen=True, eq=False)
class ChainDensity:
    """A market density with its provenance and diagnostics."""

    expiry: str
    t_years: float
    forward: float
    discount: float
    density: GriddedDensity
    diagnostics: dict


def density_from_quotes(q: ExpiryQuotes, t_years: float, *, spot: float | None = None, rate: float | None = None,
                        source: str = "") -> ChainDensity:
    fwd = parity_forward(q, t_years, spot=spot, rate=rate)
    forward, discount = fwd.forward, fwd.discount
    use_put = q.strikes < forward
    mid = np.where(use_put, q.put_mid, q.call_mid)
    spread = np.where(use_put, q.put_spread, q.call_spread)
    quoted = np.isfinite(mid)
    strikes, mid, spread, is_call = q.strikes[quoted], mid[quoted], spread[quoted], ~use_put[quoted]
    vol = implied_total_vol(forward, strikes, mid / discount, is_call)
    ok = np.isfinite(vol) & (vol > 1e-4)
    dropped = dict(q.dropped)
    if (~ok).sum():
        dropped["price outside no-arbitrage bounds"] = int((~ok).sum())
    if ok.sum() < 5:
        raise InputError(f"expiry {q.expiry}: only {int(ok.sum())} usable out-of-the-money quotes; need at least 5")
    strikes, mid, spread, vol = strikes[ok], mid[ok], spread[ok], vol[ok]
    k = np.log(strikes / forward)
    tolerance = 0.5 * spread / discount + 1e-4 * forward * 1e-2   # half spread, floored at 0.0001 % of F
    params, rms = fit_svi(k, strikes, forward, mid / discount, is_call, tolerance, vol)

    atm_vol = math.sqrt(max(float(svi_total_variance(np.zeros(1), params)[0][0]), 1e-8))
    k_lo = min(float(k.min()) - 2 * atm_vol, -12 * atm_vol)
    k_hi = max(float(k.max()) + 2 * atm_vol, 12 * atm_vol)
    grid_k = np.linspace(k_lo, k_hi, GRID_POINTS)
    w, w1, w2 = svi_total_variance(grid_k, params)
    if np.any(w <= 0):
        raise InputError(f"expiry {q.expiry}: the fitted smile has negative total variance; quotes too sparse")
    sqrt_w = np.sqrt(w)
    g = (1 - grid_k * w1 / (2 * w)) ** 2 - (w1**2 / 4) * (1 / w + 0.25) + w2 / 2
    d2 = -grid_k / sqrt_w - sqrt_w / 2
    x = forward * np.exp(grid_k)
    raw = g * norm.pdf(d2) / (x * sqrt_w)
    negative_mass = float(np.trapezoid(np.clip(-raw, 0, None), x))
    pdf = np.clip(raw, 0, None)
    mass = float(np.trapezoid(pdf, x))
    pdf = pdf / mass
    cdf_lo, cdf_hi = np.interp([strikes.min(), strikes.max()], x, np.concatenate(
        ([0.0], np.cumsum((pdf[1:] + pdf[:-1]) / 2 * np.diff(x)))))
    mean = float(np.trapezoid(x * pdf, x))
    fit_vol = np.sqrt(svi_total_variance(k, params)[0])
    diagnostics = {
        "method": "SVI smile in total variance + Breeden-Litzenberger (closed form)",
        "forward_method": fwd.method, "parity_pairs_used": fwd.pairs_used,
        "forward": forward, "discount": discount, "implied_rate": -math.log(discount) / t_years,
        "t_years": t_years, "quotes_used": int(strikes.size), "quotes_dropped": dropped,
        "svi_params": dict(zip(("a", "b", "rho", "m", "s"), map(float, params))),
        "fit_rms_vol_points": rms / math.sqrt(t_years) * 100,
        "fit_max_abs_vol_points": float(np.max(np.abs(fit_vol - vol)) / math.sqrt(t_years) * 100),
        "negative_density_repaired_mass": negative_mass, "mass_before_normalisation": mass,
        "mean": mean, "mean_vs_forward": mean / forward - 1,
        "mass_below_lowest_strike": float(cdf_lo), "mass_above_highest_strike": float(1 - cdf_hi),
        "quoted_strike_range": [float(strikes.min()), float(strikes.max())],
    }
    dens = GriddedDensity(x, pdf, source=source, method=diagnostics["method"], diagnostics=diagnostics)
    return ChainDensity(q.expiry, t_years, forward, discount, dens, diagnostics)
