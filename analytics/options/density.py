"""Risk-neutral density of the underlying at expiry from one expiry's option quotes.

Pipeline: forward F and discount D from put-call parity C - P = D (F - K) (parity_forward); the
out-of-the-money mids (puts below F, calls above) and their implied total volatilities (vectorised
bracketed solver on Black-76, for the ATM scale and the residuals in vol points); then the density of
k = log(S_T/F) itself, as log q(k) = a cubic B-spline, fitted to the undiscounted prices with each
residual in units of the quote's half spread, E[S_T] = F as a constraint and a third-difference
penalty (zero on any Gaussian in k, so a flat smile costs nothing). The penalty is chosen per expiry
from a ladder by a BIC. Prices of the spline density are exact integrals of the payoffs against the
density interpolated on a fine grid (payoff_weights), so Breeden-Litzenberger holds by construction:
the fitted call prices are those of a positive density, free of butterfly and calendar-spread
arbitrage within the expiry, and nothing needs repairing. Beyond the quoted strikes the log-density
continues as the penalty prefers (a Gaussian tail in log-price), out to TAIL_VOLS ATM total vols;
the mass beyond the quoted strikes is reported. Prices in the chain's currency, T in years of 365
days, densities per unit of price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import BSpline
from scipy.optimize import elementwise
from scipy.special import ndtr

from .._types import FloatArray
from ..distributions import GriddedDensity
from ..errors import InputError
from .chain import ExpiryQuotes

GRID_POINTS = 4001
TAIL_VOLS = 6.0   # the grid extends this many ATM total vols beyond the outermost quoted strikes
METHOD = "penalised log-spline density fitted to out-of-the-money prices (BIC-chosen smoothing)"


@dataclass(frozen=True)
class ForwardFit:
    forward: float
    discount: float
    method: str
    pairs_used: int


PLAUSIBLE_RATES = (-0.01, 0.12)   # continuously compounded; outside, parity's slope is not a discount


def parity_forward(q: ExpiryQuotes, t_years: float, *, spot: float | None, rate: float | None) -> ForwardFit:
    """F and D from put-call parity C - P = D (F - K).

    D is the slope of a weighted, outlier-trimmed regression on the pairs nearest the money when it
    implies a rate in PLAUSIBLE_RATES; otherwise (American exercise, dividends and stale quotes bend
    the regression) D = e^{-rT} with the given rate (0 if none). F is then K + (C - P)/D averaged over
    the pairs nearest the money, where early exercise is worth least. Without three pairs:
    F = S e^{rT} from the spot."""
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
        r = rate if rate is not None else 0.0
        discount = math.exp(-r * t_years)
        closest = np.argsort(np.abs(y))[:6]
        candidates = k[closest] + y[closest] / discount
        centre = np.median(candidates)
        close = np.abs(candidates - centre) <= 3 * 1.4826 * np.median(np.abs(candidates - centre)) + 1e-12
        forward = float(np.average(candidates[close], weights=weight[closest][close]))
        why = f"given rate {r:g}" if rate is not None else \
            f"rate 0 (parity regression implied {implied:+.3f}, outside {PLAUSIBLE_RATES}; give a rate)"
        return ForwardFit(forward, discount, f"put-call parity at the {int(close.sum())} strikes nearest the money, "
                          f"discount from {why}", int(close.sum()))
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


def _interval_integrals(lo: FloatArray, hi: FloatArray, k0: FloatArray, h: FloatArray) -> tuple[FloatArray, ...]:
    """Integrals over [lo, hi] (inside grid interval [k0, k0 + h]) of e^k, e^k t, 1 and t, where
    t = (k - k0)/h is the weight of the interval's right node in linear interpolation."""
    e_hi, e_lo = np.exp(hi), np.exp(lo)
    exp_1 = e_hi - e_lo
    exp_t = (e_hi * (hi - k0 - 1) - e_lo * (lo - k0 - 1)) / h
    one_1 = hi - lo
    one_t = ((hi - k0) ** 2 - (lo - k0) ** 2) / (2 * h)
    return exp_1, exp_t, one_1, one_t


def _to_nodes(left: FloatArray, right: FloatArray) -> FloatArray:
    """Per-interval weights of the left and right nodes summed onto the nodes (last axis)."""
    out = np.zeros(left.shape[:-1] + (left.shape[-1] + 1,))
    out[..., :-1] += left
    out[..., 1:] += right
    return out


def grid_moments(grid_k: FloatArray, forward: float) -> tuple[FloatArray, FloatArray]:
    """Weights (m, e) with m @ q = total mass and e @ q = E[S] exactly, for a density q of k = log(S/F)
    given at the grid nodes and linear between them."""
    k0, h = grid_k[:-1], np.diff(grid_k)
    exp_1, exp_t, one_1, one_t = _interval_integrals(k0, grid_k[1:], k0, h)
    return _to_nodes(one_1 - one_t, one_t), forward * _to_nodes(exp_1 - exp_t, exp_t)


def payoff_weights(grid_k: FloatArray, forward: float, strikes: FloatArray, is_call: FloatArray) -> FloatArray:
    """Matrix W with W @ q = the exact undiscounted price E[(S - K)^+] (calls) or E[(K - S)^+] (puts)
    for a density q of k = log(S/F) given at the grid nodes and linear between them (zero outside).
    Exact integration keeps the payoff's kink between nodes from biasing the fit."""
    k0, k1 = grid_k[:-1][None, :], grid_k[1:][None, :]
    h = k1 - k0
    strike = np.asarray(strikes, float)[:, None]
    start = np.clip(np.log(strike / forward), k0, k1)       # a call pays on [log(K/F), inf)
    exp_1, exp_t, one_1, one_t = _interval_integrals(start, np.broadcast_to(k1, start.shape), k0, h)
    calls = _to_nodes(forward * (exp_1 - exp_t) - strike * (one_1 - one_t), forward * exp_t - strike * one_t)
    mass_w, mean_w = grid_moments(grid_k, forward)
    puts = calls - mean_w[None, :] + strike * mass_w[None, :]     # parity on the same density
    return np.where(np.asarray(is_call, bool)[:, None], calls, puts)


@dataclass(frozen=True)
class LogSplineFit:
    """A penalised log-spline density of k = log(S/F): log q(k) = sum theta_j B_j(k) + const, with a
    third-difference penalty lam |D3 theta|^2 (zero on every Gaussian in k, i.e. every lognormal)."""

    knots: FloatArray
    theta: FloatArray
    lam: float
    effective_parameters: float
    residual_rms_half_spreads: float
    candidates: int


TOLERANCE = 1e-6   # relative change of the objective at which a fit has converged (far below the noise)
LAMBDA_LADDER = tuple(10.0 ** np.arange(5.0, -2.01, -0.5))


def _constrained_gauss_newton(theta: FloatArray, lam: float, value, jacobian, penalty_gram: FloatArray,
                              max_steps: int = 50) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Minimise |r(theta)|^2 + lam theta' P theta subject to mean(theta) = 1 by Gauss-Newton steps on
    the linearised constraint (KKT system), halving a step until the objective falls.
    `value(theta)` returns (r, c = mean - 1, state); `jacobian(state)` returns (J, grad c).
    Returns theta, r and J at the solution."""
    n = theta.size
    identity = np.eye(n)

    def objective(r: FloatArray, th: FloatArray, c: float) -> float:
        return float(r @ r + lam * th @ penalty_gram @ th + 1e8 * c * c)

    r, c, state = value(theta)
    jac, grad_c = jacobian(state)
    current = objective(r, theta, c)
    for _ in range(max_steps):
        hessian = jac.T @ jac + lam * penalty_gram
        hessian += 1e-10 * (np.trace(hessian) / n) * identity     # the constant gauge of log q
        kkt = np.block([[hessian, grad_c[:, None]], [grad_c[None, :], np.zeros((1, 1))]])
        rhs = np.concatenate((-(jac.T @ r + lam * penalty_gram @ theta), [-c]))
        step = np.linalg.solve(kkt, rhs)[:n]
        predicted_gain = float(2 * rhs[:n] @ step - step @ hessian @ step)
        if predicted_gain <= TOLERANCE * (1 + current) and abs(c) < 1e-9:
            break
        for _halving in range(12):
            trial = theta + step
            r_t, c_t, state_t = value(trial)
            trial_value = objective(r_t, trial, c_t)
            if trial_value <= current:
                break
            step = step / 2
        else:
            break
        gain = current - trial_value
        theta, r, c, current = trial, r_t, c_t, trial_value
        jac, grad_c = jacobian(state_t)
        if gain <= TOLERANCE * (1 + current):
            break
    return theta, r, jac


def fit_log_spline(k: FloatArray, strikes: FloatArray, forward: float, undiscounted: FloatArray,
                   is_call: FloatArray, tolerance: FloatArray, atm_total_vol: float,
                   grid_k: FloatArray) -> LogSplineFit:
    """Fit the log-density spline to undiscounted prices (residuals in units of each quote's half spread),
    with E[S] = F as a constraint, for each penalty on a ladder, warm-starting from the smoother fit;
    keep the one with the least RSS / sigma^2 + log(N) edf (a BIC with the noise variance estimated
    from the least-penalised fit)."""
    s = atm_total_vol
    lo, hi = float(grid_k[0]), float(grid_k[-1])
    intervals = max(int(math.ceil((hi - lo) / (s / 3))), 4)
    knots = np.concatenate(([lo] * 3, np.linspace(lo, hi, intervals + 1), [hi] * 3))
    basis = BSpline.design_matrix(grid_k, knots, 3)
    basis_t = basis.T.tocsr()
    basis_dense = basis.toarray()
    n = basis_dense.shape[1]
    weights = payoff_weights(grid_k, forward, strikes, is_call) / tolerance[:, None]
    target = undiscounted / tolerance
    mass_w, mean_w = grid_moments(grid_k, forward)
    mean_w = mean_w / forward
    d3 = np.diff(np.eye(n), 3, axis=0)
    penalty_gram = d3.T @ d3

    weights_t = np.ascontiguousarray(weights.T)

    def value(theta: FloatArray) -> tuple[FloatArray, float, tuple[FloatArray, FloatArray, float]]:
        f = basis_dense @ theta
        q = np.exp(f - f.max())
        q /= mass_w @ q
        price = weights @ q
        mean = float(mean_w @ q)
        return price - target, mean - 1, (q, price, mean)

    def jacobian(state: tuple[FloatArray, FloatArray, float]) -> tuple[FloatArray, FloatArray]:
        q, price, mean = state
        e_bar = basis_t @ (mass_w * q)                 # derivative of the normalisation
        jac = (basis_t @ (weights_t * q[:, None])).T - price[:, None] * e_bar[None, :]
        return jac, basis_t @ (mean_w * q) - mean * e_bar

    theta = np.linalg.lstsq(basis_dense, -(grid_k + s * s / 2) ** 2 / (2 * s * s), rcond=None)[0]
    n_data = target.size
    runs = []
    for lam in LAMBDA_LADDER:
        theta, r, jac = _constrained_gauss_newton(theta, lam, value, jacobian, penalty_gram)
        gram = jac.T @ jac
        hat = np.linalg.solve(gram + lam * penalty_gram + 1e-10 * np.trace(gram) / n * np.eye(n), gram)
        runs.append((lam, theta, float(r @ r), float(np.trace(hat))))
    rss_min, edf_min = runs[-1][2], runs[-1][3]
    noise = max(rss_min / max(n_data - edf_min, 1.0), 1e-12)
    lam, theta, rss, edf = min(runs, key=lambda run: run[2] / noise + math.log(n_data) * run[3])
    return LogSplineFit(knots, theta, lam, edf, math.sqrt(rss / n_data), len(runs))


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
    """The market's risk-neutral density of S_T from one expiry's quotes (see the module docstring)."""
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
    strikes, mid, spread, vol, is_call = strikes[ok], mid[ok], spread[ok], vol[ok], is_call[ok]
    k = np.log(strikes / forward)
    undiscounted = mid / discount
    tolerance = 0.5 * spread / discount + 1e-6 * forward      # half spread, floored at 0.0001 % of F
    atm_vol = float(np.median(vol[np.argsort(np.abs(k))[:4]]))
    lo, hi = float(k.min()) - TAIL_VOLS * atm_vol, float(k.max()) + TAIL_VOLS * atm_vol
    fit_grid = np.linspace(lo, hi, max(int(math.ceil((hi - lo) / (atm_vol / 25))) + 1, 201))
    fit = fit_log_spline(k, strikes, forward, undiscounted, is_call, tolerance, atm_vol, fit_grid)

    grid_k = np.linspace(lo, hi, GRID_POINTS)
    x = forward * np.exp(grid_k)
    raw = _nodes_density(fit, fit_grid, grid_k) / x         # normalised on the fit's grid
    mass = float(np.trapezoid(raw, x))
    pdf = raw / mass
    diagnostics: dict = {}          # filled below from the density's own cdf and mean
    density = GriddedDensity(x, pdf, source=source, method=METHOD, diagnostics=diagnostics)
    fitted_price = payoff_weights(fit_grid, forward, strikes, is_call) @ _nodes_density(fit, fit_grid, fit_grid)
    fitted_vol = implied_total_vol(forward, strikes, fitted_price, is_call)
    vol_error = (fitted_vol - vol) / math.sqrt(t_years) * 100
    cdf_lo, cdf_hi = np.interp([strikes.min(), strikes.max()], x, density.cdf)
    mean = density.mean()
    diagnostics.update({
        "method": METHOD,
        "forward_method": fwd.method, "parity_pairs_used": fwd.pairs_used,
        "forward": forward, "discount": discount, "implied_rate": -math.log(discount) / t_years,
        "t_years": t_years, "quotes_used": int(strikes.size), "quotes_dropped": dropped,
        "penalty": fit.lam, "effective_parameters": fit.effective_parameters,
        "fit_rms_half_spreads": fit.residual_rms_half_spreads,
        "fit_rms_vol_points": float(np.sqrt(np.nanmean(vol_error**2))),
        "fit_max_abs_vol_points": float(np.nanmax(np.abs(vol_error))),
        "negative_density_repaired_mass": 0.0,
        "mass_before_normalisation": mass,
        "mean": mean, "mean_vs_forward": mean / forward - 1,
        "mass_below_lowest_strike": float(cdf_lo), "mass_above_highest_strike": float(1 - cdf_hi),
        "quoted_strike_range": [float(strikes.min()), float(strikes.max())],
        "grid_range": [float(x[0]), float(x[-1])],
    })
    return ChainDensity(q.expiry, t_years, forward, discount, density, diagnostics)


def _nodes_density(fit: LogSplineFit, fit_grid: FloatArray, at: FloatArray) -> FloatArray:
    """The fitted density of k at points `at`, normalised (as in the fit) to mass 1 on fit_grid."""
    spline = BSpline(fit.knots, fit.theta, 3)
    on_fit = spline(fit_grid)
    top = on_fit.max()
    return np.exp(spline(at) - top) / (grid_moments(fit_grid, 1.0)[0] @ np.exp(on_fit - top))
